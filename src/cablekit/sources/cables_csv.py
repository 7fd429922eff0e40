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
    """Every row of ``stream`` as a RawCable; a malformed row as an error, and on to the next.

    The first row decides whether the file is a ``cables.csv`` at all (``shape_problem``):
    a CSV of another shape is refused whole, in one sentence, before a row is read as a
    cable (read by position, a title row would become a cable and every column the
    wrong field)."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    text = text_stream(stream)
    number = 0
    try:
        for row in csv.reader(text, escapechar="\\"):
            if row:  # a blank line is no row
                number += 1
                problem = shape_problem(row)
                if problem and number == 1:
                    yield UnreadableInput(f"{path or 'The input'} is not a cables.csv: {problem}")
                    return
                if problem:
                    yield UnreadableInput(f"{path or 'The input'} row {number} {problem}; skipped")
                else:
                    yield _cable(row, number, path)
    except csv.Error as error:
        yield UnreadableInput(f"{path or 'The input'} cannot be read past row {number}: {error}")
    finally:
        text.detach()  # leave the binary stream open: it is the caller's


# The title row of the National Archives' search export of the Central Foreign Policy
# Files (AAD): eight columns too, which read by position made a cable of the title row.
NARA_COLUMNS = ("url", "draft date", "document number", "film number", "from", "subject", "tags")
_CLASS_WORDS = re.compile(
    r"(?:UNCLASSIFIED|UNCLAS|LIMITED OFFICIAL USE|CONFIDENTIAL|SECRET|TOP SECRET)\b", re.I
)
_ID_SHAPE = re.compile(r"\d{2,4}\s?[A-Z][A-Za-z0-9 ]{1,60}", re.ASCII)


def shape_problem(row: list[str]) -> str | None:
    """What in ``row`` is not the shape of a cables.csv row, as the end of a sentence
    that names what was found and what was expected; None for a row of the right shape:
    8 columns, a record number, a date, a cable id and a classification word."""
    if [cell.strip().lower() for cell in row[:7]] == list(NARA_COLUMNS):
        return (
            "it is the National Archives' search export (columns "
            + ", ".join(cell.strip() for cell in row)
            + "), which cablekit does not read; cables.csv has 8 columns without a title row"
            " (record number, date, id, origin, classification, references, header, content)"
        )
    if len(row) != _COLUMNS:
        return f"has {len(row)} fields instead of {_COLUMNS}"
    record, date, reference_id, _origin, classification = (cell.strip() for cell in row[:5])
    if not record.isdigit():
        return f"has {record[:40]!r} in column 1 where cables.csv has a record number"
    if not (_US_DATE.fullmatch(date) or _ISO_DATE.match(date)):
        return f"has {date[:40]!r} in column 2 where cables.csv has a date (M/D/YYYY H:MM)"
    if not _ID_SHAPE.fullmatch(reference_id):
        return f"has {reference_id[:40]!r} in column 3 where cables.csv has a cable id"
    if not _CLASS_WORDS.match(classification):
        return (
            f"has {classification[:40]!r} in column 5 where cables.csv has a classification"
            " (UNCLASSIFIED, CONFIDENTIAL, SECRET...)"
        )
    return None


def _cable(row: list[str], number: int, path: str | None) -> RawCable | CablekitError:
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
