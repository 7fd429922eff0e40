"""The archive's commands through click's CliRunner: output contracts and bad input.

Bad input of every kind gets one plain ``Error: ...`` sentence, a non-zero exit
status, no traceback, and leaves the archive as it was. The tests over an archive run
on both backends (``backend``: ``--db FILE`` and ``--db postgresql://...``); those of
a missing or foreign file have their PostgreSQL counterparts at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cablekit.cli import cli

from .backends import Backend, fingerprint
from .conftest import REFERENCE_CABLE, SAMPLE_FILES, SAMPLE_VERSIONS
from .pg_helpers import Cluster


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ingested(target: str) -> str:
    """The three sample files ingested by the command into a new archive at ``target``."""
    result = CliRunner().invoke(
        cli, ["ingest", "--db", target, "--release", "samples", *map(str, SAMPLE_FILES)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "3 ingested, 0 unchanged, 0 new versions, 0 failed"
    return target


@pytest.fixture(scope="module")
def db(backend: Backend) -> str:
    with backend.environment():
        return ingested(backend.new("cli"))


def test_ingest_again_changes_nothing(db: str, backend: Backend) -> None:
    # A copy of the file; a record is no file: one more made the same way.
    copy = backend.copy(db, "again") if not backend.postgres else ingested(backend.new("again"))
    result = run("ingest", "--db", copy, *map(str, SAMPLE_FILES))
    assert result.exit_code == 0
    assert result.stdout.strip() == "0 ingested, 3 unchanged, 0 new versions, 0 failed"


def test_search_json_keeps_its_contract(db: str) -> None:
    result = run("search", "--db", str(db), "tag:PREL", "--facets", "--timeline", "-o", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"total", "results", "facets", "timeline", "next_cursor"} <= set(data)
    assert data["total"] == len(data["results"]) >= 1
    for hit in data["results"]:
        assert {"id", "dtg", "origin", "classification", "subject", "snippet", "score"} <= set(hit)
    assert {"tag_subject", "tag_country", "origin", "classification", "caveat", "year"} <= set(
        data["facets"]
    )
    assert all(set(v) == {"value", "count"} for vs in data["facets"].values() for v in vs)
    assert all(set(b) == {"start", "end", "count"} for b in data["timeline"])


def test_search_text_and_paging(db: str) -> None:
    ids: list[str] = []
    cursor: list[str] = []
    for _ in range(3):
        page = run("search", "--db", str(db), "date:2009", "--limit", "1", *cursor)
        assert page.exit_code == 0
        lines = page.stdout.splitlines()
        assert lines[0] == (
            "3 cables: cables dated 2009-01-01 to 2009-12-31"
            " (newest first: the query has no words to rank by)"
        )
        ids += [line.split()[0] for line in lines if line[:2] == "09"]
        cursor = (
            ["--cursor", page.stdout.split("--cursor ")[1].strip()]
            if "--cursor" in page.stdout
            else []
        )
    assert not cursor
    assert ids == ["09PARIS1007", "09OTTAWA278", "09BEIJING22"]  # newest first


def test_show_versions_and_stats(db: str) -> None:
    shown = run("show", "--db", str(db), "09ottawa278")
    assert shown.exit_code == 0 and "THROUGH A POLAR PRISM" in shown.stdout
    record = json.loads(run("show", "--db", str(db), "09OTTAWA278", "-o", "json").stdout)
    assert record["id"] == "09OTTAWA278" and len(record["paragraphs"]) == 12
    raw = run("show", "--db", str(db), "09OTTAWA278", "-o", "raw").stdout
    assert "C O N F I D E N T I A L" in raw and "[¶]" not in raw
    versions = run("versions", "--db", str(db), "09OTTAWA278")
    assert versions.stdout.startswith("* 1 ")
    stats = json.loads(run("stats", "--db", str(db), "-o", "json").stdout)
    assert stats["cables"] == 3 and stats["versions"] == 3


def test_errors_lists_failures(tmp_path: Path, backend: Backend) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("no cable in here\n")
    path = backend.new("e")
    result = run("ingest", "--db", str(path), str(junk))
    assert result.exit_code == 1
    assert "1 failed (see `cablekit errors`)" in result.stdout
    listed = run("errors", "--db", str(path))
    assert "junk.txt" in listed.stdout and listed.stdout.rstrip().endswith("1 failed input")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("form:OTTAWA", 'Error: Unknown field "form" at position 0; did you mean "from"?'),
        ("(tag:PREL", 'Error: Unbalanced parenthesis at position 0: "(tag:PREL" is never closed'),
        ("", "Error: Empty query at position 0"),
    ],
)
def test_malformed_query(db: str, query: str, message: str) -> None:
    before = fingerprint(db)
    result = run("search", "--db", str(db), query)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == message
    assert result.stderr.splitlines()[-2].strip() == "^"
    assert fingerprint(db) == before


def test_missing_archive(tmp_path: Path) -> None:
    result = run("search", "--db", str(tmp_path / "none.db"), "embassy")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: There is no archive at {tmp_path / 'none.db'}; run `cablekit ingest` to make one"
    )
    assert not (tmp_path / "none.db").exists()


def test_not_an_archive(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_bytes(REFERENCE_CABLE.read_bytes())
    before = digest(text)
    for args in (["search", "embassy"], ["ingest", str(SAMPLE_VERSIONS)], ["stats"]):
        result = run(args[0], "--db", str(text), *args[1:])
        assert result.exit_code == 2
        assert (
            result.stderr.strip()
            == f"Error: {text} is not a cablekit archive (file is not a database)"
        )
    assert digest(text) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_read_only_location(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run("ingest", "--db", str(folder / "a.db"), str(REFERENCE_CABLE))
    finally:
        folder.chmod(0o700)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: Cannot write the archive {folder / 'a.db'}")


def test_read_only_file_system() -> None:
    """/proc takes no new files, whoever asks (the suite may run as root)."""
    result = run("ingest", "--db", "/proc/cablekit.db", str(REFERENCE_CABLE))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Cannot write the archive /proc/cablekit.db")


def test_unwritable_location(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "a.db"
    result = run("ingest", "--db", str(target), str(REFERENCE_CABLE))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: Cannot write the archive {target}: unable to open database file"
    )


def test_unknown_cable(db: str) -> None:
    result = run("show", "--db", str(db), "99NOWHERE1")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: There is no cable 99NOWHERE1 in the archive"


def test_refs_lists_every_reference_of_the_reference_cable(sample_target: str) -> None:
    result = run("refs", "--db", sample_target, "09OTTAWA278")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "09OTTAWA278 cites 4:"
    for letter, text, target in (
        ("A", "OTTAWA 8", "09OTTAWA8"),
        ("B", "08 OTTAWA 1140", "08OTTAWA1140"),
        ("C", "08 OTTAWA 1137", "08OTTAWA1137"),
        ("D", "MOSCOW 833", "09MOSCOW833"),
    ):
        assert any(
            line.split()
            == [f"{letter}.", *text.split(), "->", target, "(not", "in", "the", "archive)"]
            for line in lines
        ), (letter, lines)
    cited = json.loads(run("refs", "--db", sample_target, "09OTTAWA639", "-o", "json").stdout)
    assert [c["id"] for c in cited["cited_by"]] == ["09OTTAWA659", "09OTTAWA662"]
    found = json.loads(
        run("search", "--db", sample_target, "citedby:09OTTAWA662", "-o", "json").stdout
    )
    assert sorted(h["id"] for h in found["results"]) == [
        "09OTTAWA627",
        "09OTTAWA639",
        "09OTTAWA659",
        "09STATE84119",
    ]


def test_diff_export_graph_and_plot(sample_target: str, tmp_path: Path) -> None:
    db = sample_target
    changed = run("diff", "--db", db, "09CAIRO746", "--no-color")
    assert changed.exit_code == 0
    assert changed.stdout.startswith("09CAIRO746: version 2 -> 3: ")
    assert "[-" in changed.stdout and "{+" in changed.stdout
    out = tmp_path / "prel.jsonl"
    exported = run("export", "--db", db, "tag:PREL", "-o", str(out))
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert exported.stderr.strip() == f"{len(records)} cables exported"
    assert records and all("PREL" in r["tags"] for r in records)
    graph = tmp_path / "ottawa.graphml"
    assert run("graph", "--db", db, "from:OTTAWA", "-o", str(graph)).exit_code == 0
    assert graph.read_text().startswith("<?xml")
    png = tmp_path / "t.png"
    assert run("plot", "timeline", "to:SECSTATE", "--db", db, "-o", str(png)).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = run("export", "--db", db, "tag:(", "-o", str(out))
    assert bad.exit_code == 2 and bad.stderr.splitlines()[-1].startswith("Error: ")


def test_compose_allocates_serials_and_files_the_cable(
    sample_target: str, backend: Backend, tmp_path: Path
) -> None:
    db = backend.copy(sample_target, "compose")
    draft = Path(__file__).parent / "fixtures" / "drafts" / "template.yaml"
    out = tmp_path / "new.txt"
    filed = run(
        "compose",
        str(draft),
        "--dtg",
        "2009-09-01T10:00Z",
        "--db",
        str(db),
        "--file",
        "-o",
        str(out),
    )
    assert filed.exit_code == 0, filed.stderr
    # The sample holds Ottawa cables of 2009 up to serial 662.
    assert "C O N F I D E N T I A L OTTAWA 000663" in out.read_text()
    assert filed.stderr.strip() == f"Filed 09OTTAWA663 in {db}"
    found = json.loads(run("search", "--db", str(db), "id:09OTTAWA663", "-o", "json").stdout)
    assert [h["id"] for h in found["results"]] == ["09OTTAWA663"]
    again = run("compose", str(draft), "--dtg", "2009-09-01T10:00Z", "--db", str(db))
    assert "OTTAWA 000664" in again.stdout
    rendered = run("render", "09OTTAWA663", "--db", str(db))
    assert rendered.exit_code == 0
    assert rendered.stdout.splitlines()[:3] == out.read_text().splitlines()[:3]
    assert run("compose", str(draft), "--file").exit_code == 2


# --- the same mistakes with --db postgresql://... -------------------------------------


def test_missing_record(pg_cluster: Cluster) -> None:
    """No such database, or an empty one: told in one sentence, and nothing made."""
    missing = pg_cluster.url("cli_nowhere")
    result = run("search", "--db", missing, "embassy")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(
        f"Error: Cannot reach the PostgreSQL archive at {missing}: "
    )
    assert 'database "cli_nowhere" does not exist' in result.stderr
    empty = pg_cluster.create_database("cli_empty")
    try:
        for args in (["search", "embassy"], ["stats"]):
            result = run(args[0], "--db", empty, *args[1:])
            assert result.exit_code == 2
            assert result.stderr.strip() == (
                f"Error: There is no archive at {empty}; run `cablekit ingest` to make one"
            )
        with pg_cluster.connect("cli_empty") as conn:
            found = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
        assert found == (0,)
    finally:
        pg_cluster.drop_database("cli_empty")


def test_not_a_record(pg_cluster: Cluster) -> None:
    """A database of another program is left as it was, whatever the command."""
    other = pg_cluster.create_database("cli_notes")
    try:
        with pg_cluster.connect("cli_notes") as conn:
            conn.execute("CREATE TABLE notes (line TEXT)")
            conn.execute("INSERT INTO notes VALUES ('a note')")
        before = fingerprint(other)
        for args in (["search", "embassy"], ["ingest", str(SAMPLE_VERSIONS)], ["stats"]):
            result = run(args[0], "--db", other, *args[1:])
            assert result.exit_code == 2
            assert result.stderr.strip() == (
                f"Error: {other} is a PostgreSQL database but not a cablekit archive: it holds"
                " other tables, and cablekit leaves it as it is"
            )
        assert fingerprint(other) == before
    finally:
        pg_cluster.drop_database("cli_notes")


def test_index_named_for_one_command_is_not_kept_after_it(tmp_path: Path) -> None:
    """--index holds for the command it is given to, not for what runs after it in the
    same process (a test session, a program calling the command line)."""
    before = os.environ.get("CABLEKIT_INDEX")
    result = CliRunner().invoke(
        cli, ["stats", "--db", str(tmp_path / "none.db"), "--index", "x.db"]
    )
    assert result.exit_code != 0
    assert os.environ.get("CABLEKIT_INDEX") == before
