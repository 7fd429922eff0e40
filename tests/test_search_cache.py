"""What search keeps between queries (``search/cache.py``) is never used once the
archive has changed: not after a commit by another connection, not after a write by
the same connection (committed or rolled back), and not for another reader or day."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from cablekit.access import principals
from cablekit.access.review import record
from cablekit.archive import Archive
from cablekit.search.cache import stamp

REFERENCE = "09OTTAWA278"
BEFORE_DECL = date(2015, 6, 1)  # 09OTTAWA278 (CONFIDENTIAL) declassifies on 2019-04-07
FIRST_PREL = (
    "DELETE FROM tag WHERE code = 'PREL'"
    " AND cable_key = (SELECT min(cable_key) FROM tag WHERE code = 'PREL')"
)


@pytest.fixture()
def path(sample_archive_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.db"
    shutil.copy(sample_archive_file, copy)
    return copy


def tag_count(archive: Archive, tag: str) -> int:
    result = archive.search("embassy OR tag:PREL", facets=True)
    return next((v.count for v in result.facets["tag_subject"] if v.value == tag), 0)


def test_a_commit_by_another_connection_is_seen(path: Path) -> None:
    with Archive(path) as reader, Archive(path) as writer:
        before = tag_count(reader, "PREL")
        total = reader.search("tag:PREL", facets=True).total
        writer.store.db.execute(FIRST_PREL)
        assert reader.search("tag:PREL", facets=True).total == total - 1
        assert tag_count(reader, "PREL") <= before


def test_a_write_by_the_same_connection_is_seen_even_rolled_back(path: Path) -> None:
    with Archive(path) as archive:
        db = archive.store.db
        total = archive.search("tag:PREL", facets=True).total
        first = stamp(archive.store)
        db.execute("BEGIN")
        db.execute(FIRST_PREL)
        db.execute("ROLLBACK")
        assert stamp(archive.store) != first  # never back to a state it knew
        assert archive.search("tag:PREL", facets=True).total == total
        db.execute(FIRST_PREL)
        assert archive.search("tag:PREL", facets=True).total == total - 1


def test_audit_writes_keep_the_caches(path: Path) -> None:
    with Archive(path) as archive:
        principals.add(archive.store, "ana", clearance="TOP SECRET", citizenship="USA")
        principals.grant(archive.store, "ana", collections=["*"])
    with Archive(path, user="ana", today=BEFORE_DECL) as archive:
        archive.search("embassy", facets=True)
        held = stamp(archive.store)
        archive.search("embassy", facets=True)  # written to the audit log
        assert stamp(archive.store) == held


def test_a_review_by_the_same_connection_changes_what_a_reader_finds(path: Path) -> None:
    with Archive(path) as archive:
        principals.add(archive.store, "intern", clearance="UNCLASSIFIED", citizenship="USA")
        principals.grant(archive.store, "intern", collections=["*"])
    with Archive(path, user="intern", today=BEFORE_DECL) as archive:
        assert archive.search(f"id:{REFERENCE}", facets=True).total == 0
        record(
            archive.store,
            REFERENCE,
            release=True,
            reason="test",
            reviewer="rev",
            day=date(2014, 1, 1),
        )
        assert archive.search(f"id:{REFERENCE}", facets=True).total == 1
        assert archive.search('"polar prism"').total == 1


def test_each_reader_and_day_has_its_own_view(path: Path) -> None:
    with Archive(path) as archive:
        for name, clearance in (("intern", "UNCLASSIFIED"), ("officer", "CONFIDENTIAL")):
            principals.add(archive.store, name, clearance=clearance, citizenship="USA")
            principals.grant(archive.store, name, collections=["*"])
        store = archive.store
        seen = {}
        for user, day in (
            ("intern", BEFORE_DECL),
            ("officer", BEFORE_DECL),
            ("intern", date(2020, 1, 1)),
        ):
            reader = Archive(path, user=user, today=day, store=store)
            seen[user, day] = reader.search(f"id:{REFERENCE}").total
    assert seen == {
        ("intern", BEFORE_DECL): 0,
        ("officer", BEFORE_DECL): 1,
        ("intern", date(2020, 1, 1)): 1,
    }


def test_a_connection_that_may_not_write_keeps_nothing(path: Path) -> None:
    with Archive(path) as archive:
        archive.store.db.execute("PRAGMA query_only = 1")  # no temporary triggers
        assert stamp(archive.store) != stamp(archive.store)
        assert archive.search("tag:PREL", facets=True).total > 0
