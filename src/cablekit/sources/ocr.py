"""Scanned pages: rendered by PDFium, read by Tesseract (Debian's ``tesseract-ocr``).

Tesseract runs as a program (``tesseract stdin stdout tsv``), one page at a
time: the page goes in as a greyscale PGM image, the words come back with their
boxes, and ``layout`` rebuilds the lines, blank lines and spaces from them as it
does for a text layer. OMP_THREAD_LIMIT=1 keeps one Tesseract to one core: its
threads gain little on a page and fight the parser (and other pages) for cores.

OCR makes mistakes of its own in the text; this module fixes only one, the
``¶`` that WikiLeaks' edition prints before each paragraph number, which
Tesseract reads as a stray character (``41.`` for ``¶1.``). Confusions in header
lines (``T0`` for ``TO``) are the parser's to repair, with a warning each.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any

from ..errors import MissingDependency, UnreadableInput
from .layout import Glyph, lines_from_glyphs

DPI = 300  # Tesseract reads typewriter text best at 300 dpi
INSTALL_TESSERACT = "apt-get install tesseract-ocr"
_TIMEOUT = 300  # seconds for one page; a page that takes longer is not a page of text
_PSM = "6"  # one block of text: a telegram page is a single column

# Typographic characters Tesseract reads for a typewriter's: a telegram has straight
# quotes and hyphens only (its rules and dashes are runs of hyphens).
_TYPEWRITER = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "—": "-", "–": "-"})
# Letters Tesseract reads for digits in a paragraph number ("il." for "¶1.").
_CONFUSED_NUMBER = re.compile(r"^(?P<token>[^\s(\[\"'-]?[\dlI|iOo]{1,3})\.(?=\s|$)")
_DIGIT_CONFUSIONS = str.maketrans("lI|iOo", "111100")
# "C. C) SINGAPORE 675" lines of a REF list, also marked with ``¶`` in that edition.
_STRAY_BEFORE_LETTER = re.compile(r"^(?P<stray>\S)(?P<letter>[A-Z])\. (?P=letter)\)")


def tesseract() -> str:
    """The path of the tesseract program, or MissingDependency saying what to install."""
    found = shutil.which("tesseract")
    if found is None:
        raise MissingDependency(
            "Reading scanned pages needs Tesseract, which is not installed: "
            f"install Debian's tesseract-ocr ({INSTALL_TESSERACT})"
        )
    return found


def read_page(page: Any, where: str) -> list[str]:
    """The text lines of a scanned PDF page (a ``pypdfium2.PdfPage``)."""
    program = tesseract()
    image = _pgm(page)
    try:
        done = subprocess.run(
            [program, "stdin", "stdout", "--psm", _PSM, "-l", "eng", "tsv"],
            input=image,
            capture_output=True,
            timeout=_TIMEOUT,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UnreadableInput(f"{where}: OCR took over {_TIMEOUT} s; skipped") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UnreadableInput(f"{where}: Tesseract failed ({said[-1] if said else 'no reason'})")
    lines, _ = lines_from_glyphs(words_from_tsv(done.stdout.decode("utf-8", "replace")))
    return repair_pilcrows([line.translate(_TYPEWRITER) for line in lines])


def _pgm(page: Any) -> bytes:
    """The page rendered in grey at DPI, as a binary PGM image (Tesseract reads it from stdin)."""
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    pixels = bytes(bitmap.buffer)
    if stride != width:  # rows are padded to a multiple of 4 bytes
        pixels = b"".join(pixels[row * stride : row * stride + width] for row in range(height))
    return b"P5\n%d %d\n255\n" % (width, height) + pixels


def words_from_tsv(tsv: str) -> list[Glyph]:
    """Tesseract's words in reading order, a line end after each of its lines.

    Tesseract's y grows downwards; a Glyph's upwards, hence the minus sign.
    """
    glyphs: list[Glyph] = []
    line_key: tuple[str, ...] | None = None
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue  # only level 5 (a word) carries text
        key = tuple(cells[1:5])  # page, block, paragraph, line
        if line_key is not None:
            glyphs.append(Glyph("\n" if key != line_key else " ", 0.0, 0.0, 0.0))
        line_key = key
        left, top, width, height = (int(c) for c in cells[6:10])
        glyphs.append(Glyph(cells[11].strip(), left, left + width, -(top + height)))
    return glyphs


def repair_pilcrows(lines: list[str]) -> list[str]:
    """Drop the character Tesseract reads where WikiLeaks' edition has a ``¶``: before
    a paragraph number (``a2.``, ``il.`` and ``41.`` where 1 is the next number) and
    before a lettered REF line (``aC. C) ...``). Only where the number is the one
    expected next (or the one after): other text is left as read."""
    expected = 1
    out: list[str] = []
    for line in lines:
        text = line.lstrip()
        number, end = _paragraph_number(text, expected)
        if number is not None:
            expected = number + 1
            if end:
                line = f"{number}{text[end:]}"
        elif _STRAY_BEFORE_LETTER.match(text):
            line = text[1:]
        out.append(line)
    return out


def _paragraph_number(text: str, expected: int) -> tuple[int | None, int]:
    """The paragraph number starting ``text`` and, when it was misread, where the
    misread token ends (0 when it reads right)."""
    m = _CONFUSED_NUMBER.match(text)
    if m is None:
        return None, 0
    token = m["token"]
    if token.isdigit():
        if len(token) > 1 and int(token) != expected and int(token[1:]) == expected:
            return expected, m.end("token")  # "41." where 1 is due: the 4 was the pilcrow
        return int(token), 0
    digits = token.translate(_DIGIT_CONFUSIONS)
    if digits.isdigit() and int(digits) == expected:
        return expected, m.end("token")  # "l." for "1."
    if digits[1:].isdigit() and expected <= int(digits[1:]) <= expected + 1:
        return int(digits[1:]), m.end("token")  # "a2." or "il." for "¶2.", "¶1."
    return None, 0
