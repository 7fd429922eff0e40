"""JSON lines: one cable per line, in whichever of the known shapes it comes.

* MongoDB export of flattened text (``samples/cables-json-flattened``): ``_id``,
  ``origin``, ``date_time``, ``classification``, ``body`` with the newlines
  flattened to spaces -> markup FLATTENED (TEXT if the body still has newlines).
  **Trap:** ``_id`` is the first REF of the cable, not its id. It is dropped,
  and so is any bare ``id`` (in cables.csv-style exports that is the record
  number): only keys that say "reference id" are taken as the cable's id.
* cables.csv-style objects: ``header`` and ``content`` -> TEXT, header kept apart.
* Any object with the whole telegram in ``text`` -> TEXT.
* Exports of WikiLeaks pages (``corpus/versions/cables.jsonl.xz``):
  ``header_pre_raw``/``body_pre_raw`` inner HTML and a ``meta`` table -> HTML.
* cablekit's own records (``cablekit parse``, ``cablekit export --format jsonl``):
  an object with ``id``, a ``source`` object and a ``paragraphs`` list is a record,
  handed on whole (``RawCable.record``) to be read, not parsed again.

A line that is not valid JSON, or holds no cable text, is yielded as an error
and reading goes on with the next line.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from ..errors import CablekitError, NotACable, UnreadableInput
from ..model import Publication, Source
from .base import FLATTENED, HTML, TEXT, RawCable
from .cables_csv import iso_datetime, split_references
from .decode import decode, normalise_newlines
from .wikileaks_html import split_partial_note

FORMAT = "jsonl"

_EXTENSIONS = (".jsonl", ".ndjson", ".json")
_LINE_LIMIT = 64 * 1024 * 1024  # as for a single-cable file
_OBJECT_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:\{|\[\s*\{)")
_ARRAY_LIMIT = 512 * 1024 * 1024  # a JSON array is read whole: past this, JSON lines


def sniff(name: str | None, head: bytes) -> int:
    """Score for JSON lines: an object first, and/or a JSON file name."""
    named = name is not None and name.lower().endswith(_EXTENSIONS)
    if _OBJECT_START.match(head):
        return 90 if named else 70
    return 50 if named else 0


def read_records(stream: BinaryIO, path: str | None) -> Iterator[RawCable | CablekitError]:
    """Every line of ``stream`` as a RawCable; a bad line as an error, and on to the next.
    A JSON array of records (``[{...}, {...}]``) is read like JSON lines, element by
    element (``element N`` instead of ``line N`` in messages)."""
    lines = _lines(stream)
    first = next(lines, b"")
    if first is not None and first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        yield from _array(first + stream.read(_ARRAY_LIMIT + 1 - len(first)), path)
        return
    for number, line in enumerate(itertools.chain([first], lines), 1):
        if line is None or line.strip():
            yield _record(line, number, path)


def _array(data: bytes, path: str | None) -> Iterator[RawCable | CablekitError]:
    where = path or "The input"
    if len(data) > _ARRAY_LIMIT:
        yield UnreadableInput(
            f"{where} is a JSON array over {_ARRAY_LIMIT >> 20} MiB; give it as JSON lines"
        )
        return
    try:
        records = json.loads(decode(data))
    except json.JSONDecodeError as error:
        yield UnreadableInput(f"{where} is not valid JSON ({error.msg}); skipped")
        return
    except (ValueError, RecursionError):
        yield UnreadableInput(f"{where} cannot be read as JSON; skipped")
        return
    if _SURROGATE_ESCAPE.search(data):
        records = unicode_only(records)
    for number, record in enumerate(records, 1):
        yield _object(record, f"{where} element {number}", Source(FORMAT, path, number))


def _lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """The lines of ``stream``; None for one too long to be a cable (not JSON lines, then:
    a whole JSON document on one line), which is skipped without being held in memory."""
    while line := stream.readline(_LINE_LIMIT + 1):
        if len(line) <= _LINE_LIMIT or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(_LINE_LIMIT)) and not rest.endswith(b"\n"):
            pass
        yield None


def _record(line: bytes | None, number: int, path: str | None) -> RawCable | CablekitError:
    where = f"{path or 'The input'} line {number}"
    if line is None:
        return UnreadableInput(f"{where} is too long to hold a single cable; skipped")
    try:
        record = json.loads(decode(line))
    except json.JSONDecodeError as error:
        return UnreadableInput(f"{where} is not valid JSON ({error.msg}); skipped")
    except (ValueError, RecursionError):  # a 5,000-digit number, nesting 100,000 deep
        return UnreadableInput(f"{where} cannot be read as JSON; skipped")
    if _SURROGATE_ESCAPE.search(line):
        record = unicode_only(record)
    return _object(record, where, Source(format=FORMAT, path=path, row=number))


# JSON may escape half of a surrogate pair (a "\ud83d" alone): Python reads it as a string
# no UTF-8 can hold, which nothing downstream could write. It becomes U+FFFD.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def unicode_only(value: Any) -> Any:
    """``value`` read from JSON with every lone surrogate in its strings replaced."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [unicode_only(v) for v in value]
    if isinstance(value, dict):
        return {unicode_only(k): unicode_only(v) for k, v in value.items()}
    return value


def _object(record: object, where: str, source: Source) -> RawCable | CablekitError:
    """The cable in one record of the input, once its shape is checked."""
    if not isinstance(record, dict):
        return UnreadableInput(f"{where} is not a JSON object; skipped")
    if is_record(record):  # cablekit's own output: read as it is, not parsed again
        text = json.dumps(record, ensure_ascii=False)
        return RawCable(text, source, record=record)
    problem = shape_problem(record)
    if problem:
        return UnreadableInput(f"{where} {problem}; skipped")
    cable = _cable(record, source)
    if cable is None:
        return NotACable(f"{where} holds no cable text (no body, content or text); skipped")
    return cable


_CLASS_WORDS = re.compile(
    r"(?:UNCLASSIFIED|UNCLAS|LIMITED OFFICIAL USE|CONFIDENTIAL|SECRET|TOP SECRET)\b", re.I
)
_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}\b|\d{4}-\d{2}-\d{2}\b")


def shape_problem(record: Mapping[str, Any]) -> str | None:
    """What in ``record`` is not of the kind its key says, as the end of a sentence
    naming what was found and what was expected; None when every value fits: a date
    where a date is expected, a classification word where a classification is. (An id
    that is no cable id is not taken for one: the parser warns and derives the id.)"""
    meta = record.get("meta")
    fields = {**meta, **record} if isinstance(meta, dict) else record
    for key in ("date_time", "date", "created"):
        value = fields.get(key)
        if isinstance(value, str) and value.strip() and not _DATE.match(value.strip()):
            return f"has {value.strip()[:40]!r} as {key} where a date (YYYY-MM-DD) was expected"
    value = fields.get("classification")
    if isinstance(value, str) and value.strip() and not _CLASS_WORDS.match(value.strip()):
        return (
            f"has {value.strip()[:40]!r} as classification where a classification word"
            " (UNCLASSIFIED, CONFIDENTIAL, SECRET...) was expected"
        )
    return None


def is_record(record: Mapping[str, Any]) -> bool:
    """Whether a JSON object is a cablekit record (``Cable.to_json()``)."""
    source = record.get("source")
    return (
        "id" in record
        and isinstance(source, dict)
        and "format" in source
        and isinstance(record.get("paragraphs"), list)
    )


def _cable(record: Mapping[str, Any], source: Source) -> RawCable | None:
    """The cable in one JSON object, by the first shape that fits."""
    publication = _publication(record)
    if publication.reference_id:
        source = Source(source.format, source.path, source.row, publication.reference_id)
    page_body = _string(record, "body_pre_raw")
    if page_body is not None:
        header, partial = split_partial_note(_string(record, "header_pre_raw"))
        partial = partial or _flag(record)
        return RawCable(page_body, source, HTML, header, publication, partial=partial)
    content = _string(record, "content")
    if content is not None:
        return RawCable(
            content, source, TEXT, header=_string(record, "header"), publication=publication
        )
    body = _string(record, "text", "body")
    if body is None:
        return None
    markup = TEXT if "\n" in body else FLATTENED
    return RawCable(body, source, markup, publication=publication, partial=_flag(record))


def _publication(record: Mapping[str, Any]) -> Publication:
    """What the export says about the cable; a page export keeps it under ``meta``."""
    meta = record.get("meta")
    fields = {**meta, **record} if isinstance(meta, dict) else record
    # A page table's "Created" stays as written, like the HTML reader keeps it.
    written = _string(fields, "date_time", "date")
    references = fields.get("references")
    record_number = fields.get("record_number")
    return Publication(
        reference_id=_string(fields, "reference_id", "refid"),  # never "_id" or "id"
        created=iso_datetime(written) if written else _string(fields, "created"),
        released=_string(fields, "released"),
        classification=_string(fields, "classification"),
        origin=_string(fields, "origin"),
        references=_references(references),
        record_number=record_number if isinstance(record_number, int) else None,
    )


def _string(record: Mapping[str, Any], *keys: str) -> str | None:
    """The first of ``keys`` holding a non-empty string, newlines normalised."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return normalise_newlines(value)
    return None


def _references(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return split_references(value)
    if isinstance(value, list):
        return tuple(item.strip() for item in value if isinstance(item, str) and item.strip())
    return ()


def _flag(record: Mapping[str, Any]) -> bool:
    return record.get("partial") is True
