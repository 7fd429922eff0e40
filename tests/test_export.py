"""Export (search.export): every matching visible cable, whole, in each format.

JSON Lines records must equal the archive's own records; CSV and Parquet rows are
checked against them field by field; chunking and row groups are made small so
that a test crosses their boundaries.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cablekit.errors import UnknownCable
from cablekit.scope import Scope
from cablekit.search import export as export_module
from cablekit.search.export import COLUMNS, LIST_SEPARATOR, export, row, visible_record
from cablekit.search.query import parse_query
from cablekit.search.sql import compile_query
from cablekit.store.ingest import ingest
from cablekit.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "cablekit" / "samples"
SAMPLE_INPUTS = [
    SAMPLES / "09OTTAWA278.scraped.md",
    SAMPLES / "09BEIJING22.html",
    SAMPLES / "09PARIS1007.txt",
    SAMPLES / "archive" / "cables.tar.xz",
    SAMPLES / "archive" / "versions.jsonl.xz",
]
CORPUS = ROOT / ".." / "shared" / "data" / "corpus" / "cablegate-2011-04" / "cable.tar.xz"
CORPUS_PAGES = 400
HIDE_OTTAWA = Scope(cables="c.id <> ?", cable_params=("09OTTAWA278",), name="test")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    archive = SQLiteStore(tmp_path_factory.mktemp("export") / "a.db", create=True)
    ingest(archive, [str(p) for p in SAMPLE_INPUTS])
    with archive:
        yield archive


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_module, "CHUNK", 7)
    monkeypatch.setattr(export_module, "ROW_GROUP", 50)


def ids(store: SQLiteStore, query: str | None = None, scope: Scope | None = None) -> list[str]:
    if query is None:
        return [i for (i,) in store.query("SELECT id FROM cable ORDER BY key")]
    compiled = compile_query(parse_query(query), scope or Scope())
    rows = store.query(
        f"SELECT id FROM cable WHERE key IN ({compiled.sql}) ORDER BY key", compiled.params
    )
    return [i for (i,) in rows]


def jsonl(
    store: SQLiteStore, query: str | None = None, **options: object
) -> list[dict[str, object]]:
    out = io.BytesIO()
    node = parse_query(query) if query else None
    count = export(store, node, format="jsonl", out=out, **options)  # type: ignore[arg-type]
    lines = out.getvalue().decode("utf-8").splitlines()
    assert count == len(lines)
    return [json.loads(line) for line in lines]


def test_jsonl_records_are_the_archives_records(store: SQLiteStore, small_chunks: None) -> None:
    records = jsonl(store)
    assert [r["id"] for r in records] == ids(store)
    for record in records:
        assert record == store.get(str(record["id"])).cable.to_json()


def test_versions_export_the_current_one(store: SQLiteStore) -> None:
    (record,) = jsonl(store, "id:09CAIRO746")
    assert len(store.versions("09CAIRO746")) == 3
    assert record == store.get("09CAIRO746").cable.to_json()


def test_a_query_exports_what_it_matches(store: SQLiteStore, small_chunks: None) -> None:
    assert [r["id"] for r in jsonl(store, "from:OTTAWA")] == ids(store, "from:OTTAWA")
    assert jsonl(store, "zzqqxx") == []


def test_sort_orders(store: SQLiteStore) -> None:
    oldest = [(r["date"] or "") for r in jsonl(store, sort="oldest")]
    newest = [(r["date"] or "") for r in jsonl(store, sort="newest")]
    assert oldest == sorted(oldest) and newest == sorted(newest, reverse=True)
    with pytest.raises(ValueError, match="order"):
        export(store, None, out=io.BytesIO(), sort="random")  # type: ignore[arg-type]


def test_the_scope_is_applied(store: SQLiteStore) -> None:
    exported = [r["id"] for r in jsonl(store, scope=HIDE_OTTAWA)]
    assert "09OTTAWA278" not in exported
    assert len(exported) == len(ids(store)) - 1
    assert [r["id"] for r in jsonl(store, "ottawa", scope=HIDE_OTTAWA)] == ids(
        store, "ottawa", HIDE_OTTAWA
    )


def test_visible_record(store: SQLiteStore) -> None:
    key = store.cable_key("09OTTAWA278")
    assert visible_record(store, key) == store.get("09OTTAWA278").cable.to_json()
    with pytest.raises(UnknownCable):
        visible_record(store, key, HIDE_OTTAWA)


def test_csv_rows(store: SQLiteStore, tmp_path: Path, small_chunks: None) -> None:
    path = tmp_path / "out.csv"
    count = export(store, None, format="csv", out=path)
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert count == len(rows) == len(ids(store))
    assert tuple(rows[0]) == COLUMNS
    by_id = {r["id"]: r for r in rows}
    ottawa = by_id["09OTTAWA278"]
    cable = store.get("09OTTAWA278").cable
    assert ottawa["references"] == "09OTTAWA8 08OTTAWA1140 08OTTAWA1137 09MOSCOW833"
    assert ottawa["tags"] == LIST_SEPARATOR.join(cable.tags)
    assert ottawa["caveats"] == LIST_SEPARATOR.join(cable.caveats)
    assert ottawa["subject"] == cable.subject and ottawa["date"] == cable.date
    assert ottawa["origin"] == cable.post and ottawa["dtg"] == cable.dtg
    assert int(ottawa["paragraphs"]) == len(cable.paragraphs)
    for paragraph in cable.paragraphs:
        assert paragraph.text in ottawa["text"]


def test_parquet(store: SQLiteStore, tmp_path: Path, small_chunks: None) -> None:
    path = tmp_path / "out.parquet"
    count = export(store, None, format="parquet", out=path)
    table = pq.read_table(path)
    assert count == table.num_rows == len(ids(store))
    assert table.column_names == list(COLUMNS)
    assert pq.ParquetFile(path).metadata.num_row_groups == math.ceil(count / 50)
    rows = {r["id"]: r for r in table.to_pylist()}
    for cable_id in ("09OTTAWA278", "09BEIJING22", "08STATE85678"):
        assert rows[cable_id] == row(store.get(cable_id).cable.to_json())
    assert rows["09OTTAWA278"]["references"] == [
        "09OTTAWA8",
        "08OTTAWA1140",
        "08OTTAWA1137",
        "09MOSCOW833",
    ]


def test_an_empty_parquet_export_has_the_schema(store: SQLiteStore) -> None:
    out = io.BytesIO()
    assert export(store, parse_query("zzqqxx"), format="parquet", out=out) == 0
    table = pq.read_table(io.BytesIO(out.getvalue()))
    assert table.num_rows == 0 and table.column_names == list(COLUMNS)


def test_progress_and_open_stream(store: SQLiteStore, small_chunks: None) -> None:
    seen: list[int] = []
    out = io.BytesIO()
    count = export(store, None, format="csv", out=out, progress=seen.append)
    assert not out.closed and sum(seen) == count and max(seen) == 7


class Broken(io.BytesIO):
    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > 10_000:
            raise OSError("disk full")
        return super().write(data)


@pytest.mark.parametrize("format", ["jsonl", "csv", "parquet"])
def test_a_failing_output_leaves_the_store_usable(store: SQLiteStore, format: str) -> None:
    with pytest.raises(OSError, match="disk full"):
        export(store, None, format=format, out=Broken(), sort="newest")  # type: ignore[arg-type]
    assert len(jsonl(store)) == len(ids(store))


def test_arrow_rows_equal_row_of_every_record(store: SQLiteStore, small_chunks: None) -> None:
    out = io.BytesIO()
    export(store, None, format="parquet", out=out)
    table = pq.read_table(io.BytesIO(out.getvalue()))
    assert table.to_pylist() == [row(r) for r in jsonl(store)]


# --- the corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    if not CORPUS.is_file():
        pytest.skip(f"no corpus at {CORPUS}")
    folder = tmp_path_factory.mktemp("corpus")
    with tarfile.open(CORPUS) as tar:
        pages = (m for m in tar if m.isfile() and m.name.endswith(".html"))
        for member in itertools.islice(pages, CORPUS_PAGES):
            tar.extract(member, folder / "pages", filter="data")
    archive = SQLiteStore(folder / "a.db", create=True)
    ingest(archive, [str(folder / "pages")])
    with archive:
        yield archive


@pytest.mark.corpus
def test_corpus_exports_agree(corpus: SQLiteStore, tmp_path: Path) -> None:
    total = len(ids(corpus))
    assert total >= CORPUS_PAGES * 0.9
    records = jsonl(corpus)
    assert len(records) == total
    for record in records[::17]:
        assert record == corpus.get(str(record["id"])).cable.to_json()
    path = tmp_path / "out.parquet"
    assert export(corpus, None, format="parquet", out=path) == total
    table = pq.read_table(path)
    assert table.num_rows == total
    assert table.column("id").to_pylist() == [r["id"] for r in records]
    assert table.column("paragraphs").to_pylist() == [len(r["paragraphs"]) for r in records]  # type: ignore[arg-type]
