"""What lives as long as the server: the archive's path, a store per thread, the key.

SQLite connections are not shared between threads, and the search engine keeps a
temporary table per connection, so each worker thread of the server reads through
its own store, opened on first use and kept (facet columns are cached per store).
The server's thread pool ends threads that have been idle a while and starts new
ones under the next burst of requests: the store of a thread that ended goes back
to a pool and the next new thread takes it, with its columns already read (reading
them again costs seconds at 250,000 cables).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..access import principals, sessions
from ..access.clock import today as clock_today
from ..access.policy import Reader
from ..archive import Archive, open_index
from ..errors import IndexBehind
from ..search.stats import Stats
from ..store.postgres import PostgresRecord, is_url
from ..store.replica import Follower, Status, check, default_index, status
from ..store.shared import Shared
from ..store.sqlite import SQLiteStore

STATS_SECONDS = 60.0  # how long the home page's counts may be old
EXACT_WAIT = 2.0  # how long a read of one cable waits for a node to catch up


@dataclass(frozen=True)
class NodeSettings:
    """How a search node over a PostgreSQL archive keeps and trusts its index."""

    index: str | None = None  # the index file (default: replica.default_index)
    max_lag: float = 30.0  # seconds behind the record beyond which it answers nothing
    sync_every: float = 1.0  # seconds between rounds of the follower (0: by hand only)


@dataclass
class WebState:
    """The server's settings and shared resources."""

    path: str
    today: date | None = None  # fixed day (tests); else the clock on every request
    secure_cookies: bool | None = None  # None: when the request came over HTTPS
    clock: Callable[[], float] = time.time  # sessions and sign-in limits (tests move it)
    node: NodeSettings = field(default_factory=NodeSettings)
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _idle: list[SQLiteStore] = field(default_factory=list, repr=False)  # of ended threads
    _records: weakref.WeakSet[PostgresRecord] = field(default_factory=weakref.WeakSet, repr=False)
    _stats: dict[tuple[Reader | None, date], tuple[float, Stats]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.path = os.fspath(self.path)
        self.url: str | None = self.path if is_url(self.path) else None
        self.follower: Follower | None = None
        if self.url is not None:
            self.path = self.node.index or default_index(self.url)
            with PostgresRecord(self.url) as record:  # built here, before the first request
                open_index(record, self.path).close()
            self.follower = Follower(self.url, self.path, self.node.sync_every)
            self.follower.start()
        with SQLiteStore(self.path) as store:  # fails early, in one sentence, when missing
            self.secret = sessions.signing_key(self.record() if self.url else store)

    def now(self) -> int:
        """The time in Unix seconds, for sessions and sign-in limits."""
        return int(self.clock())

    def store(self) -> SQLiteStore:
        """This thread's store: its own, or one a thread that ended left behind."""
        lease: _Lease | None = getattr(self._local, "lease", None)
        if lease is None:
            try:
                store = self._idle.pop()  # atomic: no two threads get the same one
            except IndexError:
                store = SQLiteStore(self.path)
            lease = _Lease(store, self._idle)
            self._local.lease = lease
        return lease.store

    def record(self) -> Shared:
        """Where this thread writes sessions, sign-in failures and the audit log: the
        archive file itself, or its own connection to the PostgreSQL record (opened
        again after a failover)."""
        if self.url is None:
            return self.store()
        record: PostgresRecord | None = getattr(self._local, "record", None)
        if record is None or record.db.broken:
            if record is not None:
                record.close()
            record = self._local.record = PostgresRecord(self.url)
            self._records.add(record)
            self._local.closer = _Closer(record)  # a thread that ends closes its connection
        return record

    def close(self) -> None:
        """Stop following the record and close every connection to it (server shutdown)."""
        if self.follower is not None:
            self.follower.stop()
        for record in list(self._records):
            record.close()

    def status(self) -> Status | None:
        """How current a node's index is (None: one SQLite archive, its own index)."""
        record = self.record()
        if not isinstance(record, PostgresRecord):
            return None
        return status(record, self.store())

    def fresh(self, exact: bool = False) -> None:
        """Refuse (``IndexBehind``) when a node's index may not be answered from. With
        ``exact`` (one cable, its versions, a diff: what a reader expects to see as the
        record has it now), wait for the follower to apply every change committed before
        the request, at most ``EXACT_WAIT`` seconds."""
        found = self.status()
        if found is None:
            return
        if found.behind and self.follower is not None:
            self.follower.nudge()
        check(found, self.node.max_lag)
        if exact and found.behind:
            self._wait_for(found.head)

    def _wait_for(self, head: int) -> None:
        deadline = time.monotonic() + EXACT_WAIT
        while (found := self.status()) is not None and found.applied < head:
            if self.follower is None or time.monotonic() > deadline:
                raise IndexBehind(
                    "This search node has not yet applied the latest changes to the"
                    " archive; try again in a moment"
                )
            self.follower.nudge()
            time.sleep(0.02)

    def archive(self, user: str | None, client: str = "unknown", exact: bool = False) -> Archive:
        """The archive as ``user`` reads it (None: nobody signed in), from the client
        at address ``client`` (which the audit log keeps); ``exact``: see ``fresh``."""
        self.fresh(exact)
        return Archive(
            self.url or self.path,
            user=user,
            today=self.today or clock_today(),
            store=self.store(),
            login=web_login(client),
            record=self.record() if self.url else None,  # type: ignore[arg-type]
        )

    def own_archive(self, reader: Archive) -> Archive:
        """The archive as ``reader`` reads it, through connections of its own (for a
        thread that streams an export); close it after use."""
        if self.url is None:
            return Archive(self.path, user=reader.user, today=reader.today, login=reader.login)
        return Archive(
            self.url,
            user=reader.user,
            today=reader.today,
            login=reader.login,
            store=SQLiteStore(self.path),
            record=PostgresRecord(self.url),
            owned=True,
        )

    def stats(self, archive: Archive) -> Stats:
        """The counts the home page shows, as ``archive``'s reader sees them: worked out
        at most once every STATS_SECONDS per reader and day (they take a tenth of a
        second at 6,712 cables and seconds at 250,000; the page is the most visited).
        A reader is known by what they hold, not by name: a clearance or a grant taken
        away shows in the next page, not a minute later."""
        key = (archive.reader, archive.today)
        cached = self._stats.get(key)
        if cached is not None and time.monotonic() - cached[0] < STATS_SECONDS:
            archive.audit("stats", None, [])  # the log still has every reading
            return cached[1]
        figures = archive.stats()
        kept = {k: v for k, v in self._stats.items() if k[1] == archive.today}
        self._stats = {**kept, key: (time.monotonic(), figures)}  # one swap: threads read it
        return figures

    def controlled(self) -> bool:
        """Whether the archive has users (then every reader must sign in)."""
        return principals.has_users(self.store())


class _Lease:
    """A thread's hold on a store, kept in the thread's local data: when the thread
    ends its local data goes, and the store goes back to the idle list."""

    def __init__(self, store: SQLiteStore, idle: list[SQLiteStore]) -> None:
        self.store = store
        weakref.finalize(self, idle.append, store)


class _Closer:
    """Kept in a thread's local data beside its record: when the thread ends, its
    connection to the record is closed, not left to the garbage collector."""

    def __init__(self, record: PostgresRecord) -> None:
        weakref.finalize(self, record.close)


def web_login(client: str) -> str:
    """What the audit log keeps of where a web request came from."""
    return f"web:{client}"
