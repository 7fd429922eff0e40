"""``cablekit.Archive``: the Python API of the archive, as the CLI and web use it.

::

    from cablekit import Archive

    with Archive("cables.db", create=True) as archive:
        archive.ingest(["cable.tar.xz"], release="2011-04", jobs=2)
        result = archive.search('tag:PREL AND "nuclear program"', facets=True)
        for hit in result.results:
            print(hit.id, hit.subject)

Every method reads through one :class:`~cablekit.search.sql.Scope`, what the
archive's reader may see (everything, until the archive has users). Once it has
users, a reader must be named (``Archive(path, user="ana")``), what they see follows
``cablekit.access.policy`` on the archive's day (``today``, by default the real date
or ``CABLEKIT_TODAY``), and every read is written to the audit log.

This class is the one door: the command line and the web read through its methods
only (search, show, versions, diff, refs, graph, neighbourhood, export, plot, stats),
and administer through ``archive.admin`` (:mod:`cablekit.administration`). Each read
is logged before anything of it leaves: what is returned in memory is logged before
it is returned; an export to a stream is logged before its first byte; a file is
written under another name and takes its own only once its entry is committed. When
the entry cannot be written (a read-only or locked archive, a missing key), the reader
gets an error and nothing else. A refused read (a cable hidden or missing, no reader
or an unknown one) is logged as refused, and told no more than before.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from .access import audit, principals
from .access.clock import today as clock_today
from .access.keyfile import key_path
from .access.policy import Declassification, Reader, automatic_release, granted, scope_for
from .access.redact import header_decision, reader_record
from .access.review import declassification
from .administration import Administration
from .errors import AccessError, ReaderRequired, UnknownCable
from .model import Cable, Source
from .plot import PlotKind, check_image_path, draw, series
from .scope import PUBLIC, Scope
from .search.engine import SearchResult, Sort, search
from .search.export import CHUNK as EXPORT_CHUNK
from .search.export import (
    ExportFormat,
    ExportSort,
    Output,
    arrow_table,
    export,
    ordered_keys,
    visible_records,
)
from .search.graph import Graph, RefKind, Refs, graph, neighbourhood, refs
from .search.lookup import matching_ids, visible_key
from .search.query import Node, parse_query
from .search.stats import Stats, stats
from .staged import staged_path
from .store.ingest import Progress, ingest
from .store.postgres import PostgresRecord, is_url
from .store.replica import catch_up, default_index
from .store.sqlite import BatchReport, SQLiteStore, StoredCable, VersionInfo, decode_record
from .textdiff import Change, word_diff
from .textview import render_text

DEFAULT_PATH = "cablekit.db"
# What a reader of an archive with users learns of where a version came from: its
# format and the publisher's id; not the server's path nor the row in the input
# (its neighbours there may be cables the reader may not see).
PUBLIC_SOURCE_KEYS = ("format", "original_id")


def unlocated(cable: Cable) -> Cable:
    """``cable`` without the server's path and the row it was read from."""
    source = cable.source
    if source.path is None and source.row is None:
        return cable
    return dataclasses.replace(cable, source=Source(source.format, None, None, source.original_id))


def reader_version(info: VersionInfo, text: str | None) -> VersionInfo:
    """A version as a reader of an archive with users sees it listed: the SHA-1 of
    ``text``, what they may read of it (none when nothing), never of the archived text
    (whose withheld paragraphs a hash would let them confirm by guessing)."""
    digest = None if text is None else hashlib.sha1(text.encode("utf-8")).hexdigest()
    source = {k: v for k, v in info.source.items() if k in PUBLIC_SOURCE_KEYS}
    return dataclasses.replace(info, content_hash=digest, source=source)


@dataclass(frozen=True, slots=True)
class Diff:
    """The changes from version ``old`` of a cable to version ``new`` (the same
    number twice when the cable has one version only)."""

    id: str
    old: int
    new: int
    changes: list[Change]


class Archive:
    """A cable archive in one SQLite file.

    :param path: the archive file (``cablekit.db`` by default).
    :param create: make the file when it does not exist (for ingest); otherwise a
        missing file raises :class:`~cablekit.errors.MissingArchive`.
    :param user: who reads (needed once the archive has users; ignored before).
    :param today: the day whose declassification state applies (default: the clock).
    :param store: an open store to read through instead of opening ``path`` (a server
        keeps one per thread); closing the archive leaves it open.
    :param login: who stands behind the reader in the audit log: by default the
        operating-system account running this process; the web gives the client's
        address.
    :param audit_key: the audit log's key file (default ``CABLEKIT_AUDIT_KEY``, else
        beside the archive: ``cablekit.access.keyfile``).
    :param index: for a PostgreSQL archive (``path`` a ``postgresql://`` URL): the
        search index file this process keeps (``cablekit.store.replica``; by default
        one in the user's cache folder). It is brought up to date when the archive is
        opened, unless ``record`` is given (a server keeps it current itself).
    :param record: an open PostgreSQL record to write through (with ``store``, the
        index); closing the archive leaves it open.
    :param owned: close ``store`` and ``record`` with the archive (they were opened
        for it alone).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = DEFAULT_PATH,
        create: bool = False,
        user: str | None = None,
        today: date | None = None,
        store: SQLiteStore | None = None,
        login: str | None = None,
        audit_key: str | os.PathLike[str] | None = None,
        index: str | os.PathLike[str] | None = None,
        record: Record | None = None,
        owned: bool = False,
    ):
        self._owns_store = store is None or owned
        self._owns_record = record is None or owned
        self._store, self.record, self._index = open_archive(path, create, store, record, index)
        self.user = user
        self.today = today or clock_today()
        self.login = login if login is not None else os_login()
        self.audit_key = key_path(audit_base(self.record), audit_key)
        self.admin = Administration(self)
        self._scope: Scope | None = None
        self._reader: Reader | None = None

    @property
    def store(self) -> SQLiteStore:
        """What is searched and read: the archive file, or (for a PostgreSQL archive) this
        process's index of it, opened and brought up to date on first use (a loader
        that only writes never makes one)."""
        if self._store is None:
            assert isinstance(self.record, PostgresRecord) and self._index is not None
            self._store = open_index(self.record, self._index)
        return self._store

    # --- who reads ----------------------------------------------------------------

    @property
    def scope(self) -> Scope:
        """What the reader may see, as SQL conditions (worked out on first use)."""
        if self._scope is None:
            self._scope = self._make_scope()
        return self._scope

    @property
    def reader(self) -> Reader | None:
        """The reader as the policy sees them; None for a public archive."""
        self.scope  # noqa: B018 -- works the reader out
        return self._reader

    @property
    def controlled(self) -> bool:
        """Whether access control is on (the archive has users)."""
        return principals.has_users(self.record)

    def _make_scope(self) -> Scope:
        if not self.controlled:
            return PUBLIC
        if self.user is None:
            raise ReaderRequired(
                "This archive has users: name the reader with --as USER (or CABLEKIT_USER)"
            )
        reader = principals.reader(self.store, self.user)
        self._reader = reader
        keys = (
            None
            if reader.all_collections
            else principals.collection_keys(self.store, reader.collections)
        )
        scope = scope_for(reader, self.today, keys)
        # Export takes records through the scope: each becomes the reader's record.
        return dataclasses.replace(scope, record=self._reader_json)

    def _reader_json(self, key: int, record: bytes) -> bytes:
        cable = decode_record(record, self.store.path, f"the record of the cable with key {key}")
        mine = unlocated(self.reader_cable(key, cable))
        if mine is cable:
            return record
        return json.dumps(mine.to_json(), ensure_ascii=False, separators=(",", ":")).encode()

    def reader_cable(self, key: int, cable: Cable) -> Cable:
        """A stored record (one version) of the cable with ``key`` as the reader may see
        it, judged by that version's own markings and dates."""
        if self.reader is None:
            return cable
        return reader_record(self.reader, cable, self._facts(key, cable), self.today).cable

    def _facts(self, key: int, cable: Cable) -> Declassification:
        return declassification(self.store, key, automatic_release(cable))

    # --- the log ----------------------------------------------------------------------

    def audit(
        self,
        action: str,
        query: str | None,
        ids: Sequence[str],
        refused: bool = False,
        always: bool = False,
    ) -> None:
        """Log an action, committed when this returns (or raise: then nothing may be
        given out). A public archive keeps no log, unless ``always``. A refusal is
        logged whoever asked; anything else only for a reader who exists (worked out
        here if need be, so that a reader removed meanwhile is refused, not logged)."""
        keeps_log = self.controlled if refused else self.reader is not None
        if not (always or keeps_log):
            return
        event = audit.Event(action, self.user, query, tuple(ids), "", self.login, refused)
        if isinstance(self.record, PostgresRecord) or not self.store.db.in_transaction:
            audit.append(self.record, event, self.audit_key)
            return
        # Inside a read snapshot (an export logs before its first record leaves, from
        # the state it exports) this connection cannot commit: another one writes.
        with SQLiteStore(self.store.path) as writer:
            audit.append(writer, event, self.audit_key)

    @contextmanager
    def refusals(self, action: str, query: str | None) -> Iterator[None]:
        """Log what is refused inside the block (a cable hidden or missing, no reader or
        an unknown one, no administrator) before the refusal reaches the reader."""
        try:
            yield
        except (AccessError, UnknownCable):
            self.audit(action, query, (), refused=True)
            raise

    def matching_ids(self, node: Node | None) -> list[str]:
        """The ids of the visible cables ``node`` matches (all when None), for the log."""
        return matching_ids(self.store, node, self.scope)

    def _visible_key(self, cable_id: str) -> int:
        """The key of a cable the reader may see; UnknownCable otherwise (an invisible
        cable is not told apart from a missing one)."""
        key = visible_key(self.store, cable_id, self.scope)
        if key is None:
            raise UnknownCable(f"There is no cable {cable_id} in the archive")
        return key

    def refresh(self) -> None:
        """After a write to a PostgreSQL record: bring this process's index up to date
        with it, and work the reader out again (a server keeps its index current
        itself). Nothing to do for a SQLite archive: it is its own index."""
        if isinstance(self.record, PostgresRecord) and self._owns_store and self._store:
            catch_up(self.record, self._store)
            self._scope = None
            self._reader = None

    def close(self) -> None:
        if self._owns_store and self._store is not None:
            self._store.close()
        if self._owns_record and isinstance(self.record, PostgresRecord):
            self.record.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(
        self,
        paths: Iterable[str],
        release: str | None = None,
        jobs: int = 1,
        format: str | None = None,
        progress: Progress | None = None,
        collection: str | None = None,
    ) -> BatchReport:
        """Parse and store every cable in ``paths``; idempotent, resumable. Each joins
        ``collection`` (by default one named after the release, or "default")."""
        report = ingest(self.record, paths, release, jobs, format, progress, collection)
        self.refresh()
        return report

    def search(
        self,
        query: str,
        *,
        sort: Sort = "relevance",
        limit: int = 20,
        cursor: str | None = None,
        facets: bool = False,
        timeline: bool = False,
        snippets: bool = True,
    ) -> SearchResult:
        """Search with the query language (``docs/query-language.md``)."""
        with self.refusals("search", query):
            scope = self.scope
        result = search(
            self.store,
            query,
            sort=sort,
            limit=limit,
            cursor=cursor,
            facets=facets,
            timeline=timeline,
            snippets=snippets,
            scope=scope,
        )
        self.audit("search", query, [hit.id for hit in result.results])
        return result

    def get(self, cable_id: str, version: int | None = None) -> StoredCable:
        """A cable as the reader may see it: its current version, or the numbered one,
        each judged by itself. When paragraphs are withheld, ``text`` is the readable
        view of the reader's record, not the archived text."""
        cable_id = cable_id.upper()
        asked = cable_id if version is None else f"{cable_id} version {version}"
        with self.refusals("show", asked):
            stored = self._readable(cable_id, version)
        self.audit("show", f"{cable_id} version {stored.version.number}", [cable_id])
        return stored

    def _readable(self, cable_id: str, version: int | None) -> StoredCable:
        """A version of a cable as the reader may see it, judged by itself (not logged:
        the callers do)."""
        if version is None:
            key = self._visible_key(cable_id)
            stored = self.store.get(cable_id)
        else:
            key, stored = self._readable_version(cable_id, version)
        return self._reader_view(key, stored)

    def _reader_view(self, key: int, stored: StoredCable) -> StoredCable:
        """A stored version as the reader may see it. For a reader of an archive with
        users: withheld paragraphs as placeholders (then the text is the readable view
        of what is left), no server path in the record, and a hash of that text only."""
        if self.reader is None:
            return stored
        redacted = self.reader_cable(key, stored.cable)
        mine = unlocated(redacted)
        text = stored.text if redacted is stored.cable else render_text(mine)
        return StoredCable(mine, reader_version(stored.version, text), text)

    def _readable_version(self, cable_id: str, number: int) -> tuple[int, StoredCable]:
        """Version ``number`` of a cable when the reader may read it. A reader who may
        read no version of it is told there is no such cable, as for a missing one."""
        readable = {v.number: v for v in self._readable_versions(cable_id)}
        if not readable:
            raise UnknownCable(f"There is no cable {cable_id} in the archive")
        if number not in readable:
            raise UnknownCable(
                f"Cable {cable_id} has no version {number} you may read (it has"
                f" {', '.join(map(str, readable))})"
            )
        return self.store.cable_key(cable_id), self.store.get(cable_id, number)

    def _readable_versions(self, cable_id: str) -> list[VersionInfo]:
        """The versions of a cable the reader may read, each judged by its own header,
        declassification date and collections ([] for a missing cable)."""
        try:
            key = self.store.cable_key(cable_id)
        except UnknownCable:
            return []
        infos = self.store.versions(cable_id)
        if self.reader is None:
            return infos
        return [v for v in infos if self._version_visible(key, v.number, cable_id)]

    def _version_visible(self, key: int, number: int, cable_id: str) -> bool:
        assert self.reader is not None
        if not granted(self.reader, self.store.collections_of(key, number)).visible:
            return False
        cable = self.store.get(cable_id, number).cable
        return header_decision(self.reader, cable, self._facts(key, cable), self.today).visible

    def versions(self, cable_id: str) -> list[VersionInfo]:
        """The versions of a cable the reader may read, each judged by itself. A reader
        of an archive with users gets, for each, the hash of the text they may read of
        it and where it came from without the server's path."""
        cable_id = cable_id.upper()
        with self.refusals("versions", cable_id):
            infos = self._versions(cable_id)
        self.audit("versions", cable_id, [cable_id])
        if self.reader is None:
            return infos
        key = self.store.cable_key(cable_id)
        return [
            reader_version(v, self._reader_view(key, self.store.get(cable_id, v.number)).text)
            for v in infos
        ]

    def _versions(self, cable_id: str) -> list[VersionInfo]:
        infos = self._readable_versions(cable_id)
        if not infos:
            raise UnknownCable(f"There is no cable {cable_id} in the archive")
        return infos

    def diff(self, cable_id: str, old: int | None = None, new: int | None = None) -> Diff:
        """Word-level changes between two versions of a cable (by default the one
        before the current, and the current). ``old`` and ``new`` go together. One
        entry in the log, as ``diff``."""
        cable_id = cable_id.upper()
        asked = cable_id if old is None or new is None else f"{cable_id} {old}..{new}"
        with self.refusals("diff", asked):
            old, new = self._diff_pair(cable_id, old, new)
            before, after = (self._readable(cable_id, n).text for n in (old, new))
        self.audit("diff", f"{cable_id} {old}..{new}", [cable_id])
        return Diff(cable_id, old, new, word_diff(before, after))

    def _diff_pair(self, cable_id: str, old: int | None, new: int | None) -> tuple[int, int]:
        """The versions to compare: those asked, else the one before the current and
        the current (the current twice when it is the only one)."""
        infos = self._versions(cable_id)
        numbers = [v.number for v in infos]
        if old is None or new is None:
            current = next((v.number for v in infos if v.current), numbers[-1])
            older = [n for n in numbers if n != current]
            old, new = (older[-1] if older else current), current
        for number in (old, new):
            if number not in numbers:
                raise UnknownCable(
                    f"Cable {cable_id} has no version {number} (it has"
                    f" {', '.join(map(str, numbers))})"
                )
        return old, new

    def stats(self) -> Stats:
        """Counts of what the archive holds, and how well references resolve."""
        with self.refusals("stats", None):
            scope = self.scope
        figures = stats(self.store, scope)
        self.audit("stats", None, [])
        return figures

    # --- following and taking away ---------------------------------------------------

    def refs(self, cable_id: str, kind: RefKind | None = None) -> Refs:
        """What a cable cites and which visible cables cite it (``kind``: REF items or
        mentions only); logged with every cable whose fields it shows (the cable, the
        cited ones in the archive, the citing)."""
        cable_id = cable_id.upper()
        with self.refusals("refs", cable_id):
            found = refs(self.store, cable_id, self.scope, kind)
        self.audit("refs", cable_id, shown_in_refs(found))
        return found

    def graph(self, query: str | None = None, hops: int = 0, kind: RefKind | None = None) -> Graph:
        """The citation graph of the visible cables ``query`` matches (all when None),
        ``hops`` citations further (``kind``: by REF items or mentions only); logged
        with every cable it describes."""
        node = parsed(query)
        with self.refusals("graph", query):
            scope = self.scope
        found = graph(self.store, node, scope, hops, kind)
        self.audit("graph", query, described_in(found))
        return found

    def neighbourhood(self, cable_id: str, hops: int = 2, kind: RefKind | None = None) -> Graph:
        """A visible cable and the visible cables up to ``hops`` citations away."""
        cable_id = cable_id.upper()
        with self.refusals("graph", cable_id):
            found = neighbourhood(self.store, cable_id, hops, self.scope, kind=kind)
        self.audit("graph", cable_id, described_in(found))
        return found

    def export(self, query: str | None, format: ExportFormat, out: Output) -> int:
        """Write every visible cable ``query`` matches (all when None), oldest first
        (then by id: the same file whatever order they were ingested in), to ``out``: a
        path (the file appears whole, after its log entry, or not at all) or a binary
        stream (left open; nothing reaches it before the entry). How many."""
        node = parsed(query)
        with self.refusals("export", query):
            scope = self.scope
        if isinstance(out, str | os.PathLike):
            with staged_path(out) as unnamed:
                with self.store.snapshot():  # the ids logged and the records: one state
                    ids = self._logged_ids(node)
                    count = export(self.store, node, scope, format, unnamed, "oldest")
                self.audit("export", query, ids)
            return count
        with self.store.snapshot():
            ids = self._logged_ids(node)
            self.audit("export", query, ids)  # before the first byte
            return export(self.store, node, scope, format, out, "oldest")

    def records(self, query: str | None = None, sort: ExportSort = "key") -> Iterator[Cable]:
        """Every visible cable ``query`` matches (all when None), as the reader may see
        it, streamed in ``sort`` order (``key``: archive order, ``oldest``, ``newest``).

        Logged as an export when called, before the first record; records are read a
        chunk at a time, each through the reader's scope."""
        node = parsed(query)
        with self.refusals("export", query):
            scope = self.scope
        with self.store.snapshot():
            keys = ordered_keys(self.store, node, scope, sort)
            self.audit("export", query, self._logged_ids(node))
        return self._records_of(keys, scope)

    def _records_of(self, keys: list[int], scope: Scope) -> Iterator[Cable]:
        for start in range(0, len(keys), EXPORT_CHUNK):
            for key, blob in visible_records(self.store, keys[start : start + EXPORT_CHUNK], scope):
                yield decode_record(blob, self.store.path, f"the record of the cable key {key}")

    def to_arrow(self, query: str | None = None, sort: ExportSort = "key") -> Any:
        """The visible cables ``query`` matches as a ``pyarrow.Table``, one row a cable
        with the columns of a Parquet export (id, date, dtg, origin, classification,
        caveats, tags, subject, references, paragraphs, text); ``.to_pandas()`` makes it
        a DataFrame where pandas is installed. Logged as an export."""
        node = parsed(query)
        with self.refusals("export", query):
            scope = self.scope
        with self.store.snapshot():
            ids = self._logged_ids(node)
            table = arrow_table(self.store, node, scope, sort)
        self.audit("export", query, ids)  # before the table is given out
        return table

    def plot(self, kind: PlotKind, query: str | None, out: str | os.PathLike[str]) -> int:
        """Draw chart ``kind`` of the visible cables ``query`` matches to the image
        ``out`` (PNG, SVG or PDF), named only after its log entry; how many cables."""
        check_image_path(out)
        node = parsed(query)
        with self.refusals("plot", query):
            scope = self.scope
        with self.store.snapshot():
            ids = self._logged_ids(node)
            figures = series(self.store, kind, node, scope)
        with staged_path(out) as unnamed:
            draw(figures, node, unnamed)
            self.audit("plot", query, ids)
        return figures.total

    def _logged_ids(self, node: Node | None) -> list[str]:
        """The ids an export or chart of ``node`` is logged with (none when no log is
        kept: listing every cable of a public archive would be wasted work)."""
        return self.matching_ids(node) if self.controlled else []


Record = SQLiteStore | PostgresRecord


def open_archive(
    path: str | os.PathLike[str],
    create: bool,
    store: SQLiteStore | None,
    record: Record | None,
    index: str | os.PathLike[str] | None,
) -> tuple[SQLiteStore | None, Record, str | None]:
    """The store searched (the archive file; for a PostgreSQL archive, a node's index
    given, or None: opened on first use) and the record written to (the same file, or
    the PostgreSQL archive at ``path``), and where the index is."""
    if not is_url(path):
        own = store if store is not None else SQLiteStore(path, create=create)
        return own, own, None
    url = str(path)
    if record is None:
        record = PostgresRecord(url, create=create)
    return store, record, os.fspath(index) if index else default_index(url)


def open_index(record: PostgresRecord, path: str) -> SQLiteStore:
    """This process's index of ``record`` at ``path``, brought up to date."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    index = SQLiteStore(path, create=True)
    try:
        catch_up(record, index)
    except BaseException:
        index.close()
        raise
    return index


def audit_base(record: Record) -> str:
    """Where the audit key lives by default (with its suffix added): beside a SQLite
    archive; for a PostgreSQL record, in the user's configuration folder under the
    record's identity, so that every process on this machine shares it, whatever URL
    or index it names (nodes on other machines get a copy: docs/deploy.md)."""
    if not isinstance(record, PostgresRecord):
        return record.path
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    folder = os.path.join(base, "cablekit")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    digest = hashlib.sha256(record.identity().encode()).hexdigest()[:16]
    return os.path.join(folder, f"record-{digest}")


def parsed(query: str | None) -> Node | None:
    """A query parsed; None (every cable) when there is none."""
    return parse_query(query) if query else None


def shown_in_refs(found: Refs) -> list[str]:
    """The cables whose fields an answer of ``refs`` shows."""
    ids = [found.id] if found.in_archive else []
    ids += [c.target for c in found.cites if c.in_archive and c.target]
    ids += [c.id for c in found.cited_by]
    return list(dict.fromkeys(ids))


def described_in(found: Graph) -> list[str]:
    """The visible cables a graph describes (the others are bare ids)."""
    return [n.id for n in found.nodes.values() if n.in_archive]


def os_login() -> str:
    """The operating-system account running this process: from its user id where
    there is one (the USER variable is the user's to set), else from getpass."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        try:
            return getpass.getuser()
        except OSError:
            return "unknown"
