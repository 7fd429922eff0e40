"""PDF: cables with a text layer (WikiLeaks' PDF edition, FOIA releases), and scans.

One PDF may hold one cable or a bundle of them. Pages are read one at a time
and the lines of the cable in progress are all that is kept: a new cable starts
at its envelope (``VZCZC``, a precedence/DTG line followed by ``FM``, WikiLeaks'
partial-extract note), and the cable before it is handed on. The document is
reopened every ``_REOPEN_PAGES`` pages, which lets PDFium drop the fonts and
objects it caches, so memory stays flat whatever the number of pages.

Text comes from PDFium's text layer (``pypdfium2``, an optional extra,
imported on first use). PDFium rebuilds words and lines from glyph positions
but not blank lines or runs of spaces; both are put back from the positions
(``layout``). A page without a text layer is a scan: it is rendered and read
by Tesseract (``ocr``).

The WikiLeaks edition has artefacts of its own, undone here because they are
the publisher's, not the cable's: the ``¶`` before each paragraph number as a
line of its own, TAGS one per line, and a title line ``2000HANOI00686 -
CONFIDENTIAL`` (taken as the publisher's id and classification).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from ..errors import CablekitError, MissingDependency, UnknownFormat, UnreadableInput
from ..model import Publication, Source
from .base import TEXT, RawCable
from .layout import Glyph, lines_from_glyphs

if TYPE_CHECKING:
    import pypdfium2

FORMAT = "pdf"
MAGIC = b"%PDF-"
INSTALL_PDF = "pip install 'cablekit[pdf]'"

_REOPEN_PAGES = 100  # pages read between two openings of the document
# A page with an image and fewer characters of text than this is a scan: what text it
# has is a stamp (a Bates number, "Page 3 of 9") put over the image, not the cable.
_SCAN_TEXT = 40
# PDFium's marks for characters it changed: U+FFFE is a hyphen that ended a line.
_PDFIUM_CHARS = {"\ufffe": "-", "\x02": "-"}
_PDFIUM_PASSWORD = 4  # FPDF_ERR_PASSWORD
_PDFIUM_SECURITY = 5  # FPDF_ERR_SECURITY

# Where a cable starts (see _Splitter).
_VZCZC = re.compile(r"^VZCZC")
_DTG = re.compile(r"^[ZOPRY0]{1,2}\s+\d{6}\s?Z\s+[A-Z]{3}\s+\d{2,4}\b")
_FM = re.compile(r"^FM\s+\S")
_TO = re.compile(r"^T[O0]\s+\S")
_PARTIAL = "This record is a partial extract"
# WikiLeaks' title line: "2000HANOI00686 - CONFIDENTIAL".
_TITLE = re.compile(
    r"^(?P<year>(?:19|20)\d\d)(?P<post>[A-Z]+)(?P<serial>\d{5,6})\s+-\s+(?P<cls>[A-Z/ ]+)$"
)
# Lines that show a cable's text has begun (its header fields, a numbered paragraph).
_TEXT_SEEN = re.compile(r"^(?:SUBJ|TAGS|E\.\s?O\.|¶?\d{1,3}\.\s)")
# Envelope and page furniture that belongs to the next cable when it comes before its start.
_LEADING = re.compile(
    r"^(?:PAGE\s+\d{2}\b|ACTION\s+[A-Z]+-\d\d|INFO\s+[A-Z]+-\d\d|(?:[A-Z]+-\d\d\s*)+(?:/\S+)?$"
    r"|-{5,}|(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s+[A-Z]{3}\d{3,5}$)"
)
_TAG_TOKEN = re.compile(r"^[A-Z]{2,6}$")


def sniff(name: str | None, head: bytes) -> int:
    """A PDF says so in its first bytes (the header may follow up to 1 KiB of junk)."""
    return 100 if MAGIC in head[:1024] else 0


def is_pdf(head: bytes) -> bool:
    return MAGIC in head[:1024]


def read_records(stream: BinaryIO, path: str | None) -> Iterator[RawCable | CablekitError]:
    """Every cable in the PDF, page by page; a damaged, encrypted or unreadable PDF
    (or a scan without Tesseract) is one error, and the cables read before it stand."""
    where = path or "The input"
    try:
        pdfium = _pdfium()
    except MissingDependency as error:
        yield error
        return
    with _seekable(stream) as file:
        file.seek(0)  # a file handed over open has had its first bytes read
        if not is_pdf(file.read(1024)):  # --format pdf forced on another file
            yield UnknownFormat(f"{where} is not a PDF")
            return
        splitter = _Splitter(path)
        try:
            for number, lines in _pages(pdfium, file, where):
                yield from splitter.feed(lines, number)
        except CablekitError as error:
            yield from splitter.finish()
            yield error
            return
        yield from splitter.finish()


def _pdfium() -> Any:
    """The pypdfium2 module, or MissingDependency naming the extra to install."""
    try:
        import pypdfium2
    except ImportError:
        raise MissingDependency(
            f"Reading PDF needs the optional PDF support: {INSTALL_PDF}"
        ) from None
    return pypdfium2


@contextlib.contextmanager
def _seekable(stream: BinaryIO) -> Iterator[BinaryIO | IO[bytes]]:
    """The stream itself when it can seek (PDFium jumps around), else a spooled copy."""
    seekable = getattr(stream, "seekable", None)
    if seekable is not None and seekable():
        yield stream
        return
    # A pipe or a decompressor: copied to disk, not memory (a bundle may be large).
    with tempfile.TemporaryFile() as copy:
        shutil.copyfileobj(stream, copy, 1024 * 1024)
        copy.seek(0)
        yield copy


def _open(pdfium: Any, file: BinaryIO | IO[bytes], where: str) -> pypdfium2.PdfDocument:
    file.seek(0)
    try:
        return pdfium.PdfDocument(file)
    except pdfium.PdfiumError as error:
        code = getattr(error, "err_code", None)
        if code in (_PDFIUM_PASSWORD, _PDFIUM_SECURITY):
            raise UnreadableInput(
                f"{where} is an encrypted PDF; give cablekit a copy without a password"
            ) from None
        raise UnreadableInput(f"{where} is a damaged PDF (PDFium cannot read it)") from None


def _pages(pdfium: Any, file: BinaryIO | IO[bytes], where: str) -> Iterator[tuple[int, list[str]]]:
    """The lines of each page, by page number (1-based), scans read by OCR."""
    document = _open(pdfium, file, where)
    try:
        total = len(document)
        reader = _PageReader(where)
        for index in range(total):
            if index and index % _REOPEN_PAGES == 0:
                document.close()
                document = _open(pdfium, file, where)
            try:
                page = document[index]
            except pdfium.PdfiumError:
                raise UnreadableInput(f"{where}: page {index + 1} is damaged") from None
            try:
                yield index + 1, reader.lines(page, index + 1)
            finally:
                page.close()
    finally:
        document.close()


@dataclass
class _PageReader:
    """Text lines of a page: its text layer, or OCR when it has none."""

    where: str
    line_pitch: float | None = None  # carried from page to page (a short last page has few lines)

    def lines(self, page: Any, number: int) -> list[str]:
        glyphs = _glyphs(page)
        text = sum(1 for g in glyphs if not g.text.isspace())
        if text < _SCAN_TEXT and _has_image(page):
            from . import ocr  # a scan: the only pages that need Tesseract

            return ocr.read_page(page, f"{self.where}: page {number}")
        lines, self.line_pitch = lines_from_glyphs(glyphs, self.line_pitch)
        return lines


def _has_image(page: Any) -> bool:
    import pypdfium2.raw

    return next(page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,)), None) is not None


def _glyphs(page: Any) -> list[Glyph]:
    """The characters of the text layer with their boxes, in PDFium's reading order.

    PDFium inserts a generated space between words and ``\\r\\n`` between lines;
    both are kept as boundaries (a Glyph with ``text`` " " or "\\n")."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        glyphs: list[Glyph] = []
        index = 0
        for char in text[:count]:
            if char == "\r":
                index += 1
                continue
            if char == "\n" or char.isspace():
                glyphs.append(Glyph("\n" if char == "\n" else " ", 0.0, 0.0, 0.0))
            else:
                left, bottom, right, _top = textpage.get_charbox(index)
                glyphs.append(Glyph(_PDFIUM_CHARS.get(char, char), left, right, bottom))
            index += 1
        return glyphs
    finally:
        textpage.close()


# --- from pages to cables ----------------------------------------------------


@dataclass
class _Splitter:
    """Gathers page lines into cables; yields a cable when the next one starts."""

    path: str | None
    lines: list[str] = field(default_factory=list)
    first_page: int = 1
    text_seen: bool = False
    title: re.Match[str] | None = None
    count: int = 0
    held: RawCable | None = None  # the last cable, yielded when we know if it was the only one
    held_page: int = 1

    def feed(self, page_lines: list[str], number: int) -> Iterator[RawCable]:
        lines = unwrap_edition(page_lines)
        for i, line in enumerate(lines):
            stripped = line.strip()
            title = _TITLE.match(stripped) if stripped[:2] in ("19", "20") else None
            if self.text_seen and (_starts_cable(stripped, lines, i) or self._new_title(title)):
                back = self._leading_lines()
                yield from self._flush(number)
                self.lines.extend(back)
            if title is not None:
                self.title = self.title or title
                continue  # the publisher's title line, not cable text
            if stripped == ">":
                continue  # printed above WikiLeaks' closing title line
            self.lines.append(line)
            if not self.text_seen and _TEXT_SEEN.match(stripped):
                self.text_seen = True

    def _new_title(self, title: re.Match[str] | None) -> bool:
        """A title line after the text of a cable without one, or with another: the title
        of the next cable (the same title again closes the cable's last page)."""
        return title is not None and (self.title is None or title[0] != self.title[0])

    def finish(self) -> Iterator[RawCable]:
        yield from self._flush(None)
        if self.held is not None:
            yield self.held if self.count == 1 else _with_page(self.held, self.held_page)
            self.held = None

    def _leading_lines(self) -> list[str]:
        """The envelope lines already gathered that belong to the cable starting now."""
        cut = len(self.lines)
        while cut > 0 and (
            not self.lines[cut - 1].strip() or _LEADING.match(self.lines[cut - 1].strip())
        ):
            cut -= 1
        back = self.lines[cut:]
        del self.lines[cut:]
        return back

    def _flush(self, next_page: int | None) -> Iterator[RawCable]:
        """End the cable gathered so far; the one before it goes out, named by its page
        (only a bundle needs that: a single cable's path is the file's)."""
        if any(line.strip() for line in self.lines):
            self.count += 1
            if self.held is not None:
                yield _with_page(self.held, self.held_page)
            self.held, self.held_page = self._cable(), self.first_page
        self.lines = []
        self.text_seen = False
        self.title = None
        if next_page is not None:
            self.first_page = next_page

    def _cable(self) -> RawCable:
        publication = None
        if self.title is not None:
            t = self.title
            reference = f"{t['year'][2:]}{t['post']}{int(t['serial'])}"
            publication = Publication(reference_id=reference, classification=t["cls"].strip())
        return RawCable(
            body="\n".join(self.lines),
            source=Source(format=FORMAT, path=self.path),
            markup=TEXT,
            publication=publication,
        )


def _with_page(cable: RawCable, page: int) -> RawCable:
    path = f"{cable.source.path or '<stdin>'}#page={page}"
    return RawCable(
        body=cable.body,
        source=Source(format=FORMAT, path=path),
        markup=cable.markup,
        publication=cable.publication,
    )


def _starts_cable(line: str, lines: list[str], i: int) -> bool:
    """Whether the cable gathered so far ends before this line."""
    if line.startswith(_PARTIAL) or _VZCZC.match(line):
        return True
    if _DTG.match(line) or _FM.match(line):
        following = _next_text(lines, i)
        if _DTG.match(line):
            return following is not None and bool(_FM.match(following))
        return following is not None and bool(_TO.match(following))
    return False


def _next_text(lines: list[str], i: int) -> str | None:
    for line in lines[i + 1 : i + 4]:
        if line.strip():
            return line.strip()
    return None


def unwrap_edition(lines: list[str]) -> list[str]:
    """Undo the WikiLeaks PDF edition's line breaks: ``¶`` on a line of its own before a
    paragraph number, and TAGS one per line (with blank lines between)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped == "¶" and i + 1 < len(lines):
            out.append("¶" + lines[i + 1].lstrip())
            i += 2
            continue
        if stripped.upper() in ("TAGS:", "TAGS") and i + 1 < len(lines):
            tags, j = _tags_below(lines, i + 1)
            if tags:
                out.append(f"{stripped} {' '.join(tags)}")
                i = j
                continue
        out.append(line)
        i += 1
    return out


def _tags_below(lines: list[str], start: int) -> tuple[list[str], int]:
    """The TAGS tokens on the lines from ``start`` (one per line), and where they end."""
    tags: list[str] = []
    j = start
    while j < len(lines):
        token = lines[j].strip()
        if token and not _TAG_TOKEN.match(token):
            break
        if token:
            tags.append(token)
        j += 1
    while j > start and not lines[j - 1].strip():
        j -= 1  # a blank line after the last tag stays
    return tags, j
