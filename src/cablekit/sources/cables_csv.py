"""Rows of the leaked ``cables.csv`` (spec section 9.1): one cable per row.

Eight columns, no title row: record number, date (``M/D/YYYY H:MM``), reference
id, origin label, classification, references (``|``- or ``,``-separated),
header, content. Every field is quoted, quotes inside are escaped with a
backslash and fields hold newlines, so the csv module reads it with
``escapechar='\\\\'``. The full dump is 1.7 GB: rows are read one by one from a
text stream over the binary stream, never the whole file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import CablekitError, UnreadableInput
from ..model import Publication, Source
from .base import TEXT, RawCable
from .decode import normalise_newlines, text_stream

FORMAT = "cables-csv"

_COLUMNS = 8
# A cable's content can exceed the csv module's 128 KiB default; past the
# single-cable limit a "field" is a broken quote swallowing the rest of the file.
_FIELD_LIMIT = 64 * 1024 * 1024
_FIRST_ROW = re.compile(
    rb'\s*"\d+","(\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?)",'
    rb'"[^"\n]*",'
)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})")
_REFERENCE_SEPARATORS = re.compile(r"[|,]")


def sniff(name: str | None, head: bytes) -> int:
    """Score for cables.csv: a first line like ``"1","12/28/1966 18:48","66BUENOSAIRES2481",``."""
    if _FIRST_ROW.match(head.removeprefix(b"\xef\xbb\xbf")):
        return 95
    if name is not None and name.lower().endswith(".csv"):
        return 50
    return 0


def read_records(stream: BinaryIO, path: str | None) -> Iterator[RawCable | CablekitError]:
    """Every row of ``stream`` as a RawCable; a malformed row as an error, and on to the next."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    text = text_stream(stream)
    number = 0
    try:
        for row in csv.reader(text, escapechar="\\"):
            if row:  # a blank line is no row
                number += 1
                yield _cable(row, number, path)
    except csv.Error as error:
        yield UnreadableInput(f"{path or 'The input'} cannot be read past row {number}: {error}")
    finally:
        text.detach()  # leave the binary stream open: it is the caller's


def _cable(row: list[str], number: int, path: str | None) -> RawCable | CablekitError:
    if len(row) != _COLUMNS:
        where = path or "The input"
        return UnreadableInput(
            f"{where} row {number} has {len(row)} fields instead of {_COLUMNS}; skipped"
        )
    record, date, reference_id, origin, classification, references, header, content = row
    publication = Publication(
        reference_id=reference_id.strip() or None,
        created=iso_datetime(date),
        classification=classification.strip() or None,
        origin=origin.strip() or None,
        references=split_references(references),
        record_number=int(record) if record.strip().isdigit() else None,
    )
    return RawCable(
        body=normalise_newlines(content),
        header=normalise_newlines(header),
        markup=TEXT,
        source=Source(format=FORMAT, path=path, row=number, original_id=publication.reference_id),
        publication=publication,
    )


def iso_datetime(text: str) -> str | None:
    """``12/28/1966 18:48`` (or ``1966-12-28 18:48:00``) as ``1966-12-28T18:48``.

    A value in neither form is kept as written; an empty one is None.
    """
    text = text.strip()
    if match := _US_DATE.fullmatch(text):
        month, day, year, hour, minute = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{minute}"
    if match := _ISO_DATE.match(text):
        year, month, day, hour, minute = match.groups()
        return f"{year}-{month}-{day}T{hour}:{minute}"
    return text or None


def split_references(text: str) -> tuple[str, ...]:
    """``72MOSCOW1603|72TEHRAN1091`` or ``09KUWAIT95, 09KUWAIT96`` as a tuple of ids."""
    return tuple(ref for part in _REFERENCE_SEPARATORS.split(text) if (ref := part.strip()))
