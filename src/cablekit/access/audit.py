"""The audit log: every read, search and export, appended, never changed.

Each entry holds who (the user), when (UTC), what (``search``, ``show``,
``versions``, ``diff``, ``refs``, ``graph``, ``export``, ``stats``, ``plot``), the
query or cable asked for, and the ids of the cables returned. Triggers refuse to
update or delete entries; and each entry's ``hash`` covers the previous entry's hash
and the entry itself (SHA-256 over canonical JSON), so that an entry deleted or
edited by other means (another SQLite client, a hex editor) breaks the chain there:
:func:`verify` names the first broken link. Keep the head hash somewhere else too:
only that shows the last entries were not cut off and the chain written anew.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..store.sqlite import SQLiteStore
from .clock import now

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Event:
    """One audited action."""

    action: str
    user: str | None
    query: str | None
    ids: tuple[str, ...]
    at: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    event: Event
    prev: str
    hash: str


@dataclass(frozen=True, slots=True)
class Verification:
    entries: int
    broken_at: int | None  # the seq of the first entry that does not verify
    problem: str | None
    head: str  # the hash of the last entry

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def entry_hash(prev: str, seq: int, event: Event) -> str:
    body = json.dumps(
        [prev, seq, event.at, event.user, event.action, event.query, list(event.ids)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(store: SQLiteStore, event: Event) -> Entry:
    """Add ``event`` at the end of the chain (its time is set here when empty)."""
    if not event.at:
        event = Event(event.action, event.user, event.query, event.ids, now())
    with store.transaction():
        last = store.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        digest = entry_hash(prev, seq, event)
        store.db.execute(
            "INSERT INTO audit (seq, at, user, action, query, ids, prev, hash)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (
                seq,
                event.at,
                event.user,
                event.action,
                event.query,
                json.dumps(event.ids),
                prev,
                digest,
            ),
        )
    return Entry(seq, event, prev, digest)


def entries(store: SQLiteStore, user: str | None = None, since: str | None = None) -> list[Entry]:
    """The log, oldest first, of one user and from a time (``2011-04-01`` or later)."""
    conditions, params = ["1"], []
    if user is not None:
        conditions.append("user = ?")
        params.append(user)
    if since is not None:
        conditions.append("at >= ?")
        params.append(since)
    rows = store.query(
        "SELECT seq, at, user, action, query, ids, prev, hash FROM audit"
        f" WHERE {' AND '.join(conditions)} ORDER BY seq",
        params,
    )
    return [_entry(row) for row in rows]


def _entry(row: Sequence[object]) -> Entry:
    seq, at, user, action, query, ids, prev, digest = row
    event = Event(str(action), _text(user), _text(query), tuple(json.loads(str(ids))), str(at))
    return Entry(int(str(seq)), event, str(prev), str(digest))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def verify(store: SQLiteStore) -> Verification:
    """Walk the chain from its start; the first entry whose link or hash is wrong."""
    prev, expected_seq, count = GENESIS, 1, 0
    for entry in entries(store):
        count += 1
        if entry.seq != expected_seq:
            return Verification(
                count, entry.seq, f"entries {expected_seq}..{entry.seq - 1} are missing", prev
            )
        if entry.prev != prev:
            return Verification(count, entry.seq, "it does not follow the entry before it", prev)
        if entry_hash(prev, entry.seq, entry.event) != entry.hash:
            return Verification(count, entry.seq, "its content was changed", prev)
        prev, expected_seq = entry.hash, entry.seq + 1
    return Verification(count, None, None, prev)
