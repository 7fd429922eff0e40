"""Every command and option that takes a path, given the paths people mistype.

For each place a path goes (an input, an output, ``--db``) and each kind of bad path
(a missing parent folder, a directory, a read-only place, an existing file, an unknown
extension) the command must answer with its documented exit status and, when it
fails, one ``Error:`` sentence: never a traceback, never a partial file left behind.

The suite may run as root, who can write anywhere on a normal file system: /proc
stands for the read-only place (it takes no new file from anyone).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablekit.cli import cli

from .conftest import SAMPLES

CABLE = str(SAMPLES / "09PARIS1007.txt")
READ_ONLY = "/proc/cablekit-test"

# (command with {placeholders}, expected exit status). Placeholders: {db} a real
# archive, {missing} a path under a folder that does not exist, {dir} an empty
# folder, {ro} a path in a read-only place, {junk} an existing file that is no cable,
# archive or draft, {out} a fresh path in a writable folder, {draft} a valid draft,
# {archive_xyz} a real archive with an odd extension.
INPUTS = [
    ("parse {missing}.txt", 2),
    ("parse {dir}", 3),
    ("parse /proc/version", 3),
    ("parse {junk}", 3),
    ("check {missing}.txt", 2),
    ("check {dir}", 3),
    ("check {junk}", 3),
    ("ingest --db {out}.db {missing}.txt", 1),  # recorded: see `cablekit errors`
    ("ingest --db {out}.db {junk}", 1),
    ("compose {missing}.yaml", 2),
    ("compose {dir}", 2),
    ("compose /proc/version", 5),
    ("compose {junk}", 5),
    ("render {missing}.txt", 2),
    ("render {dir}", 3),
    ("render {junk}", 3),
]
DB_WRITERS = [
    ("ingest --db {missing}.db " + CABLE, 2),
    ("ingest --db {dir} " + CABLE, 2),
    ("ingest --db {ro}.db " + CABLE, 2),
    ("ingest --db {junk} " + CABLE, 2),
    ("ingest --db {out}.xyz " + CABLE, 0),
]
# Every command that reads an archive, with what it needs besides --db.
DB_READERS = [
    "search tag:PREL",
    "show 09PARIS1007",
    "versions 09PARIS1007",
    "stats",
    "errors",
    "refs 09PARIS1007",
    "diff 09PARIS1007",
    "graph tag:PREL",
    "export tag:PREL -o {out}.jsonl",
    "plot timeline -o {out}.png",
    "user list",
    "declass",
    "audit",
    "serve --port 0",
]
BAD_DBS = [("{missing}.db", 2), ("{dir}", 2), ("{ro}.db", 2), ("{junk}", 2)]
OUTPUTS = [
    *[
        (f"{command} -o {path}", status)
        for command, extension in [
            ("export tag:PREL --db {db} --format jsonl", "jsonl"),
            ("export tag:PREL --db {db} --format csv", "csv"),
            ("export tag:PREL --db {db} --format parquet", "parquet"),
            ("graph tag:PREL --db {db} --format gexf", "gexf"),
            ("graph tag:PREL --db {db} --format graphml", "graphml"),
            ("graph tag:PREL --db {db} --format csv", "csv"),
            ("compose {draft}", "txt"),
            ("render " + CABLE, "txt"),
        ]
        for path, status in [
            ("{missing}." + extension, 2),
            ("{dir}", 2),
            ("{ro}." + extension, 2),
            ("{junk}", 0),  # an existing file is replaced, whole
            ("{out}.xyz", 0),  # the format is the option's, not the extension's
        ]
    ],
    ("plot timeline tag:PREL --db {db} -o {missing}.png", 2),
    ("plot timeline tag:PREL --db {db} -o {dir}", 2),
    ("plot timeline tag:PREL --db {db} -o {ro}.png", 2),
    ("plot timeline tag:PREL --db {db} -o {junk}.png", 0),
    ("plot timeline tag:PREL --db {db} -o {out}.xyz", 2),
    ("plot origins --db {db} -o {out}.PNG", 0),
    ("draft new {missing}.yaml", 2),
    ("draft new {dir}", 2),
    ("draft new {ro}.yaml", 2),
    ("draft new {junk}", 5),  # refused without --force
    ("draft new {junk} --force", 0),
    ("draft new {out}.xyz", 0),
]
TABLE = [
    *INPUTS,
    *DB_WRITERS,
    *[(f"{command} --db {db}", status) for command in DB_READERS for db, status in BAD_DBS],
    ("search tag:PREL --db {archive_xyz}", 0),
    *OUTPUTS,
]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory, sample_archive_file: Path) -> dict[str, str]:
    root = tmp_path_factory.mktemp("paths")
    (root / "empty").mkdir()
    shutil.copy(sample_archive_file, root / "archive.xyz")
    draft = root / "draft.yaml"
    assert CliRunner().invoke(cli, ["draft", "new", str(draft)]).exit_code == 0
    return {
        "db": str(sample_archive_file),
        "missing": str(root / "no" / "such" / "x"),
        "dir": str(root / "empty"),
        "ro": READ_ONLY,
        "draft": str(draft),
        "archive_xyz": str(root / "archive.xyz"),
        "root": str(root),
    }


@pytest.mark.parametrize(("command", "status"), TABLE, ids=[c for c, _ in TABLE])
def test_no_traceback_for_any_path(
    command: str, status: int, places: dict[str, str], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.xyz"
    junk.write_text("no cable, archive or draft in here\n")
    args = [part.format(**places, junk=junk, out=tmp_path / "out") for part in command.split(" ")]
    result = CliRunner().invoke(cli, args)
    told = result.output + result.stderr
    assert "Traceback" not in told
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == status, told
    if status:
        last = (result.stderr or result.stdout).strip().splitlines()[-1]
        assert last.startswith("Error: ") or last.endswith("failed (see `cablekit errors`)")
    assert not [p.name for p in tmp_path.iterdir() if ".part" in p.name]  # none left behind
    assert not any(Path(places["dir"]).iterdir())
    if status == 0 and "{junk}" in command and "-o" in command and "plot" not in command:
        assert b"no cable, archive or draft" not in junk.read_bytes()  # replaced, whole
