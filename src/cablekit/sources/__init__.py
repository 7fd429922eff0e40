"""Readers: every input form in, ``RawCable`` objects out, streaming.

A reader only unwraps the publication layer: it finds the cable text, decodes
the bytes once (``decode``) and fills ``Publication`` with what the wrapper
says. All cable-level parsing is the parser's (``cablekit.parser``).

=================  ==================  =========  =====================================
format             module              markup     one input holds
=================  ==================  =========  =====================================
telegram           ``telegram``        TEXT       one cable (raw text, latin-1 or UTF-8)
markdown           ``markdown``        MARKDOWN   one cable (scraped page, artefacts kept)
wikileaks-html     ``wikileaks_html``  HTML       one cable (page table + two ``<pre>``)
cables-csv         ``cables_csv``      TEXT       one cable per row, header apart
jsonl              ``jsonl``           FLATTENED  one cable per line (or TEXT, HTML)
pdf                ``pdf``             TEXT       one cable or a bundle, page by page
=================  ==================  =========  =====================================

PDF needs the optional extra ``cablekit[pdf]`` (pypdfium2, imported on first
use) and, for scanned pages, Tesseract (``ocr``).

``containers`` walks directories and unpacks tar/zip archives and gzip/xz/bz2
streams down to these files; ``decode`` is the one place bytes become str.

Entry points: :func:`detect` (which format), :func:`read_bytes` (bytes in
memory, problems raised) and :func:`iter_inputs` (paths for the CLI, problems
yielded as error objects so that one bad file does not stop the run).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from ..errors import CablekitError, NotACable, UnknownFormat
from . import cables_csv, containers, jsonl, markdown, pdf, telegram, wikileaks_html
from .base import FLATTENED, HTML, MARKDOWN, TEXT, RawCable
from .decode import decode, padded_text

__all__ = [
    "FLATTENED",
    "FORMATS",
    "FORMAT_NAMES",
    "HTML",
    "MARKDOWN",
    "TEXT",
    "RawCable",
    "decode",
    "detect",
    "iter_inputs",
    "read_bytes",
]

FORMATS: tuple[str, ...] = (
    "telegram",
    "markdown",
    "wikileaks-html",
    "cables-csv",
    "jsonl",
    "pdf",
)

# Help text for the CLI's --format choice.
FORMAT_NAMES: dict[str, str] = {
    "telegram": "raw telegram text, one cable per file (.txt)",
    "markdown": "scraped Markdown copy of a WikiLeaks cable page (.md)",
    "wikileaks-html": "WikiLeaks cable page, any of the three templates (.html)",
    "cables-csv": "rows of the leaked cables.csv, one cable per row (.csv)",
    "jsonl": "JSON lines, one cable per line (.jsonl)",
    "pdf": "PDF with a text layer or scanned (OCR), one cable or many (.pdf)",
}

_SNIFFERS: dict[str, Callable[[str | None, bytes], int]] = {
    telegram.FORMAT: telegram.sniff,
    markdown.FORMAT: markdown.sniff,
    wikileaks_html.FORMAT: wikileaks_html.sniff,
    cables_csv.FORMAT: cables_csv.sniff,
    jsonl.FORMAT: jsonl.sniff,
    pdf.FORMAT: pdf.sniff,
}
# One cable per file: read whole (up to 64 MiB), then unwrapped from memory.
_SINGLE: dict[str, Callable[[bytes, str | None], RawCable]] = {
    telegram.FORMAT: telegram.read_cable,
    markdown.FORMAT: markdown.read_cable,
    wikileaks_html.FORMAT: wikileaks_html.read_cable,
}
# Many cables per file: streamed record by record, bad records yielded as errors.
_RECORDS: dict[str, Callable[[BinaryIO, str | None], Iterator[RawCable | CablekitError]]] = {
    cables_csv.FORMAT: cables_csv.read_records,
    jsonl.FORMAT: jsonl.read_records,
    pdf.FORMAT: pdf.read_records,
}
assert tuple(_SNIFFERS) == FORMATS and set(_SINGLE) | set(_RECORDS) == set(FORMATS)


def detect(name: str | None, head: bytes) -> str:
    """The format of a file, from its name and first bytes: the best-scoring reader wins.

    Plain text that no reader claims is a telegram. Raises UnknownFormat for a
    binary file (a NUL byte in the first 8 KiB) other than a PDF.
    """
    if pdf.is_pdf(head):
        return pdf.FORMAT
    if b"\0" in head[: containers.BINARY_PROBE]:
        raise UnknownFormat(f"{containers.where(name)} is a binary file, not a cable")
    scores = {fmt: sniff(name, head) for fmt, sniff in _SNIFFERS.items()}
    return max(FORMATS, key=lambda fmt: scores[fmt])  # a tie goes to the earlier format


def read_bytes(
    data: bytes, name: str | None = None, format: str | None = None
) -> Iterator[RawCable]:
    """The cables in ``data`` (any format, or an archive of them); problems are raised.

    ``name`` helps detection (its extension) and becomes ``Source.path``;
    ``format`` (one of FORMATS) skips detection. Use :func:`iter_inputs` to
    skip bad rows or members and go on.
    """
    for item in containers.read_source(data, name, name, _file_reader(format)):
        if isinstance(item, CablekitError):
            raise item
        yield item


def iter_inputs(
    paths: Iterable[str | os.PathLike[str]], format: str | None = None
) -> Iterator[RawCable | CablekitError]:
    """The cables in files, directories, archives and ``-`` (stdin), in order.

    Problems (missing or unreadable paths, damaged archives, binary files,
    malformed rows) are yielded as CablekitError objects with a one-sentence
    message naming the path, and reading goes on with the rest.
    """
    try:
        reader = _file_reader(format)
    except UnknownFormat as error:
        yield error
        return
    yield from containers.read_paths((os.fspath(path) for path in paths), reader)


def _file_reader(format: str | None) -> containers.ReadFile:
    """The function that reads one (non-container) file, with ``format`` forced or detected."""
    if format is not None and format not in FORMATS:
        raise UnknownFormat(f"Unknown format {format!r}; choose one of {', '.join(FORMATS)}")

    def read_file(
        data: bytes | BinaryIO, head: bytes, name: str | None, path: str | None
    ) -> Iterator[RawCable | CablekitError]:
        try:
            yield from _read_file(data, head, name, path, format)
        except CablekitError as error:
            error.place = error.place or (path or "")
            yield error

    return read_file


def _read_file(
    data: bytes | BinaryIO, head: bytes, name: str | None, path: str | None, format: str | None
) -> Iterator[RawCable | CablekitError]:
    where = containers.where(path)
    binary = b"\0" in head[: containers.BINARY_PROBE] and not pdf.is_pdf(head)
    if binary and (format is None or format in _SINGLE):
        whole = data if isinstance(data, bytes) else containers.read_limited(data, path)
        text = padded_text(whole)  # UTF-16, or a text padded with NULs
        if text is None:
            raise UnknownFormat(f"{where} is a binary file, not a cable")
        data, head = text, text[: containers.HEAD_BYTES]
    if len(head) < containers.HEAD_BYTES and (not head or head.isspace()):
        raise NotACable(f"{where} is empty")
    chosen = format or detect(name, head)
    single = _SINGLE.get(chosen)
    if single is not None:
        whole = data if isinstance(data, bytes) else containers.read_limited(data, path)
        yield single(whole, path)
    else:
        yield from _RECORDS[chosen](io.BytesIO(data) if isinstance(data, bytes) else data, path)
