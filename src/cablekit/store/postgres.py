"""The shared record in PostgreSQL: the only owner of a ``psycopg`` connection.

Many loaders write one record at once. A batch is one transaction: its cables' rows
are locked in id order (so loaders never deadlock), a version is known by the hash
of its text (so a batch written twice changes nothing), and the current version is
chosen by the same rule as in SQLite (``sqlite._BatchWriter._newest``): a function of
the versions alone, never of which loader came first.

Every change a search node must follow is appended to ``change`` under one lock held
until commit, so the log's numbers follow commit order: a node that has applied
everything up to number N has missed nothing below it. Triggers log changes to
principals and reviews whoever makes them (cablekit or an operator's ``psql``), as
narrowing: a node answers nothing until it has applied them (``store.replica``).
"""

from __future__ import annotations

import functools
import marshal
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import MissingDependency, RecordUnreachable
from .rows import Prepared, SearchRows, compress
from .sqlite import (
    REPUBLISHED,
    BatchReport,
    VersionReads,
    inflate,
    publication_rank,
    republished,
)

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql://", "postgres://")
# Errors that say the server is gone or cannot take writes any more (a standby promoted
# elsewhere, a primary shut down): the caller's next connection finds the new primary.
_LOST_STATES = ("57P01", "57P02", "57P03", "25006", "08000", "08003", "08006")
CHANGE_LOCK = 72631  # the advisory lock every append to ``change`` holds until commit
RETRIES = 5  # a batch that meets a deadlock or a serialization failure is written again

_LOG_CHANGE = f"""
CREATE FUNCTION log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({CHANGE_LOCK});
    IF TG_ARGV[0] = 'principals' THEN
        INSERT INTO change VALUES (nextval('change_seq'), 'principals', NULL, true,
                                   extract(epoch FROM clock_timestamp()));
        RETURN NULL;
    END IF;
    INSERT INTO change VALUES (nextval('change_seq'), 'cable', NEW.cable_key, true,
                               extract(epoch FROM clock_timestamp()));
    RETURN NULL;
END $$;
CREATE TRIGGER review_logged AFTER INSERT ON review
    FOR EACH ROW EXECUTE FUNCTION log_change('cable');
""" + "".join(
    f"CREATE TRIGGER {table}_logged AFTER INSERT OR UPDATE OR DELETE ON {table}"
    " FOR EACH STATEMENT EXECUTE FUNCTION log_change('principals');\n"
    for table in ("principal", "membership", "access_grant", "api_token")
)


def is_url(target: object) -> bool:
    """Whether ``--db`` names a PostgreSQL record rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(SCHEMES)


def shown(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


# --- the statements of the access modules, in PostgreSQL's words ----------------------

_REPLACE_KEYS = {"setting": "name", "guard": "rowid"}


@functools.lru_cache(maxsize=512)
def adapt(sql: str) -> str:
    """A statement written for SQLite, as PostgreSQL takes it: ``?`` placeholders,
    ``INSERT OR IGNORE``/``OR REPLACE`` as ``ON CONFLICT``."""
    text = sql.replace("%", "%%").replace("?", "%s")
    if text.startswith("INSERT OR IGNORE INTO"):
        return text.replace("INSERT OR IGNORE INTO", "INSERT INTO", 1) + " ON CONFLICT DO NOTHING"
    match = re.match(r"INSERT OR REPLACE INTO (\w+) \(([^)]*)\)", text)
    if match:
        table, columns = match.group(1), [c.strip() for c in match.group(2).split(",")]
        key = _REPLACE_KEYS[table]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
        body = text.replace("INSERT OR REPLACE INTO", "INSERT INTO", 1)
        return f"{body} ON CONFLICT ({key}) DO UPDATE SET {updates}"
    return text


class Connection:
    """A psycopg connection that takes the archive's statements as the access modules
    write them (for SQLite), so that sessions, limits, reviews, principals and the
    audit log keep one text for both stores."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[object] = ()) -> psycopg.Cursor[Any]:
        with self.reached():
            return self.conn.execute(adapt(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> psycopg.Cursor[Any]:
        with self.reached():
            cursor = self.conn.cursor()
            cursor.executemany(adapt(sql), [tuple(r) for r in rows])
            return cursor

    @property
    def broken(self) -> bool:
        """Whether the connection is lost (the server went away): open another."""
        return bool(self.conn.broken or self.conn.closed)

    @contextmanager
    def reached(self) -> Iterator[None]:
        """PostgreSQL's lost or refused connections as one sentence (``RecordUnreachable``)."""
        import psycopg

        try:
            yield
        except psycopg.Error as error:
            if not self.broken and not isinstance(error, _lost()):
                raise
            raise RecordUnreachable(
                f"The PostgreSQL archive was lost mid-way: {_first_line(error)}"
            ) from None

    @property
    def in_transaction(self) -> bool:
        import psycopg.pq

        return self.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


@dataclass(frozen=True, slots=True)
class VersionRow:
    """A version as the record keeps it, for a node to install (``store.replica``)."""

    number: int
    content_hash: str
    release: str | None
    released: str | None
    ingested_at: str
    source: str
    record: bytes
    text: bytes
    rows: SearchRows
    policy: tuple[object, ...]  # level, need, rel, declass, hhash
    order_release: str
    order_place: int
    canonical: int
    collections: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CableState:
    """Everything the record holds of one cable: what a node installs."""

    key: int
    id: str
    current: int
    rv: int
    versions: tuple[VersionRow, ...]
    reviews: tuple[tuple[object, ...], ...]  # review rows, with their unit hashes


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    kind: str
    subject: int | None
    narrows: bool
    at: float


def pack_rows(rows: SearchRows) -> bytes:
    values: Any = (rows.cable, rows.units, rows.addressees, rows.tags, rows.caveats)
    values += (rows.references, rows.guards)
    return compress(marshal.dumps(values))


def unpack_rows(blob: object) -> SearchRows:
    return SearchRows(*marshal.loads(inflate(blob, "", "the searchable rows of a version")))


class PostgresRecord(VersionReads):
    """The shared record at a PostgreSQL URL. ``create=True`` makes its tables when the
    database has none (a database with other tables is refused either way)."""

    def __init__(self, url: str, create: bool = False) -> None:
        try:
            import psycopg
        except ImportError:
            raise MissingDependency(
                "A PostgreSQL archive needs psycopg: pip install 'cablekit[postgres]'"
            ) from None
        self.url = url
        self.path = shown(url)
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as error:
            raise RecordUnreachable(
                f"Cannot reach the PostgreSQL archive at {self.path}: {_first_line(error)}"
            ) from None
        self.db = Connection(conn)
        try:
            self._migrate(create)
        except BaseException:
            conn.close()  # refused (no archive, another program's tables): not left open
            raise

    # --- set-up --------------------------------------------------------------------------

    def _migrate(self, create: bool) -> None:
        from ..errors import MissingArchive, NotAnArchive
        from .pgschema import MIGRATIONS

        tables = {
            name
            for (name,) in self.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }
        if not tables and not create:
            raise MissingArchive(
                f"There is no archive at {self.path}; run `cablekit ingest` to make one"
            )
        if tables and "migrations" not in tables:
            raise NotAnArchive(
                f"{self.path} is a PostgreSQL database but not a cablekit archive: it holds"
                " other tables, and cablekit leaves it as it is"
            )
        with self.transaction():
            self.lock("migrations")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
            )
            done = {name for (name,) in self.query("SELECT name FROM migrations")}
            for name, step in MIGRATIONS:
                if name in done:
                    continue
                with self.db.conn.cursor() as cursor:
                    step(cursor)
                    if name == "0001_record":
                        cursor.execute(_LOG_CHANGE)
                self.db.execute(
                    "INSERT INTO migrations VALUES (?, ?)",
                    (name, time.strftime("%Y-%m-%dT%H:%M:%S")),
                )

    def identity(self) -> str:
        """Which record this is, the same on a standby promoted in its place."""
        (system, name) = self.query(
            "SELECT system_identifier, current_database() FROM pg_control_system()"
        )[0]
        return f"{system}/{name}"

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> PostgresRecord:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- what the access modules use ----------------------------------------------------

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.reached(), self.db.conn.transaction():
            yield

    @contextmanager
    def snapshot(self) -> Iterator[PostgresRecord]:
        """Several reads that see one state of the record."""
        if self.db.in_transaction:
            yield self
            return
        with self.db.reached(), self.db.conn.transaction():
            self.db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield self

    def lock_changes(self) -> None:
        """Hold the change log's lock until commit: appends then follow commit order."""
        self.db.execute("SELECT pg_advisory_xact_lock(?)", (CHANGE_LOCK,))

    def lock(self, name: str) -> None:
        """Serialise the transactions that take ``name`` (until commit)."""
        self.db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (name,))

    def reviewed(self, key: int) -> None:
        """Mark the cable ``key`` as reviewed (nodes guard every unit of it)."""
        self.db.execute("UPDATE cable SET rv = 1 WHERE key = ?", (key,))

    # --- ingest ---------------------------------------------------------------------------

    def write_batch(
        self,
        batch: Sequence[Prepared],
        failures: Sequence[tuple[str, str]],
        release: str | None,
        now: str,
        collection: str | None = None,
        first: int = 1,
    ) -> BatchReport:
        """As ``SQLiteStore.write_batch``: one transaction, written again when it meets
        another loader's locks in a way PostgreSQL cannot order."""
        import psycopg.errors

        for attempt in range(RETRIES):
            try:
                with self.transaction():
                    writer = _RecordWriter(self, release, now, collection)
                    writer.write_all(batch, first)
                    self.db.executemany(
                        "INSERT OR IGNORE INTO failure (place, message, release, at)"
                        " VALUES (?,?,?,?)",
                        [(place, message, release, now) for place, message in failures],
                    )
                writer.report.failed = len(failures)
                return writer.report
            except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    # --- what a search node follows -------------------------------------------------------

    def head(self) -> int:
        """The number of the last change committed."""
        return int(self.query("SELECT coalesce(max(seq), 0) FROM change")[0][0])

    def position(self, applied: int) -> tuple[int, int, float | None]:
        """In one round trip: the last change, the last narrowing change, and when the
        first change after ``applied`` was made (None when there is none)."""
        head, narrowing, oldest = self.query(
            "SELECT (SELECT coalesce(max(seq), 0) FROM change),"
            " (SELECT coalesce(max(seq), 0) FROM change WHERE narrows),"
            " (SELECT at FROM change WHERE seq > ? ORDER BY seq LIMIT 1)",
            (applied,),
        )[0]
        return int(head), int(narrowing), None if oldest is None else float(oldest)

    def changes(self, after: int, limit: int) -> list[Change]:
        rows = self.query(
            "SELECT seq, kind, subject, narrows, at FROM change WHERE seq > ? ORDER BY seq LIMIT ?",
            (after, limit),
        )
        return [Change(*row) for row in rows]

    def cable_keys(self, after: int, limit: int) -> list[int]:
        rows = self.query(
            "SELECT key FROM cable WHERE key > ? ORDER BY key LIMIT ?", (after, limit)
        )
        return [int(key) for (key,) in rows]

    def cable_states(self, keys: Sequence[int]) -> list[CableState]:
        """What a node installs of the cables with ``keys`` (those that exist)."""
        if not keys:
            return []
        wanted = list(keys)
        versions: dict[int, list[VersionRow]] = {}
        extra = self._collections_and_aliases(wanted)
        for row in self.query(
            "SELECT cable_key, number, content_hash, release, released, ingested_at, source,"
            " record, text, rows, level, need, rel, declass, hhash, order_release, order_place,"
            " canonical FROM version WHERE cable_key = ANY(?) ORDER BY cable_key, number",
            (wanted,),
        ):
            key, number = row[0], row[1]
            collections, aliases = extra.get((key, number), ((), ()))
            versions.setdefault(key, []).append(
                VersionRow(
                    number, row[2], row[3], row[4], row[5], row[6], bytes(row[7]),
                    bytes(row[8]), unpack_rows(row[9]), tuple(row[10:15]), row[15], row[16],
                    row[17], collections, aliases,
                )
            )  # fmt: skip
        reviews = self._reviews(wanted)
        return [
            CableState(key, cable_id, current, rv, tuple(versions[key]), reviews.get(key, ()))
            for key, cable_id, current, rv in self.query(
                "SELECT key, id, version, rv FROM cable WHERE key = ANY(?) ORDER BY key",
                (wanted,),
            )
            if key in versions
        ]

    def _collections_and_aliases(
        self, keys: list[int]
    ) -> dict[tuple[int, int], tuple[tuple[str, ...], tuple[str, ...]]]:
        found: dict[tuple[int, int], tuple[list[str], list[str]]] = {}
        for key, number, name in self.query(
            "SELECT vc.cable_key, vc.number, k.name FROM version_collection vc"
            " JOIN collection k ON k.key = vc.collection_key WHERE vc.cable_key = ANY(?)"
            " ORDER BY k.name",
            (keys,),
        ):
            found.setdefault((key, number), ([], []))[0].append(name)
        for key, number, alias in self.query(
            "SELECT cable_key, number, id FROM alias WHERE cable_key = ANY(?) ORDER BY id",
            (keys,),
        ):
            found.setdefault((key, number), ([], []))[1].append(alias)
        return {place: (tuple(c), tuple(a)) for place, (c, a) in found.items()}

    def _reviews(self, keys: list[int]) -> dict[int, tuple[tuple[object, ...], ...]]:
        hashes: dict[int, list[str]] = {}
        for review, digest in self.query(
            "SELECT t.review, t.hash FROM review_unit t JOIN review r ON r.key = t.review"
            " WHERE r.cable_key = ANY(?) ORDER BY t.hash",
            (keys,),
        ):
            hashes.setdefault(review, []).append(digest)
        found: dict[int, list[tuple[object, ...]]] = {}
        for row in self.query(
            "SELECT key, cable_key, paragraph, release, reason, reviewer, day, at, on_paragraph,"
            " version FROM review WHERE cable_key = ANY(?) ORDER BY key",
            (keys,),
        ):
            found.setdefault(row[1], []).append((*row, tuple(hashes.get(row[0], ()))))
        return {key: tuple(rows) for key, rows in found.items()}

    def principal_tables(self) -> dict[str, list[tuple[Any, ...]]]:
        """The tables that say who may read what, whole (small: copied on each change)."""
        return {
            table: self.query(
                f"SELECT {columns.replace('password', 'NULL')} FROM {table} ORDER BY 1"
            )
            for table, columns in PRINCIPAL_TABLES.items()
        }


# The tables a node copies whole when principals change, with the columns it copies. A
# node's disk holds no password hash: sign-in is checked against the record.
PRINCIPAL_TABLES = {
    "collection": "key, name, created_at",
    "principal": "key, name, kind, clearance, citizenship, access, password, created_at, admin",
    "membership": "member, grp",
    "access_grant": "principal, collection",
}


@dataclass(slots=True)
class _Seen:
    """A version already in the record, as a batch sees it (and changes it)."""

    number: int
    canonical: int
    label: str  # the greatest release label it was met under ...
    place: int  # ... and its last place there
    released: str | None  # of the publication whose record it keeps
    source: str


class _RecordWriter:
    """The writes of one batch into the record, inside its transaction."""

    def __init__(
        self, record: PostgresRecord, release: str | None, now: str, collection: str | None
    ) -> None:
        self.record = record
        self.db = record.db
        self.release = release
        self.label = release or ""
        self.now = now
        self.report = BatchReport()
        self.known: dict[tuple[int, str], _Seen] = {}
        self.top: dict[int, int] = {}  # each cable's greatest version number
        self.fresh: set[int] = set()  # cables this batch made
        self.changed: set[int] = set()
        self.inserts: list[tuple[object, ...]] = []
        self.reseen: list[tuple[object, ...]] = []
        self.republications: list[tuple[object, ...]] = []
        self.placed: list[tuple[int, int, int]] = []
        self.aliases: list[tuple[str, int, int]] = []
        name = collection or release or "default"
        self.db.execute(
            "INSERT OR IGNORE INTO collection (name, created_at) VALUES (?, ?)", (name, now)
        )
        (key,) = self.db.execute("SELECT key FROM collection WHERE name = ?", (name,)).fetchall()
        self.collection = int(key[0])

    def write_all(self, batch: Sequence[Prepared], first: int) -> None:
        keys, self.fresh = self._lock_cables(list(dict.fromkeys(p.id for p in batch)))
        self.known = self._known(list(keys.values()))
        for (key, _), seen in self.known.items():
            self.top[key] = max(self.top.get(key, 0), seen.number)
        for place, p in enumerate(batch, start=first):
            key = keys[p.id]
            number = self._take(p, key, place)
            self.placed.append((key, number, self.collection))
            if p.alias is not None:
                self.aliases.append((p.alias, key, number))
        self._write()
        self.changed |= self._join()
        self._choose_current(sorted(set(keys.values())))
        self._log(sorted(self.changed))

    def _take(self, p: Prepared, key: int, place: int) -> int:
        """``p`` as a new version of cable ``key``, or a copy of one it has (seen again
        at ``place``, perhaps a publication that gives the version its record); its
        number."""
        seen = self.known.get((key, p.content_hash))
        if seen is None:
            number = self.top[key] = self.top.get(key, 0) + 1
            fields = (int(p.alias is None), self.label, place, p.released, p.source)
            self.known[(key, p.content_hash)] = _Seen(number, *fields)
            self.inserts.append(self._version_row(key, number, p, place))
            self.changed.add(key)
            new = key in self.fresh
            self.fresh.discard(key)
            self.report.ingested += new
            self.report.new_versions += not new
            return number
        self.report.unchanged += 1
        if (seen.label, seen.place) < (self.label, place):
            seen.label, seen.place = self.label, place
            self.reseen.append((self.label, place, key, seen.number))
            self.changed.add(key)
        if publication_rank(p) > publication_rank(seen.canonical, seen.released, seen.source):
            seen.canonical, seen.released, seen.source = int(p.alias is None), p.released, p.source
            rows = pack_rows(p.rows)
            self.republications.append((*republished(p, self.release), rows, key, seen.number))
            self.changed.add(key)
        return seen.number

    def _lock_cables(self, ids: list[str]) -> tuple[dict[str, int], set[int]]:
        """The keys of ``ids`` (made for new ones), their rows locked until commit, in id
        order; and which are new. New keys are numbered in the order ``ids`` arrive, as a
        SQLite archive numbers them (the archive order that ties of relevance and date
        follow), though rows are made in id order (two loaders never wait on each other
        in a circle)."""
        present = {
            cable_id
            for (cable_id,) in self.db.execute(
                "SELECT id FROM cable WHERE id = ANY(?)", (ids,)
            ).fetchall()
        }
        missing = [cable_id for cable_id in ids if cable_id not in present]
        made: list[tuple[int]] = []
        if missing:
            numbers = sorted(
                int(key)
                for (key,) in self.db.execute(
                    "SELECT nextval(pg_get_serial_sequence('cable', 'key'))"
                    " FROM generate_series(1, ?)",
                    (len(missing),),
                ).fetchall()
            )
            pairs = sorted(zip(missing, numbers, strict=True))
            made = self.db.execute(
                "INSERT INTO cable (key, id, version)"
                " SELECT unnest(?::bigint[]), unnest(?::text[]), 0"
                " ON CONFLICT (id) DO NOTHING RETURNING key",
                ([key for _, key in pairs], [cable_id for cable_id, _ in pairs]),
            ).fetchall()
        rows = self.db.execute(
            "SELECT id, key FROM cable WHERE id = ANY(?) ORDER BY id FOR UPDATE", (ids,)
        ).fetchall()
        return {cable_id: int(key) for cable_id, key in rows}, {int(k) for (k,) in made}

    def _known(self, keys: list[int]) -> dict[tuple[int, str], _Seen]:
        rows = self.db.execute(
            "SELECT cable_key, content_hash, number, canonical, order_release, order_place,"
            " released, source FROM version WHERE cable_key = ANY(?)",
            (keys,),
        ).fetchall()
        return {(row[0], row[1]): _Seen(*row[2:]) for row in rows}

    def _version_row(self, key: int, number: int, p: Prepared, place: int) -> tuple[object, ...]:
        return (
            key, number, p.content_hash, self.release, p.released, self.now, p.source,
            p.record, p.text, pack_rows(p.rows), *p.policy, self.label, place,
            int(p.alias is None),
        )  # fmt: skip

    def _write(self) -> None:
        self.db.executemany(
            "INSERT INTO version (cable_key, number, content_hash, release, released,"
            " ingested_at, source, record, text, rows, level, need, rel, declass, hhash,"
            " order_release, order_place, canonical) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            self.inserts,
        )
        self.db.executemany(
            "UPDATE version SET order_release = ?, order_place = ?"
            " WHERE cable_key = ? AND number = ?",
            self.reseen,
        )
        self.db.executemany(
            REPUBLISHED.replace(" WHERE", ", rows = ? WHERE"),
            self.republications,
        )

    def _join(self) -> set[int]:
        """Collections and aliases of the batch's versions; the cables that gained any."""
        joined = set()
        for sql, rows in (
            (
                "INSERT INTO version_collection (cable_key, number, collection_key)"
                " SELECT * FROM unnest(?::bigint[], ?::int[], ?::bigint[])"
                " ON CONFLICT DO NOTHING RETURNING cable_key",
                self.placed,
            ),
            (
                "INSERT INTO alias (id, cable_key, number)"
                " SELECT * FROM unnest(?::text[], ?::bigint[], ?::int[])"
                " ON CONFLICT DO NOTHING RETURNING cable_key",
                self.aliases,
            ),
        ):
            if rows:
                columns = [list(c) for c in zip(*rows, strict=True)]
                joined |= {int(k) for (k,) in self.db.execute(sql, columns).fetchall()}
        return joined

    def _choose_current(self, keys: list[int]) -> None:
        """Each cable's current version, by ``_newest``'s rule."""
        self.db.execute(
            "UPDATE cable c SET version = n.number FROM ("
            " SELECT DISTINCT ON (cable_key) cable_key, number FROM version"
            " WHERE cable_key = ANY(?) ORDER BY cable_key, coalesce(released, '') DESC,"
            " canonical DESC, order_release DESC, order_place DESC, content_hash DESC"
            ") n WHERE c.key = n.cable_key AND c.version != n.number",
            (keys,),
        )

    def _log(self, keys: list[int]) -> None:
        if not keys:
            return
        self.record.lock_changes()
        self.db.execute(
            "INSERT INTO change (seq, kind, subject, narrows, at)"
            " SELECT nextval('change_seq'), 'cable', k, false,"
            " extract(epoch FROM clock_timestamp()) FROM unnest(?::bigint[]) AS k",
            (keys,),
        )


@functools.cache
def _lost() -> tuple[type[BaseException], ...]:
    import psycopg.errors

    return tuple(psycopg.errors.lookup(code) for code in _LOST_STATES)


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
