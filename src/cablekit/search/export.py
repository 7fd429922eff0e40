"""Export every cable a query matches, as JSON Lines, CSV or Parquet, in flat memory.

The matching keys are put in order once, in a temporary table inside one read
snapshot; records are then read CHUNK keys at a time (keyset paging on the
position), written, and dropped. Nothing ever holds the whole result.

Every record comes from :func:`visible_records`: the one place that decides what
of a cable a reader in a :class:`Scope` may take away.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, Literal, TypeVar

from ..errors import UnknownCable
from ..scope import PUBLIC, Scope
from ..store.sqlite import SQLiteStore, inflate, load_object
from .query import Node
from .sql import matching_keys

ExportFormat = Literal["jsonl", "csv", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv", "parquet")
ExportSort = Literal["key", "oldest", "newest"]
EXPORT_SORTS: tuple[ExportSort, ...] = ("key", "oldest", "newest")
Output = str | os.PathLike[str] | IO[bytes]
Progress = Callable[[int], None]
Record = dict[str, Any]
T = TypeVar("T")

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
    "mentions",
    "paragraphs",
    "text",
)
LIST_COLUMNS = ("caveats", "tags", "references", "mentions")
ID_COLUMNS = ("references", "mentions")  # lists of cable ids, space-separated in CSV
LIST_SEPARATOR = " | "
_ORDER = {
    "key": "k.key",
    # by date, then id: the same order whatever order the cables arrived in
    "oldest": "coalesce(c.date, ''), c.id, k.key",
    "newest": "coalesce(c.date, '') DESC, c.id, k.key",
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
        "SELECT c.key, c.id, v.record FROM cable c JOIN version v"
        " ON v.cable_key = c.key AND v.number = c.version"
        f" WHERE c.key IN ({marks}) AND {scope.cables}",
        [*keys, *scope.cable_params],
    )
    blobs: dict[int, tuple[str, bytes]] = {key: (cable_id, blob) for key, cable_id, blob in rows}
    for key in keys:
        found = blobs.pop(key, None)
        if found is not None:
            cable_id, blob = found
            record = inflate(blob, store.path, f"the current record of cable {cable_id}")
            yield key, scope.record(key, record) if scope.record else record


def visible_record(store: SQLiteStore, key: int, scope: Scope = PUBLIC) -> Record:
    """The record of one cable as a reader in ``scope`` may see it."""
    for _, record in visible_records(store, [key], scope):
        return load_object(record, store.path, f"the current record of the cable with key {key}")
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
    with (
        store.snapshot(),
        _ordered_keys(store, node, scope, sort) as table,
        # Closed here, on error too: the reading thread must stop before the snapshot ends.
        contextlib.closing(prefetched(_records(store, table, scope, progress))) as chunks,
    ):
        return writers[format](chunks, out)


def ordered_keys(
    store: SQLiteStore, node: Node | None, scope: Scope = PUBLIC, sort: ExportSort = "key"
) -> list[int]:
    """The keys of the visible cables matching ``node``, in export order."""
    keys, params = matching_keys(node, scope)
    rows = store.query(
        f"SELECT k.key FROM ({keys}) k JOIN cable c ON c.key = k.key ORDER BY {_ORDER[sort]}",
        params,
    )
    return [key for (key,) in rows]


def arrow_table(
    store: SQLiteStore, node: Node | None, scope: Scope = PUBLIC, sort: ExportSort = "key"
) -> Any:
    """Every visible cable matching ``node`` as one Arrow table of :func:`row_schema`
    (the rows of a Parquet export), in memory."""
    import pyarrow as pa

    with store.snapshot(), _ordered_keys(store, node, scope, sort) as table:
        tables = list(_tables(_records(store, table, scope, None)))
    return pa.concat_tables(tables) if tables else row_schema().empty_table()


@contextmanager
def _ordered_keys(
    store: SQLiteStore, node: Node | None, scope: Scope, sort: ExportSort
) -> Iterator[str]:
    """A temporary table (pos, key) of the matching keys, numbered in export order."""
    keys, params = matching_keys(node, scope)
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
) -> Iterator[list[bytes]]:
    """The records of the keys in ``table``, in order, a chunk of CHUNK at a time."""
    last = 0
    while True:
        rows = store.query(
            f"SELECT pos, key FROM {table} WHERE pos > ? ORDER BY pos LIMIT ?", [last, CHUNK]
        )
        if not rows:
            return
        last = rows[-1][0]
        yield [record for _, record in visible_records(store, [k for _, k in rows], scope)]
        if progress:
            progress(len(rows))


def prefetched(chunks: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """``chunks`` produced in a thread, at most ``depth`` ahead of their consumer.

    Reading (SQLite, zlib) and writing (Arrow, zstd) both release the GIL, so on two
    cores they overlap. Only the thread touches the store until the end, so its
    connection is never used by two threads at once.
    """
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                ready.put(("chunk", chunk))
            ready.put(("end", None))
        except BaseException as error:  # handed to the consumer, raised there
            ready.put(("error", error))

    thread = threading.Thread(target=produce, name="export-reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = ready.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        thread.join()


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


def _jsonl(chunks: Iterable[list[bytes]], out: Output) -> int:
    count = 0
    with binary_output(out) as stream:
        for chunk in chunks:
            if chunk:
                stream.write(b"\n".join(chunk) + b"\n")
            count += len(chunk)
    return count


def row(record: Record) -> dict[str, Any]:
    """The flat row of a record (COLUMNS); list columns as lists."""
    paragraphs = record.get("paragraphs") or []
    ids = (r.get("id") for r in record.get("references") or [])
    mentioned = (r.get("id") for r in record.get("mentions") or [])
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
        "mentions": list(dict.fromkeys(i for i in mentioned if i)),
        "paragraphs": len(paragraphs),
        "text": "\n\n".join(_paragraph_text(p) for p in paragraphs),
    }


def _paragraph_text(paragraph: Record) -> str:
    heading = paragraph.get("heading")
    return f"{heading}\n{paragraph['text']}" if heading else str(paragraph["text"])


# --- Arrow: records to columns ------------------------------------------------------
#
# The JSON is parsed by Arrow's reader (C++) straight into the few fields a row
# needs, and the columns are computed on whole chunks: several times faster than
# json.loads and row(), which stay the definition these must agree with.


def _json_schema() -> Any:
    import pyarrow as pa

    strings = pa.list_(pa.string())
    return pa.schema(
        [
            *((name, pa.string()) for name in ("id", "date", "dtg", "post", "classification")),
            ("caveats", strings),
            ("tags", strings),
            ("subject", pa.string()),
            ("references", pa.list_(pa.struct([("id", pa.string())]))),
            ("mentions", pa.list_(pa.struct([("id", pa.string())]))),
            ("paragraphs", pa.list_(pa.struct([("heading", pa.string()), ("text", pa.string())]))),
        ]
    )


def row_schema() -> Any:
    """The Arrow schema of the flat rows (COLUMNS), as written to Parquet."""
    import pyarrow as pa

    def kind(name: str) -> Any:
        if name in LIST_COLUMNS:
            return pa.list_(pa.string())
        return pa.int32() if name == "paragraphs" else pa.string()

    return pa.schema([(name, kind(name)) for name in COLUMNS])


def _tables(chunks: Iterable[list[bytes]]) -> Iterator[Any]:
    """Each chunk of records as an Arrow table of :func:`row_schema`."""
    import pyarrow.json as pj

    options = pj.ParseOptions(explicit_schema=_json_schema(), unexpected_field_behavior="ignore")
    for chunk in chunks:
        if not chunk:
            continue
        data = b"\n".join(chunk)
        # One block per chunk: a record must never straddle two blocks.
        read = pj.ReadOptions(block_size=len(data) + 1, use_threads=False)
        yield _flat(pj.read_json(io.BytesIO(data), read_options=read, parse_options=options))


def _flat(parsed: Any) -> Any:
    """Arrow's version of :func:`row`, column by column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    paragraphs = parsed.column("paragraphs").combine_chunks()
    parts = paragraphs.values
    heading, text = parts.field("heading"), parts.field("text")
    bodies = pc.if_else(pc.is_null(heading), text, pc.binary_join_element_wise(heading, text, "\n"))
    joined = pc.binary_join(pa.ListArray.from_arrays(paragraphs.offsets, bodies), "\n\n")
    unique = _unique_ids(parsed, "references")
    columns = {
        "id": parsed.column("id"),
        "date": parsed.column("date"),
        "dtg": parsed.column("dtg"),
        "origin": parsed.column("post"),
        "classification": parsed.column("classification"),
        "caveats": parsed.column("caveats"),
        "tags": parsed.column("tags"),
        "subject": parsed.column("subject"),
        "references": pa.array(unique, pa.list_(pa.string())),
        "mentions": pa.array(_unique_ids(parsed, "mentions"), pa.list_(pa.string())),
        "paragraphs": pc.list_value_length(paragraphs).cast(pa.int32()).fill_null(0),
        "text": joined.fill_null(""),
    }
    return pa.table(columns, schema=row_schema())


def _unique_ids(parsed: Any, name: str) -> list[list[str]]:
    """The cable ids of column ``name`` (a list of references) of each row, once each,
    in order (a record without the field has none)."""
    import pyarrow as pa

    column = parsed.column(name).combine_chunks()
    ids = pa.ListArray.from_arrays(column.offsets, column.values.field("id"))
    return [list(dict.fromkeys(i for i in row_ids or () if i)) for row_ids in ids.to_pylist()]


def _csv(chunks: Iterable[list[bytes]], out: Output) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    schema = pa.schema([(name, pa.string()) for name in COLUMNS])
    # Every value quoted, as OWASP advises (with the ' of _spreadsheet_safe).
    options = pcsv.WriteOptions(quoting_style="all_valid")
    count = 0
    with binary_output(out) as stream, pcsv.CSVWriter(stream, schema, write_options=options) as w:
        for table in _tables(chunks):
            columns = {name: table.column(name) for name in COLUMNS}
            for name in LIST_COLUMNS:
                separator = " " if name in ID_COLUMNS else LIST_SEPARATOR
                columns[name] = pc.binary_join(columns[name], separator)
            columns["paragraphs"] = columns["paragraphs"].cast(pa.string())
            safe = {name: _spreadsheet_safe(column) for name, column in columns.items()}
            w.write_table(pa.table(safe, schema=schema))
            count += table.num_rows
    return count


# --- CSV for spreadsheets ----------------------------------------------------------
#
# A cell whose text starts with one of these is read as a formula by Excel, LibreOffice
# and Google Sheets (=HYPERLINK(...), =cmd|..., @SUM(...)): a cable's text, written by
# anyone, must never run in the reader's spreadsheet. As OWASP advises ("CSV
# Injection"), such a cell gets a leading ', which makes spreadsheets take it as text.
# Only CSV is changed: JSON Lines and Parquet keep the text as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^[=+\-@\t\r]"  # RE2, as Arrow reads it


def spreadsheet_safe(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet takes for a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _spreadsheet_safe(column: Any) -> Any:
    """:func:`spreadsheet_safe` over an Arrow column of strings."""
    import pyarrow.compute as pc

    risky = pc.match_substring_regex(column, _FORMULA_START)
    return pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)


def _parquet(chunks: Iterable[list[bytes]], out: Output) -> int:
    """Row groups of exactly ROW_GROUP rows (the last one smaller)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 0
    with (
        binary_output(out) as stream,
        pq.ParquetWriter(stream, row_schema(), compression="zstd") as w,
    ):
        pending = row_schema().empty_table()
        for table in _tables(chunks):
            count += table.num_rows
            pending = pa.concat_tables([pending, table])
            full = pending.num_rows // ROW_GROUP * ROW_GROUP
            if full:
                w.write_table(pending.slice(0, full), row_group_size=ROW_GROUP)
                pending = pending.slice(full)
        if pending.num_rows:
            w.write_table(pending, row_group_size=ROW_GROUP)
    return count
