"""docs/python.md is a session a newcomer can type: run it, every answer checked."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import cablekit

from .conftest import ROOT


def test_the_python_guide_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "src").symlink_to(ROOT / "src")
    monkeypatch.chdir(tmp_path)  # the guide's paths are the repository's; its archive, new
    failures, tried = doctest.testfile(
        str(ROOT / "docs" / "python.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert tried >= 20 and failures == 0


def test_the_public_surface() -> None:
    assert set(cablekit.__all__) <= set(dir(cablekit))
    for name in cablekit.__all__:
        assert getattr(cablekit, name) is not None
    assert {"parse", "read", "Archive", "Cable", "CablekitError"} <= set(cablekit.__all__)
    assert hasattr(cablekit.Archive, "records") and hasattr(cablekit.Archive, "to_arrow")
    with pytest.raises(AttributeError):
        _ = cablekit.nothing_of_the_kind  # type: ignore[attr-defined]


def test_parse_takes_a_path(tmp_path: Path) -> None:
    sample = ROOT / "src" / "cablekit" / "samples" / "09PARIS1007.txt"
    assert cablekit.parse(sample).id == cablekit.parse(str(sample)).id == "09PARIS1007"
    assert cablekit.parse(sample.read_bytes()).id == "09PARIS1007"
    with pytest.raises(cablekit.MissingInput):
        cablekit.parse(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(cablekit.CablekitError):
        cablekit.parse(empty)
    with pytest.raises(cablekit.NotACable):
        cablekit.parse("missing.txt")  # no such file: text, which holds no cable


def test_records_and_tables_hold_what_the_reader_may_see(
    sample_archive_file: Path, tmp_path: Path
) -> None:
    """The same scope as a search, and a log entry before anything is returned."""
    from datetime import date

    from click.testing import CliRunner

    from cablekit.cli import cli

    db = tmp_path / "users.db"
    db.write_bytes(sample_archive_file.read_bytes())
    for args in (
        ["user", "add", "ana", "--admin", "--clearance", "SECRET", "--collection", "*"],
        ["user", "add", "ca", "--clearance", "CONFIDENTIAL", "--citizenship", "CAN",
         "--collection", "*", "--as", "ana"],
    ):  # fmt: skip
        assert CliRunner().invoke(cli, [*args, "--db", str(db)]).exit_code == 0
    with cablekit.Archive(db, user="ca", today=date(2010, 6, 1)) as archive:
        seen = archive.search("tag:PREL", limit=1000)
        ids = [r.id for r in archive.records("tag:PREL", sort="newest")]
        table = archive.to_arrow("tag:PREL", sort="newest")
        logged = archive.store.query("SELECT count(*) FROM audit WHERE action = 'export'")
    assert ids == [h.id for h in seen.results] == table.column("id").to_pylist()
    with cablekit.Archive(sample_archive_file) as public:
        assert 0 < len(ids) < public.search("tag:PREL").total  # the reader sees a part
    assert logged[0][0] == 2
