"""Declassification review: decisions recorded in the archive, and what they release.

A decision releases or withholds a whole cable or one paragraph, from the day it is
taken. Decisions are never changed: a new decision is a new row, with who took it,
why and when, and the latest one in force wins (see ``policy.released``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..errors import UnknownCable
from ..store.sqlite import SQLiteStore, guard_reviewed
from .clock import now
from .policy import Declassification, ReviewDecision, released, released_sql


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


def record(
    store: SQLiteStore,
    cable_id: str,
    *,
    release: bool,
    reason: str,
    reviewer: str,
    day: date,
    paragraph: int | None = None,
) -> Recorded:
    """Record a decision taking effect on ``day``. The cable's units all enter the guard
    table, so that queries weigh the decision paragraph by paragraph."""
    with store.transaction():
        key = store.cable_key(cable_id)
        if (
            paragraph is not None
            and not store.db.execute(
                "SELECT 1 FROM unit WHERE cable_key = ? AND number = ?", (key, paragraph)
            ).fetchone()
        ):
            raise UnknownCable(f"Cable {cable_id} has no paragraph {paragraph}")
        store.db.execute(
            "INSERT INTO review (cable_key, paragraph, release, reason, reviewer, day, at)"
            " VALUES (?,?,?,?,?,?,?)",
            (key, paragraph, int(release), reason, reviewer, day.isoformat(), now()),
        )
        store.db.execute("UPDATE cable SET rv = 1 WHERE key = ?", (key,))
        guard_reviewed(store.db, "c.key = ?", [key])
    return history(store, cable_id)[-1]


def history(store: SQLiteStore, cable_id: str) -> list[Recorded]:
    """Every decision on a cable, in the order taken."""
    rows = store.query(
        "SELECT r.paragraph, r.release, r.reason, r.reviewer, r.day, r.at FROM review r"
        " WHERE r.cable_key = ? ORDER BY r.key",
        [store.cable_key(cable_id)],
    )
    return [
        Recorded(n, cable_id, p, "release" if rel else "withhold", why, who, day, at)
        for n, (p, rel, why, who, day, at) in enumerate(rows, start=1)
    ]


def declassification(store: SQLiteStore, key: int) -> Declassification:
    """What decides when the cable with ``key`` is released."""
    (declass,) = store.query("SELECT declass FROM cable WHERE key = ?", [key])[0]
    reviews = store.query(
        "SELECT paragraph, release, day, reviewer, reason FROM review WHERE cable_key = ?"
        " ORDER BY day, key",
        [key],
    )
    return Declassification(
        date.fromisoformat(declass) if declass else None,
        tuple(
            ReviewDecision(p, bool(rel), date.fromisoformat(day), who, why)
            for p, rel, day, who, why in reviews
        ),
    )


@dataclass(frozen=True, slots=True)
class Releasable:
    id: str
    date: str | None
    classification: str | None
    reason: str


def releasable(store: SQLiteStore, as_of: date, since: date | None = None) -> list[Releasable]:
    """The cables released on ``as_of`` (and not yet on ``since``, when given), oldest
    first, each with the reason: its date, the 25-year rule, or a review."""
    now_sql, params = released_sql("c", "c.key", None, as_of.isoformat())
    where = f"({now_sql})"
    if since is not None:
        then_sql, then_params = released_sql("c", "c.key", None, since.isoformat())
        where += f" AND NOT ({then_sql})"
        params += then_params
    rows = store.query(
        f"SELECT c.key, c.id, c.date, c.classification FROM cable c WHERE {where}"
        " ORDER BY coalesce(c.date, ''), c.id",
        params,
    )
    return [
        Releasable(cid, day, cls, released(declassification(store, key), None, as_of).reason)
        for key, cid, day, cls in rows
    ]
