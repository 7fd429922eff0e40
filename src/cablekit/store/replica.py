"""A search node's index: a SQLite archive kept as a copy of the PostgreSQL record.

The index is today's archive file (the same engine and format), so search, access
rules inside every query and the facets work on a node exactly as on one machine.
It is derived: made from the record (``build``), brought up to date from the
record's numbered change log (``sync``), and thrown away at will.

A change names a cable (a version written, a review recorded) or the principals; the
node installs each named cable whole, as the record holds it then, and copies the
principal tables whole. Everything of one step is one SQLite transaction, with the
number of the last change applied: a node killed mid-way starts again from there.

``status`` tells how far behind a node is. A node must not answer from an index
behind a change that narrows access (``narrowing``): ``web`` refuses until it has
caught up; the command line catches up before it reads.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import CablekitError, IndexBehind, NotAnArchive
from .postgres import PRINCIPAL_TABLES, CableState, PostgresRecord
from .sqlite import (
    CABLE_COLUMNS,
    INSERT_VERSION,
    SQLiteStore,
    _BatchWriter,
    _marks,
    delete_search_rows,
)

log = logging.getLogger(__name__)
INDEX_VARIABLE = "CABLEKIT_INDEX"
APPLIED = "replica.applied"  # the setting that holds the number of the last change applied
SOURCE = "replica.source"  # ... and which record the index copies (a digest of its identity)
SHARED_SECRET = "cursor_key"  # the setting of search.cursor, the same on every node
STEP = 2_000  # changes (or cables, when building) per transaction
BUILD_STEP = 500


@dataclass(frozen=True, slots=True)
class Status:
    """How current a node's index is."""

    applied: int  # the number of the last change it holds
    head: int  # the number of the last change the record has committed
    narrowing: bool  # whether a change it lacks may narrow what a reader sees
    lag_seconds: float  # how long the oldest change it lacks has waited (0 when current)

    @property
    def behind(self) -> int:
        return self.head - self.applied

    def to_json(self) -> dict[str, object]:
        return {
            "applied": self.applied,
            "head": self.head,
            "behind": self.behind,
            "narrowing": self.narrowing,
            "lag_seconds": round(self.lag_seconds, 3),
        }


def default_index(url: str) -> str:
    """Where a node keeps its index when none is named: ``CABLEKIT_INDEX``, else the
    user's cache folder."""
    if os.environ.get(INDEX_VARIABLE):
        return os.environ[INDEX_VARIABLE]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return os.path.join(base, "cablekit", f"index-{digest}.db")


def applied(index: SQLiteStore) -> int:
    rows = index.query("SELECT value FROM setting WHERE name = ?", (APPLIED,))
    return int(rows[0][0]) if rows else -1  # -1: never built


def status(record: PostgresRecord, index: SQLiteStore) -> Status:
    done = applied(index)
    head, narrowing, oldest = record.position(max(done, 0))
    return Status(
        applied=max(done, 0),
        head=head,
        narrowing=done < 0 or narrowing > done,
        lag_seconds=0.0 if oldest is None else max(0.0, time.time() - oldest),
    )


def check(state: Status, max_lag: float) -> None:
    """Refuse to answer from an index in ``state`` (``IndexBehind``): one behind a change
    that narrows access (it could show what a reader may no longer see), or further
    behind than ``max_lag`` seconds."""
    if state.narrowing:
        raise IndexBehind(
            "This search node is catching up with a change to who may read what;"
            " try again in a moment"
        )
    if state.lag_seconds > max_lag:
        raise IndexBehind(
            f"This search node's index is {state.lag_seconds:.0f} s behind the archive"
            f" (its limit is {max_lag:g} s); try another node or again later"
        )


class Follower:
    """A thread that keeps a node's index current: it applies the record's changes
    every ``every`` seconds, and at once when ``nudge`` is called. ``every`` 0: only
    when nudged or by hand (``cablekit index sync``). A lost record (a failover) is
    reached again on the next round, through the URL's other hosts."""

    def __init__(self, url: str, index_path: str, every: float) -> None:
        self.url = url
        self.index_path = index_path
        self.every = every
        self.problem: str | None = None  # the last round's error, for /healthz
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cablekit-follower", daemon=True)

    def start(self) -> None:
        if self.every > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def nudge(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        record: PostgresRecord | None = None
        with SQLiteStore(self.index_path) as index:
            while not self._stop.is_set():
                try:
                    if record is None or record.db.broken:
                        record = PostgresRecord(self.url)
                    catch_up(record, index)
                    self.problem = None
                except CablekitError as error:
                    self.problem = str(error)
                    record = None
                except Exception as error:  # a bug: logged; the node falls behind, and refuses
                    log.exception("the index of %s could not be brought up to date", self.url)
                    self.problem = f"{type(error).__name__}: {error}"
                    record = None
                self._wake.wait(self.every)
                self._wake.clear()
        if record is not None:
            record.close()


def catch_up(record: PostgresRecord, index: SQLiteStore) -> int:
    """Build the index if it was never built, then apply every change committed;
    returns how many changes (or cables, when building) were applied."""
    if applied(index) < 0:
        return build(record, index)
    total = 0
    while True:
        done = sync(record, index)
        if not done:
            return total
        total += done


def build(record: PostgresRecord, index: SQLiteStore) -> int:
    """Copy the whole record into an index that was never built, as of one moment:
    the change log's head read in the same snapshot as the cables."""
    _claim(record, index)
    count = 0
    with record.snapshot():
        head = record.head()
        _install(index, [], record.principal_tables(), None)
        last = 0
        while keys := record.cable_keys(last, BUILD_STEP):
            states = record.cable_states(keys)
            _install(index, states, None, None)
            count += len(states)
            last = keys[-1]
        _install(index, [], None, head)
    return count


def sync(record: PostgresRecord, index: SQLiteStore, step: int = STEP) -> int:
    """Apply the next ``step`` changes at most; returns how many there were."""
    _claim(record, index)
    done = applied(index)
    with record.snapshot():
        changes = record.changes(done, step)
        if not changes:
            return 0
        keys = sorted({c.subject for c in changes if c.kind == "cable" and c.subject})
        tables = record.principal_tables() if any(c.kind == "principals" for c in changes) else None
        states = record.cable_states(keys)
        gone = sorted(set(keys) - {s.key for s in states})
        _install(index, states, tables, changes[-1].seq, gone)
    return len(changes)


def _claim(record: PostgresRecord, index: SQLiteStore) -> None:
    """An index copies one record: refuse to mix two."""
    mine = hashlib.sha256(record.identity().encode()).hexdigest()
    rows = index.query("SELECT value FROM setting WHERE name = ?", (SOURCE,))
    if rows and rows[0][0] != mine:
        raise NotAnArchive(
            f"The index {index.path} copies another archive than {record.path}: name another"
            " index file (--index), or remove this one"
        )
    if not rows:
        with index.transaction():
            index.db.execute(
                "INSERT OR REPLACE INTO setting (name, value) VALUES (?, ?)", (SOURCE, mine)
            )
    if not index.query("SELECT 1 FROM setting WHERE name = ?", (SHARED_SECRET,)):
        _share_secret(record, index)


def _share_secret(record: PostgresRecord, index: SQLiteStore) -> None:
    """Every node signs search cursors with the record's key, so that a cursor one node
    gave out pages on another (``search.cursor``)."""
    with record.transaction():
        record.db.execute(
            "INSERT OR IGNORE INTO setting (name, value) VALUES (?, ?)",
            (SHARED_SECRET, secrets.token_hex(32)),
        )
        (value,) = record.query("SELECT value FROM setting WHERE name = ?", (SHARED_SECRET,))[0]
    with index.transaction():
        index.db.execute(
            "INSERT OR REPLACE INTO setting (name, value) VALUES (?, ?)", (SHARED_SECRET, value)
        )


def _install(
    index: SQLiteStore,
    states: Sequence[CableState],
    tables: dict[str, list[tuple[object, ...]]] | None,
    head: int | None,
    gone: Iterable[int] = (),
) -> None:
    """One step, one transaction: cables replaced whole, principals copied whole, and
    the number of the last change now applied."""
    with index.transaction():
        db = index.db
        if tables is not None:
            _copy_principals(index, tables)
        writer = _BatchWriter(db, None, "", index.path)
        _forget(index, [*gone, *(state.key for state in states)])
        for state in states:
            _put(index, writer, state)
        writer.flush()
        if head is not None:
            db.execute(
                "INSERT OR REPLACE INTO setting (name, value) VALUES (?, ?)", (APPLIED, str(head))
            )


def _forget(index: SQLiteStore, keys: Sequence[int]) -> None:
    """Everything the index holds of the cables with ``keys``."""
    db = index.db
    delete_search_rows(db, keys)
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        where = f"cable_key IN ({_marks(len(chunk))})"
        db.execute(
            f"DELETE FROM review_unit WHERE review IN (SELECT key FROM review WHERE {where})",
            chunk,
        )
        for table in ("review", "version_collection", "alias", "version"):
            db.execute(f"DELETE FROM {table} WHERE {where}", chunk)
        db.execute(f"DELETE FROM cable WHERE key IN ({_marks(len(chunk))})", chunk)


def _put(index: SQLiteStore, writer: _BatchWriter, state: CableState) -> None:
    db = index.db
    current = next(v for v in state.versions if v.number == state.current)
    db.execute(
        f"INSERT INTO cable (key, id, version, rv, {CABLE_COLUMNS})"
        f" VALUES (?, ?, ?, ?, {_marks(20)})",
        (state.key, state.id, state.current, state.rv, *current.rows.cable),
    )
    db.executemany(
        INSERT_VERSION,
        [
            (
                state.key, v.number, v.content_hash, v.release, v.released, v.ingested_at,
                v.number, v.source, v.record, v.text, v.order_release, v.order_place,
                *v.policy, v.canonical,
            )
            for v in state.versions
        ],
    )  # fmt: skip
    for v in state.versions:
        for name in v.collections:
            db.execute(
                "INSERT OR IGNORE INTO collection (name, created_at) VALUES (?, ?)",
                (name, v.ingested_at),
            )
            db.execute(
                "INSERT INTO version_collection (cable_key, number, collection_key)"
                " SELECT ?, ?, key FROM collection WHERE name = ?",
                (state.key, v.number, name),
            )
        db.executemany(
            "INSERT INTO alias (id, cable_key, number) VALUES (?, ?, ?)",
            [(alias, state.key, v.number) for alias in v.aliases],
        )
    for *review, hashes in state.reviews:
        db.execute(
            "INSERT INTO review (key, cable_key, paragraph, release, reason, reviewer, day, at,"
            " on_paragraph, version) VALUES (?,?,?,?,?,?,?,?,?,?)",
            review,
        )
        db.executemany(
            "INSERT INTO review_unit (hash, review) VALUES (?, ?)",
            [(digest, review[0]) for digest in hashes],  # type: ignore[attr-defined]
        )
    writer.pending[state.key] = current.rows


def _copy_principals(index: SQLiteStore, tables: dict[str, list[tuple[object, ...]]]) -> None:
    db = index.db
    for table in ("membership", "access_grant", "api_token", "web_session", "principal"):
        db.execute(f"DELETE FROM {table}")
    for table, columns in PRINCIPAL_TABLES.items():
        rows = tables[table]
        if table == "collection":
            db.executemany(
                "INSERT OR IGNORE INTO collection (name, created_at) VALUES (?, ?)",
                [row[1:] for row in rows],
            )
            continue
        width = len(columns.split(","))
        db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({_marks(width)})", rows)
