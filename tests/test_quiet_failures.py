"""Failures that once passed in silence (exit 0, no word) now say what went wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cablekit.cli import cli

from .conftest import REFERENCE_CABLE


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    return result


@pytest.fixture()
def controlled(sample_archive_file: Path, tmp_path: Path) -> str:
    """A copy of the sample archive with an administrator (ana) and a reader who read
    once and was removed (gone)."""
    db = str(tmp_path / "users.db")
    shutil.copy(sample_archive_file, db)
    assert run("user", "add", "ana", "--admin", "--db", db, "--collection", "*").exit_code == 0
    assert run("user", "add", "gone", "--db", db, "--as", "ana").exit_code == 0
    assert run("stats", "--db", db, "--as", "gone").exit_code == 0
    assert run("user", "remove", "gone", "--db", db, "--as", "ana").exit_code == 0
    return db


@pytest.mark.parametrize("since", ["yesterday", "2026-13-45", "2026-12", "07/12/2026"])
def test_audit_refuses_a_time_that_is_none(controlled: str, since: str) -> None:
    result = run("audit", "--db", controlled, "--as", "ana", "--since", since)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {since!r} is not a date or time; write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
    )
    assert result.stdout == ""


@pytest.mark.parametrize("since", ["2000-01-01", "2000-01-01T00:00:00Z", "2000-01-01T01:00+01:00"])
def test_audit_reads_a_day_or_a_time(controlled: str, since: str) -> None:
    result = run("audit", "--db", controlled, "--as", "ana", "--since", since)
    assert result.exit_code == 0
    assert " user add ana: " in result.stdout  # the first entries are there


def test_audit_refuses_an_unknown_user_and_reads_a_removed_one(controlled: str) -> None:
    unknown = run("audit", "--db", controlled, "--as", "ana", "--user", "nosuch")
    assert unknown.exit_code == 6
    assert (
        unknown.stderr.strip() == "Error: There is no user nosuch in this archive or its audit log"
    )
    removed = run("audit", "--db", controlled, "--as", "ana", "--user", "gone")
    assert removed.exit_code == 0 and " stats " in removed.stdout


@pytest.mark.parametrize("command", ["parse", "check"])
def test_nothing_found_is_said(command: str, tmp_path: Path) -> None:
    result = run(command, str(tmp_path))
    assert result.exit_code == 3
    assert result.stderr.strip() == f"Error: No cable found in {tmp_path}"
    assert "0.0%" not in result.stdout


def test_a_directory_as_archive_is_not_called_unwritable(tmp_path: Path) -> None:
    result = run("search", "--db", str(tmp_path), "embassy")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path} is a directory, not an archive file"


def test_a_graph_file_is_not_called_an_html_page(sample_archive_file: Path, tmp_path: Path) -> None:
    gexf = tmp_path / "g.gexf"
    db = str(sample_archive_file)
    assert run("graph", "--db", db, "tag:IR", "--format", "gexf", "-o", str(gexf)).exit_code == 0
    result = run("parse", str(gexf))
    assert result.exit_code == 3
    assert result.stderr.strip() == f"Error: {gexf} is an XML file, not a cable"


def test_errors_names_each_input_once(tmp_path: Path) -> None:
    db = str(tmp_path / "e.db")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    run("ingest", "--db", db, str(REFERENCE_CABLE), str(empty), "-")
    listed = run("errors", "--db", db).stdout.splitlines()
    assert listed[-1] == "2 failed inputs"
    assert not [line for line in listed if "<input>" in line]
    assert [line.split("  ", 1)[1] for line in listed[:-1]] == [
        f"{empty} is empty",
        "<stdin> is empty",
    ]
