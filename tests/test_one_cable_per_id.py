"""A cable id names one cable (issue 16, part 2).

WikiLeaks published three corpus cables twice, once under a garbled id. The second
publication is a version of the cable (its text differs: one section of it), the garbled
id an alias that ``id:`` finds; ingest in either order gives the same archive; and an
archive made when such copies were kept apart as cables of their own is merged by
migration ``0008_one_cable_per_id`` into the same archive.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from cablekit.archive import Archive
from cablekit.store.schema import MIGRATIONS

from .conftest import DATA

PAGES = DATA / "corpus" / "cablegate-2011-04" / "cable"
TWINS = {
    "08SAOPAULO335": ("2008/06", "08SCTION02OF02SAOPAULO335"),
    "08MANAMA492": ("2008/07", "08ECTION01OF02MANAMA492"),
    "09TRIPOLI583": ("2009/07", "09SECTION02OF03QRIPOLI583"),
}

pytestmark = pytest.mark.skipif(not PAGES.is_dir(), reason=f"no corpus pages at {PAGES}")


def pages(garbled_first: bool) -> list[str]:
    paths = []
    for cable_id, (month, garbled) in TWINS.items():
        pair = [PAGES / month / f"{cable_id}.html", PAGES / month / f"{garbled}.html"]
        paths.extend(str(p) for p in (pair[::-1] if garbled_first else pair))
    return paths


def build(path: Path, inputs: list[str]) -> Path:
    with Archive(path, create=True) as archive:
        archive.ingest(inputs, release="2011-04")
    return path


def export_hash(path: Path) -> str:
    """The hash of the archive's export file as written (oldest first, then by id:
    not in the order the cables arrived)."""
    out = path.with_suffix(".jsonl")
    with Archive(path) as archive:
        archive.export(None, "jsonl", out)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def test_a_garbled_publication_is_a_version_of_its_cable(tmp_path: Path) -> None:
    path = build(tmp_path / "a.db", pages(garbled_first=False))
    with Archive(path) as archive:
        assert archive.stats().cables == 3
        for cable_id, (_, garbled) in TWINS.items():
            versions = archive.versions(cable_id)
            assert len(versions) == 2
            current = next(v for v in versions if v.current)
            # The publication under the cable's own id is current, not the section.
            assert current.source["path"].endswith(f"{cable_id}.html")
            assert archive.get(cable_id).cable.id == cable_id
            hits = archive.search(f"id:{garbled}")
            assert [hit.id for hit in hits.results] == [cable_id]


def test_ingest_in_either_order_gives_the_same_archive(tmp_path: Path) -> None:
    one = build(tmp_path / "one.db", pages(garbled_first=False))
    two = build(tmp_path / "two.db", pages(garbled_first=True))
    assert export_hash(one) == export_hash(two)


def legacy(path: Path) -> None:
    """``path`` as a cablekit before 0008 left it: each garbled publication a cable of
    its own, archived under the garbled id, with its searchable rows."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for alias_id, key, number in db.execute("SELECT id, cable_key, number FROM alias").fetchall():
        (new,) = db.execute("SELECT max(key) + 1 FROM cable").fetchone()
        db.execute(
            "INSERT INTO cable SELECT ?, ?, 1, date, year, dtg, origin, from_name, from_ri,"
            " classification, level, precedence, subject, caveats, tags, sections, partial,"
            " paragraphs, warnings, need, rel, declass, rv, hhash FROM cable WHERE key = ?",
            (new, alias_id, key),
        )
        db.execute(
            "UPDATE version SET cable_key = ?, number = 1 WHERE cable_key = ? AND number = ?",
            (new, key, number),
        )
        db.execute(
            "UPDATE version_collection SET cable_key = ?, number = 1"
            " WHERE cable_key = ? AND number = ?",
            (new, key, number),
        )
        db.execute("INSERT INTO tag SELECT ?, code, kind FROM tag WHERE cable_key = ?", (new, key))
    db.execute("DROP TABLE alias")
    db.execute("ALTER TABLE version DROP COLUMN canonical")
    db.execute("DELETE FROM migrations WHERE name = '0008_one_cable_per_id'")
    db.execute("COMMIT")
    db.close()


def test_the_migration_merges_cables_kept_apart(tmp_path: Path) -> None:
    assert MIGRATIONS[7][0] == "0008_one_cable_per_id"
    fresh = build(tmp_path / "fresh.db", pages(garbled_first=False))
    old = build(tmp_path / "old.db", pages(garbled_first=False))
    legacy(old)
    with sqlite3.connect(old) as db:
        assert db.execute("SELECT count(*) FROM cable").fetchone()[0] == 6
    assert export_hash(old) == export_hash(fresh)  # opening it migrates it
    with sqlite3.connect(old) as db:
        assert db.execute("SELECT count(*) FROM cable").fetchone()[0] == 3
        assert db.execute("SELECT count(*) FROM tag WHERE cable_key > 3").fetchone()[0] == 0
        aliases = {a for (a,) in db.execute("SELECT id FROM alias")}
    assert aliases == {garbled for _, garbled in TWINS.values()}
    with Archive(old) as archive:
        for cable_id, (_, garbled) in TWINS.items():
            assert [h.id for h in archive.search(f"id:{garbled}").results] == [cable_id]
            assert len(archive.versions(cable_id)) == 2
