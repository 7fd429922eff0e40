"""cablekit reads its own output (issue 11, point 5): the JSON Lines that ``parse`` and
``export --format jsonl`` write are records, read as they are (not parsed again), and an
archive rebuilt from an export equals the original."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cablekit
from cablekit.archive import Archive
from cablekit.cli import cli
from cablekit.sources import iter_inputs

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
PAGES = DATA / "corpus" / "cablegate-2011-04" / "cable"
RAW = DATA / "samples" / "raw-telegram"
if not RAW.exists():  # without the shared data: the bundled copy of 09PARIS1007.txt
    RAW = ROOT / "src" / "cablekit" / "samples"
TELEGRAMS = [str(p) for p in sorted(RAW.glob("*.txt"))]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cablekit", *args], capture_output=True, text=True, check=False
    )


def test_parse_reads_what_parse_wrote(tmp_path: Path) -> None:
    first = run("parse", *TELEGRAMS)
    assert first.returncode == 0, first.stderr
    written = tmp_path / "records.jsonl"
    written.write_text(first.stdout)
    again = run("parse", str(written))
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    records = [json.loads(line) for line in first.stdout.splitlines()]
    assert [c.to_json() for c in cablekit.read(written)] == records


def test_a_record_is_read_not_parsed(tmp_path: Path) -> None:
    (cable,) = cablekit.read(RAW / "09PARIS1007.txt")
    record = cable.to_json()
    record["subject"] = "A SUBJECT NO PARSER WOULD FIND"  # kept as the record says
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (read,) = cablekit.read(path)
    assert read.subject == "A SUBJECT NO PARSER WOULD FIND"
    assert read.to_json() == record


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"caveats": "NOFORN"}, "caveats"),  # a string would become its characters
        ({"paragraphs": [{"number": 1, "marking": None, "heading": None, "text": 5}]}, "text"),
        ({"id": "../../etc/passwd"}, "not a cable id"),
        ({"paragraphs": [{"number": 1}]}, "cannot be read"),
    ],
)
def test_a_damaged_record_gets_one_sentence(
    change: dict[str, object], problem: str, tmp_path: Path
) -> None:
    (cable,) = cablekit.read(RAW / "09PARIS1007.txt")
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({**cable.to_json(), **change}) + "\n")
    result = CliRunner().invoke(cli, ["parse", str(path)])
    assert result.exit_code != 0
    assert problem in result.output and "Traceback" not in result.output


def reference_rows(archive: Archive) -> list[tuple[object, ...]]:
    return sorted(
        archive.store.query(
            "SELECT c.id, r.position, r.letter, r.text, r.kind, r.target, r.paragraph"
            " FROM reference r JOIN cable c ON c.key = r.cable_key"
        )
    )


def contents(archive: Archive) -> dict[str, object]:
    ids = sorted(i for (i,) in archive.store.query("SELECT id FROM cable"))
    return {
        # an export holds each cable's current version: the rebuilt archive numbers
        # it 1 where the original had older versions (the corpus's garbled copies)
        "ids": sorted(i for (i,) in archive.store.query("SELECT id FROM cable")),
        "records": {i: archive.get(i).cable.to_json() for i in ids},
        "references": reference_rows(archive),
        "units": sorted(
            archive.store.query(
                "SELECT c.id, u.seq, u.number, u.marking, u.level, u.body, u.need"
                " FROM unit u JOIN cable c ON c.key = u.cable_key"
            )
        ),
    }


@pytest.mark.skipif(not PAGES.exists(), reason="needs the corpus pages in ../shared/data")
def test_an_archive_rebuilt_from_its_export_equals_it(tmp_path: Path) -> None:
    original = tmp_path / "original.db"
    with Archive(original, create=True) as archive:
        report = archive.ingest([str(PAGES), *TELEGRAMS], release="2011-04")
        assert report.ingested > 100
        exported = tmp_path / "export.jsonl"
        count = archive.export(None, "jsonl", str(exported))
        before = contents(archive)
    assert count == len(before["records"])  # type: ignore[arg-type]
    assert any(r[4] == "mention" for r in before["references"])  # type: ignore[attr-defined]
    assert all(not isinstance(item, Exception) for item in iter_inputs([exported]))
    rebuilt = tmp_path / "rebuilt.db"
    with Archive(rebuilt, create=True) as archive:
        report = archive.ingest([str(exported)], release="2011-04")
        assert report.failed == 0
        assert contents(archive) == before
        again = archive.ingest([str(exported)], release="2011-04")
        assert again.ingested == 0  # the same records: nothing new
