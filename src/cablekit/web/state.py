"""What lives as long as the server: the archive's path, a store per thread, the key.

SQLite connections are not shared between threads, and the search engine keeps a
temporary table per connection, so each worker thread of the server reads through
its own store, opened on first use and kept (facet columns are cached per store).
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import date

from ..access import principals
from ..access.clock import today as clock_today
from ..archive import Archive
from ..store.sqlite import SQLiteStore


@dataclass
class WebState:
    """The server's settings and shared resources."""

    path: str
    today: date | None = None  # fixed day (tests); else the clock on every request
    secure_cookies: bool | None = None  # None: when the request came over HTTPS
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __post_init__(self) -> None:
        self.path = os.fspath(self.path)
        with SQLiteStore(self.path) as store:  # fails early, in one sentence, when missing
            self.secret = signing_key(store)

    def store(self) -> SQLiteStore:
        store: SQLiteStore | None = getattr(self._local, "store", None)
        if store is None:
            store = SQLiteStore(self.path)
            self._local.store = store
        return store

    def archive(self, user: str | None) -> Archive:
        """The archive as ``user`` reads it (None: nobody signed in)."""
        return Archive(self.path, user=user, today=self.today or clock_today(), store=self.store())

    def controlled(self) -> bool:
        """Whether the archive has users (then every reader must sign in)."""
        return principals.has_users(self.store())


def signing_key(store: SQLiteStore) -> str:
    """The key that signs session cookies: made once per archive and kept in it, so
    that sessions outlive a restart and two servers on one archive agree."""
    with store.transaction():
        store.db.execute(
            "INSERT OR IGNORE INTO setting (name, value) VALUES ('session_key', ?)",
            (secrets.token_urlsafe(48),),
        )
        (value,) = store.db.execute(
            "SELECT value FROM setting WHERE name = 'session_key'"
        ).fetchone()
    return str(value)
