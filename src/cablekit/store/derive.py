"""Rows derived from the stored records, derived again by today's code.

A migration changes tables; it never runs today's parser, marking grammar or access
policy, which will have changed by the time an old archive is opened. When a migration
leaves derived rows to be worked out (``schema.stale``), this runs once the migrations
are done, in one transaction: each version's own header requirement, and the current
version's searchable requirements, text hashes and guard rows, from each stored
record; then the texts that review decisions of an older archive name.
"""

from __future__ import annotations

import sqlite3

from .rows import SearchRows, search_rows, version_policy
from .sqlite import GUARD_COLUMNS, GUARD_VALUES, load_record, unit_rowid


def is_stale(db: sqlite3.Connection) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stale_derivation'"
    ).fetchone()
    return found is not None and db.execute("SELECT 1 FROM stale_derivation").fetchone() is not None


def rederive(db: sqlite3.Connection) -> None:
    """Derive every version's rows again (inside the caller's transaction)."""
    versions = db.execute(
        "SELECT v.cable_key, v.number, v.number = c.version, v.record"
        " FROM version v JOIN cable c ON c.key = v.cable_key"
    ).fetchall()
    for key, number, current, record in versions:
        found = search_rows(load_record(record))
        db.execute(
            "UPDATE version SET level = ?, need = ?, rel = ?, declass = ?, hhash = ?"
            " WHERE cable_key = ? AND number = ?",
            (*version_policy(found), key, number),
        )
        if current:
            _refresh_current(db, key, found)
    _bind_reviews(db)
    db.execute("DELETE FROM stale_derivation")


def _refresh_current(db: sqlite3.Connection, key: int, found: SearchRows) -> None:
    db.execute(
        "UPDATE cable SET level = ?, need = ?, rel = ?, declass = ?, hhash = ? WHERE key = ?",
        (*version_policy(found), key),
    )
    db.executemany(
        "UPDATE unit SET level = ?, need = ?, rel = ?, hash = ?, exempt = ? WHERE rowid = ?",
        [(u[3], u[6], u[7], u[8], u[9], unit_rowid(key, int(u[0]))) for u in found.units],  # type: ignore[call-overload]
    )
    db.execute("DELETE FROM guard WHERE cable_key = ?", (key,))
    (rv,) = db.execute("SELECT rv FROM cable WHERE key = ?", (key,)).fetchone()
    strict = ",".join(map(str, sorted(found.guards))) or "NULL"
    db.execute(
        f"INSERT INTO guard ({GUARD_COLUMNS}) SELECT {GUARD_VALUES.format(rv='c.rv')} FROM unit u"
        " JOIN cable c ON c.key = u.cable_key WHERE u.cable_key = ?"
        + ("" if rv else f" AND u.seq IN ({strict})"),
        (key,),
    )


def _bind_reviews(db: sqlite3.Connection) -> None:
    """Decisions that name no text yet (taken in an archive older than text-bound
    reviews) name the texts their paragraph number held in the version they were
    taken on (every unit with it), or, on the whole cable, every text and the header."""
    unbound = [
        key
        for (key,) in db.execute(
            "SELECT r.key FROM review r"
            " WHERE NOT EXISTS (SELECT 1 FROM review_unit t WHERE t.review = r.key)"
        )
    ]
    for review in unbound:
        db.execute(
            "INSERT OR IGNORE INTO review_unit (hash, review) SELECT u.hash, r.key FROM review r"
            " JOIN unit u ON u.cable_key = r.cable_key"
            " WHERE r.key = ? AND (r.paragraph IS NULL OR u.number = r.paragraph)",
            (review,),
        )
        db.execute(
            "INSERT OR IGNORE INTO review_unit (hash, review) SELECT c.hhash, r.key FROM review r"
            " JOIN cable c ON c.key = r.cable_key WHERE r.key = ? AND r.paragraph IS NULL",
            (review,),
        )
