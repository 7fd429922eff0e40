"""The audit log as an attacker meets it: nothing leaves without its entry, refused
probes are logged, administration needs an administrator, and a chain rewritten without
the key does not verify (issue 10, finding 7).

The archive is a copy of the sample archive with three people: ``ana`` administers it
(TOP SECRET, US), ``liaison`` reads it (SECRET, Canadian: 09OTTAWA278 is NOFORN and
hidden from them before 2019), ``officer`` reads it (CONFIDENTIAL, US). What the log
holds is read straight from the archive file with ``sqlite3``, not through cablekit.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import html
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from cablekit.access import audit, principals
from cablekit.access.keyfile import read_key
from cablekit.archive import Archive
from cablekit.cli import cli
from cablekit.errors import AccessError, ArchiveUnwritable, AuditKeyProblem
from cablekit.store import sqlite as sqlite_store
from cablekit.web import create_app

from .web_archive import BEFORE_DECL

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = "09OTTAWA278"  # CONFIDENTIAL//NOFORN, DECL 2019-04-07: not for liaison in 2015
MISSING = "09NOPE1"
CITING = "09OTTAWA639"  # cites 09OTTAWA627 and 09STATE84119; cited by 09OTTAWA659, 662
LOGIN = pwd.getpwuid(os.getuid()).pw_name
NOT_ADMIN = "Error: liaison is not an administrator of this archive\n"
NO_ADMIN = (
    "Error: This archive has users: name an administrator with --as USER (or CABLEKIT_USER)\n"
)


# --- the archive and how it is probed ----------------------------------------------------


@pytest.fixture
def guarded(sample_archive_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "archive" / "cables.db"
    path.parent.mkdir()
    shutil.copy(sample_archive_file, path)
    with Archive(path) as archive:
        store = archive.store
        principals.add(store, "ana", clearance="TOP SECRET", citizenship="USA", admin=True)
        principals.add(store, "liaison", clearance="SECRET", citizenship="CAN")
        principals.add(store, "officer", clearance="CONFIDENTIAL", citizenship="USA")
        for name in ("ana", "liaison", "officer"):
            principals.grant(store, name, collections=["*"])
    return path


def run(path: Path, *args: str, user: str | None = None, stdin: str | None = None) -> Result:
    """``cablekit ARGS --db PATH`` on 2015-06-01, as ``user`` (CABLEKIT_USER) if given."""
    env = {"CABLEKIT_TODAY": BEFORE_DECL.isoformat(), "CABLEKIT_USER": user}
    return CliRunner().invoke(cli, [*args, "--db", str(path)], env=env, input=stdin)


def log(path: Path) -> list[dict[str, Any]]:
    """Every audit entry, as the file holds it."""
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM audit ORDER BY seq").fetchall()
    return [{**dict(row), "ids": json.loads(row["ids"])} for row in rows]


def brief(path: Path) -> list[tuple[str | None, str, str | None, bool]]:
    """(user, action, query, refused) of every entry."""
    return [(e["user"], e["action"], e["query"], bool(e["refused"])) for e in log(path)]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The archive file read-only, for its owner and for root alike (immutable)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("making a file read-only for root takes chattr +i")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@contextmanager
def locked(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another connection's write transaction held on the archive for the block; cablekit
    waits a tenth of a second for it instead of thirty."""
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# Commands that write a file; each finds cables of tag PREL the liaison may see.
TO_FILES = {
    "export jsonl": ["export", "tag:PREL", "-o", "{out}/prel.jsonl"],
    "export parquet": ["export", "tag:PREL", "--format", "parquet", "-o", "{out}/prel.parquet"],
    "plot": ["plot", "timeline", "tag:PREL", "-o", "{out}/prel.png"],
    "graph": ["graph", "tag:PREL", "--format", "gexf", "-o", "{out}/prel.gexf"],
}
TO_STDOUT = {
    "export to stdout": ["export", "tag:PREL", "-o", "-"],
    "graph to stdout": ["graph", "tag:PREL", "-o", "-"],
}


def command(args: list[str], out: Path) -> list[str]:
    return [a.format(out=out) for a in args]


# --- nothing leaves without its entry ------------------------------------------------------


@pytest.mark.parametrize("args", TO_FILES.values(), ids=TO_FILES.keys())
def test_a_read_only_archive_lets_no_file_out(guarded: Path, tmp_path: Path, args: list[str]):
    out = tmp_path / "out"
    out.mkdir()
    with read_only(guarded):
        result = run(guarded, *command(args, out), user="liaison")
    assert result.exit_code == ArchiveUnwritable.exit_code
    assert result.stderr == (
        f"Error: Cannot write the archive {guarded}: attempt to write a readonly database\n"
    )
    assert files_in(out) == []  # neither the file nor a part of it
    assert log(guarded) == []
    assert not Path(f"{guarded}.audit-key").exists()  # no key for an entry never written


@pytest.mark.parametrize("args", (TO_FILES | TO_STDOUT).values(), ids=(TO_FILES | TO_STDOUT).keys())
def test_a_locked_archive_lets_nothing_out(
    guarded: Path, tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "out"
    out.mkdir()
    with locked(guarded, monkeypatch):
        result = run(guarded, *command(args, out), user="liaison")
    assert result.exit_code == ArchiveUnwritable.exit_code
    assert result.stderr == (
        f"Error: The archive {guarded} stayed locked by another process: database is locked\n"
    )
    assert result.stdout_bytes == b""
    assert files_in(out) == []
    assert log(guarded) == []


def test_a_file_is_named_only_once_logged_with_the_ids_it_holds(guarded: Path, tmp_path: Path):
    out = tmp_path / "prel.jsonl"
    result = run(guarded, "export", "tag:PREL", "-o", str(out), user="liaison")
    assert result.exit_code == 0
    exported = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    (entry,) = log(guarded)
    assert (entry["user"], entry["action"], entry["query"]) == ("liaison", "export", "tag:PREL")
    assert sorted(entry["ids"]) == sorted(exported) and HIDDEN not in exported
    assert files_in(tmp_path) == ["archive", "prel.jsonl"]


def test_a_web_export_from_a_locked_archive_sends_no_record(
    guarded: Path, monkeypatch: pytest.MonkeyPatch
):
    with Archive(guarded) as archive:
        token = principals.new_token(archive.store, "liaison")
    client = TestClient(create_app(guarded, today=BEFORE_DECL))
    with locked(guarded, monkeypatch):
        response = client.get(
            "/api/v1/export", params={"q": "tag:PREL"}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 503
    assert response.json()["error"]["message"].endswith("database is locked")
    assert log(guarded) == []


# --- refused reads are logged, and tell no more ----------------------------------------------


@pytest.mark.parametrize("verb", ["show", "versions", "diff", "refs"])
def test_a_probe_of_a_hidden_cable_is_logged_and_answered_as_a_missing_one(
    guarded: Path, verb: str
):
    hidden = run(guarded, verb, HIDDEN, user="liaison")
    missing = run(guarded, verb, MISSING, user="liaison")
    assert hidden.exit_code == missing.exit_code == 1
    assert hidden.stderr.replace(HIDDEN, "X") == missing.stderr.replace(MISSING, "X")
    assert hidden.stdout == missing.stdout == ""
    entries = log(guarded)
    assert [(e["user"], e["action"], e["query"], e["ids"], e["refused"]) for e in entries] == [
        ("liaison", verb, HIDDEN, [], 1),
        ("liaison", verb, MISSING, [], 1),
    ]
    assert {e["login"] for e in entries} == {LOGIN}


def test_a_web_probe_of_a_hidden_cable_is_logged_with_the_client_address(guarded: Path):
    with Archive(guarded) as archive:
        token = principals.new_token(archive.store, "liaison")
    client = TestClient(create_app(guarded, today=BEFORE_DECL))
    auth = {"Authorization": f"Bearer {token}"}
    hidden = client.get(f"/api/v1/cables/{HIDDEN}", headers=auth)
    missing = client.get(f"/api/v1/cables/{MISSING}", headers=auth)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(HIDDEN, "X") == missing.text.replace(MISSING, "X")
    entries = log(guarded)
    assert [(e["user"], e["action"], e["query"], e["refused"], e["login"]) for e in entries] == [
        ("liaison", "show", HIDDEN, 1, "web:testclient"),
        ("liaison", "show", MISSING, 1, "web:testclient"),
    ]


def test_reading_with_no_reader_or_a_stranger_is_logged(guarded: Path):
    assert run(guarded, "search", "russia").exit_code == AccessError.exit_code
    assert run(guarded, "search", "russia", user="mallory").exit_code == AccessError.exit_code
    assert [(e["user"], e["action"], e["refused"], e["login"]) for e in log(guarded)] == [
        (None, "search", 1, LOGIN),
        ("mallory", "search", 1, LOGIN),
    ]


# --- what refs and the cable page show is what they log ------------------------------------


def shown_by(refs: dict[str, Any]) -> set[str]:
    """The cables whose fields an answer of refs holds (its own, cited, citing)."""
    ids = {refs["id"]} if refs["in_archive"] else set()
    ids |= {c["target"] for c in refs["cites"] if c["in_archive"]}
    return ids | {c["id"] for c in refs["cited_by"]}


def test_refs_logs_every_cable_whose_fields_it_shows(guarded: Path):
    result = run(guarded, "refs", CITING, "--output", "json", user="liaison")
    shown = json.loads(result.stdout)
    assert {"09OTTAWA627", "09STATE84119"} <= {c["target"] for c in shown["cites"]}
    assert any(c["subject"] for c in shown["cites"])  # the cited cables' subjects are shown
    (entry,) = log(guarded)
    assert (entry["action"], entry["query"]) == ("refs", CITING)
    assert set(entry["ids"]) == shown_by(shown)
    assert {"09OTTAWA627", "09STATE84119", "09OTTAWA659"} <= set(entry["ids"])


def test_the_cable_page_logs_the_cables_whose_subjects_it_shows(guarded: Path):
    with Archive(guarded) as archive:
        token = principals.new_token(archive.store, "liaison")
    client = TestClient(create_app(guarded, today=BEFORE_DECL))
    auth = {"Authorization": f"Bearer {token}"}
    page = client.get(f"/cable/{CITING}", headers=auth)
    assert page.status_code == 200
    shown = client.get(f"/api/v1/cables/{CITING}/refs", headers=auth).json()
    cited_subjects = [c["subject"] for c in shown["cites"] if c["subject"]]
    assert cited_subjects and all(s in html.unescape(page.text) for s in cited_subjects)
    logged = {i for e in log(guarded) if e["action"] == "refs" for i in e["ids"]}
    assert logged == shown_by(shown)


# --- administration ------------------------------------------------------------------------


def test_declass_far_ahead_needs_an_administrator(guarded: Path):
    args = ("declass", "--as-of", "2036-01-01", "--output", "json")
    for user, message in ((None, NO_ADMIN), ("liaison", NOT_ADMIN)):
        result = run(guarded, *args, user=user)
        assert (result.exit_code, result.stdout, result.stderr) == (6, "", message)
    result = run(guarded, *args, user="ana")
    listed = [c["id"] for c in json.loads(result.stdout)["cables"]]
    assert result.exit_code == 0 and HIDDEN in listed
    entries = log(guarded)
    assert [(e["user"], e["action"], e["refused"]) for e in entries] == [
        (None, "declass", 1),
        ("liaison", "declass", 1),
        ("ana", "declass", 0),
    ]
    assert entries[-1]["ids"] == listed and entries[-1]["query"] == "as of 2036-01-01"


ADMINISTRATIVE = {
    "user list": ["user", "list"],
    "user add": ["user", "add", "mallory", "--clearance", "TOP SECRET", "--collection", "*"],
    "user grant": ["user", "grant", "liaison", "--clearance", "TOP SECRET"],
    "user grant --admin": ["user", "grant", "liaison", "--admin"],
    "user revoke": ["user", "revoke", "officer", "--collection", "*"],
    "user password": ["user", "password", "officer"],
    "user token": ["user", "token", "officer"],
    "user token --revoke": ["user", "token", "officer", "--revoke"],
    "review": ["review", HIDDEN],
    "review --release": ["review", HIDDEN, "--release", "--reason", "FOIA"],
    "declass": ["declass"],
    "errors": ["errors"],
    "audit": ["audit"],
    "audit --verify": ["audit", "--verify"],
    "audit --head": ["audit", "--head"],
}


def holdings(path: Path) -> str:
    """Everything the administrative commands could change, in one text."""
    with sqlite3.connect(path) as db:
        tables = ("principal", "access_grant", "membership", "api_token", "review")
        return repr([db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables])


@pytest.mark.parametrize("args", ADMINISTRATIVE.values(), ids=ADMINISTRATIVE.keys())
def test_every_administrative_command_needs_an_administrator_and_is_logged(
    guarded: Path, args: list[str]
):
    action = "user " + args[1] if args[0] == "user" else args[0]
    before = holdings(guarded)
    for user, message in ((None, NO_ADMIN), ("liaison", NOT_ADMIN)):
        result = run(guarded, *args, user=user, stdin="pass-phrase\npass-phrase\n")
        assert (result.exit_code, result.stdout, result.stderr) == (6, "", message)
    assert holdings(guarded) == before
    result = run(guarded, *args, user="ana", stdin="pass-phrase\npass-phrase\n")
    assert result.exit_code == 0, result.output
    entries = brief(guarded)
    assert [(user, logged, refused) for user, logged, _, refused in entries] == [
        (None, action, True),
        ("liaison", action, True),
        *[("ana", action, False)] * (len(entries) - 2),  # review --release also lists
    ]
    assert len(entries) in (3, 4)
    assert all("pass-phrase" not in str(e) for e in log(guarded))


def test_the_first_user_must_be_an_administrator(sample_archive_file: Path, tmp_path: Path):
    path = tmp_path / "public.db"
    shutil.copy(sample_archive_file, path)
    result = run(path, "user", "add", "ana", "--clearance", "SECRET")
    assert result.exit_code == AccessError.exit_code
    assert result.stderr == (
        "Error: The first user of an archive must be an administrator (add them with --admin):"
        " otherwise no one could administer it any more\n"
    )
    assert run(path, "search", "russia").exit_code == 0  # still public
    assert run(path, "user", "add", "readers", "--kind", "group").exit_code == 0  # no user yet
    assert run(path, "user", "add", "ana", "--admin", "--collection", "*").exit_code == 0
    assert run(path, "user", "add", "bob").stderr == NO_ADMIN
    assert run(path, "user", "add", "bob", user="ana").exit_code == 0
    assert brief(path) == [
        (None, "user add", "ana: clearance UNCLASSIFIED, collections *, admin", False),
        (None, "user add", "bob: clearance UNCLASSIFIED", True),
        ("ana", "user add", "bob: clearance UNCLASSIFIED", False),
    ]


def test_the_last_administrator_stays_one(guarded: Path):
    result = run(guarded, "user", "revoke", "ana", "--admin", user="ana")
    assert result.exit_code == AccessError.exit_code
    assert result.stderr == (
        "Error: ana is the last administrator of this archive: make another one first\n"
    )
    assert run(guarded, "user", "grant", "officer", "--admin", user="ana").exit_code == 0
    assert run(guarded, "user", "revoke", "ana", "--admin", user="officer").exit_code == 0
    assert run(guarded, "user", "list", user="ana").stderr == (
        "Error: ana is not an administrator of this archive\n"
    )
    assert run(guarded, "user", "list", user="officer").exit_code == 0


# --- the keyed chain -------------------------------------------------------------------------


def some_reads(path: Path) -> None:
    """A day's reading and probing, by the liaison and the officer."""
    run(path, "search", "russia", user="liaison")
    run(path, "show", HIDDEN, user="liaison")
    run(path, "export", "tag:PREL", "-o", str(path.parent / "prel.jsonl"), user="officer")
    run(path, "refs", CITING, user="officer")
    run(path, "stats", user="liaison")


def old_hash(prev: str, seq: int, row: dict[str, Any]) -> str:
    """The unkeyed SHA-256 of an entry, as cablekit hashed entries before the key."""
    body = [prev, seq, row["at"], row["user"], row["action"], row["query"], row["ids"]]
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def hmac_hash(secret: bytes, prev: str, seq: int, row: dict[str, Any]) -> str:
    """cablekit's keyed formula, as an attacker who read the code would compute it."""
    body = [prev, seq, row["at"], row["user"], row["action"], row["query"], row["ids"]]
    body += [row["login"], bool(row["refused"])]
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def rewrite(path: Path, keep: list[dict[str, Any]], digest: Any) -> None:
    """The attack: drop the triggers, delete every entry, write ``keep`` again as a new
    chain hashed with ``digest(prev, seq, row)``."""
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER IF EXISTS audit_no_update")
        db.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        db.execute("DELETE FROM audit")
        prev = "0" * 64
        for seq, row in enumerate(keep, start=1):
            new = {**row, "seq": seq, "prev": prev, "hash": digest(prev, seq, row)}
            new["ids"] = json.dumps(row["ids"])
            columns = ",".join(new)
            db.execute(
                f"INSERT INTO audit ({columns}) VALUES ({','.join('?' * len(new))})",
                [*new.values()],
            )
            prev = new["hash"]


ATTACKS = {
    "plain SHA-256": lambda prev, seq, row: old_hash(prev, seq, row),
    "HMAC, empty key": lambda prev, seq, row: hmac_hash(b"", prev, seq, row),
    "HMAC, guessed key": lambda prev, seq, row: hmac_hash(b"\0" * 32, prev, seq, row),
}


@pytest.mark.parametrize("digest", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_chain_rewritten_without_the_key_fails_verification(guarded: Path, digest: Any):
    some_reads(guarded)
    assert run(guarded, "audit", "--verify", user="ana").exit_code == 0
    innocent = [
        e for e in log(guarded) if e["action"] not in ("export", "refs") and e["refused"] == 0
    ]
    rewrite(guarded, innocent, digest)
    result = run(guarded, "audit", "--verify", user="ana")
    assert result.exit_code == 1
    # Hashed with a wrong key, entry 1 fails; hashed without one, the unkeyed entries
    # pass as an older log's would, but nothing signed with the key vouches for them.
    assert result.stdout.startswith("audit log broken at entry ")


def test_a_chain_rewritten_with_the_attackers_own_key_is_not_taken(guarded: Path):
    some_reads(guarded)
    own = os.urandom(32)
    innocent = [e for e in log(guarded) if e["action"] == "search"]
    rewrite(guarded, innocent, lambda prev, seq, row: hmac_hash(own, prev, seq, row))
    fingerprint = hmac.new(own, b"cablekit audit key fingerprint", hashlib.sha256).hexdigest()
    with sqlite3.connect(guarded) as db:
        db.execute(
            "UPDATE setting SET value = ? WHERE name = 'audit_key_fingerprint'", (fingerprint[:32],)
        )
    result = run(guarded, "audit", "--verify", user="ana")
    assert result.exit_code == AuditKeyProblem.exit_code
    assert result.stderr == (
        f"Error: The audit key {guarded}.audit-key is not the key this archive's log was"
        " written with\n"
    )


def test_a_wrong_key_is_told_apart_from_a_broken_chain(guarded: Path, tmp_path: Path):
    some_reads(guarded)
    other = tmp_path / "other.audit-key"
    other.write_text(os.urandom(32).hex() + "\n")
    other.chmod(0o600)
    with Archive(guarded) as archive:
        check = audit.verify(archive.store, str(other))
        assert (check.ok, check.wrong_key) == (False, True)
        assert check.problem == f"the audit key {other} is not the key this log was written with"
        assert audit.verify(archive.store, archive.audit_key).ok
    result = CliRunner().invoke(
        cli,
        ["search", "russia", "--db", str(guarded)],
        env={"CABLEKIT_USER": "liaison", "CABLEKIT_AUDIT_KEY": str(other)},
    )
    assert result.exit_code == AuditKeyProblem.exit_code and result.stdout == ""
    assert result.stderr == (
        f"Error: The audit key {other} is not the key this archive's log was written with\n"
    )


def test_the_key_is_made_private_on_first_use_and_never_stored_in_the_archive(guarded: Path):
    key_file = Path(f"{guarded}.audit-key")
    assert not key_file.exists()
    assert run(guarded, "search", "russia", user="liaison").exit_code == 0
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = read_key(str(key_file))
    assert key is not None
    files = [guarded, Path(f"{guarded}-wal"), Path(f"{guarded}-shm")]
    archive_bytes = b"".join(p.read_bytes() for p in files if p.exists())
    assert key.secret not in archive_bytes and key.secret.hex().encode() not in archive_bytes


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_key_open_to_others_is_refused_and_nothing_is_read(
    guarded: Path, tmp_path: Path, mode: int
):
    run(guarded, "search", "russia", user="liaison")
    key_file = Path(f"{guarded}.audit-key")
    key_file.chmod(mode)
    out = tmp_path / "out.jsonl"
    for args in (["search", "russia"], ["export", "tag:PREL", "-o", str(out)]):
        result = run(guarded, *args, user="liaison")
        assert result.exit_code == AuditKeyProblem.exit_code and result.stdout == ""
        assert result.stderr == (
            f"Error: The audit key {key_file} is open to other users than its owner:"
            f" make it private with chmod 600 {key_file}\n"
        )
    assert not out.exists() and len(log(guarded)) == 1


def test_a_missing_key_is_not_made_anew_over_a_keyed_log(guarded: Path):
    run(guarded, "search", "russia", user="liaison")
    Path(f"{guarded}.audit-key").unlink()
    result = run(guarded, "search", "russia", user="liaison")
    assert result.exit_code == AuditKeyProblem.exit_code and result.stdout == ""
    assert "is missing, and this archive's log was written with one" in result.stderr
    assert not Path(f"{guarded}.audit-key").exists()


def test_audit_head_prints_the_hash_of_its_own_entry(guarded: Path):
    some_reads(guarded)
    result = run(guarded, "audit", "--head", user="ana")
    last = log(guarded)[-1]
    assert result.stdout == last["hash"] + "\n"
    assert (last["user"], last["action"], last["query"]) == ("ana", "audit", "head")


def test_an_older_archive_keeps_its_unkeyed_entries_and_gets_an_administrator(
    sample_archive_file: Path, tmp_path: Path
):
    path = tmp_path / "old.db"
    make_old_archive(sample_archive_file, path)
    old = log(path)
    # The first user is the administrator; the log is sealed, then continued keyed.
    result = run(path, "audit", "--verify", user="liaison")
    assert result.exit_code == 0 and result.stdout.startswith("audit log whole: 5 entries")
    now = log(path)
    assert [(e["hash"], e["prev"]) for e in now[:3]] == [(e["hash"], e["prev"]) for e in old]
    assert (now[3]["action"], now[3]["prev"]) == ("audit key", old[-1]["hash"])
    assert run(path, "user", "list", user="officer").stderr == (
        "Error: officer is not an administrator of this archive\n"
    )
    # An attacker who rewrites the whole log the old way is caught all the same.
    rewrite(path, old[:2], old_hash)
    result = run(path, "audit", "--verify", user="liaison")
    assert result.exit_code == 1 and "broken" in result.stdout


def make_old_archive(source: Path, path: Path) -> None:
    """An archive as cablekit left it before administrators and the key: two readers and
    three entries chained with plain SHA-256."""
    shutil.copy(source, path)
    with Archive(path) as archive:
        principals.add(archive.store, "liaison", clearance="SECRET", citizenship="CAN")
        principals.add(archive.store, "officer", clearance="SECRET", citizenship="USA")
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE principal DROP COLUMN admin")
        db.execute("ALTER TABLE audit DROP COLUMN login")
        db.execute("ALTER TABLE audit DROP COLUMN refused")
        db.execute("DELETE FROM migrations WHERE name = '0005_audit'")
        prev = "0" * 64
        for seq, (user, query) in enumerate(
            [("liaison", "russia"), ("officer", "nuclear"), ("liaison", "arctic")], start=1
        ):
            row = {"at": f"2014-01-0{seq}T10:00:00Z", "user": user, "action": "search"}
            row |= {"query": query, "ids": []}
            digest = old_hash(prev, seq, row)
            db.execute(
                "INSERT INTO audit (seq, at, user, action, query, ids, prev, hash)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (seq, row["at"], user, "search", query, "[]", prev, digest),
            )
            prev = digest


# --- one door ----------------------------------------------------------------------------------

# What only Archive may call: the read paths of search/ and plot.
READ_PATHS = {
    "search.graph": {"refs", "graph", "neighbourhood"},
    "search.export": {"export", "visible_records", "visible_record"},
    "search.engine": {"search"},
    "search.stats": {"stats"},
    "plot": {"plot", "series"},
    "access.review": {"history", "releasable", "record"},
    "access.audit": {"entries", "verify", "head", "append"},
}


def imported(path: Path) -> set[tuple[str, str]]:
    """(module, name) of each ``from ... import name`` of a module (relative modules
    written from the package root)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module.removeprefix("cablekit.")
            found |= {(module, alias.name) for alias in node.names}
    return found


def test_the_command_line_and_the_web_read_only_through_archive():
    package = ROOT / "src" / "cablekit"
    for path in [*(package / "cli").glob("*.py"), *(package / "web").glob("*.py")]:
        for module, name in imported(path):
            assert name not in READ_PATHS.get(module, set()), f"{path.name} imports {name}"
    for path in (package / "search").glob("*.py"):
        assert not any(m.endswith("archive") for m, _ in imported(path)), path.name
