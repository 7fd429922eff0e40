"""Web sessions, kept in the archive so that every worker process sees the same ones.

A session is a row of ``web_session``: whose it is, its CSRF token, when it began,
when it was last seen, and when and why it ended. The browser holds only the
session's id (256 random bits); the archive holds only the id's SHA-256 digest, so a
copy of the archive file (a backup) gives nobody a cookie that works. A slow hash
would add nothing: the id is not guessable, unlike a password.

A session is live while it has not ended, is younger than ``LIFETIME`` and was seen
within ``IDLE``. Every request reads its row, so signing out, a password change,
revoked credentials or the removal of the user end it at once, in every worker. Its
``last_seen`` is written at most once every ``TOUCH_EVERY`` seconds, not on every
request: the archive has one writer at a time, and ingest and the other workers
write too.

Times are Unix seconds, passed in by the caller, so that tests can move the clock.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from ..store.shared import Shared

LIFETIME = 12 * 3600  # a session ends this long after sign-in, however busy
IDLE = 30 * 60  # ... or after this long without a request
TOUCH_EVERY = 60  # last_seen is written again only after this long
KEEP_ENDED = 30 * 24 * 3600  # rows of sessions last seen longer ago are deleted
_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")  # what secrets.token_urlsafe(32) makes

SIGNED_OUT = "signed out"
SIGNED_IN_AGAIN = "signed in again"
PASSWORD_CHANGED = "password changed"
CREDENTIALS_REVOKED = "credentials revoked"
EXPIRED = "expired"
IDLE_TOO_LONG = "idle"


@dataclass(frozen=True, slots=True)
class Found:
    """A session row the cookie named: live when ``over`` is None, else why it is over
    (``ended`` tells whether the row already says so)."""

    digest: str
    user: str
    csrf: str
    last_seen: int
    over: str | None
    ended: bool

    def stale(self, now: int) -> bool:
        """Whether ``last_seen`` is old enough to be written again."""
        return now - self.last_seen >= TOUCH_EVERY


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


def start(store: Shared, user: str, password_hash: str, now: int) -> tuple[str, str] | None:
    """A new session for ``user``: its id (for the cookie, never stored) and its CSRF
    token; None when the user is gone or their password hash is no longer
    ``password_hash`` (the one just checked). Rows of sessions long over are deleted
    on the way."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with store.transaction():
        store.db.execute("DELETE FROM web_session WHERE last_seen < ?", (now - KEEP_ENDED,))
        cursor = store.db.execute(
            "INSERT INTO web_session (digest, principal, csrf, created, last_seen)"
            " SELECT ?, key, ?, ?, ? FROM principal"
            " WHERE name = ? AND kind = 'user' AND password = ?",
            (digest(session_id), csrf, now, now, user, password_hash),
        )
        if cursor.rowcount != 1:
            return None
    return session_id, csrf


def find(store: Shared, session_id: str, now: int) -> Found | None:
    """The session ``session_id`` names, live or over; None when it names none (or
    when it is not the shape of an id: garbage costs no lookup)."""
    if not _ID.match(session_id):
        return None
    rows = store.query(
        "SELECT s.digest, p.name, s.csrf, s.created, s.last_seen, s.ended_why"
        " FROM web_session s JOIN principal p ON p.key = s.principal AND p.kind = 'user'"
        " WHERE s.digest = ?",
        [digest(session_id)],
    )
    if not rows:
        return None
    key, user, csrf, created, last_seen, ended_why = rows[0]
    over = ended_why or _expired(created, last_seen, now)
    return Found(key, user, csrf, last_seen, over, ended_why is not None)


def _expired(created: int, last_seen: int, now: int) -> str | None:
    if now >= created + LIFETIME:
        return EXPIRED
    if now >= last_seen + IDLE:
        return IDLE_TOO_LONG
    return None


def touch(store: Shared, key: str, now: int) -> None:
    """Record that the session was seen (once a minute at most: see ``Found.stale``)."""
    with store.transaction():
        store.db.execute(
            "UPDATE web_session SET last_seen = max(last_seen, ?)"
            " WHERE digest = ? AND ended IS NULL",
            (now, key),
        )


def end(store: Shared, key: str, why: str, now: int) -> None:
    """End one session (by its digest) for good."""
    with store.transaction():
        store.db.execute(
            "UPDATE web_session SET ended = ?, ended_why = ? WHERE digest = ? AND ended IS NULL",
            (now, why, key),
        )


def end_all(store: Shared, principal: int | None, why: str) -> int:
    """End every session of a user, inside the caller's transaction (a password
    change and the end of the old sessions are one write); how many had not ended."""
    cursor = store.db.execute(
        "UPDATE web_session SET ended = ?, ended_why = ? WHERE principal = ? AND ended IS NULL",
        (int(time.time()), why, principal),
    )
    return int(cursor.rowcount)


def forget_all(store: Shared, principal: int | None) -> None:
    """Delete every session row of a user that is being removed, inside the caller's
    transaction: the user's key may be given to the next user made."""
    store.db.execute("DELETE FROM web_session WHERE principal = ?", (principal,))


def signing_key(store: Shared) -> str:
    """The key that signs visitor cookies (the sign-in form's CSRF token; sessions
    themselves are rows, not signed cookies): made once per archive and kept in it,
    so that a form outlives a restart and every worker on one archive agrees."""
    with store.transaction():
        store.db.execute(
            "INSERT OR IGNORE INTO setting (name, value) VALUES ('session_key', ?)",
            (secrets.token_urlsafe(48),),
        )
        (value,) = store.db.execute(
            "SELECT value FROM setting WHERE name = 'session_key'"
        ).fetchone()
    return str(value)
