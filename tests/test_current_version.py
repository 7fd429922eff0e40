"""Which version of a cable is current depends on the versions, not on arrival.

Two releases of the sample (the older versions as release 2010-12, the April 2011 pages
as 2011-04) ingested one after the other, the other way round, and by two ``cablekit
ingest`` processes at once, make the same current version of every cable, and the
same searchable rows. 06TUNIS55 and 08TRIPOLI574 are the hard cases: WikiLeaks
published two texts of each under one release date.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from .conftest import SAMPLE_CABLES, SAMPLE_VERSIONS

OLDER = ["--release", "2010-12", str(SAMPLE_VERSIONS)]
NEWER = ["--release", "2011-04", str(SAMPLE_CABLES)]
SAME_DAY_EDITS = {"06TUNIS55", "08TRIPOLI574"}


def ingest_command(path: Path, release: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cablekit",
        "ingest",
        "--db",
        str(path),
        "--no-progress",
        *release,
    ]


def ingest_in_turn(path: Path, *releases: list[str]) -> Path:
    for release in releases:
        subprocess.run(ingest_command(path, release), check=True, capture_output=True)
    return path


def ingest_at_once(path: Path, *releases: list[str]) -> Path:
    """Each release by its own process, all started together."""
    running = [
        subprocess.Popen(ingest_command(path, release), stderr=subprocess.PIPE, text=True)
        for release in releases
    ]
    for process in running:
        _, errors = process.communicate()
        assert process.returncode == 0, errors
    return path


def current_versions(path: Path) -> dict[str, tuple[str, str | None, str | None]]:
    """Each cable's current version, by what it is: hash of the text, release date,
    and the subject the searchable row holds."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT c.id, v.content_hash, v.released, c.subject FROM cable c"
            " JOIN version v ON v.cable_key = c.key AND v.number = c.version"
        ).fetchall()
    return {cable_id: (digest, released, subject) for cable_id, digest, released, subject in rows}


def searchable(path: Path) -> set[tuple[str, int, str]]:
    """Every text unit search sees."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT c.id, u.seq, u.body FROM unit u JOIN cable c ON c.key = u.cable_key"
        ).fetchall()
    return set(rows)


def test_the_current_version_does_not_depend_on_the_order_of_ingest(tmp_path: Path) -> None:
    older_first = ingest_in_turn(tmp_path / "older-first.db", OLDER, NEWER)
    newer_first = ingest_in_turn(tmp_path / "newer-first.db", NEWER, OLDER)
    together = ingest_at_once(tmp_path / "together.db", OLDER, NEWER)
    expected = current_versions(older_first)
    assert len(expected) == 199
    assert current_versions(newer_first) == expected
    assert current_versions(together) == expected
    assert searchable(newer_first) == searchable(together) == searchable(older_first)
    # Between two texts of one release date, the one of the later release is current.
    with sqlite3.connect(older_first) as db:
        for cable_id in SAME_DAY_EDITS:
            (release,) = db.execute(
                "SELECT v.release FROM cable c JOIN version v"
                " ON v.cable_key = c.key AND v.number = c.version WHERE c.id = ?",
                (cable_id,),
            ).fetchone()
            assert release == "2011-04"


def test_a_text_met_again_in_a_later_release_counts_under_it(tmp_path: Path) -> None:
    # Both releases hold the April 2011 text; only the older one holds the old text.
    both = [*NEWER[:2], str(SAMPLE_VERSIONS), str(SAMPLE_CABLES)]
    one_way = ingest_in_turn(tmp_path / "a.db", OLDER, both)
    other_way = ingest_in_turn(tmp_path / "b.db", both, OLDER)
    assert current_versions(one_way) == current_versions(other_way)


def test_under_one_label_the_later_place_wins_whatever_the_order_of_the_runs(
    tmp_path: Path,
) -> None:
    # The same release ingested by two commands whose inputs come in opposite orders:
    # each copy keeps the latest place it was met at, so either order of the two
    # commands gives the same current versions.
    forward = ["--release", "2011-04", str(SAMPLE_VERSIONS), str(SAMPLE_CABLES)]
    backward = ["--release", "2011-04", str(SAMPLE_CABLES), str(SAMPLE_VERSIONS)]
    one_way = ingest_in_turn(tmp_path / "a.db", forward, backward)
    other_way = ingest_in_turn(tmp_path / "b.db", backward, forward)
    assert current_versions(one_way) == current_versions(other_way)
