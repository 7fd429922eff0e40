"""Export every cable a query matches, as JSON Lines, CSV or Parquet, in flat memory.

The matching keys are put in order once, in a temporary table inside one read
snapshot; records are then read CHUNK keys at a time (keyset paging on the
position), written, and dropped. Nothing ever holds the whole result.

Every record comes from :func:`visible_records`: the one place that decides what
of a cable a reader in a :class:`Scope` may take away.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, Literal

from ..errors import UnknownCable
from ..store.sqlite import SQLiteStore
from .query import Node
from .sql import PUBLIC, Scope, compile_query

ExportFormat = Literal["jsonl", "csv", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv", "parquet")
ExportSort = Literal["key", "oldest", "newest"]
EXPORT_SORTS: tuple[ExportSort, ...] = ("key", "oldest", "newest")
Output = str | os.PathLike[str] | IO[bytes]
Progress = Callable[[int], None]
Record = dict[str, Any]

CHUNK = 1_000  # records read at a time
ROW_GROUP = 10_000  # Parquet rows per row group
BUFFER = 1 << 20  # bytes: large writes, few system calls
# One row per cable; list values are joined with LIST_SEPARATOR in CSV (tags and
# caveats may hold spaces), reference ids with a space.
COLUMNS = (
    "id",
    "date",
    "dtg",
    "origin",
    "classification",
    "caveats",
    "tags",
    "subject",
    "references",
    "paragraphs",
    "text",
)
LIST_COLUMNS = ("caveats", "tags", "references")
LIST_SEPARATOR = " | "
_ORDER = {
    "key": "k.key",
    "oldest": "coalesce(c.date, ''), k.key",
    "newest": "coalesce(c.date, '') DESC, k.key",
}


# --- what a reader may take away -------------------------------------------------


def visible_records(
    store: SQLiteStore, keys: Sequence[int], scope: Scope = PUBLIC
) -> Iterator[tuple[int, bytes]]:
    """(key, record) of each cable of ``keys`` visible in ``scope``, in the order given.

    A record is the UTF-8 JSON of ``Cable.to_json()`` of the current version, as a
    reader in ``scope`` may see it. Today that is the stored record unchanged; the
    paragraph-level access rules will replace withheld paragraphs here, and only here.
    """
    if not keys:
        return
    marks = ",".join("?" * len(keys))
    rows = store.query(
        "SELECT c.key, v.record FROM cable c JOIN version v"
        " ON v.cable_key = c.key AND v.number = c.version"
        f" WHERE c.key IN ({marks}) AND {scope.cables}",
        [*keys, *scope.cable_params],
    )
    blobs: dict[int, bytes] = dict(rows)
    for key in keys:
        blob = blobs.pop(key, None)
        if blob is not None:
            yield key, zlib.decompress(blob)


def visible_record(store: SQLiteStore, key: int, scope: Scope = PUBLIC) -> Record:
    """The record of one cable as a reader in ``scope`` may see it."""
    for _, record in visible_records(store, [key], scope):
        return dict(json.loads(record))
    raise UnknownCable(f"There is no cable with key {key} in the archive")


# --- export ----------------------------------------------------------------------


def export(
    store: SQLiteStore,
    node: Node | None,
    scope: Scope = PUBLIC,
    format: ExportFormat = "jsonl",
    out: Output = "-",
    sort: ExportSort = "key",
    progress: Progress | None = None,
) -> int:
    """Write every visible cable matching ``node`` (all when None) to ``out`` (a path,
    or a binary stream left open); the number of cables written."""
    writers = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}
    if format not in writers:
        raise ValueError(f"unknown export format {format!r}; use one of {', '.join(writers)}")
    if sort not in _ORDER:
        raise ValueError(f"unknown export order {sort!r}; use one of {', '.join(_ORDER)}")
    with store.snapshot(), _ordered_keys(store, node, scope, sort) as table:
        records = _records(store, table, scope, progress)
        return writers[format](records, out)


@contextmanager
def _ordered_keys(
    store: SQLiteStore, node: Node | None, scope: Scope, sort: ExportSort
) -> Iterator[str]:
    """A temporary table (pos, key) of the matching keys, numbered in export order."""
    if node is None:
        keys, params = (
            f"SELECT c.key AS key FROM cable c WHERE {scope.cables}",
            [*scope.cable_params],
        )
    else:
        compiled = compile_query(node, scope)
        keys, params = compiled.sql, compiled.params
    store.query("CREATE TEMP TABLE IF NOT EXISTS export_keys (pos INTEGER PRIMARY KEY, key INT)")
    store.query("DELETE FROM temp.export_keys")
    try:
        store.query(
            f"INSERT INTO temp.export_keys (key) SELECT k.key FROM ({keys}) k"
            f" JOIN cable c ON c.key = k.key ORDER BY {_ORDER[sort]}",
            params,
        )
        yield "temp.export_keys"
    finally:
        store.query("DELETE FROM temp.export_keys")


def _records(
    store: SQLiteStore, table: str, scope: Scope, progress: Progress | None
) -> Iterator[bytes]:
    """The records of the keys in ``table``, in order, CHUNK at a time."""
    last = 0
    while True:
        rows = store.query(
            f"SELECT pos, key FROM {table} WHERE pos > ? ORDER BY pos LIMIT ?",
            [
                last,
                CHUNK,
            ],
        )
        if not rows:
            return
        last = rows[-1][0]
        for _, record in visible_records(store, [key for _, key in rows], scope):
            yield record
        if progress:
            progress(len(rows))


# --- outputs ---------------------------------------------------------------------


@contextmanager
def binary_output(out: Output) -> Iterator[IO[bytes]]:
    """A binary stream to write to: a file at a path (closed after), or ``out`` itself."""
    if isinstance(out, str | os.PathLike):
        with open(out, "wb", buffering=BUFFER) as stream:
            yield stream
    else:
        yield out
        out.flush()


@contextmanager
def text_output(out: Output) -> Iterator[IO[str]]:
    """A UTF-8 text stream over :func:`binary_output` (a given stream is left open)."""
    with binary_output(out) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        try:
            yield text
        finally:
            text.flush()
            text.detach()


def _jsonl(records: Iterable[bytes], out: Output) -> int:
    count = 0
    with binary_output(out) as stream:
        for record in records:
            stream.write(record + b"\n")
            count += 1
    return count


def row(record: Record) -> dict[str, Any]:
    """The flat row of a record (COLUMNS); list columns as lists."""
    paragraphs = record.get("paragraphs") or []
    ids = (r.get("id") for r in record.get("references") or [])
    return {
        "id": record.get("id"),
        "date": record.get("date"),
        "dtg": record.get("dtg"),
        "origin": record.get("post"),
        "classification": record.get("classification"),
        "caveats": list(record.get("caveats") or []),
        "tags": list(record.get("tags") or []),
        "subject": record.get("subject"),
        "references": list(dict.fromkeys(i for i in ids if i)),
        "paragraphs": len(paragraphs),
        "text": "\n\n".join(_paragraph_text(p) for p in paragraphs),
    }


def _paragraph_text(paragraph: Record) -> str:
    heading = paragraph.get("heading")
    return f"{heading}\n{paragraph['text']}" if heading else str(paragraph["text"])


def _csv(records: Iterable[bytes], out: Output) -> int:
    count = 0
    with text_output(out) as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        for record in records:
            values = row(json.loads(record))
            values["references"] = " ".join(values["references"])
            for name in ("caveats", "tags"):
                values[name] = LIST_SEPARATOR.join(values[name])
            writer.writerow(["" if v is None else v for v in values.values()])
            count += 1
    return count


def _parquet(records: Iterable[bytes], out: Output) -> int:
    # pyarrow is imported here: only this format needs it, and it is slow to load.
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            pa.field(name, pa.list_(pa.string()) if name in LIST_COLUMNS else pa.string())
            for name in COLUMNS
            if name != "paragraphs"
        ]
    ).insert(9, pa.field("paragraphs", pa.int32()))
    count = 0
    with binary_output(out) as stream, pq.ParquetWriter(stream, schema, compression="zstd") as w:
        columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        for record in records:
            for name, value in row(json.loads(record)).items():
                columns[name].append(value)
            count += 1
            if count % ROW_GROUP == 0:
                _write_group(w, columns, schema)
        if columns["id"] or count == 0:
            _write_group(w, columns, schema)
    return count


def _write_group(writer: Any, columns: dict[str, list[Any]], schema: Any) -> None:
    import pyarrow as pa

    writer.write_table(pa.Table.from_pydict(columns, schema=schema), row_group_size=ROW_GROUP)
    for values in columns.values():
        values.clear()
