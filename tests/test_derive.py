"""Migrations change tables; rows derived from the records are derived by today's code."""

from __future__ import annotations

import ast
import shutil
import sqlite3
from pathlib import Path

from cablekit.archive import Archive
from cablekit.store import schema

DERIVED = {
    "version": "cable_key, number, level, need, rel, declass, hhash",
    "cable": "key, level, need, rel, declass, hhash, rv",
    "unit": "rowid, level, need, rel, hash, exempt",
    "guard": "rowid, cable_key, number, level, need, rel, declass, rv, hash",
    "review_unit": "hash, review",
}


def test_no_migration_calls_todays_code() -> None:
    """schema.py imports nothing of cablekit: a migration cannot call the parser, the
    marking grammar or the policy as they will be when an old archive is opened."""
    tree = ast.parse(Path(schema.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0 and not (node.module or "").startswith("cablekit"), node.module
        if isinstance(node, ast.Import):
            assert not any(alias.name.startswith("cablekit") for alias in node.names)


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        return {
            table: db.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2").fetchall()
            for table, columns in DERIVED.items()
        }


def test_stale_rows_are_derived_again_on_opening(sample_archive_file: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    shutil.copy(sample_archive_file, fresh)
    with Archive(fresh, user="ana") as archive:
        archive.admin.add_user("ana", clearance="SECRET", citizenship="USA", admin=True)
        archive.admin.review("09CAIRO746", release=True, reason="r", reviewer="ana", paragraph=2)
        archive.admin.review("09OTTAWA278", release=False, reason="w", reviewer="ana")
    old = tmp_path / "old.db"
    shutil.copy(fresh, old)
    with sqlite3.connect(old) as db:  # as a migration leaves an older archive
        db.execute("UPDATE version SET level = NULL, need = NULL, rel = NULL, hhash = NULL")
        db.execute("UPDATE cable SET level = 0, need = 0, rel = NULL, hhash = NULL")
        db.execute("UPDATE unit SET level = 0, need = 0, rel = NULL, hash = NULL, exempt = 0")
        db.execute("DELETE FROM guard")
        db.execute("DELETE FROM review_unit")
        schema.stale(db, "test")
    assert dump(old) != dump(fresh)
    with Archive(old):  # opening derives them again
        pass
    assert dump(old) == dump(fresh)
    with sqlite3.connect(old) as db:
        assert db.execute("SELECT count(*) FROM stale_derivation").fetchone() == (0,)
