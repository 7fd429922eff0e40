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
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .access import audit, principals
from .access.clock import today as clock_today
from .access.policy import Reader, cable_requirement, portion_decision, scope_for
from .access.redact import reader_record
from .access.review import declassification
from .errors import ReaderRequired, UnknownCable
from .model import Cable, Source
from .search.engine import SearchResult, Sort, search
from .search.query import Node
from .search.sql import PUBLIC, Scope, matching_keys
from .search.stats import Stats, stats
from .store.ingest import Progress, ingest
from .store.sqlite import (
    BatchReport,
    Failure,
    SQLiteStore,
    StoredCable,
    VersionInfo,
    decode_record,
)
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
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = DEFAULT_PATH,
        create: bool = False,
        user: str | None = None,
        today: date | None = None,
        store: SQLiteStore | None = None,
    ):
        self._owns_store = store is None
        self.store = store if store is not None else SQLiteStore(path, create=create)
        self.user = user
        self.today = today or clock_today()
        self._scope: Scope | None = None
        self._reader: Reader | None = None

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
        return principals.has_users(self.store)

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
        """A stored record of the cable with ``key`` as the reader may see it."""
        if self.reader is None:
            return cable
        facts = declassification(self.store, key)
        return reader_record(self.reader, cable, facts, self.today).cable

    def audit(self, action: str, query: str | None, ids: Sequence[str]) -> None:
        """Log a read (when access control is on: a public archive keeps no log)."""
        if self.reader is not None:
            audit.append(self.store, audit.Event(action, self.reader.name, query, tuple(ids)))

    def matching_ids(self, node: Node | None) -> list[str]:
        """The ids of the visible cables ``node`` matches (all when None), for the log."""
        sql, params = matching_keys(node, self.scope)
        rows = self.store.query(
            f"SELECT c.id FROM ({sql}) k JOIN cable c ON c.key = k.key ORDER BY c.key", params
        )
        return [cable_id for (cable_id,) in rows]

    def _visible_key(self, cable_id: str) -> int:
        """The key of a cable the reader may see; UnknownCable otherwise (an invisible
        cable is not told apart from a missing one)."""
        scope = self.scope
        rows = self.store.query(
            f"SELECT c.key FROM cable c WHERE c.id = ? AND {scope.cables}",
            [cable_id, *scope.cable_params],
        )
        if not rows:
            raise UnknownCable(f"There is no cable {cable_id} in the archive")
        return int(rows[0][0])

    def close(self) -> None:
        if self._owns_store:
            self.store.close()

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
        return ingest(self.store, paths, release, jobs, format, progress, collection)

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
        result = search(
            self.store,
            query,
            sort=sort,
            limit=limit,
            cursor=cursor,
            facets=facets,
            timeline=timeline,
            snippets=snippets,
            scope=self.scope,
        )
        self.audit("search", query, [hit.id for hit in result.results])
        return result

    def get(self, cable_id: str, version: int | None = None) -> StoredCable:
        """A cable as the reader may see it: its current version, or the numbered one.
        When paragraphs are withheld, ``text`` is the readable view of the reader's
        record, not the archived text."""
        cable_id = cable_id.upper()
        key = self._visible_key(cable_id)
        mine = self._version_view(cable_id, key, version)
        self.audit("show", f"{cable_id} version {mine.version.number}", [cable_id])
        return mine

    def _version_view(self, cable_id: str, key: int, version: int | None) -> StoredCable:
        """A version of a visible cable as the reader may see it (the one judgement
        ``get`` and ``versions`` share); UnknownCable when they may not read it."""
        stored = self.store.get(cable_id, version)
        if not stored.version.current and not self._header_visible(key, stored.cable):
            # An older version may have been marked higher than the current one.
            raise UnknownCable(f"Cable {cable_id} has no version {version} you may read")
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

    def _readable_text(self, cable_id: str, key: int, number: int) -> str | None:
        """The text of version ``number`` as the reader may read it; None when they may
        not read that version at all."""
        try:
            return self._version_view(cable_id, key, number).text
        except UnknownCable:
            return None

    def _header_visible(self, key: int, cable: Cable) -> bool:
        """Whether the reader may see this record's header on the archive's day."""
        if self.reader is None:
            return True
        facts = declassification(self.store, key)
        need = cable_requirement(cable)
        return portion_decision(self.reader, need, facts, None, self.today).visible

    def versions(self, cable_id: str) -> list[VersionInfo]:
        """Every version of a cable. A reader of an archive with users gets, for each,
        the hash of the text they may read of it (none for a version they may not
        read) and where it came from without the server's path."""
        cable_id = cable_id.upper()
        key = self._visible_key(cable_id)
        infos = self.store.versions(cable_id)
        self.audit("versions", cable_id, [cable_id])
        if self.reader is None:
            return infos
        return [reader_version(v, self._readable_text(cable_id, key, v.number)) for v in infos]

    def diff(self, cable_id: str, old: int | None = None, new: int | None = None) -> Diff:
        """Word-level changes between two versions of a cable (by default the one
        before the current, and the current). ``old`` and ``new`` go together."""
        infos = self.versions(cable_id)
        numbers = [v.number for v in infos]
        if old is None or new is None:
            current = next(v.number for v in infos if v.current)
            older = [n for n in numbers if n != current]
            old, new = (older[-1] if older else current), current
        for number in (old, new):
            if number not in numbers:
                raise UnknownCable(
                    f"Cable {cable_id.upper()} has no version {number} (it has"
                    f" {', '.join(map(str, numbers))})"
                )
        before, after = (self.get(cable_id, n).text for n in (old, new))
        return Diff(cable_id.upper(), old, new, word_diff(before, after))

    def stats(self) -> Stats:
        """Counts of what the archive holds, and how well references resolve."""
        figures = stats(self.store, self.scope)
        self.audit("stats", None, [])
        return figures

    def failures(self) -> list[Failure]:
        """Inputs that could not be archived, and why."""
        return self.store.failures()
