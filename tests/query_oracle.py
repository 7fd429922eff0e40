"""A brute-force evaluator of queries over parsed records: the reference semantics.

It answers a query by looking at every cable in memory, as plainly as possible, so
that the SQL the archive compiles from the same AST can be checked against it.
``docs/query-language.md`` states these semantics; this is their executable form.
A test helper only: nothing in ``src`` imports it.

    matching_ids(parse_query("tag:PREL from:OTTAWA"), cables)  ->  {"09OTTAWA278", ...}

Cables are told apart by their position in the sequence (two versions of one id
are two cables); the result is the set of the ids of the matching cables, and
cables without an id are evaluated but never listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cablekit.model import Addressee, Cable
from cablekit.search.query import And, DateRange, Field, Node, Not, Or, Text
from cablekit.search.text import tokens

__all__ = ["Corpus", "matching_ids"]

_NAME_SPLIT = re.compile(r"[\s/]+")
_CAVEAT_SPLIT = re.compile(r"[\s/,]+")


def words_of(text: str, split: re.Pattern[str]) -> list[str]:
    return [w for w in split.split(text.upper()) if w]


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What Text terms look at in one cable, tokenized once."""

    subject: tuple[str, ...] | None
    units: tuple[tuple[str, ...], ...]  # the subject first, then each paragraph


def _prepare(cable: Cable) -> _Prepared:
    subject = tuple(tokens(cable.subject)) if cable.subject is not None else None
    paragraphs = [
        f"{p.heading}\n{p.text}" if p.heading is not None else p.text for p in cable.paragraphs
    ]
    units = ([subject] if subject is not None else []) + [tuple(tokens(t)) for t in paragraphs]
    return _Prepared(subject, tuple(units))


class Corpus:
    """The cables with their words tokenized, for many queries over the same cables."""

    def __init__(self, cables: Iterable[Cable]) -> None:
        self.cables = list(cables)
        self.prepared = [_prepare(c) for c in self.cables]

    def ids(self, indexes: Iterable[int]) -> set[str]:
        return {cid for i in indexes if (cid := self.cables[i].id) is not None}

    def evaluate(self, node: Node) -> set[int]:
        """The positions of the cables that match ``node``."""
        match node:
            case And(items):
                return set.intersection(*(self.evaluate(item) for item in items))
            case Or(items):
                return set.union(*(self.evaluate(item) for item in items))
            case Not(item):
                return set(range(len(self.cables))) - self.evaluate(item)
            case Field("citedby", value):
                return self._cited_by(value)
        return {i for i, cable in enumerate(self.cables) if self._matches(node, i, cable)}

    def _matches(self, node: Node, i: int, cable: Cable) -> bool:
        match node:
            case Text(words, prefix, "subject"):
                subject = self.prepared[i].subject
                return subject is not None and has_phrase(subject, words, prefix)
            case Text(words, prefix, _):
                return any(has_phrase(unit, words, prefix) for unit in self.prepared[i].units)
            case DateRange(start, end):
                return in_range(cable.date, start, end)
            case Field(name, value, prefix):
                return field_matches(cable, name, value, prefix)
        raise TypeError(f"not a leaf: {node!r}")

    def _cited_by(self, citing_id: str) -> set[int]:
        cited = {
            ref.id
            for cable in self.cables
            if cable.id == citing_id
            for ref in (*cable.references, *cable.mentions)
            if ref.id is not None
        }
        return {i for i, cable in enumerate(self.cables) if cable.id in cited}


def matching_ids(node: Node, cables: Sequence[Cable] | Corpus) -> set[str]:
    """The ids of the cables that match the query ``node``."""
    corpus = cables if isinstance(cables, Corpus) else Corpus(cables)
    return corpus.ids(corpus.evaluate(node))


# --- leaves ------------------------------------------------------------------


def has_phrase(unit: Sequence[str], words: Sequence[str], prefix: bool) -> bool:
    """``words`` occur consecutively in ``unit`` (the last one as a prefix if asked)."""
    *head, last = words
    if not head and not prefix:
        return last in unit  # the common case, kept in C
    n = len(head)
    for start in range(len(unit) - n):
        if n and unit[start] != head[0]:
            continue
        token = unit[start + n]
        if list(unit[start : start + n]) == head and (
            token == last or (prefix and token.startswith(last))
        ):
            return True
    return False


def in_range(day: str | None, start: str | None, end: str | None) -> bool:
    if day is None:
        return False
    day = day[:10]
    return (start is None or start <= day) and (end is None or day <= end)


def name_matches(value: str, ri: str | None, name: str | None) -> bool:
    """The value is the routing indicator, or a run of whole words of the name."""
    if ri is not None and value == ri.upper():
        return True
    return name is not None and is_run(words_of(value, _NAME_SPLIT), words_of(name, _NAME_SPLIT))


def is_run(needle: list[str], words: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(words[i : i + n] == needle for i in range(len(words) - n + 1))


def _addressed(cable: Cable) -> list[Addressee]:
    return [a for a in cable.to + cable.info if not a.excluded]


def field_matches(cable: Cable, name: str, value: str, prefix: bool) -> bool:
    if name == "id":
        cid = cable.id or ""
        return cid.startswith(value) if prefix else cid == value
    if name == "from":
        origin = cable.from_
        if cable.post is not None and value == cable.post.upper():
            return True
        return origin is not None and name_matches(value, origin.routing_indicator, origin.name)
    if name == "to":
        return any(name_matches(value, a.routing_indicator, a.name) for a in _addressed(cable))
    if name == "tag":
        return any(" ".join(tag.upper().split()) == value for tag in cable.tags)
    if name == "class":
        return cable.classification == value
    if name == "caveat":
        wanted = words_of(value, _CAVEAT_SPLIT)
        return any(words_of(c, _CAVEAT_SPLIT)[: len(wanted)] == wanted for c in cable.caveats)
    if name == "ref":
        return any(ref.id == value for ref in (*cable.references, *cable.mentions))
    if name == "refkind":
        refs = cable.mentions if value == "MENTION" else cable.references
        return any(ref.id is not None for ref in refs)
    raise ValueError(f"unknown field {name!r}")
