"""A stored record turned into the record a reader may see.

Every place that hands a reader a record or its text (``show``, ``versions``,
``diff``, ``export``) goes through :func:`reader_record`. A withheld paragraph becomes
a placeholder that keeps its number and marking only; its text says why it is
withheld. What is derived from paragraphs goes with them: the summary is kept only
when the paragraph it comes from is shown, and warning messages (which may quote a
line) lose their text when anything is withheld.
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
    paragraph_requirement,
    portion_decision,
)

PLACEHOLDER = "[withheld: {reason}]"


@dataclass(frozen=True, slots=True)
class Redacted:
    """The reader's record, and the decision on each paragraph (in order)."""

    cable: Cable
    decisions: tuple[Decision, ...]

    @property
    def withheld(self) -> int:
        return sum(not d.visible for d in self.decisions)


def reader_record(
    reader: Reader | None, cable: Cable, facts: Declassification, today: date
) -> Redacted:
    """``cable`` as ``reader`` may see it on ``today`` (its header must be visible:
    the caller found the cable through the reader's scope)."""
    header = cable_requirement(cable)
    decisions = tuple(
        portion_decision(reader, paragraph_requirement(header, p), facts, p.number, today)
        for p in cable.paragraphs
    )
    if all(d.visible for d in decisions):
        return Redacted(cable, decisions)
    paragraphs = tuple(
        p if d.visible else placeholder(p, d)
        for p, d in zip(cable.paragraphs, decisions, strict=True)
    )
    return Redacted(
        dataclasses.replace(
            cable,
            paragraphs=paragraphs,
            summary=_summary(cable, decisions),
            warnings=tuple(ParseWarning(w.code, "") for w in cable.warnings),
        ),
        decisions,
    )


def placeholder(paragraph: Paragraph, decision: Decision) -> Paragraph:
    """A withheld paragraph: its number and marking, and why it is withheld."""
    reason = decision.reason.removeprefix("withheld: ")
    return Paragraph(paragraph.number, paragraph.marking, None, PLACEHOLDER.format(reason=reason))


def _summary(cable: Cable, decisions: tuple[Decision, ...]) -> str | None:
    """The summary, when the paragraph it was taken from is shown (None otherwise, and
    when that paragraph cannot be found)."""
    if not cable.summary:
        return cable.summary
    start = " ".join(cable.summary.split()[:8])
    for p, d in zip(cable.paragraphs, decisions, strict=True):
        if start and start in " ".join(p.text.split()):
            return cable.summary if d.visible else None
    return None
