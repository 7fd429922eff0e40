"""Users and groups: who they are, what they hold, and their passwords.

A *user* reads; a *group* only holds special accesses and collection grants, which
its members receive. Clearance and citizenship are a user's own. Passwords are kept
as argon2id hashes (``argon2-cffi``), for the web application.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from ..errors import AccessError, PrincipalExists, UnknownUser
from ..model import CLASSIFICATIONS
from ..store.shared import Shared
from . import sessions
from .clock import now
from .policy import SPECIAL_ACCESS, Reader, normalise_citizenship

CLEARANCES = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")
ACCESSES = tuple(SPECIAL_ACCESS)
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user is unknown (made once, when needed)."""
    return _HASHER.hash("not a password: compared when the user is unknown")


@dataclass(frozen=True, slots=True)
class Principal:
    """A user or a group as stored, with their own accesses and grants."""

    name: str
    kind: str
    clearance: str
    citizenship: str | None
    access: tuple[str, ...]
    collections: tuple[str, ...]
    groups: tuple[str, ...]
    has_password: bool
    admin: bool = False


def has_users(store: Shared) -> bool:
    """Whether access control is on: an archive with no users is public."""
    return bool(store.query("SELECT 1 FROM principal WHERE kind = 'user' LIMIT 1"))


def exists(store: Shared, name: str) -> bool:
    """Whether a user or group is called ``name``."""
    return bool(store.query("SELECT 1 FROM principal WHERE name = ? LIMIT 1", (name,)))


def clearance_rank(name: str) -> int:
    upper = " ".join(name.upper().split())
    if upper not in CLEARANCES:
        raise AccessError(f"{name!r} is not a clearance; use one of {', '.join(CLEARANCES)}")
    return CLASSIFICATIONS.index(upper)


def check_access(names: Iterable[str]) -> list[str]:
    out = [n.upper() for n in names]
    for name in out:
        if name not in SPECIAL_ACCESS:
            raise AccessError(f"{name!r} is not a special access; use {', '.join(ACCESSES)}")
    return out


def add(
    store: Shared,
    name: str,
    *,
    kind: str = "user",
    clearance: str = "UNCLASSIFIED",
    citizenship: str | None = None,
    access: Iterable[str] = (),
    password: str | None = None,
    admin: bool = False,
) -> None:
    """Make a user (or a group). Raises PrincipalExists when the name is taken."""
    if admin and kind != "user":
        raise AccessError("Only a user can be an administrator, not a group")
    rank = clearance_rank(clearance)
    accesses = " ".join(check_access(access))
    hashed = _HASHER.hash(password) if password else None
    with store.transaction():
        if _key(store, name, missing_ok=True) is not None:
            raise PrincipalExists(f"There is already a user or group named {name}")
        store.db.execute(
            "INSERT INTO principal (name, kind, clearance, citizenship, access, password,"
            " created_at, admin) VALUES (?,?,?,?,?,?,?,?)",
            (
                name,
                kind,
                rank,
                normalise_citizenship(citizenship),
                accesses,
                hashed,
                now(),
                int(admin),
            ),
        )


def grant(
    store: Shared,
    name: str,
    *,
    collections: Iterable[str] = (),
    access: Iterable[str] = (),
    groups: Iterable[str] = (),
) -> None:
    """Give a user or group grants on collections (``*``: all), special accesses, and
    (to a user) membership of groups."""
    with store.transaction():
        key = _key(store, name)
        for collection in collections:
            store.db.execute("INSERT OR IGNORE INTO access_grant VALUES (?, ?)", (key, collection))
        _set_access(store, key, set(_access_of(store, key)) | set(check_access(access)))
        for group in groups:
            store.db.execute(
                "INSERT OR IGNORE INTO membership VALUES (?, ?)", (key, _key(store, group))
            )


def revoke(
    store: Shared,
    name: str,
    *,
    collections: Iterable[str] = (),
    access: Iterable[str] = (),
    groups: Iterable[str] = (),
) -> None:
    """Take grants, accesses or group memberships away."""
    with store.transaction():
        key = _key(store, name)
        for collection in collections:
            store.db.execute(
                "DELETE FROM access_grant WHERE principal = ? AND collection = ?", (key, collection)
            )
        _set_access(store, key, set(_access_of(store, key)) - set(check_access(access)))
        for group in groups:
            store.db.execute(
                "DELETE FROM membership WHERE member = ? AND grp = ?", (key, _key(store, group))
            )


def set_clearance(store: Shared, name: str, clearance: str) -> None:
    with store.transaction():
        store.db.execute(
            "UPDATE principal SET clearance = ? WHERE key = ?",
            (clearance_rank(clearance), _key(store, name)),
        )


def is_admin(store: Shared, name: str) -> bool:
    """Whether ``name`` is a user who administers the archive."""
    rows = store.query("SELECT admin FROM principal WHERE name = ? AND kind = 'user'", [name])
    return bool(rows and rows[0][0])


def set_admin(store: Shared, name: str, admin: bool) -> None:
    """Make a user an administrator, or not; the last administrator stays one (an
    archive with users and none could not be administered any more)."""
    with store.transaction():
        key = _key(store, name)
        kind = store.db.execute("SELECT kind FROM principal WHERE key = ?", (key,)).fetchone()[0]
        if admin and kind != "user":
            raise AccessError("Only a user can be an administrator, not a group")
        others = store.db.execute(
            "SELECT count(*) FROM principal WHERE admin = 1 AND key != ?", (key,)
        ).fetchone()[0]
        if not admin and not others:
            raise AccessError(
                f"{name} is the last administrator of this archive: make another one first"
            )
        store.db.execute("UPDATE principal SET admin = ? WHERE key = ?", (int(admin), key))


def check_password(store: Shared, name: str, password: str) -> bool:
    return verified_hash(store, name, password) is not None


def verified_hash(store: Shared, name: str, password: str) -> str | None:
    """The stored hash ``password`` matched, or None. A session is opened only while
    the hash is still this one (``sessions.start``): a password changed during the
    check opens nothing with the old password."""
    rows = store.query("SELECT password FROM principal WHERE name = ? AND kind = 'user'", [name])
    known = bool(rows) and rows[0][0] is not None
    try:  # an unknown name costs a hash too, so that timing does not tell names apart
        matched = _HASHER.verify(rows[0][0] if known else _dummy_hash(), password) and known
    except VerificationError:
        return None
    return str(rows[0][0]) if matched else None


def set_password(store: Shared, name: str, password: str) -> None:
    """Set (or change) a user's password for the web; stored as an argon2 hash. Every
    web session of the user ends with it (whoever knew the old one is signed out)."""
    hashed = _HASHER.hash(password)
    with store.transaction():
        key = _key(store, name)
        store.db.execute("UPDATE principal SET password = ? WHERE key = ?", (hashed, key))
        sessions.end_all(store, key, sessions.PASSWORD_CHANGED)


def new_token(store: Shared, name: str, label: str | None = None) -> str:
    """A new API token for user ``name``: shown once, kept only as its SHA-256 digest
    (a token is 256 random bits: a slow hash would add nothing)."""
    token = "ck_" + secrets.token_urlsafe(32)
    with store.transaction():
        key = _key(store, name)
        store.db.execute(
            "INSERT INTO api_token (digest, principal, label, created_at) VALUES (?,?,?,?)",
            (_digest(token), key, label, now()),
        )
    return token


def token_user(store: Shared, token: str) -> str | None:
    """The user an API token belongs to, or None for an unknown (or revoked) token."""
    rows = store.query(
        "SELECT p.name FROM api_token t JOIN principal p ON p.key = t.principal"
        " WHERE t.digest = ? AND p.kind = 'user'",
        [_digest(token)],
    )
    return str(rows[0][0]) if rows else None


def revoke_tokens(store: Shared, name: str) -> int:
    """Revoke every API token of a user and end their web sessions: every credential
    they hold, in one write. How many tokens there were."""
    with store.transaction():
        key = _key(store, name)
        sessions.end_all(store, key, sessions.CREDENTIALS_REVOKED)
        return int(store.db.execute("DELETE FROM api_token WHERE principal = ?", (key,)).rowcount)


def remove(store: Shared, name: str) -> None:
    """Remove a user (with their tokens, sessions, grants and memberships) or a group
    (its members leave it). The audit log keeps their name in its entries."""
    with store.transaction():
        key = _key(store, name)
        sessions.forget_all(store, key)
        for sql in (
            "DELETE FROM api_token WHERE principal = ?",
            "DELETE FROM access_grant WHERE principal = ?",
            "DELETE FROM membership WHERE member = ? OR grp = ?",
            "DELETE FROM principal WHERE key = ?",
        ):
            store.db.execute(sql, (key,) * sql.count("?"))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def reader(store: Shared, name: str) -> Reader:
    """The user ``name`` as the policy sees them, their groups' holdings merged in."""
    rows = store.query(
        "SELECT key, clearance, citizenship FROM principal WHERE name = ? AND kind = 'user'",
        [name],
    )
    if not rows:
        raise UnknownUser(f"There is no user {name} in this archive")
    key, clearance, citizenship = rows[0]
    keys = [key, *(g for (g,) in store.query("SELECT grp FROM membership WHERE member = ?", [key]))]
    access = {a for k in keys for a in _access_of(store, k)}
    marks = ",".join("?" * len(keys))
    grants = store.query(f"SELECT collection FROM access_grant WHERE principal IN ({marks})", keys)
    return Reader(name, clearance, citizenship, frozenset(access), frozenset(c for (c,) in grants))


def principals(store: Shared) -> list[Principal]:
    """Every user and group, by name."""
    out = []
    for key, name, kind, clearance, citizenship, access, password, admin in store.query(
        "SELECT key, name, kind, clearance, citizenship, access, password, admin FROM principal"
        " ORDER BY kind DESC, name"
    ):
        grants = store.query(
            "SELECT collection FROM access_grant WHERE principal = ? ORDER BY 1", [key]
        )
        groups = store.query(
            "SELECT p.name FROM membership m JOIN principal p ON p.key = m.grp"
            " WHERE m.member = ? ORDER BY 1",
            [key],
        )
        out.append(
            Principal(
                name,
                kind,
                CLASSIFICATIONS[clearance],
                citizenship,
                tuple(access.split()),
                tuple(g for (g,) in grants),
                tuple(g for (g,) in groups),
                password is not None,
                bool(admin),
            )
        )
    return out


def collection_keys(store: Shared, names: Iterable[str]) -> list[int]:
    """The keys of the collections named (those that exist)."""
    wanted = sorted(set(names))
    if not wanted:
        return []
    marks = ",".join("?" * len(wanted))
    return [
        k for (k,) in store.query(f"SELECT key FROM collection WHERE name IN ({marks})", wanted)
    ]


def collections(store: Shared) -> list[tuple[str, int]]:
    """Every collection and how many cables it holds (a version of each, at least)."""
    rows = store.query(
        "SELECT k.name, count(DISTINCT vc.cable_key) FROM collection k LEFT JOIN"
        " version_collection vc ON vc.collection_key = k.key GROUP BY k.key ORDER BY k.name"
    )
    return [(name, n) for name, n in rows]


def _key(store: Shared, name: str, missing_ok: bool = False) -> int | None:
    rows = store.db.execute("SELECT key FROM principal WHERE name = ?", (name,)).fetchall()
    if not rows:
        if missing_ok:
            return None
        raise UnknownUser(f"There is no user or group {name} in this archive")
    return int(rows[0][0])


def _access_of(store: Shared, key: int | None) -> list[str]:
    rows = store.db.execute("SELECT access FROM principal WHERE key = ?", (key,)).fetchall()
    return rows[0][0].split() if rows else []


def _set_access(store: Shared, key: int | None, access: set[str]) -> None:
    store.db.execute(
        "UPDATE principal SET access = ? WHERE key = ?", (" ".join(sorted(access)), key)
    )
