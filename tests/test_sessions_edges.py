"""Web sessions at their edges (``cablekit.access.sessions``): when a session is over, and
why; what ending one, or all of a user's, touches; what is never looked up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cablekit.access import principals, sessions
from cablekit.archive import Archive
from cablekit.store.sqlite import SQLiteStore

T0 = 1_700_000_000


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with Archive(tmp_path / "s.db", create=True) as archive:
        principals.add(archive.store, "ann", password="right horse")
        principals.add(archive.store, "bob", password="other horse")
        yield archive.store


def open_session(store: SQLiteStore, user: str, password: str, now: int = T0) -> str:
    hashed = principals.verified_hash(store, user, password)
    assert hashed is not None
    opened = sessions.start(store, user, hashed, now)
    assert opened is not None
    session_id, csrf = opened
    assert len(session_id) == 43 and len(csrf) == 43 and session_id != csrf
    return session_id


def test_a_session_lives_until_idle_or_its_lifetime_is_over(store: SQLiteStore) -> None:
    sid = open_session(store, "ann", "right horse")
    found = sessions.find(store, sid, T0)
    assert found is not None
    assert (found.user, found.over, found.ended, found.last_seen) == ("ann", None, False, T0)
    assert found.digest == sessions.digest(sid) and len(found.digest) == 64
    idle = T0 + sessions.IDLE
    assert sessions.find(store, sid, idle - 1).over is None  # type: ignore[union-attr]
    assert sessions.find(store, sid, idle).over == sessions.IDLE_TOO_LONG  # type: ignore[union-attr]
    # seen just before going idle: alive again until the lifetime ends
    sessions.touch(store, found.digest, idle - 1)
    late = T0 + sessions.LIFETIME
    sessions.touch(store, found.digest, late - 10)
    assert sessions.find(store, sid, late - 1).over is None  # type: ignore[union-attr]
    over = sessions.find(store, sid, late)
    assert over is not None and (over.over, over.ended) == (sessions.EXPIRED, False)


def test_touch_never_moves_last_seen_back_nor_revives_an_ended_session(
    store: SQLiteStore,
) -> None:
    sid = open_session(store, "ann", "right horse")
    key = sessions.digest(sid)
    sessions.touch(store, key, T0 + 100)
    sessions.touch(store, key, T0 + 50)
    assert sessions.find(store, sid, T0 + 101).last_seen == T0 + 100  # type: ignore[union-attr]
    sessions.end(store, key, sessions.SIGNED_OUT, T0 + 200)
    sessions.touch(store, key, T0 + 300)
    ended = sessions.find(store, sid, T0 + 301)
    assert ended is not None
    assert (ended.last_seen, ended.over, ended.ended) == (T0 + 100, sessions.SIGNED_OUT, True)
    sessions.end(store, key, sessions.SIGNED_IN_AGAIN, T0 + 400)  # the first reason stays
    assert sessions.find(store, sid, T0 + 401).over == sessions.SIGNED_OUT  # type: ignore[union-attr]


def test_stale_after_a_minute() -> None:
    found = sessions.Found("d", "ann", "c", T0, None, False)
    assert not found.stale(T0 + sessions.TOUCH_EVERY - 1)
    assert found.stale(T0 + sessions.TOUCH_EVERY)


def test_ending_all_of_a_users_sessions_leaves_the_others(store: SQLiteStore) -> None:
    a1 = open_session(store, "ann", "right horse")
    a2 = open_session(store, "ann", "right horse")
    b1 = open_session(store, "bob", "other horse")
    with store.transaction():
        key = store.db.execute("SELECT key FROM principal WHERE name = 'ann'").fetchone()[0]
        assert sessions.end_all(store, key, sessions.CREDENTIALS_REVOKED) == 2
        assert sessions.end_all(store, key, sessions.CREDENTIALS_REVOKED) == 0
    for sid in (a1, a2):
        assert sessions.find(store, sid, T0).over == sessions.CREDENTIALS_REVOKED  # type: ignore[union-attr]
    assert sessions.find(store, b1, T0).over is None  # type: ignore[union-attr]
    with store.transaction():
        sessions.forget_all(store, key)
    assert sessions.find(store, a1, T0) is None
    assert sessions.find(store, b1, T0) is not None


def test_what_is_not_an_id_is_never_looked_up(store: SQLiteStore) -> None:
    sid = open_session(store, "ann", "right horse")
    for garbage in ("", sid[:-1], sid + "x", sid[:-1] + "!", "' OR 1=1 --"):
        assert sessions.find(store, garbage, T0) is None
    assert sessions.find(store, "A" * 43, T0) is None  # the shape of one, but unknown


def test_a_session_opens_only_for_a_user_whose_hash_is_the_one_checked(
    store: SQLiteStore,
) -> None:
    hashed = principals.verified_hash(store, "ann", "right horse")
    assert hashed is not None
    assert sessions.start(store, "bob", hashed, T0) is None
    assert sessions.start(store, "ghost", hashed, T0) is None
    assert sessions.start(store, "ann", "not the hash", T0) is None


def test_rows_of_sessions_long_over_are_deleted_when_one_starts(store: SQLiteStore) -> None:
    old = open_session(store, "ann", "right horse", T0)
    recent = open_session(store, "ann", "right horse", T0 + 10)
    open_session(store, "bob", "other horse", T0 + sessions.KEEP_ENDED + 10)
    assert sessions.find(store, old, T0 + 20) is None
    assert sessions.find(store, recent, T0 + 20) is not None
