"""The archive's store and ingest: idempotence, versions, failures, crash safety, errors."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cablekit.archive import Archive
from cablekit.errors import ArchiveUnwritable, MissingArchive, NotAnArchive, UnknownCable
from cablekit.model import compact_json
from cablekit.sources import iter_inputs
from cablekit.store import ingest as ingest_module
from cablekit.store.schema import FTS_HASH_BYTES
from cablekit.store.sqlite import BatchReport

from .conftest import REFERENCE_CABLE, SAMPLE_VERSIONS, sample_inputs


def snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything the archive holds, apart from when things were seen or ingested."""
    db = sqlite3.connect(path)
    try:
        assert db.execute("INSERT INTO unit_fts(unit_fts) VALUES ('integrity-check')")
        tables = {
            "cable": "SELECT id, version, date, origin, classification, subject, tags FROM cable",
            "version": "SELECT c.id, v.number, v.content_hash, v.release, v.released, v.record"
            " FROM version v JOIN cable c ON c.key = v.cable_key",
            "unit": "SELECT c.id, u.seq, u.number, u.marking, u.level, u.body FROM unit u"
            " JOIN cable c ON c.key = u.cable_key",
            "addressee": "SELECT c.id, a.role, a.position, a.name FROM addressee a"
            " JOIN cable c ON c.key = a.cable_key",
            "tag": "SELECT c.id, t.code, t.kind FROM tag t JOIN cable c ON c.key = t.cable_key",
            "reference": "SELECT c.id, r.position, r.target FROM reference r"
            " JOIN cable c ON c.key = r.cable_key",
            "failure": "SELECT place, message FROM failure",
            "fts": "SELECT count(*) FROM unit_fts WHERE unit_fts MATCH 'embassy'",
        }
        return {name: sorted(db.execute(sql).fetchall()) for name, sql in tables.items()}
    finally:
        db.close()


def test_ingest_counts_and_idempotence(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path, create=True) as archive:
        first = archive.ingest(sample_inputs(), release="2011-04")
    assert (first.ingested, first.new_versions, first.failed) == (202, 0, 0)
    before = snapshot(path)
    with Archive(path) as archive:
        again = archive.ingest(sample_inputs(), release="2011-04")
    assert (again.ingested, again.unchanged, again.new_versions) == (0, 202, 0)
    assert snapshot(path) == before
    assert len(before["cable"]) == 202


def test_versions_are_kept_and_the_newest_is_current(sample_archive: Archive) -> None:
    changed = {
        row[0]
        for row in sample_archive.store.query(
            "SELECT c.id FROM cable c JOIN version v ON v.cable_key = c.key WHERE v.number > 1"
        )
    }
    assert len(changed) == 5
    for cable_id in changed:
        versions = sample_archive.versions(cable_id)
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        current = [v for v in versions if v.current]
        assert len(current) == 1
        # The April 2011 page is the newest release of each of these cables.
        assert current[0].release == "2011-04"
        assert current[0].released == max(v.released or "" for v in versions)
        texts = {sample_archive.get(cable_id, v.number).text for v in versions}
        assert len(texts) == len(versions)


def test_an_older_release_ingested_later_does_not_become_current(tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    with Archive(path, create=True) as archive:
        archive.ingest(sample_inputs(), release="2011-04")
        report = archive.ingest([str(SAMPLE_VERSIONS)], release="2010-12")
        assert report.new_versions == 6
        for (cable_id,) in archive.store.query(
            "SELECT DISTINCT c.id FROM cable c JOIN version v ON v.cable_key = c.key"
            " WHERE v.number > 1"
        ):
            versions = archive.versions(cable_id)
            current = next(v for v in versions if v.current)
            newest = max(v.released or "" for v in versions)
            # The latest release date wins; two copies with the same date (WikiLeaks
            # edited some cables without changing it) are told apart by release label,
            # not by which came last.
            assert current.released == newest
            assert current.release == "2011-04"
            # The searchable tables follow the current version.
            (subject,) = archive.store.query("SELECT subject FROM cable WHERE id = ?", (cable_id,))[
                0
            ]
            assert subject == archive.get(cable_id).cable.subject


def test_failures_are_kept_once_and_listed(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("Nothing here is a cable at all.\n")
    path = tmp_path / "f.db"
    with Archive(path, create=True) as archive:
        report = archive.ingest([str(junk), str(REFERENCE_CABLE)])
        assert (report.ingested, report.failed) == (1, 1)
        archive.ingest([str(junk)])
        failures = archive.admin.failures()
    assert len(failures) == 1
    assert failures[0].place.endswith("junk.txt")
    assert "no cable" in failures[0].message


def build(path: Path, jobs: int) -> list[BatchReport]:
    """The sample archive (older versions first), read and parsed by ``jobs`` workers."""
    with Archive(path, create=True) as archive:
        return [
            archive.ingest([str(SAMPLE_VERSIONS)], release="older", jobs=jobs),
            archive.ingest(sample_inputs(), release="2011-04", jobs=jobs),
            archive.ingest([str(SAMPLE_VERSIONS), *sample_inputs()], release="again", jobs=jobs),
        ]


def test_parallel_ingest_makes_the_same_archive(tmp_path: Path) -> None:
    # Two workers: another process reads and parses while this one writes.
    assert build(tmp_path / "two.db", 2) == build(tmp_path / "one.db", 1)
    assert snapshot(tmp_path / "two.db") == snapshot(tmp_path / "one.db")
    assert not multiprocessing.active_children()


def test_an_error_while_reading_reaches_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def breaks(paths: list[str], format: str | None = None) -> Iterator[object]:
        yield from itertools.islice(iter_inputs(paths, format), 3)
        raise OSError(5, "Input/output error")

    # The reading process is forked from this one, and so sees the patch.
    monkeypatch.setattr(ingest_module, "iter_inputs", breaks)
    with Archive(tmp_path / "e.db", create=True) as archive:
        with pytest.raises(OSError, match="Input/output error"):
            archive.ingest(sample_inputs(), jobs=2)
        assert not multiprocessing.active_children()


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_worker_that_fails_stops_the_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    prepare = ingest_module.prepare_packed
    seen = []

    def fails(item: object) -> bytes:
        seen.append(item)
        if len(seen) == 20:
            if how == "dies":
                os._exit(3)  # as if killed: nothing is reported
            raise MemoryError("out of memory")
        return prepare(item)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module, "prepare_packed", fails)
    expected = ChildProcessError if how == "dies" else MemoryError
    with Archive(tmp_path / "w.db", create=True) as archive:
        with pytest.raises(expected):
            archive.ingest(sample_inputs(), jobs=2)
        assert not multiprocessing.active_children()


def test_an_error_while_writing_stops_the_readers(tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def progress(done: int) -> None:
        raise Stop

    with Archive(tmp_path / "s.db", create=True) as archive:
        with pytest.raises(Stop):
            archive.ingest(sample_inputs(), jobs=2, progress=progress)
        assert not multiprocessing.active_children()
        # The batch written before the error stays; the next run adds the rest.
        (written,) = archive.store.query("SELECT count(*) FROM cable")[0]
        assert written > 0
        assert archive.ingest(sample_inputs(), jobs=2).ingested == 202 - written


def test_missing_archive_and_not_an_archive(tmp_path: Path) -> None:
    with pytest.raises(MissingArchive, match="There is no archive at"):
        Archive(tmp_path / "none.db")
    text = tmp_path / "notes.db"
    text.write_text("just some notes\n" * 100)
    with pytest.raises(NotAnArchive, match="is not a cablekit archive"):
        Archive(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(NotAnArchive, match="SQLite file but not a cablekit archive"):
        Archive(other)
    assert other.stat().st_size > 0 and text.read_text().startswith("just some notes")


def test_unwritable_location(tmp_path: Path) -> None:
    with pytest.raises(ArchiveUnwritable, match="Cannot write the archive"):
        Archive(tmp_path / "no" / "such" / "dir" / "a.db", create=True)


def test_unknown_cable_and_version(sample_archive: Archive) -> None:
    with pytest.raises(UnknownCable, match="There is no cable 99NOWHERE1"):
        sample_archive.get("99NOWHERE1")
    with pytest.raises(UnknownCable, match="has no version 7"):
        sample_archive.get("09OTTAWA278", 7)


def test_reference_cable_is_stored_whole(sample_archive: Archive) -> None:
    stored = sample_archive.get("09ottawa278")
    assert stored.cable.id == "09OTTAWA278"
    assert len(stored.cable.paragraphs) == 12
    assert "THROUGH A POLAR PRISM" in stored.text
    units = sample_archive.store.query(
        "SELECT u.seq, u.marking, u.level FROM unit u JOIN cable c ON c.key = u.cable_key"
        " WHERE c.id = '09OTTAWA278' ORDER BY u.seq"
    )
    # The subject (seq 0, the cable's level) and 12 paragraphs marked C/NF.
    assert units[0] == (0, None, 3)
    assert units[1:] == [(n, "C/NF", 3) for n in range(1, 13)]


INGEST_SCRIPT = """
import sys
from cablekit.archive import Archive
with Archive(sys.argv[1], create=True) as archive:
    archive.ingest(sys.argv[3:], release="2011-04", jobs=int(sys.argv[2]))
"""


def run_ingest(path: Path, kill_after: float | None, jobs: int = 1) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(path), str(jobs), *sample_inputs()],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if kill_after is None:
        assert process.wait(timeout=300) == 0
        return
    time.sleep(kill_after)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    # Its reading and parsing processes notice and end too (a generous bound, for a
    # loaded machine: they stop at their next result).
    deadline = time.monotonic() + 60
    while survivors(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not survivors(path)


def survivors(path: Path) -> list[int]:
    """Processes still running with ``path`` on their command line (Linux; [] elsewhere)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if str(path).encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile
            continue
    return found


@pytest.mark.parametrize("jobs", [1, 2])
def test_killed_ingests_end_in_the_same_archive(tmp_path: Path, jobs: int) -> None:
    clean = tmp_path / "clean.db"
    run_ingest(clean, None)
    interrupted = tmp_path / "killed.db"
    rng = random.Random(20261129)
    for _ in range(5):
        run_ingest(interrupted, rng.uniform(0.3, 2.5), jobs)
    run_ingest(interrupted, None, jobs)
    assert snapshot(interrupted) == snapshot(clean)


def test_readers_search_while_an_ingest_writes(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    with Archive(path, create=True) as archive:
        archive.ingest([str(REFERENCE_CABLE)])
    process = subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(path), "1", *sample_inputs()],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    totals = []
    with Archive(path) as reader:
        while process.poll() is None:
            totals.append(reader.search("to:SECSTATE OR embassy", facets=True).total)
            time.sleep(0.05)
        totals.append(reader.search("to:SECSTATE OR embassy", facets=True).total)
    assert process.returncode == 0
    # Each search saw one consistent state; the counts only grow, up to the whole.
    assert totals == sorted(totals) and len(totals) > 1
    assert totals[-1] > totals[0]


def test_the_index_writes_a_batch_as_one_segment(tmp_path: Path) -> None:
    """The full-text index keeps a whole batch's terms in memory (SQLite's 1 MiB wrote a
    batch as a dozen small segments, merged again and again): a new archive has the
    setting, and an archive made before it gets it when opened."""
    path = tmp_path / "a.db"
    with Archive(path, create=True) as archive:
        archive.ingest(sample_inputs(), release="2011-04")

    def settings() -> dict[str, int]:
        with sqlite3.connect(path) as db:
            return dict(db.execute("SELECT k, v FROM unit_fts_config WHERE k != 'version'"))

    wanted = {"hashsize": FTS_HASH_BYTES}
    assert settings() == wanted
    with sqlite3.connect(path) as db:  # as an archive of the migration before
        db.execute("DELETE FROM unit_fts_config WHERE k != 'version'")
        db.execute("DELETE FROM migrations WHERE name = '0012_index_memory'")
    assert settings() == {}
    with Archive(path) as archive:
        assert archive.search("embassy").total > 0
    assert settings() == wanted


ANY_TEXT = st.text(st.characters(exclude_categories=()))  # surrogates too
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(JSON_VALUES, st.booleans())
def test_records_are_written_as_json_writes_them(data: object, sort_keys: bool) -> None:
    """Records (and the header JSON whose hash names review decisions) are written by
    orjson: byte for byte what ``json`` writes, for any text (controls, line separators,
    astral characters, lone surrogates) and integers past 64 bits."""
    try:
        expected: bytes | type[Exception] = json.dumps(
            data, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys
        ).encode("utf-8")
    except UnicodeEncodeError as error:
        expected = type(error)
    try:
        written: bytes | type[Exception] = compact_json(data, sort_keys)
    except UnicodeEncodeError as error:
        written = type(error)
    assert written == expected
