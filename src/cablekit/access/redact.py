"""A stored record turned into the record a reader may see.

Every place that hands a reader a record or its text (``show``, ``versions``,
``diff``, ``export``) goes through :func:`reader_record`, with the facts of that very
version (its own header, markings and declassification date). A withheld paragraph
becomes a placeholder that keeps its number, label and marking only; its text says why
it is withheld. What is derived from paragraphs goes with them: the cables a withheld
paragraph mentions (``Cable.mentions``) are dropped, the summary is kept
only when no withheld paragraph shares words with it, and warning messages (which may
quote a line) lose their text when anything is withheld.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from ..model import Cable, Paragraph, ParseWarning
from .policy import (
    Decision,
    Declassification,
    Reader,
    cable_requirement,
    header_hash,
    paragraph_hash,
    paragraph_requirement,
    portion_decision,
)

PLACEHOLDER = "[withheld: {reason}]"
SHARED_RUN = 6  # words in a row a withheld paragraph and the summary may not share


@dataclass(frozen=True, slots=True)
class Redacted:
    """The reader's record, and the decision on each paragraph (in order)."""

    cable: Cable
    decisions: tuple[Decision, ...]

    @property
    def withheld(self) -> int:
        return sum(not d.visible for d in self.decisions)


def header_decision(
    reader: Reader | None, cable: Cable, facts: Declassification, today: date
) -> Decision:
    """Whether ``reader`` may see this version's header on ``today`` (collections
    aside), judged by the version's own markings and facts."""
    return portion_decision(reader, cable_requirement(cable), facts, header_hash(cable), today)


def reader_record(
    reader: Reader | None, cable: Cable, facts: Declassification, today: date
) -> Redacted:
    """``cable`` (one version) as ``reader`` may see it on ``today``; ``facts`` are that
    version's (its header must be visible: the caller checked)."""
    header = cable_requirement(cable)
    decisions = tuple(
        portion_decision(reader, paragraph_requirement(header, p), facts, paragraph_hash(p), today)
        for p in cable.paragraphs
    )
    if all(d.visible for d in decisions):
        return Redacted(cable, decisions)
    paragraphs = tuple(
        p if d.visible else placeholder(p, d)
        for p, d in zip(cable.paragraphs, decisions, strict=True)
    )
    withheld = [p for p, d in zip(cable.paragraphs, decisions, strict=True) if not d.visible]
    return Redacted(
        dataclasses.replace(
            cable,
            paragraphs=paragraphs,
            mentions=tuple(m for m in cable.mentions if _seen(m.paragraph, decisions)),
            summary=_summary(cable.summary, withheld),
            warnings=tuple(ParseWarning(w.code, "") for w in cable.warnings),
        ),
        decisions,
    )


def _seen(paragraph: int | None, decisions: tuple[Decision, ...]) -> bool:
    """Whether the reader sees the paragraph (a place, 1 for the first) a mention is
    in; a mention that names none, or one past the paragraphs, is withheld."""
    return (
        paragraph is not None
        and 0 < paragraph <= len(decisions)
        and decisions[paragraph - 1].visible
    )


def placeholder(paragraph: Paragraph, decision: Decision) -> Paragraph:
    """A withheld paragraph: its number, label and marking, and why it is withheld."""
    reason = decision.reason.removeprefix("withheld: ")
    return Paragraph(
        paragraph.number,
        paragraph.marking,
        None,
        PLACEHOLDER.format(reason=reason),
        paragraph.label,
    )


def _summary(summary: str | None, withheld: list[Paragraph]) -> str | None:
    """The summary, unless a withheld paragraph shares a run of words with it (the
    summary is taken from paragraphs, and may span several units)."""
    if not summary:
        return summary
    runs = _runs(summary.split())
    for p in withheld:
        words = p.text.split()
        if _runs(words) & runs or (words and " ".join(words) in " ".join(summary.split())):
            return None
    return summary


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHARED_RUN]) for i in range(len(words) - SHARED_RUN + 1)}
