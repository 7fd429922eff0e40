"""The audit log and its key at their edges (``cablekit.access.audit``, ``.keyfile``): what
each entry holds, how the log is read back, and each way a chain or a key is refused,
named in its own words."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cablekit.access import audit
from cablekit.access.keyfile import (
    KEY_BYTES,
    KEY_VARIABLE,
    SUFFIX,
    key_path,
    new_key,
    read_key,
    save_key,
)
from cablekit.archive import Archive
from cablekit.errors import AuditKeyProblem
from cablekit.store.sqlite import SQLiteStore


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with Archive(tmp_path / "a.db", create=True) as archive:
        yield archive.store


def key_of(tmp_path: Path) -> str:
    return str(tmp_path / "log.key")


def event(action: str, user: str | None = "ann", at: str = "") -> audit.Event:
    return audit.Event(action, user, f"q {action}", ("09OTTAWA278",), at, "ann@host", False)


def test_entries_hold_each_field_and_are_read_back_by_user_and_time(
    store: SQLiteStore, tmp_path: Path
) -> None:
    path = key_of(tmp_path)
    first = audit.append(store, event("search", at="2011-04-01T00:00:00Z"), path)
    assert (first.seq, first.prev) == (1, audit.GENESIS)
    audit.append(store, event("show", user="bob", at="2011-05-01T00:00:00Z"), path)
    refused = audit.Event("show", None, "09X", (), "2011-06-01T00:00:00Z", None, True)
    last = audit.append(store, refused, path)
    timed = audit.append(store, audit.Event("stats", "ann", None, ()), path)
    assert timed.event.at.endswith("Z") and len(timed.event.at) == 20
    got = audit.entries(store)
    assert [e.seq for e in got] == [1, 2, 3, 4]
    assert got[0].event == event("search", at="2011-04-01T00:00:00Z")
    assert got[2].event == refused and got[2].prev == got[1].hash
    assert [e.seq for e in audit.entries(store, user="ann")] == [1, 4]
    assert [e.seq for e in audit.entries(store, since="2011-05-01")] == [2, 3, 4]
    assert [e.seq for e in audit.entries(store, user="bob", since="2011-04-02")] == [2]
    assert audit.entries(store, user="nobody") == []
    assert last.hash == got[2].hash and audit.head(store) == timed.hash
    key = read_key(path)
    assert key is not None
    assert got[1].hash == audit.keyed_hash(key, got[0].hash, 2, got[1].event)
    check = audit.verify(store, path)
    assert (check.entries, check.broken_at, check.problem, check.head) == (
        4,
        None,
        None,
        timed.hash,
    )
    assert check.ok and not check.wrong_key


def test_an_empty_log_verifies_and_its_head_is_genesis(store: SQLiteStore, tmp_path: Path) -> None:
    assert audit.head(store) == audit.GENESIS == "0" * 64
    check = audit.verify(store, key_of(tmp_path))
    assert (check.entries, check.broken_at, check.problem, check.head) == (0, None, None, "0" * 64)
    assert check.ok


def test_each_break_of_the_chain_is_named(store: SQLiteStore, tmp_path: Path) -> None:
    path = key_of(tmp_path)
    for action in ("a", "b", "c", "d"):
        audit.append(store, event(action), path)
    rows = audit.entries(store)
    store.db.execute("DROP TRIGGER IF EXISTS audit_no_update")
    store.db.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    for (name,) in store.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'"
    ).fetchall():
        store.db.execute(f"DROP TRIGGER {name}")
    store.db.execute("UPDATE audit SET query = 'changed' WHERE seq = 3")
    check = audit.verify(store, path)
    assert (check.entries, check.broken_at, check.head) == (3, 3, rows[1].hash)
    assert check.problem == "its content was changed, or it was written without the audit key"
    assert not check.ok and not check.wrong_key
    store.db.execute("DELETE FROM audit WHERE seq IN (2, 3)")
    check = audit.verify(store, path)
    assert (check.broken_at, check.problem) == (4, "entries 2..3 are missing")
    store.db.execute("UPDATE audit SET seq = 2, prev = 'x' WHERE seq = 4")
    check = audit.verify(store, path)
    assert (check.broken_at, check.problem) == (2, "it does not follow the entry before it")


def test_a_log_written_without_the_key_is_refused(store: SQLiteStore, tmp_path: Path) -> None:
    path = key_of(tmp_path)
    audit.append(store, event("a"), path)
    for (name,) in store.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'"
    ).fetchall():
        store.db.execute(f"DROP TRIGGER {name}")
    store.db.execute("DELETE FROM audit")
    plain = event("forged", at="2011-01-01T00:00:00Z")
    digest = audit.unkeyed_hash(audit.GENESIS, 1, plain)
    store.db.execute(
        "INSERT INTO audit (seq, at, user, action, query, ids, prev, hash, login, refused)"
        " VALUES (1,?,?,?,?,?,?,?,?,0)",
        (
            plain.at,
            plain.user,
            plain.action,
            plain.query,
            json.dumps(plain.ids),
            audit.GENESIS,
            digest,
            plain.login,
        ),
    )
    check = audit.verify(store, path)
    assert check.problem == "no entry is signed with the audit key: the log was written without it"
    assert (check.broken_at, check.head) == (1, digest)
    # a keyed entry after it that is not a seal over it vouches for nothing
    audit.append(store, event("after"), path)
    check = audit.verify(store, path)
    assert check.problem == "nothing signed with the key vouches for the 1 entries before it"
    assert check.broken_at == 2


def test_the_seal_names_how_many_unkeyed_entries_it_vouches_for() -> None:
    assert audit.seal_text(3) == (
        "the log is keyed from here; the 3 entries before were written without a key"
    )


def test_a_missing_or_wrong_key_is_told_apart(store: SQLiteStore, tmp_path: Path) -> None:
    path = key_of(tmp_path)
    audit.append(store, event("a"), path)
    missing = str(tmp_path / "none.key")
    check = audit.verify(store, missing)
    assert (
        check.wrong_key and check.problem == f"there is no audit key at {missing} to check it with"
    )
    assert (check.entries, check.broken_at, check.head) == (1, None, audit.GENESIS)
    other = str(tmp_path / "other.key")
    save_key(new_key(other))
    check = audit.verify(store, other)
    assert check.wrong_key
    assert check.problem == f"the audit key {other} is not the key this log was written with"
    with pytest.raises(AuditKeyProblem, match="is not the key this archive's log was written"):
        audit.append(store, event("b"), other)
    with pytest.raises(AuditKeyProblem, match="is missing, and this archive's log was written"):
        audit.append(store, event("b"), missing)
    assert not os.path.exists(missing)


def test_the_key_file_is_private_whole_and_never_overwritten(tmp_path: Path) -> None:
    path = str(tmp_path / "k.key")
    assert read_key(path) is None
    key = new_key(path)
    assert len(key.secret) == KEY_BYTES and len(key.fingerprint) == 32
    assert key.fingerprint != new_key(path).fingerprint
    save_key(key)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert read_key(path) == key
    with pytest.raises(AuditKeyProblem, match="Cannot make the audit key"):
        save_key(new_key(path))
    os.chmod(path, 0o640)
    with pytest.raises(AuditKeyProblem, match="is open to other users than its owner"):
        read_key(path)
    os.chmod(path, 0o600)
    with open(path, "ab") as file:
        file.write(b"00")
    with pytest.raises(AuditKeyProblem, match="is damaged: it should hold 64 hexadecimal digits"):
        read_key(path)
    with pytest.raises(AuditKeyProblem, match="is not a regular file"):
        read_key(str(tmp_path))


def test_where_the_key_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    assert key_path("/x/a.db") == "/x/a.db" + SUFFIX == "/x/a.db.audit-key"
    assert key_path("/x/a.db", tmp_path / "k") == str(tmp_path / "k")
    monkeypatch.setenv(KEY_VARIABLE, "/y/key")
    assert key_path("/x/a.db") == "/y/key"
    assert key_path("/x/a.db", "/z/key") == "/z/key"
