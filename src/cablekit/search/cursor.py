"""Search cursors: where the next page starts, signed so that only the archive makes them.

A cursor holds the sort value of the last hit of a page (its score, or its date as
stored) and that hit's cable id: values the reader has just been shown, never an
internal key, so a cursor teaches nothing the page did not. It is signed with
HMAC-SHA256 under a secret kept in the archive (``setting`` ``cursor_key``, made on
first use), over the position *and* the reader, the sort and the query it was given
for. A cursor that was forged, edited, or given to another reader or for another
query or sort fails the check and is refused with one sentence; nothing in it is
read before the check passes.

Form: ``base64url(JSON [value, id]) "." base64url(HMAC)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import weakref
from typing import Any

from ..errors import QuerySyntaxError
from ..store.sqlite import SQLiteStore

KEY_SETTING = "cursor_key"
REFUSED = "The cursor is not one this archive gave out"
_KEYS: weakref.WeakKeyDictionary[SQLiteStore, bytes] = weakref.WeakKeyDictionary()


def cursor_key(store: SQLiteStore) -> bytes:
    """The archive's cursor secret: 256 random bits, made once and kept in the archive
    (a secret per archive, so that two servers on one archive accept each other's)."""
    key = _KEYS.get(store)
    if key is None:
        key = _KEYS[store] = bytes.fromhex(_stored_key(store) or _new_key(store))
    return key


def _stored_key(store: SQLiteStore) -> str | None:
    rows = store.query("SELECT value FROM setting WHERE name = ?", [KEY_SETTING])
    return str(rows[0][0]) if rows else None


def _new_key(store: SQLiteStore) -> str:
    """Make the secret; of two connections making it at once, the first one's stays."""
    with store.transaction():
        store.db.execute(
            "INSERT OR IGNORE INTO setting (name, value) VALUES (?, ?)",
            (KEY_SETTING, secrets.token_hex(32)),
        )
        (value,) = store.db.execute(
            "SELECT value FROM setting WHERE name = ?", (KEY_SETTING,)
        ).fetchone()
    return str(value)


def _tag(key: bytes, reader: str, sort: str, query: str, body: str) -> bytes:
    # Each field is length-prefixed, so that no two different contexts sign the same bytes.
    message = b"".join(
        len(part).to_bytes(4, "big") + part
        for part in (b"cablekit cursor 1", *(s.encode() for s in (reader, sort, query, body)))
    )
    return hmac.new(key, message, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(
    store: SQLiteStore, reader: str, sort: str, query: str, value: Any, cable_id: str
) -> str:
    """The cursor of a page whose last hit is ``cable_id`` with sort value ``value``."""
    body = _b64(json.dumps([value, cable_id], separators=(",", ":")).encode())
    return f"{body}.{_b64(_tag(cursor_key(store), reader, sort, query, body))}"


def decode_cursor(
    store: SQLiteStore, reader: str, sort: str, query: str, cursor: str
) -> tuple[Any, str]:
    """The position (sort value, cable id) of a cursor this archive gave ``reader`` for
    this ``sort`` and ``query``; QuerySyntaxError for any other string."""
    body, _, tag = cursor.partition(".")
    # The signature is compared as written: base64 has spare bits, and a tag whose
    # spare bits were changed decodes to the same bytes.
    expected = _b64(_tag(cursor_key(store), reader, sort, query, body))
    if not hmac.compare_digest(tag.encode(), expected.encode()):
        raise QuerySyntaxError(REFUSED, 0, query)
    try:
        value, cable_id = json.loads(_unb64(body))
    except (ValueError, TypeError, binascii.Error) as error:  # signed, so never in practice
        raise QuerySyntaxError(REFUSED, 0, query) from error
    return value, cable_id
