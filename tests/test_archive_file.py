"""The archive file as found on disk: damaged after it was written, or not cablekit's.

A damaged version (its record, text or source no longer decodes) is one plain sentence
naming the cable and the archive, on the command line (non-zero exit, no traceback) and
in the web's log (the client gets the usual 500 sentence). Another application's SQLite
database is refused by ``ingest`` and every other command, byte for byte untouched.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cablekit.cli import cli
from cablekit.errors import DamagedArchive, NotAnArchive
from cablekit.web import create_app
from cablekit.web.app import UNEXPECTED

from .conftest import REFERENCE_CABLE, SAMPLE_VERSIONS

VERSIONED = "09CAIRO746"  # two versions in SAMPLE_VERSIONS
EXIT_ARCHIVE_ERROR = 2


def cablekit(*args: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it: its own process, its real stderr."""
    return subprocess.run(
        [sys.executable, "-m", "cablekit", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def one_sentence(stderr: str) -> str:
    """stderr is a single ``Error: ...`` line and no traceback; the sentence."""
    assert "Traceback" not in stderr and 'File "' not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` by name, with the SHA-256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --- a damaged archive -------------------------------------------------------------------


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("damaged") / "intact.db"
    args = ["ingest", "--db", str(path), "--release", "2010-12", "--no-progress"]
    result = CliRunner().invoke(cli, [*args, str(SAMPLE_VERSIONS)])
    assert result.exit_code == 0, result.output
    return path


def damage(intact: Path, folder: Path, column: str, value: bytes | str, number: int = 1) -> Path:
    """A copy of the archive whose version ``number`` of VERSIONED has ``column``
    overwritten, as a bad disk sector or a copy cut short would leave it."""
    path = folder / f"damaged-{column}.db"
    path.write_bytes(intact.read_bytes())
    with sqlite3.connect(path) as db:
        changed = db.execute(
            f"UPDATE version SET {column} = ? WHERE number = ? AND cable_key ="
            " (SELECT key FROM cable WHERE id = ?)",
            (value, number, VERSIONED),
        ).rowcount
    assert changed == 1
    return path


GARBAGE = b"x\x9c" + bytes(range(7, 200))  # zlib's header, then nothing zlib wrote


@pytest.mark.parametrize(
    ("column", "value", "args", "what"),
    [
        ("record", GARBAGE, ["show", VERSIONED, "--version", "1"], "the record of version 1"),
        ("text", GARBAGE[:40], ["show", VERSIONED, "--version", "1", "-o", "raw"], "the text"),
        ("source", "{not json", ["versions", VERSIONED], "the source of version 1"),
    ],
    ids=["record", "text", "source"],
)
def test_a_damaged_version_is_one_sentence_naming_cable_and_archive(
    intact: Path, tmp_path: Path, column: str, value: bytes | str, args: list[str], what: str
) -> None:
    path = damage(intact, tmp_path, column, value)
    result = cablekit(*args, "--db", str(path))
    assert result.returncode == EXIT_ARCHIVE_ERROR
    sentence = one_sentence(result.stderr)
    assert str(path) in sentence and VERSIONED in sentence and what in sentence
    assert "is damaged" in sentence


def test_export_of_a_damaged_current_version_stops_with_one_sentence(
    intact: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(intact) as db:
        (current,) = db.execute("SELECT version FROM cable WHERE id = ?", (VERSIONED,)).fetchone()
    path = damage(intact, tmp_path, "record", GARBAGE, number=current)
    for format_ in ("jsonl", "csv"):
        result = cablekit("export", "--db", str(path), "--format", format_, "-o", "-")
        assert result.returncode == EXIT_ARCHIVE_ERROR
        sentence = one_sentence(result.stderr)
        assert str(path) in sentence and VERSIONED in sentence


def test_the_web_answers_a_damaged_version_with_500_and_logs_the_sentence(
    intact: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = damage(intact, tmp_path, "record", GARBAGE)
    client = TestClient(create_app(path), raise_server_exceptions=False)
    caplog.set_level(logging.ERROR, logger="cablekit.web")
    for url in (f"/api/v1/cables/{VERSIONED}?version=1", f"/cable/{VERSIONED}?version=1"):
        caplog.clear()
        response = client.get(url)
        assert response.status_code == 500
        assert "Traceback" not in response.text and "zlib" not in response.text
        assert UNEXPECTED in response.text
        assert str(path) not in response.text  # the detail is for the log
        (logged,) = [r for r in caplog.records if r.name == "cablekit.web"]
        message = logged.getMessage()
        assert "is damaged" in message and VERSIONED in message and str(path) in message
        assert logged.exc_info is None  # a sentence, not a stack trace
    api = client.get(f"/api/v1/cables/{VERSIONED}?version=1").json()
    assert api == {"error": {"status": 500, "message": UNEXPECTED}}


def test_the_python_api_raises_the_typed_error(intact: Path, tmp_path: Path) -> None:
    from cablekit.archive import Archive

    path = damage(intact, tmp_path, "text", b"not compressed at all")
    with Archive(path) as archive, pytest.raises(DamagedArchive, match="text of version 1"):
        archive.get(VERSIONED, 1)


# --- another application's database -------------------------------------------------------


def notes_app(path: Path) -> Path:
    """A SQLite database of another program, with its own data."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
        db.executemany("INSERT INTO note (body) VALUES (?)", [("call home",), ("buy milk",)])
    return path


def web_framework_app(path: Path) -> Path:
    """A database whose framework keeps its own ``migrations`` table (as Laravel does)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE migrations (id INTEGER PRIMARY KEY, migration TEXT, batch INT)")
        db.execute("INSERT INTO migrations (migration, batch) VALUES ('create_users', 1)")
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    return path


def look_alike_app(path: Path) -> Path:
    """A database with a ``migrations (name, applied_at)`` table like cablekit's own,
    but none of cablekit's migrations."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        db.execute("INSERT INTO migrations VALUES ('0001_users', '2024-01-01')")
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    return path


@pytest.mark.parametrize("make", [notes_app, web_framework_app, look_alike_app])
def test_ingest_refuses_another_applications_database_and_leaves_it_as_it_was(
    tmp_path: Path, make: object
) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    path = make(folder / "app.sqlite")  # type: ignore[operator]
    before = fingerprint(folder)
    result = cablekit("ingest", "--db", str(path), "--no-progress", str(REFERENCE_CABLE))
    assert result.returncode == NotAnArchive.exit_code
    sentence = one_sentence(result.stderr)
    assert f"{path} is a SQLite file but not a cablekit archive" in sentence
    assert fingerprint(folder) == before  # no byte changed, no journal or WAL file left
    for args in (["stats"], ["search", "milk"], ["show", "09OTTAWA278"]):
        result = cablekit(*args, "--db", str(path))
        assert result.returncode == NotAnArchive.exit_code
        one_sentence(result.stderr)
        assert fingerprint(folder) == before


def test_an_empty_sqlite_file_becomes_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    with sqlite3.connect(path) as db:  # a SQLite file with no tables left in it
        db.execute("CREATE TABLE scratch (x)")
        db.execute("DROP TABLE scratch")
    assert path.stat().st_size > 0
    result = cablekit("ingest", "--db", str(path), "--no-progress", str(REFERENCE_CABLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 ingested")
