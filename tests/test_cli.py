"""Tests of the ``cablekit`` command line, through click's CliRunner.

Every problem must come out as one plain ``Error: ...`` line on stderr, the other inputs
still processed, a non-zero exit status, and never a traceback.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cablekit
from cablekit.cli import cli
from cablekit.coverage_report import FIELDS

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "src" / "cablekit" / "samples"
REFERENCE = SAMPLES / "09OTTAWA278.scraped.md"
DATA = REPO.parent / "shared" / "data"
RAW_TELEGRAMS = DATA / "samples" / "raw-telegram"
PAGES_2010 = DATA / "samples" / "page-2010-11"


def run(*args: str, input: bytes | None = None) -> Result:
    """Invoke ``cablekit ARGS`` and check what must hold for every invocation."""
    result = CliRunner().invoke(cli, list(args), input=input)
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    # CliRunner catches exceptions: anything but sys.exit() escaped the command.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def error_lines(result: Result) -> list[str]:
    lines = result.stderr.splitlines()
    assert all(line.startswith("Error: ") for line in lines), lines
    return lines


def json_lines(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    """A directory of a few sample cables in different formats."""
    folder = tmp_path / "samples"
    folder.mkdir()
    for path in sorted(SAMPLES.iterdir()):
        if re.match(r"\d\d[A-Z]", path.name):  # the cables, named by id (not README.md)
            shutil.copy(path, folder / path.name)
    for source in (RAW_TELEGRAMS, PAGES_2010):
        if source.is_dir():
            for path in sorted(source.glob("*.*"))[:2]:
                if path.suffix in (".txt", ".html"):
                    shutil.copy(path, folder / f"{source.name}-{path.name}")
    return folder


# --------------------------------------------------------------------------- parse


def test_parse_jsonl_is_the_reference_cable() -> None:
    result = run("parse", str(REFERENCE))
    assert result.exit_code == 0
    assert result.stderr == ""
    (record,) = json_lines(result)
    assert record["id"] == "09OTTAWA278"
    assert record["classification"] == "CONFIDENTIAL"
    assert cablekit.Cable.from_json(record).to_json() == record  # valid record JSON


def test_parse_jsonl_matches_the_api() -> None:
    result = run("parse", str(REFERENCE))
    (record,) = json_lines(result)
    (cable,) = list(cablekit.read(REFERENCE))
    assert record == json.loads(json.dumps(cable.to_json()))


def test_parse_json_is_one_array() -> None:
    result = run("parse", "--output", "json", str(REFERENCE))
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert isinstance(records, list)
    assert [r["id"] for r in records] == ["09OTTAWA278"]


def test_parse_json_of_nothing_is_an_empty_array(tmp_path: Path) -> None:
    empty = tmp_path / "nothing.txt"
    empty.write_bytes(b"")
    result = run("parse", "-o", "json", str(empty))
    assert json.loads(result.stdout) == []
    assert result.exit_code != 0


def test_parse_text_view() -> None:
    result = run("parse", "-o", "text", str(REFERENCE))
    assert result.exit_code == 0
    assert "09OTTAWA278" in result.stdout.splitlines()[0]
    assert "OTTAWA" in result.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


def test_parse_stdin() -> None:
    result = run("parse", "-", input=REFERENCE.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in json_lines(result)] == ["09OTTAWA278"]


@pytest.mark.parametrize("format_", ["markdown", "telegram"])
def test_parse_forced_format(format_: str) -> None:
    result = run("parse", "--format", format_, str(REFERENCE))
    assert result.exit_code == 0, result.stderr
    (record,) = json_lines(result)
    assert record["id"] == "09OTTAWA278"
    assert record["source"]["format"] == format_  # type: ignore[index]


def test_parse_forced_wrong_format_is_one_error() -> None:
    result = run("parse", "--format", "wikileaks-html", str(REFERENCE))
    assert result.exit_code != 0
    assert result.stdout == ""
    assert len(error_lines(result)) == 1
    assert str(REFERENCE) in result.stderr


def test_parse_unknown_format_is_a_usage_error() -> None:
    result = run("parse", "--format", "docx", str(REFERENCE))
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("output", ["jsonl", "json", "text"])
def test_parse_two_jobs_same_output_as_one(sample_dir: Path, output: str) -> None:
    one = run("parse", "-o", output, str(sample_dir))
    two = run("parse", "-o", output, "--jobs", "2", str(sample_dir))
    assert one.exit_code == two.exit_code
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr
    if output == "jsonl":
        assert len(json_lines(one)) >= 3


def test_parse_directory_in_name_order(sample_dir: Path) -> None:
    result = run("parse", str(sample_dir))
    paths = [r["source"]["path"] for r in json_lines(result)]  # type: ignore[index]
    assert paths == sorted(paths)


# --------------------------------------------------------------------------- check, schema


def test_check_reports_fields_and_warnings(sample_dir: Path) -> None:
    result = run("check", str(sample_dir))
    assert result.exit_code == 0, result.stderr
    report = result.stdout
    cables = list(cablekit.read(sample_dir))
    assert re.search(rf"^{len(cables)} cables parsed, 0 inputs failed$", report, re.M)
    assert "field coverage:" in report
    for label in FIELDS.values():
        assert re.search(rf"^  {re.escape(label)}\s+\d[\d,]*\s+\d+\.\d%$", report, re.M), label
    codes = {w.code for cable in cables for w in cable.warnings}
    assert codes, "the samples should produce at least one warning"
    assert "warnings by code:" in report
    warnings = report.split("warnings by code:", 1)[1]
    for code in codes:
        assert re.search(rf"^\s+{re.escape(code)}\s+\d+$", warnings, re.M), code


def test_check_counts_failed_inputs(tmp_path: Path) -> None:
    (tmp_path / "junk.txt").write_text("shopping list\neggs\n", encoding="utf-8")
    result = run("check", str(REFERENCE), str(tmp_path / "junk.txt"))
    assert result.exit_code == 1
    assert "1 cables parsed, 1 inputs failed" in result.stdout
    assert len(error_lines(result)) == 1


def test_schema_is_json_with_defs() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "$defs" in schema
    assert schema["type"] == "object"
    assert {"Addressee", "Paragraph", "Reference"} <= set(schema["$defs"])
    assert "id" in schema["properties"]


# --------------------------------------------------------------------------- error paths


def test_missing_path_one_error_and_the_rest_processed(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-cable.txt"
    result = run("parse", str(missing), str(REFERENCE))
    assert result.exit_code != 0
    assert error_lines(result) == [f"Error: No such file or directory: {missing}"]
    assert [r["id"] for r in json_lines(result)] == ["09OTTAWA278"]


def test_missing_path_alone() -> None:
    result = run("parse", "/no/such/dir/cable.txt")
    assert result.exit_code == 2  # an InputError's own code when it is the only failure
    assert len(error_lines(result)) == 1
    assert result.stdout == ""


def test_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    result = run("parse", str(binary), str(REFERENCE))
    assert result.exit_code != 0
    (line,) = error_lines(result)
    assert str(binary) in line and "binary" in line
    assert [r["id"] for r in json_lines(result)] == ["09OTTAWA278"]


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run("parse", str(empty))
    assert result.exit_code == 3  # NotACable
    (line,) = error_lines(result)
    assert str(empty) in line and "empty" in line
    assert result.stdout == ""


def test_text_that_is_not_a_cable(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("Meeting notes\n\nBring the slides.\nLunch at noon.\n", encoding="utf-8")
    result = run("parse", str(text), str(REFERENCE))
    assert result.exit_code != 0
    (line,) = error_lines(result)
    assert str(text) in line and "holds no cable" in line
    assert [r["id"] for r in json_lines(result)] == ["09OTTAWA278"]


def test_several_bad_inputs_one_line_each(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "notes.txt").write_text("nothing here\n", encoding="utf-8")
    paths = [str(tmp_path / n) for n in ("empty.txt", "bin.dat", "notes.txt", "missing.txt")]
    result = run("parse", *paths, str(REFERENCE))
    assert result.exit_code == 1  # failures of different kinds, and one cable
    lines = error_lines(result)
    assert len(lines) == 4
    for path, line in zip(paths, lines, strict=True):
        assert path in line
    assert [r["id"] for r in json_lines(result)] == ["09OTTAWA278"]


def make_tar_gz(members: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in members:
            tar.add(path, arcname=path.name)
    return buffer.getvalue()


TAR_MEMBERS = [REFERENCE, SAMPLES / "09PARIS1007.txt", SAMPLES / "09BEIJING22.html"]


def test_complete_tar_gz(tmp_path: Path) -> None:
    archive = tmp_path / "cables.tar.gz"
    archive.write_bytes(make_tar_gz(TAR_MEMBERS))
    result = run("parse", str(archive))
    assert result.exit_code == 0, result.stderr
    assert len(json_lines(result)) == 3


@pytest.mark.parametrize(
    "keep",
    [
        pytest.param(0.5, id="cut-in-the-middle"),
        pytest.param(0.9, id="cut-at-90-percent"),
        pytest.param(100, id="only-the-first-100-bytes"),
        # Only the gzip trailer (CRC, size) and the end of the deflate data are missing:
        # every member is readable, the damage shows only when the stream is drained.
        pytest.param(-10, id="last-10-bytes-cut"),
    ],
)
def test_truncated_tar_gz(tmp_path: Path, keep: float) -> None:
    whole = make_tar_gz(TAR_MEMBERS)
    size = int(len(whole) * keep) if isinstance(keep, float) else keep % len(whole)
    archive = tmp_path / "cut.tar.gz"
    archive.write_bytes(whole[:size])
    result = run("parse", str(archive), str(REFERENCE))
    assert result.exit_code != 0
    lines = error_lines(result)
    assert lines == [f"Error: {archive} is a truncated or corrupt archive"]
    records = json_lines(result)
    assert records[-1]["id"] == "09OTTAWA278"  # the path after the archive is still read
    assert len(records) <= len(TAR_MEMBERS) + 1  # the members read before the damage


def test_corrupt_gzip_is_one_error(tmp_path: Path) -> None:
    archive = tmp_path / "bad.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 200)
    result = run("parse", str(archive), str(REFERENCE))
    assert result.exit_code != 0
    (line,) = error_lines(result)
    assert str(archive) in line
    assert [r["id"] for r in json_lines(result)] == ["09OTTAWA278"]


@pytest.mark.parametrize(
    "line",
    [
        # json.loads raises ValueError for an integer of more than 4,300 digits and
        # RecursionError for deep nesting: a bad line, not a traceback.
        pytest.param(b'{"body": ' + b"1" * 5000 + b"}", id="huge-integer"),
        pytest.param(b'{"body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", id="deep"),
        pytest.param(b'{"body": ', id="cut-line"),
    ],
)
def test_jsonl_line_that_cannot_be_read(tmp_path: Path, line: bytes) -> None:
    jsonl = tmp_path / "cables.jsonl"
    telegram = (SAMPLES / "09PARIS1007.txt").read_bytes().decode("cp1252")
    jsonl.write_bytes(line + b"\n" + json.dumps({"body": telegram}).encode() + b"\n")
    result = run("parse", str(jsonl), str(REFERENCE))
    assert result.exit_code == 1
    (error,) = error_lines(result)
    assert f"{jsonl} line 1" in error
    assert [r["id"] for r in json_lines(result)] == ["09PARIS1007", "09OTTAWA278"]


def test_jsonl_of_scraped_pages_is_read_as_jsonl(tmp_path: Path) -> None:
    """A .jsonl file whose JSON strings hold scraped Markdown pages (``[¶](#)`` links) is
    JSON lines, one cable per line, not one Markdown page."""
    jsonl = tmp_path / "scraped.jsonl"
    record = json.dumps({"body": REFERENCE.read_text(encoding="utf-8")})
    jsonl.write_text(record + "\n" + record + "\n", encoding="utf-8")
    result = run("parse", str(jsonl))
    records = json_lines(result)
    assert [r["source"]["format"] for r in records] == ["jsonl", "jsonl"]  # type: ignore[index]
    assert [r["id"] for r in records] == ["09OTTAWA278", "09OTTAWA278"]
    forced = run("parse", "--format", "jsonl", str(jsonl))
    assert [r["id"] for r in json_lines(forced)] == ["09OTTAWA278", "09OTTAWA278"]


def test_python_dash_m_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cablekit", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    for command in ("parse", "check", "schema"):
        assert command in done.stdout
    assert "Traceback" not in done.stderr


def test_python_dash_m_missing_path_no_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cablekit", "parse", "/no/such/cable.txt"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert done.stderr.splitlines() == ["Error: No such file or directory: /no/such/cable.txt"]
    assert "Traceback" not in done.stderr
