"""``cablekit copy``: an archive moved between a SQLite file and a PostgreSQL record.

Everything an archive holds goes across: every version of every cable with its number,
collections and aliases, users, groups, grants, tokens, review decisions, the failed
inputs and the audit log (its entries as written, so the chain still verifies with the
same key). Sessions and sign-in failures stay behind: they are short-lived.

SQLite to PostgreSQL goes a chunk of cables per transaction and skips cables already
there, so a copy interrupted is run again to completion; PostgreSQL to SQLite builds
the file as a node builds its index (``replica.build``), then adds what a node does not
keep. The copy is then checked: counts, every version's hash, the audit chain.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..access import audit
from ..errors import ArchiveError
from .postgres import PostgresRecord, pack_rows
from .replica import APPLIED, SOURCE, build
from .rows import search_rows
from .sqlite import SQLiteStore, _marks, load_record

CHUNK = 500
Progress = Callable[[int], object]

# Tables copied row for row, in an order that keeps references whole, and their columns.
PLAIN_TABLES = {
    "principal": "key, name, kind, clearance, citizenship, access, password, created_at, admin",
    "membership": "member, grp",
    "access_grant": "principal, collection",
    "api_token": "digest, principal, label, created_at",
    "failure": "place, message, release, at",
}
AUDIT_COLUMNS = 'seq, at, "user", action, query, ids, prev, hash, login, refused'
KEPT_SETTINGS = (
    "audit_key",
    "session_key",
    "cursor_key",
)  # prefixes of the settings that go across


@dataclass(frozen=True, slots=True)
class Copied:
    """What a copy holds, as checked after it."""

    cables: int
    versions: int
    principals: int
    reviews: int
    audit_entries: int
    audit_problem: str | None


def copy_to_postgres(
    source: SQLiteStore, target: PostgresRecord, progress: Progress | None = None
) -> None:
    """Copy the SQLite archive ``source`` into the record ``target``."""
    _refuse_foreign_cables(source, target)
    with target.transaction():
        _copy_plain(source, target)
        _copy_settings(source, target)
    last = 0
    while keys := [
        int(k)
        for (k,) in source.query(
            "SELECT key FROM cable WHERE key > ? ORDER BY key LIMIT ?", (last, CHUNK)
        )
    ]:
        with target.transaction():
            done = _copy_cables(source, target, keys)
        if progress:
            progress(done)
        last = keys[-1]
    with target.transaction():
        _copy_audit(source, target)
        for table, column in (("cable", "key"), ("principal", "key"), ("review", "key")):
            target.db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" (SELECT coalesce(max({column}), 0) + 1 FROM {table}), false)"
            )


def copy_to_sqlite(
    source: PostgresRecord, target: SQLiteStore, progress: Progress | None = None
) -> None:
    """Copy the record ``source`` into the SQLite file ``target`` (new, or a copy cut
    short): a standalone archive, not a node's index."""
    count = build(source, target)
    if progress:
        progress(count)
    with target.transaction():
        for table in ("api_token", "failure"):
            _copy_table(source, target, table)
        target.db.executemany(  # a node's copy of the principals leaves these out
            "UPDATE principal SET password = ? WHERE key = ?",
            source.query("SELECT password, key FROM principal WHERE password IS NOT NULL"),
        )
        _copy_settings(source, target)
        _copy_audit(source, target)
        target.db.execute("DELETE FROM setting WHERE name IN (?, ?)", (APPLIED, SOURCE))


def check(store: SQLiteStore | PostgresRecord, key_path: str) -> Copied:
    (cables, versions, principals, reviews) = store.query(
        "SELECT (SELECT count(*) FROM cable), (SELECT count(*) FROM version),"
        " (SELECT count(*) FROM principal), (SELECT count(*) FROM review)"
    )[0]
    verified = audit.verify(store, key_path)
    return Copied(cables, versions, principals, reviews, verified.entries, verified.problem)


def version_hashes(store: SQLiteStore | PostgresRecord) -> list[tuple[str, int, str]]:
    """Every version as (cable id, number, hash of its text), in order."""
    rows = store.query(
        "SELECT c.id, v.number, v.content_hash FROM version v JOIN cable c"
        " ON c.key = v.cable_key ORDER BY c.id, v.number"
    )
    return [(str(i), int(n), str(h)) for i, n, h in rows]


def compare(source: SQLiteStore | PostgresRecord, target: SQLiteStore | PostgresRecord,
            source_key: str, target_key: str) -> Copied:  # fmt: skip
    """The copy checked against its source; ``ArchiveError`` naming the first difference."""
    before, after = check(source, source_key), check(target, target_key)
    for name in ("cables", "versions", "principals", "reviews", "audit_entries"):
        if getattr(before, name) != getattr(after, name):
            raise ArchiveError(
                f"The copy differs from its source: {getattr(after, name)} {name} against"
                f" {getattr(before, name)}"
            )
    if version_hashes(source) != version_hashes(target):
        raise ArchiveError("The copy differs from its source: the versions' hashes differ")
    if after.audit_problem and not before.audit_problem:
        raise ArchiveError(f"The copy's audit log does not verify: {after.audit_problem}")
    return after


def copy_key(source_key: str, target_key: str) -> None:
    """The audit key goes with the log, unless the target has one already."""
    import os

    if os.path.exists(source_key) and not os.path.exists(target_key):
        os.makedirs(os.path.dirname(os.path.abspath(target_key)), exist_ok=True)
        shutil.copy2(source_key, target_key)
        os.chmod(target_key, 0o600)


# --- the pieces ---------------------------------------------------------------------


def _refuse_foreign_cables(source: SQLiteStore, target: PostgresRecord) -> None:
    """A record that holds cables the source does not is another archive: refused."""
    (count,) = target.query("SELECT count(*) FROM cable")[0]
    if not count:
        return
    ours = {i for (i,) in source.query("SELECT id FROM cable")}
    theirs = {i for (i,) in target.query("SELECT id FROM cable")}
    if not theirs <= ours:
        raise ArchiveError(
            f"{target.path} already holds cables that {source.path} does not: copy into"
            " an empty database"
        )


def _copy_plain(source: SQLiteStore, target: PostgresRecord) -> None:
    for table in PLAIN_TABLES:
        _copy_table(source, target, table)


def _copy_table(source: SQLiteStore | PostgresRecord, target: Any, table: str) -> None:
    columns = PLAIN_TABLES[table]
    rows = source.query(f"SELECT {columns} FROM {table} ORDER BY 1")
    marks = _marks(len(columns.split(",")))
    target.db.executemany(f"INSERT OR IGNORE INTO {table} ({columns}) VALUES ({marks})", rows)


def _copy_settings(source: SQLiteStore | PostgresRecord, target: Any) -> None:
    rows = [
        (name, value)
        for name, value in source.query("SELECT name, value FROM setting ORDER BY name")
        if str(name).startswith(KEPT_SETTINGS)
    ]
    target.db.executemany("INSERT OR IGNORE INTO setting (name, value) VALUES (?, ?)", rows)


def _copy_audit(source: SQLiteStore | PostgresRecord, target: Any) -> None:
    (last,) = target.query("SELECT coalesce(max(seq), 0) FROM audit")[0]
    rows = source.query(f"SELECT {AUDIT_COLUMNS} FROM audit WHERE seq > ? ORDER BY seq", (last,))
    target.db.executemany(f"INSERT INTO audit ({AUDIT_COLUMNS}) VALUES ({_marks(10)})", rows)


def _copy_cables(source: SQLiteStore, target: PostgresRecord, keys: Sequence[int]) -> int:
    """The cables with ``keys`` not in the record yet, whole; how many were copied."""
    marks = _marks(len(keys))
    cables = source.query(
        f"SELECT key, id, version, rv FROM cable WHERE key IN ({marks}) ORDER BY key", keys
    )
    there = {
        i
        for (i,) in target.query(
            "SELECT id FROM cable WHERE id = ANY(?)", ([str(row[1]) for row in cables],)
        )
    }
    fresh = [row for row in cables if row[1] not in there]
    if not fresh:
        return 0
    wanted = [int(row[0]) for row in fresh]
    marks = _marks(len(wanted))
    target.db.executemany("INSERT INTO cable (key, id, version, rv) VALUES (?, ?, ?, ?)", fresh)
    target.db.executemany(
        "INSERT INTO version (cable_key, number, content_hash, release, released, ingested_at,"
        " source, record, text, rows, level, need, rel, declass, hhash, order_release,"
        " order_place, canonical) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (*row[:9], pack_rows(search_rows(load_record(row[7], source.path))), *row[9:])
            for row in source.query(
                "SELECT cable_key, number, content_hash, release, released, ingested_at, source,"
                " record, text, level, need, rel, declass, hhash, order_release, order_place,"
                f" canonical FROM version WHERE cable_key IN ({marks})",
                wanted,
            )
        ],
    )
    for name, created in source.query(
        "SELECT DISTINCT k.name, k.created_at FROM collection k JOIN version_collection vc"
        f" ON vc.collection_key = k.key WHERE vc.cable_key IN ({marks})",
        wanted,
    ):
        target.db.execute(
            "INSERT OR IGNORE INTO collection (name, created_at) VALUES (?, ?)", (name, created)
        )
    target.db.executemany(
        "INSERT INTO version_collection (cable_key, number, collection_key)"
        " SELECT ?, ?, key FROM collection WHERE name = ?",
        source.query(
            "SELECT vc.cable_key, vc.number, k.name FROM version_collection vc JOIN collection k"
            f" ON k.key = vc.collection_key WHERE vc.cable_key IN ({marks})",
            wanted,
        ),
    )
    target.db.executemany(
        "INSERT INTO alias (id, cable_key, number) VALUES (?, ?, ?)",
        source.query(
            f"SELECT id, cable_key, number FROM alias WHERE cable_key IN ({marks})", wanted
        ),
    )
    _copy_reviews(source, target, wanted)
    target.lock_changes()
    target.db.execute(
        "INSERT INTO change (seq, kind, subject, narrows, at) SELECT nextval('change_seq'),"
        " 'cable', k, false, extract(epoch FROM clock_timestamp()) FROM unnest(?::bigint[]) k",
        (wanted,),
    )
    return len(wanted)


def _copy_reviews(source: SQLiteStore, target: PostgresRecord, keys: list[int]) -> None:
    marks = _marks(len(keys))
    reviews = source.query(
        "SELECT key, cable_key, paragraph, release, reason, reviewer, day, at, on_paragraph,"
        f" version FROM review WHERE cable_key IN ({marks}) ORDER BY key",
        keys,
    )
    target.db.executemany(
        "INSERT INTO review (key, cable_key, paragraph, release, reason, reviewer, day, at,"
        " on_paragraph, version) VALUES (?,?,?,?,?,?,?,?,?,?)",
        reviews,
    )
    target.db.executemany(
        "INSERT INTO review_unit (hash, review) VALUES (?, ?)",
        source.query(
            "SELECT t.hash, t.review FROM review_unit t JOIN review r ON r.key = t.review"
            f" WHERE r.cable_key IN ({marks})",
            keys,
        ),
    )
