"""Declassification review: decisions recorded in the archive, and what they release.

A decision releases or withholds a whole version of a cable or one paragraph of it,
from the day it is taken. It names the texts it was taken on (hashes of the normalised
paragraphs, ``policy.text_hash``, and of the header for a whole version), so it holds
in every version that holds the same text, whatever number the paragraph has there.
A paragraph number that two paragraphs of the version share is refused, with both
named, so that the reviewer picks one by its text (``--unit``). Decisions are never
changed: a new decision is a new row, with who took it, why and when, and the latest
one in force wins (see ``policy.released``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..errors import AmbiguousParagraph, UnknownCable
from ..model import Cable, Paragraph
from ..store.shared import Shared
from ..store.sqlite import SQLiteStore
from .clock import now
from .policy import (
    Declassification,
    ReviewDecision,
    header_hash,
    paragraph_hash,
    released,
    released_sql,
)

MIN_UNIT_PREFIX = 6  # hex digits of a text hash that name a paragraph with --unit


@dataclass(frozen=True, slots=True)
class Recorded:
    """A review decision as the archive keeps it."""

    number: int  # its place in the cable's history, from 1
    cable: str
    paragraph: int | None
    action: str  # "release" or "withhold"
    reason: str
    reviewer: str
    day: str
    at: str
    version: int | None  # the version it was taken on
    texts: int  # how many texts (paragraphs, and the header) it names


def record(
    store: Shared,
    cable_id: str,
    *,
    release: bool,
    reason: str,
    reviewer: str,
    day: date,
    paragraph: int | None = None,
    unit: str | None = None,
    version: int | None = None,
) -> Recorded:
    """Record a decision taking effect on ``day``, on version ``version`` (the current
    one by default): on the whole version, on paragraph number ``paragraph`` (with its
    bullets), or on the paragraph whose text hash starts with ``unit``. The cable's units
    all enter the guard table, so that queries weigh the decision paragraph by
    paragraph."""
    stored = store.get(cable_id, version)
    texts = decided_texts(stored.cable, paragraph, unit)
    with store.transaction():
        key = store.cable_key(cable_id)
        review = store.db.execute(
            "INSERT INTO review (cable_key, paragraph, release, reason, reviewer, day, at,"
            " on_paragraph, version) VALUES (?,?,?,?,?,?,?,?,?) RETURNING key",
            (
                key,
                paragraph,
                int(release),
                reason,
                reviewer,
                day.isoformat(),
                now(),
                int(paragraph is not None or unit is not None),
                stored.version.number,
            ),
        ).fetchone()[0]
        store.db.executemany(
            "INSERT OR IGNORE INTO review_unit (hash, review) VALUES (?, ?)",
            [(text, review) for text in sorted(texts)],
        )
        store.reviewed(key)
    return history(store, cable_id)[-1]


def decided_texts(cable: Cable, paragraph: int | None, unit: str | None) -> set[str]:
    """The texts a decision on ``cable`` names: one paragraph with its bullets (by
    number), one paragraph (by a prefix of its text hash), or every paragraph and the
    header."""
    if unit is not None:
        return {_by_hash(cable, unit)}
    if paragraph is None:
        return {header_hash(cable), *(paragraph_hash(p) for p in cable.paragraphs)}
    groups = [g for g in paragraph_groups(cable.paragraphs) if g[0].number == paragraph]
    if not groups:
        raise UnknownCable(f"Cable {cable.id} has no paragraph {paragraph}")
    if len(groups) > 1:
        raise AmbiguousParagraph(
            f"Cable {cable.id} has {len(groups)} paragraphs numbered {paragraph}; name the one"
            " you mean with --unit: "
            + "; ".join(f"{paragraph_hash(g[0])[:12]} ({_opening(g[0])})" for g in groups)
        )
    return {paragraph_hash(p) for p in groups[0]}


def paragraph_groups(paragraphs: Sequence[Paragraph]) -> list[list[Paragraph]]:
    """Paragraphs with the bullets and sub-paragraphs that follow them under their
    number (units with a label and the same number)."""
    groups: list[list[Paragraph]] = []
    for p in paragraphs:
        if groups and p.label is not None and p.number == groups[-1][0].number:
            groups[-1].append(p)
        else:
            groups.append([p])
    return groups


def _by_hash(cable: Cable, prefix: str) -> str:
    prefix = prefix.lower()
    if len(prefix) < MIN_UNIT_PREFIX:
        raise UnknownCable(f"Give at least {MIN_UNIT_PREFIX} characters of the paragraph's hash")
    found = {h for h in map(paragraph_hash, cable.paragraphs) if h.startswith(prefix)}
    if len(found) != 1:
        listed = "; ".join(f"{paragraph_hash(p)[:12]} ({_opening(p)})" for p in cable.paragraphs)
        raise UnknownCable(
            f"No single paragraph of {cable.id} has a hash starting {prefix}: {listed}"
        )
    return found.pop()


def _opening(p: Paragraph) -> str:
    words = p.text.split()
    return " ".join(words[:6]) + (" ..." if len(words) > 6 else "")


def history(store: Shared, cable_id: str) -> list[Recorded]:
    """Every decision on a cable, in the order taken."""
    rows = store.query(
        "SELECT r.paragraph, r.release, r.reason, r.reviewer, r.day, r.at, r.version,"
        " (SELECT count(*) FROM review_unit t WHERE t.review = r.key) FROM review r"
        " WHERE r.cable_key = ? ORDER BY r.key",
        [store.cable_key(cable_id)],
    )
    return [
        Recorded(n, cable_id, p, "release" if rel else "withhold", why, who, day, at, v, texts)
        for n, (p, rel, why, who, day, at, v, texts) in enumerate(rows, start=1)
    ]


def declassification(store: SQLiteStore, key: int, day: date | None) -> Declassification:
    """What decides when a version of the cable with ``key`` is released: its own
    automatic day ``day`` (``policy.automatic_release`` of that version), and every
    decision on the cable's texts."""
    reviews = store.query(
        "SELECT r.key, r.on_paragraph, r.release, r.day, r.reviewer, r.reason FROM review r"
        " WHERE r.cable_key = ? ORDER BY r.day, r.key",
        [key],
    )
    if not reviews:
        return Declassification(day)
    texts: dict[int, set[str]] = {}
    for review, text in store.query(
        "SELECT t.review, t.hash FROM review_unit t JOIN review r ON r.key = t.review"
        " WHERE r.cable_key = ?",
        [key],
    ):
        texts.setdefault(review, set()).add(text)
    return Declassification(
        day,
        tuple(
            ReviewDecision(
                frozenset(texts.get(k, ())), bool(on), bool(rel), date.fromisoformat(d), who, why
            )
            for k, on, rel, d, who, why in reviews
        ),
    )


@dataclass(frozen=True, slots=True)
class Releasable:
    id: str
    date: str | None
    classification: str | None
    reason: str


def releasable(store: SQLiteStore, as_of: date, since: date | None = None) -> list[Releasable]:
    """The cables whose current version is released on ``as_of`` (and was not yet on
    ``since``, when given), oldest first, each with the reason: its date, the 25-year
    rule, or a review."""
    now_sql, params = released_sql("c", "c.key", "c.rv", "c.hhash", as_of.isoformat())
    where = f"({now_sql})"
    if since is not None:
        then_sql, then_params = released_sql("c", "c.key", "c.rv", "c.hhash", since.isoformat())
        where += f" AND NOT ({then_sql})"
        params += then_params
    rows = store.query(
        "SELECT c.key, c.id, c.date, c.classification, c.declass, c.hhash FROM cable c"
        f" WHERE {where} ORDER BY coalesce(c.date, ''), c.id",
        params,
    )
    return [
        Releasable(
            cid,
            day,
            cls,
            released(
                declassification(store, key, date.fromisoformat(auto) if auto else None),
                hhash,
                as_of,
            ).reason,
        )
        for key, cid, day, cls, auto, hhash in rows
    ]
