"""The SQLite archive: the only owner of a ``sqlite3`` connection.

One file in WAL mode: one writer (``ingest``) and any number of readers at the
same time. Every batch of writes is one transaction, so a process killed at any
moment leaves the archive as it was after the last whole batch. Nothing above
this module sees ``sqlite3`` errors: they become :mod:`cablekit.errors` types.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, cast

from ..errors import (
    ArchiveUnwritable,
    CablekitError,
    DamagedArchive,
    MissingArchive,
    NotAnArchive,
    UnknownCable,
)
from ..model import Cable
from ..scope import UNIT_BITS
from .rows import Prepared, Row, SearchRows, search_rows
from .schema import MIGRATIONS, migrate, pending

BUSY_TIMEOUT_MS = 30_000
# Page cache of a connection that writes batches: with SQLite's 2 MiB, pages spill to the
# WAL in mid-batch and are written again at commit (a fifth more writes on the corpus).
WRITE_CACHE_KIB = 16 * 1024

FileKind = Literal["empty", "archive", "foreign"]
_NOT_AN_ARCHIVE = {
    "empty": "{path} is a SQLite file but not a cablekit archive",
    "foreign": "{path} is a SQLite file but not a cablekit archive: it holds another"
    " application's tables, and cablekit leaves it as it is",
}


@dataclass(frozen=True, slots=True)
class VersionInfo:
    number: int
    current: bool
    release: str | None
    released: str | None
    ingested_at: str
    content_hash: str | None  # None: withheld from the reader (see Archive.versions)
    source: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class StoredCable:
    """One version of a cable as the archive keeps it."""

    cable: Cable
    version: VersionInfo
    text: str


@dataclass(frozen=True, slots=True)
class Failure:
    place: str
    message: str
    release: str | None
    at: str


@dataclass(slots=True)
class BatchReport:
    ingested: int = 0
    unchanged: int = 0
    new_versions: int = 0
    failed: int = 0

    def add(self, other: BatchReport) -> None:
        self.ingested += other.ingested
        self.unchanged += other.unchanged
        self.new_versions += other.new_versions
        self.failed += other.failed


class VersionReads:
    """Reads of a cable's versions and of the failed inputs, in statements both stores
    take (the SQLite archive, the PostgreSQL record)."""

    path: str

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def cable_key(self, cable_id: str) -> int:
        rows = self.query("SELECT key FROM cable WHERE id = ?", (cable_id,))
        if not rows:
            raise UnknownCable(f"There is no cable {cable_id} in the archive")
        return int(rows[0][0])

    def versions(self, cable_id: str) -> list[VersionInfo]:
        """Every version of a cable, in the order they reached the archive."""
        key = self.cable_key(cable_id)
        (current,) = self.query("SELECT version FROM cable WHERE key = ?", (key,))[0]
        rows = self.query(
            "SELECT number, release, released, ingested_at, content_hash, source"
            " FROM version WHERE cable_key = ? ORDER BY number",
            (key,),
        )
        return [
            VersionInfo(
                n,
                n == current,
                rel,
                released,
                at,
                digest,
                load_object(source, self.path, f"the source of version {n} of cable {cable_id}"),
            )
            for n, rel, released, at, digest, source in rows
        ]

    def get(self, cable_id: str, version: int | None = None) -> StoredCable:
        """A cable as stored: the current version, or version ``version``."""
        infos = {v.number: v for v in self.versions(cable_id)}
        info = infos.get(version) if version else next(v for v in infos.values() if v.current)
        if info is None:
            raise UnknownCable(
                f"Cable {cable_id} has no version {version}; it has {', '.join(map(str, infos))}"
            )
        record, text = self.query(
            "SELECT record, text FROM version WHERE cable_key = ? AND number = ?",
            (self.cable_key(cable_id), info.number),
        )[0]
        what = f"version {info.number} of cable {cable_id}"
        return StoredCable(
            load_record(record, self.path, f"the record of {what}"),
            info,
            load_text(text, self.path, f"the text of {what}"),
        )

    def failures(self) -> list[Failure]:
        rows = self.query("SELECT place, message, release, at FROM failure ORDER BY key")
        return [Failure(*row) for row in rows]


class SQLiteStore(VersionReads):
    """An archive file. ``create=True`` makes it (and its tables) when missing."""

    def __init__(self, path: str | os.PathLike[str], create: bool = False) -> None:
        self.path = os.fspath(path)
        self._writing = False  # whether write_batch has set the connection up for it
        if os.path.isdir(self.path):  # sqlite3 would say "unable to open", as if unwritable
            raise NotAnArchive(f"{self.path} is a directory, not an archive file")
        if not create and not os.path.exists(self.path):
            raise MissingArchive(
                f"There is no archive at {self.path}; run `cablekit ingest` to make one"
            )
        with translated(self.path):
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            kind = self._kind()
            if kind != "archive" and not (kind == "empty" and create):
                self.db.close()
                raise NotAnArchive(_NOT_AN_ARCHIVE[kind].format(path=self.path))
            if create:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
            if kind == "empty" or pending(self.db):
                migrate(self.db)  # a new archive, or one made by an older cablekit
            self._rederive_if_stale()
            self.db.execute("PRAGMA foreign_keys = ON")

    def _rederive_if_stale(self) -> None:
        from .derive import is_stale, rederive

        if is_stale(self.db):  # a migration left derived rows to today's code
            with self.transaction():
                if is_stale(self.db):
                    rederive(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _kind(self) -> FileKind:
        """What the file holds, read without writing a byte: nothing yet (a new archive,
        or a SQLite file with no tables), a cablekit archive, or another application's
        database, which cablekit must leave as it is."""
        try:
            objects = self.db.execute("SELECT type, name FROM sqlite_master").fetchall()
        except sqlite3.DatabaseError as error:  # not SQLite at all
            raise NotAnArchive(f"{self.path} is not a cablekit archive ({error})") from error
        tables = {name for kind, name in objects if kind == "table"}
        if not objects:
            return "empty"
        columns = [row[1] for row in self.db.execute("PRAGMA table_info(migrations)")]
        if columns != ["name", "applied_at"]:  # other programs have tables named so too
            return "foreign"
        if tables == {"migrations"}:
            return "archive"  # made, and stopped before its first migration was committed
        first = self.db.execute(
            "SELECT 1 FROM migrations WHERE name = ?", (MIGRATIONS[0][0],)
        ).fetchone()
        return "archive" if first else "foreign"

    # --- reading ---------------------------------------------------------------

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only query (the search engine builds the SQL)."""
        try:  # not ``translated``: a search makes several, and its set-up is a tenth of one
            return self.db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as error:
            raise translation(self.path, error) from error

    @contextmanager
    def snapshot(self) -> Iterator[SQLiteStore]:
        """Several reads that see one state of the archive, even while ingest writes.
        Inside another snapshot, the same one: a caller can make several readers' work
        (the ids it logs, the records it exports) come from one state."""
        if self.db.in_transaction:
            yield self
            return
        with translated(self.path):
            self.db.execute("BEGIN")
            try:
                yield self
            finally:
                self.db.execute("COMMIT")

    def _collection_key(self, name: str, now: str) -> int:
        self.db.execute(
            "INSERT OR IGNORE INTO collection (name, created_at) VALUES (?, ?)", (name, now)
        )
        return int(
            self.db.execute("SELECT key FROM collection WHERE name = ?", (name,)).fetchone()[0]
        )

    def collections_of(self, key: int, number: int) -> list[str]:
        """The names of the collections version ``number`` of cable ``key`` is in."""
        rows = self.query(
            "SELECT k.name FROM version_collection vc JOIN collection k"
            " ON k.key = vc.collection_key WHERE vc.cable_key = ? AND vc.number = ?",
            (key, number),
        )
        return [name for (name,) in rows]

    def serials(self, prefix: str) -> list[int]:
        """The serial numbers of the cables whose id is ``prefix`` and digits."""
        rows = self.query("SELECT id FROM cable WHERE id > ? AND id < ?", (prefix, prefix + ":"))
        return [int(i[len(prefix) :]) for (i,) in rows if i[len(prefix) :].isdigit()]

    def records(self, keys: Sequence[int]) -> dict[int, Cable]:
        """Current records of the cables with these keys."""
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        rows = self.query(
            "SELECT c.key, c.id, v.record FROM cable c JOIN version v"
            " ON v.cable_key = c.key AND v.number = c.version"
            f" WHERE c.key IN ({marks})",
            list(keys),
        )
        return {
            key: load_record(record, self.path, f"the current record of cable {cable_id}")
            for key, cable_id, record in rows
        }

    # --- writing ---------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write; the archive is unchanged if anything in it fails."""
        with translated(self.path):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def lock(self, name: str) -> None:
        """Serialise the transactions that take ``name``: each write transaction here
        already holds the file's one write lock (``BEGIN IMMEDIATE``)."""

    def reviewed(self, key: int) -> None:
        """Mark the cable ``key`` as reviewed: every unit of it enters ``guard``."""
        self.db.execute("UPDATE cable SET rv = 1 WHERE key = ?", (key,))
        guard_reviewed(self.db, "c.key = ?", [key])

    def write_batch(
        self,
        batch: Sequence[Prepared],
        failures: Sequence[tuple[str, str]],
        release: str | None,
        now: str,
        collection: str | None = None,
        first: int = 1,
    ) -> BatchReport:
        """Store parsed versions and failures in one transaction. Every cable written
        joins ``collection`` (by default one named after the release, or "default").
        ``first`` is the place of ``batch[0]`` among the cables of this ingest's input,
        which breaks ties between copies of one release (see ``_newest``)."""
        if not self._writing:
            self.db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
            self._writing = True
        with self.transaction():
            writer = _BatchWriter(self.db, release, now, self.path)
            writer.collection = self._collection_key(collection or release or "default", now)
            writer.write_all(batch, first)
            self.db.executemany(
                "INSERT OR IGNORE INTO failure (place, message, release, at) VALUES (?,?,?,?)",
                [(place, message, release, now) for place, message in failures],
            )
        writer.report.failed = len(failures)
        return writer.report


class _BatchWriter:
    """The writes of one batch, inside its transaction.

    New cables (most of a first ingest) are written together, with explicit keys;
    a cable already archived takes the slower way of one query at a time. The
    searchable rows of new current versions are kept pending and written together
    at the end, with explicit rowids, so that the full-text indexes are fed in bulk
    (much faster than a trigger per row).
    """

    def __init__(self, db: sqlite3.Connection, release: str | None, now: str, path: str) -> None:
        self.db = db
        self.path = path
        self.release = release
        self.label = release or ""  # the order of releases (see _newest)
        self.place = 0  # of the cable being written, in this ingest's input
        self.now = now
        self.report = BatchReport()
        self.pending: dict[int, SearchRows] = {}
        self.collection: int | None = None
        self.seen = db.execute("SELECT coalesce(max(seen), 0) FROM version").fetchone()[0]
        self.new_cables: list[Row] = []
        self.new_versions: list[Row] = []
        self.aliases: list[Row] = []

    def write_all(self, batch: Sequence[Prepared], first: int = 1) -> None:
        """Every version of the batch, in order, then the searchable rows."""
        known = self._known(list(dict.fromkeys(p.id for p in batch)))
        (last,) = self.db.execute("SELECT coalesce(max(key), 0) FROM cable").fetchone()
        written: list[tuple[int, int]] = []
        for place, p in enumerate(batch, start=first):
            self.place = place
            found = known.get(p.id)
            if found is None:
                last += 1
                self.seen += 1
                self.new_cables.append((last, p.id, *p.rows.cable))
                self.new_versions.append(self._version_row(last, 1, p))
                self.pending[last] = p.rows
                self.report.ingested += 1
                known[p.id] = (last, 1)
                written.append((last, 1))
            else:
                self._insert_new()  # what follows reads the archive: it must hold them
                current, number = self.write(p, *found)
                known[p.id] = (found[0], current)
                written.append((found[0], number))
            if p.alias is not None:
                self.aliases.append((p.alias, *written[-1]))
        self._insert_new()
        self._join_collection(written)
        self.flush()

    def _known(self, ids: list[str]) -> dict[str, tuple[int, int]]:
        """(key, current version) of those of ``ids`` already archived."""
        known = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.db.execute(
                f"SELECT id, key, version FROM cable WHERE id IN ({_marks(len(chunk))})", chunk
            )
            known.update({cable_id: (key, version) for cable_id, key, version in rows})
        return known

    def _insert_new(self) -> None:
        self.db.executemany(
            f"INSERT INTO cable (key, id, version, {CABLE_COLUMNS}) VALUES (?, ?, 1, {_marks(20)})",
            self.new_cables,
        )
        self.db.executemany(INSERT_VERSION, self.new_versions)
        self.db.executemany(
            "INSERT OR IGNORE INTO alias (id, cable_key, number) VALUES (?, ?, ?)", self.aliases
        )
        self.new_cables.clear()
        self.new_versions.clear()
        self.aliases.clear()

    def write(self, p: Prepared, key: int, current: int) -> tuple[int, int]:
        """A version of the archived cable ``key``; returns the cable's current version
        after, and the number of the version ``p`` is."""
        self.seen += 1
        same = self.db.execute(
            "SELECT number, canonical, released, source FROM version"
            " WHERE cable_key = ? AND content_hash = ?",
            (key, p.content_hash),
        ).fetchone()
        if same is not None:
            # Seen again, maybe in a later release: it may be the newest copy after all.
            number, *kept = same
            self.db.execute(RESEEN, (self.seen, self.label, self.place, key, number))
            if publication_rank(p) > publication_rank(*kept):
                self.db.execute(REPUBLISHED, (*republished(p, self.release), key, number))
                if number == current:
                    self._replace_current(key, number, p.rows)
            self.report.unchanged += 1
        else:
            number = (
                1
                + self.db.execute(
                    "SELECT max(number) FROM version WHERE cable_key = ?", (key,)
                ).fetchone()[0]
            )
            self.db.execute(INSERT_VERSION, self._version_row(key, number, p))
            self.report.new_versions += 1
        newest = self._newest(key)
        if newest != current:
            rows = p.rows if newest == number else self._rows_of(key, newest)
            self._replace_current(key, newest, rows)
        return newest, number

    def _join_collection(self, versions: list[tuple[int, int]]) -> None:
        """Every version the batch wrote or saw again joins the batch's collection: a
        grant on a collection reads the versions in it, not the cable's others."""
        if self.collection is not None:
            self.db.executemany(
                "INSERT OR IGNORE INTO version_collection (cable_key, number, collection_key)"
                " VALUES (?, ?, ?)",
                [(key, number, self.collection) for key, number in versions],
            )

    def _newest(self, key: int) -> int:
        """The current version, a function of the versions alone, whatever order or
        concurrency they were ingested in: the latest release date; between copies with
        the same date, one published under the cable's own id before one published only
        under another (``alias``: a malformed id, often one section of the cable), then
        the one ingested under the greatest release label; under one label, the one
        placed last in that ingest's input; then the greatest hash. (A copy met under
        several labels counts under the greatest, at its last place.)"""
        row = self.db.execute(
            "SELECT number FROM version WHERE cable_key = ? ORDER BY coalesce(released, '')"
            " DESC, canonical DESC, order_release DESC, order_place DESC, content_hash DESC"
            " LIMIT 1",
            (key,),
        ).fetchone()
        return int(row[0])

    def _rows_of(self, key: int, number: int) -> SearchRows:
        (record,) = self.db.execute(
            "SELECT record FROM version WHERE cable_key = ? AND number = ?", (key, number)
        ).fetchone()
        what = f"the record of version {number} of the cable with key {key}"
        return search_rows(load_record(record, self.path, what))

    def _version_row(self, key: int, number: int, p: Prepared) -> Row:
        return (
            key,
            number,
            p.content_hash,
            self.release,
            p.released,
            self.now,
            self.seen,
            p.source,
            p.record,
            p.text,
            self.label,
            self.place,
            *p.policy,
            int(p.alias is None),
        )

    def _replace_current(self, key: int, number: int, rows: SearchRows) -> None:
        assignments = ", ".join(f"{c} = ?" for c in CABLE_COLUMNS.split(", "))
        self.db.execute(
            f"UPDATE cable SET version = ?, {assignments} WHERE key = ?",
            (number, *rows.cable, key),
        )
        if self.pending.pop(key, None) is None:
            self._delete_rows(key)
        self.pending[key] = rows

    def _delete_rows(self, key: int) -> None:
        delete_search_rows(self.db, [key])

    def flush(self) -> None:
        """Write the searchable rows of every pending cable, and index them."""
        db = self.db
        units = [
            (unit_rowid(k, cast(int, u[0])), k, *u)
            for k, r in self.pending.items()
            for u in r.units
        ]
        db.executemany(
            f"INSERT INTO unit (rowid, cable_key, seq, number, marking, level, heading,"
            f" body, need, rel, hash, exempt) VALUES ({_marks(12)})",
            units,
        )
        db.executemany(
            "INSERT INTO unit_fts (rowid, body) VALUES (?, ?)", [(u[0], u[7]) for u in units]
        )
        self._guard()
        names = self._numbered(
            "addressee", [(k, *a) for k, r in self.pending.items() for a in r.addressees]
        )
        db.executemany(
            "INSERT INTO addressee (rowid, cable_key, role, position, name, routing_indicator,"
            f" precedence, serial, collective, excluded) VALUES ({_marks(10)})",
            names,
        )
        db.executemany(
            "INSERT INTO name_fts (rowid, name) VALUES (?, ?)", [(a[0], a[4]) for a in names]
        )
        pending = self.pending.items()
        db.executemany(
            "INSERT INTO tag (cable_key, code, kind) VALUES (?,?,?)",
            [(k, *t) for k, r in pending for t in r.tags],
        )
        db.executemany(
            "INSERT INTO caveat (cable_key, caveat) VALUES (?,?)",
            [(k, c) for k, r in pending for c in r.caveats],
        )
        db.executemany(
            "INSERT INTO reference (cable_key, position, letter, text, kind, target, paragraph)"
            " VALUES (?,?,?,?,?,?,?)",
            [(k, *ref) for k, r in pending for ref in r.references],
        )
        self.pending.clear()

    def _guard(self) -> None:
        """Guard rows of the pending cables: their strict paragraphs, and every unit of
        those with review decisions (see access.policy)."""
        rows = [(k, k, unit_rowid(k, u)) for k, r in self.pending.items() for u in sorted(r.guards)]
        self.db.executemany(
            f"INSERT INTO guard ({GUARD_COLUMNS}) SELECT {GUARD_VALUES.format(rv='c.rv')}"
            " FROM unit u JOIN cable c ON c.key = ? WHERE u.cable_key = ? AND u.rowid = ?",
            rows,
        )
        keys = list(self.pending)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            guard_reviewed(self.db, f"c.key IN ({_marks(len(chunk))}) AND c.rv = 1", chunk)

    def _numbered(self, table: str, rows: list[Row]) -> list[Row]:
        """Rows with explicit rowids after the table's last one."""
        (last,) = self.db.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()
        return [(last + n, *row) for n, row in enumerate(rows, start=1)]


def delete_search_rows(db: sqlite3.Connection, keys: Sequence[int]) -> None:
    """The searchable rows of the cables with ``keys``, and their full-text entries."""
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        where = f"cable_key IN ({_marks(len(chunk))})"
        db.execute(
            "INSERT INTO unit_fts (unit_fts, rowid, body)"
            f" SELECT 'delete', rowid, body FROM unit WHERE {where}",
            chunk,
        )
        db.execute(
            "INSERT INTO name_fts (name_fts, rowid, name)"
            f" SELECT 'delete', rowid, name FROM addressee WHERE {where}",
            chunk,
        )
        for table in ("unit", "guard", "addressee", "tag", "caveat", "reference"):
            db.execute(f"DELETE FROM {table} WHERE {where}", chunk)


def guard_reviewed(db: sqlite3.Connection, where: str, params: Sequence[object]) -> None:
    """Every unit of the cables ``where`` selects (alias ``c``) into ``guard``, marked as
    reviewed: their visibility then depends on review decisions, one by one."""
    db.execute(
        f"INSERT OR REPLACE INTO guard ({GUARD_COLUMNS}) SELECT {GUARD_VALUES.format(rv='1')}"
        f" FROM cable c JOIN unit u ON u.cable_key = c.key WHERE {where}",
        list(params),
    )


# A unit's row in ``guard``: its requirement, its cable's release day (none when the
# portion is exempt from automatic declassification), its text's hash.
GUARD_COLUMNS = "rowid, cable_key, number, level, need, rel, declass, rv, hash"
GUARD_VALUES = (
    "u.rowid, u.cable_key, u.number, u.level, u.need, u.rel,"
    " CASE WHEN u.exempt THEN NULL ELSE c.declass END, {rv}, u.hash"
)


def unit_rowid(cable_key: int, seq: int) -> int:
    """A text unit's rowid holds its cable's key, so that full-text matches give cable
    keys without a look-up (``rowid >> UNIT_BITS``) and one cable's units are one
    rowid range (for its snippet)."""
    return (cable_key << UNIT_BITS) + seq


INSERT_VERSION = (
    "INSERT INTO version (cable_key, number, content_hash, release, released, ingested_at,"
    " seen, source, record, text, order_release, order_place, level, need, rel, declass, hhash,"
    " canonical) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
# Another publication of a version's text that ranks higher (``publication_rank``): its
# record becomes the version's.
REPUBLISHED = (
    "UPDATE version SET canonical = ?, released = ?, release = ?, source = ?, record = ?,"
    " level = ?, need = ?, rel = ?, declass = ?, hhash = ? WHERE cable_key = ? AND number = ?"
)


def publication_rank(*publication: Any) -> tuple[int, str, str]:
    """Which publication of one text gives its version's record, whatever order they
    arrive in: one under the cable's own id before one only under another
    (``alias``), then the latest release date, then (the same date twice) the source
    that sorts last. ``publication``: a Prepared, or (canonical, released, source)."""
    if isinstance(publication[0], Prepared):
        p = publication[0]
        return int(p.alias is None), p.released or "", p.source
    canonical, released, source = publication
    return int(canonical), released or "", str(source)


def republished(p: Prepared, release: str | None) -> tuple[object, ...]:
    """The values of ``REPUBLISHED`` (before its key and number) for ``p``."""
    return (int(p.alias is None), p.released, release, p.source, p.record, *p.policy)


# A copy seen again keeps the greatest (release label, place) it was met with; every
# right-hand side reads the row as it was.
RESEEN = (
    "UPDATE version SET seen = ?1,"
    " order_place = CASE WHEN (order_release, order_place) < (?2, ?3) THEN ?3 ELSE order_place END,"
    " order_release = max(order_release, ?2) WHERE cable_key = ?4 AND number = ?5"
)
CABLE_COLUMNS = (
    "date, year, dtg, origin, from_name, from_ri, classification, level, precedence,"
    " subject, caveats, tags, sections, partial, paragraphs, warnings, need, rel, declass,"
    " hhash"
)


def _marks(n: int) -> str:
    return ",".join("?" * n)


# --- what the archive stored, decoded ----------------------------------------------
#
# Every stored blob is read through these: a file damaged after it was written (a
# disk error, a copy cut short, an edit by other means) gives one sentence naming the
# archive and what could not be read, never a zlib or JSON traceback.


def inflate(blob: object, path: str = "", what: str = "a stored record") -> bytes:
    """A stored blob, decompressed (zlib's format)."""
    try:
        return zlib.decompress(blob)  # type: ignore[arg-type]  # a damaged cell may be text
    except (zlib.error, TypeError) as error:
        raise damaged(path, what, "it is not valid compressed data") from error


def decode_record(data: bytes, path: str = "", what: str = "a stored record") -> Cable:
    """A record from its decompressed JSON."""
    try:
        return Cable.from_json(json.loads(data))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise damaged(path, what, "it is not a record cablekit wrote") from error


def load_record(blob: object, path: str = "", what: str = "a stored record") -> Cable:
    return decode_record(inflate(blob, path, what), path, what)


def load_text(blob: object, path: str = "", what: str = "a stored text") -> str:
    data = inflate(blob, path, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise damaged(path, what, "it is not UTF-8 text") from error


def load_object(text: object, path: str = "", what: str = "a stored object") -> dict[str, Any]:
    """A JSON object the archive stored (where a version came from, a record)."""
    try:
        source = json.loads(text)  # type: ignore[arg-type]
    except (ValueError, TypeError) as error:
        raise damaged(path, what, "it is not JSON") from error
    if not isinstance(source, dict):
        raise damaged(path, what, "it is not a JSON object")
    return source


def damaged(path: str, what: str, why: str) -> DamagedArchive:
    archive = f"The archive {path}" if path else "The archive"
    return DamagedArchive(f"{archive} is damaged: {what} cannot be read ({why})")


@contextmanager
def translated(path: str) -> Iterator[None]:
    """sqlite3's errors as cablekit's, in one plain sentence."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        raise translation(path, error) from error


def translation(path: str, error: sqlite3.DatabaseError) -> CablekitError:
    """The plain sentence of one of sqlite3's errors (see ``translated``)."""
    text = str(error)
    if not isinstance(error, sqlite3.OperationalError):
        return NotAnArchive(f"{path} is not a cablekit archive ({error})")
    if "readonly" in text or "unable to open" in text or "disk" in text:
        return ArchiveUnwritable(f"Cannot write the archive {path}: {text}")
    if "locked" in text or "busy" in text:
        return ArchiveUnwritable(f"The archive {path} stayed locked by another process: {text}")
    return NotAnArchive(f"Cannot read the archive {path}: {text}")
