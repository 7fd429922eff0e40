"""The audit log: every read, refusal and administrative act, appended, never changed.

Each entry holds who (the user named, if any), from where (``login``: the
operating-system account that ran the command, or ``web:`` and the client's address),
when (UTC), what (``search``, ``show``, ``versions``, ``diff``, ``refs``, ``graph``,
``export``, ``stats``, ``plot``; ``user add``, ``review``, ``declass``, ``errors``,
``audit`` ...), the query or cable asked for, the ids of the cables whose fields were
returned, and whether it was refused. Triggers refuse to update or delete entries.

The chain is keyed. Each entry's ``hash`` is an HMAC-SHA256, under a key kept outside
the archive file (:mod:`.keyfile`), of the previous entry's hash and the entry itself.
Someone who can write the archive but not read the key can delete or edit entries, drop
the triggers and compute a whole new chain, but not one that :func:`verify` accepts.
Only cutting entries off the end leaves a chain that verifies: keep the head hash
(``cablekit audit --head``) somewhere else as well.

Archives written before the chain was keyed hold entries hashed with plain SHA-256.
They stay as they are and are checked as before; when the key is made, the first keyed
entry (the *seal*, action ``audit key``) continues from their head and says how many
they are, so that its HMAC vouches for them. Unkeyed entries are accepted only before a
seal: a chain with none, or with one that does not count them, was written (or
rewritten) without the key. A seal is only ever written by the process that makes the
key, so an archive cannot be made to seal a forged chain while its key exists.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import AuditKeyProblem
from ..store.shared import Shared
from .clock import now
from .keyfile import AuditKey, new_key, read_key, save_key

GENESIS = "0" * 64
SEAL = "audit key"
_FINGERPRINT = "audit_key_fingerprint"  # its row in the setting table


@dataclass(frozen=True, slots=True)
class Event:
    """One audited action."""

    action: str
    user: str | None
    query: str | None
    ids: tuple[str, ...]
    at: str = ""
    login: str | None = None
    refused: bool = False


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
    head: str  # the hash of the last entry that verifies
    wrong_key: bool = False  # the key given is not the one the log was written with

    @property
    def ok(self) -> bool:
        return self.problem is None


def seal_text(unkeyed: int) -> str:
    """The query of the seal that follows ``unkeyed`` entries hashed without a key."""
    return f"the log is keyed from here; the {unkeyed} entries before were written without a key"


def keyed_hash(key: AuditKey, prev: str, seq: int, event: Event) -> str:
    body = [prev, seq, event.at, event.user, event.action, event.query, list(event.ids)]
    return key.sign(_canonical([*body, event.login, event.refused]))


def unkeyed_hash(prev: str, seq: int, event: Event) -> str:
    """The hash of an entry written before the chain was keyed (SHA-256, no secret)."""
    body = [prev, seq, event.at, event.user, event.action, event.query, list(event.ids)]
    return hashlib.sha256(_canonical(body)).hexdigest()


def _canonical(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- writing ------------------------------------------------------------------------


def append(store: Shared, event: Event, key_path: str) -> Entry:
    """Add ``event`` at the end of the chain, signed with the key at ``key_path`` (made
    on first use); its time is set here when empty. One transaction: committed when
    this returns, or nothing written."""
    with store.transaction():
        store.lock("audit")  # concurrent writers append one after the other
        key, made = _key_for(store, key_path, event.login)
        entry = _insert(store, key, event)
        if made:  # written last: an archive that refused the entries gets no new key
            save_key(key)
        return entry


def _insert(store: Shared, key: AuditKey, event: Event) -> Entry:
    if not event.at:
        event = Event(
            event.action, event.user, event.query, event.ids, now(), event.login, event.refused
        )
    last = store.db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    digest = keyed_hash(key, prev, seq, event)
    store.db.execute(
        'INSERT INTO audit (seq, at, "user", action, query, ids, prev, hash, login, refused)'
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            seq,
            event.at,
            event.user,
            event.action,
            event.query,
            json.dumps(event.ids),
            prev,
            digest,
            event.login,
            int(event.refused),
        ),
    )
    return Entry(seq, event, prev, digest)


def _key_for(store: Shared, path: str, login: str | None) -> tuple[AuditKey, bool]:
    """The archive's key and whether it is new, inside the caller's write transaction
    (so two processes never both make one): read and checked against the fingerprint
    the archive keeps, or made, with a seal over the entries written before it (the
    caller saves a new key once the archive has taken its writes)."""
    recorded = _recorded_fingerprint(store)
    key = read_key(path)
    if key is None:
        if recorded is not None:
            raise AuditKeyProblem(
                f"The audit key {path} is missing, and this archive's log was written with"
                " one: put it back (or name it with CABLEKIT_AUDIT_KEY)"
            )
        key = new_key(path)
        _record_fingerprint(store, key)
        _seal(store, key, login)
        return key, True
    if recorded is None:
        _record_fingerprint(store, key)  # a key made elsewhere, first used here
    elif not hmac.compare_digest(recorded, key.fingerprint):
        raise AuditKeyProblem(
            f"The audit key {path} is not the key this archive's log was written with"
        )
    return key, False


def _seal(store: Shared, key: AuditKey, login: str | None) -> None:
    """Vouch, with a new key, for the entries written before there was one."""
    (unkeyed,) = store.db.execute("SELECT count(*) FROM audit").fetchone()
    if unkeyed:
        _insert(store, key, Event(SEAL, None, seal_text(unkeyed), (), login=login))


def _recorded_fingerprint(store: Shared) -> str | None:
    row = store.db.execute("SELECT value FROM setting WHERE name = ?", (_FINGERPRINT,)).fetchone()
    return None if row is None else str(row[0])


def _record_fingerprint(store: Shared, key: AuditKey) -> None:
    store.db.execute(
        "INSERT OR REPLACE INTO setting (name, value) VALUES (?, ?)",
        (_FINGERPRINT, key.fingerprint),
    )


# --- reading ------------------------------------------------------------------------


def names(store: Shared, user: str) -> bool:
    """Whether the log has an entry of ``user`` (who may have been removed since)."""
    return bool(store.query('SELECT 1 FROM audit WHERE "user" = ? LIMIT 1', (user,)))


def entries(store: Shared, user: str | None = None, since: str | None = None) -> list[Entry]:
    """The log, oldest first, of one user and from a time (``2011-04-01`` or later)."""
    conditions, params = ["1 = 1"], []
    if user is not None:
        conditions.append('"user" = ?')
        params.append(user)
    if since is not None:
        conditions.append("at >= ?")
        params.append(since)
    rows = store.query(
        'SELECT seq, at, "user", action, query, ids, prev, hash, login, refused FROM audit'
        f" WHERE {' AND '.join(conditions)} ORDER BY seq",
        params,
    )
    return [_entry(row) for row in rows]


def _entry(row: Sequence[object]) -> Entry:
    seq, at, user, action, query, ids, prev, digest, login, refused = row
    event = Event(
        str(action),
        _text(user),
        _text(query),
        tuple(json.loads(str(ids))),
        str(at),
        _text(login),
        bool(refused),
    )
    return Entry(int(str(seq)), event, str(prev), str(digest))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def head(store: Shared) -> str:
    """The hash of the last entry (GENESIS when the log is empty)."""
    rows = store.query("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1")
    return str(rows[0][0]) if rows else GENESIS


def verify(store: Shared, key_path: str) -> Verification:
    """Walk the chain from its start with the key at ``key_path``; the first entry whose
    link or hash is wrong, or a key that is not the log's."""
    found = entries(store)
    if not found:
        return Verification(0, None, None, GENESIS)
    key = read_key(key_path)
    if key is None:
        problem = f"there is no audit key at {key_path} to check it with"
        return Verification(len(found), None, problem, GENESIS, wrong_key=True)
    recorded = _recorded_fingerprint(store)
    if recorded is not None and not hmac.compare_digest(recorded, key.fingerprint):
        problem = f"the audit key {key_path} is not the key this log was written with"
        return Verification(len(found), None, problem, GENESIS, wrong_key=True)
    return _walk(found, key)


def _walk(found: list[Entry], key: AuditKey) -> Verification:
    prev, unkeyed, keyed = GENESIS, 0, False
    for count, entry in enumerate(found, start=1):
        problem = _link_problem(entry, count, prev)
        if problem is None and _signed(entry, prev, key):
            if not keyed and unkeyed and not _seals(entry, unkeyed):
                problem = f"nothing signed with the key vouches for the {unkeyed} entries before it"
            keyed = True
        elif (
            problem is None
            and not keyed
            and unkeyed_hash(prev, entry.seq, entry.event) == (entry.hash)
        ):
            unkeyed += 1
        elif problem is None:
            problem = "its content was changed, or it was written without the audit key"
        if problem is not None:
            return Verification(count, entry.seq, problem, prev)
        prev = entry.hash
    if not keyed:
        problem = "no entry is signed with the audit key: the log was written without it"
        return Verification(len(found), found[0].seq, problem, prev)
    return Verification(len(found), None, None, prev)


def _link_problem(entry: Entry, expected_seq: int, prev: str) -> str | None:
    if entry.seq != expected_seq:
        return f"entries {expected_seq}..{entry.seq - 1} are missing"
    if entry.prev != prev:
        return "it does not follow the entry before it"
    return None


def _signed(entry: Entry, prev: str, key: AuditKey) -> bool:
    return hmac.compare_digest(keyed_hash(key, prev, entry.seq, entry.event), entry.hash)


def _seals(entry: Entry, unkeyed: int) -> bool:
    """Whether ``entry`` is the seal over the ``unkeyed`` entries before it."""
    return entry.event.action == SEAL and entry.event.query == seal_text(unkeyed)
