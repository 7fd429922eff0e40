"""``cablekit copy``: SQLite to PostgreSQL and back, checked, and resumable."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablekit.access.principals import check_password
from cablekit.archive import Archive
from cablekit.cli import cli
from cablekit.store import copy as copying
from cablekit.store.postgres import PostgresRecord
from cablekit.store.sqlite import SQLiteStore

from .conftest import SAMPLE_VERSIONS, SAMPLES


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CABLEKIT_AUDIT_KEY", raising=False)


@pytest.fixture()
def source(sample_archive_file: Path, tmp_path: Path) -> Path:
    """The sample archive with an administrator, a reader, a token, a review and a log."""
    path = tmp_path / "source.db"
    shutil.copy(sample_archive_file, path)
    with Archive(path, user="ana") as archive:
        archive.admin.add_user("ana", clearance="SECRET", citizenship="USA", collections=["*"],
                               admin=True)  # fmt: skip
        archive.admin.add_user("bob", clearance="CONFIDENTIAL", citizenship="GBR",
                               collections=["2011-04"])  # fmt: skip
        archive.admin.new_token("bob")
        archive.admin.set_password("bob", "correct horse battery staple")
        archive.admin.review("09CAIRO746", release=False, reason="held", reviewer="ana")
        archive.search("tag:PREL")
    return path


def exported(target: str, tmp_path: Path, user: str, name: str) -> str:
    out = tmp_path / f"{name}.jsonl"
    with Archive(target, user=user, index=tmp_path / f"{name}.idx") as archive:
        archive.export(None, "jsonl", str(out))
    return hashlib.sha256(out.read_bytes()).hexdigest()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["copy", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_there_and_back_again(source: Path, pg_url: str, tmp_path: Path) -> None:
    said = run(str(source), pg_url)
    assert "copied 202 cables (208 versions), 2 users and groups, 1 reviews" in said
    back = tmp_path / "back.db"
    run(pg_url, str(back))
    for user in ("ana", "bob"):
        expected = exported(str(source), tmp_path, user, f"source-{user}")
        assert exported(pg_url, tmp_path, user, f"pg-{user}") == expected
        assert exported(str(back), tmp_path, user, f"back-{user}") == expected
    with Archive(back, user="ana") as archive:
        assert archive.admin.verify_audit().ok
        assert [v.number for v in archive.versions("09CAIRO746")] == [1, 2, 3]
        assert len(archive.admin.reviews("09CAIRO746")) == 1
        assert check_password(archive.record, "bob", "correct horse battery staple")


def test_a_copy_cut_short_is_finished_by_running_it_again(
    source: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(copying, "CHUNK", 50)
    calls = 0

    def interrupt(count: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt

    with SQLiteStore(source) as store, PostgresRecord(pg_url, create=True) as record:
        with pytest.raises(KeyboardInterrupt):
            copying.copy_to_postgres(store, record, interrupt)
        (count,) = record.query("SELECT count(*) FROM cable")[0]
        assert count == 100
    assert "copied 202 cables (208 versions)" in run(str(source), pg_url)
    with PostgresRecord(pg_url) as record:
        (count, distinct) = record.query("SELECT count(*), count(DISTINCT id) FROM cable")[0]
        assert count == distinct == 202


def test_a_record_of_another_archive_is_refused(pg_url: str, tmp_path: Path) -> None:
    with Archive(pg_url, create=True, index=tmp_path / "other.idx") as other:
        other.ingest([str(SAMPLE_VERSIONS)], release="2010-12")
    with Archive(tmp_path / "lone.db", create=True) as lone:
        lone.ingest([str(SAMPLES / "09PARIS1007.txt")])
    refused = CliRunner().invoke(cli, ["copy", str(tmp_path / "lone.db"), pg_url])
    assert refused.exit_code == 2 and "already holds cables" in refused.output
    missing = CliRunner().invoke(cli, ["copy", str(tmp_path / "missing.db"), pg_url])
    assert missing.exit_code == 2 and "There is no archive" in missing.output


def test_two_files_or_two_databases_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["copy", "a.db", "b.db"])
    assert result.exit_code == 2 and "between a SQLite file and a postgresql://" in result.output
    both = CliRunner().invoke(cli, ["copy", "postgresql://x/a", "postgres://y/b"])
    assert both.exit_code == 2 and "pg_dump" in both.output
