"""Text lines from positioned glyphs: blank lines and runs of spaces put back.

A telegram is typewriter text: blank lines end paragraphs and headings, and
columns of spaces line up address lists. A PDF text layer (and OCR) gives
characters or words with boxes; extraction libraries rebuild words and lines
but drop both. Here they come back from the positions: the vertical gap
between two lines, in line pitches, says how many blank lines lay between
them; the horizontal gap between two glyphs, in character widths, how many
spaces. Exact for monospaced text (every cable); close enough for the rest.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Glyph:
    """A character (or word) and its box in page units, y growing upwards.

    ``text`` " " marks a word boundary and "\\n" a line end found by the
    extractor; their boxes are not used.
    """

    text: str
    left: float
    right: float
    bottom: float


def lines_from_glyphs(
    glyphs: Sequence[Glyph], pitch: float | None = None
) -> tuple[list[str], float | None]:
    """The page's text lines, and the line pitch measured (or ``pitch`` when the page
    has too few lines to tell: pass it on from the page before)."""
    rows = _rows(glyphs)
    if not rows:
        return [], pitch
    advance = _advance(rows)
    margin = min(row[0].left for row in rows)
    bases = [statistics.median(g.bottom for g in row if g.text != " ") for row in rows]
    gaps = [above - below for above, below in itertools.pairwise(bases) if above > below]
    if len(gaps) >= 3 and not (pitch and all(_fits(g / pitch) for g in gaps)):
        pitch = _pitch(gaps)  # the pitch of the page before (if any) does not fit this one
    lines: list[str] = []
    for i, row in enumerate(rows):
        if i and pitch:
            gap = bases[i - 1] - bases[i]
            lines.extend([""] * max(0, round(gap / pitch) - 1))
        lines.append(_line(row, advance, margin))
    return lines, pitch


def _pitch(gaps: list[float]) -> float:
    """The line pitch: the largest step of which every gap is a whole multiple.

    Not the median (on a page with many blank lines most gaps are two pitches) nor
    the least gap (a raised or lowered glyph makes a tiny one: such gaps, under a
    third of a pitch, are passed over)."""
    for candidate in sorted({round(g, 1) for g in gaps}, reverse=True):
        if all(_fits(g / candidate) for g in gaps):
            return candidate
    return statistics.median(gaps)


def _fits(steps: float) -> bool:
    return steps < 0.3 or (steps >= 0.8 and abs(steps - round(steps)) <= 0.2)


def _rows(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Glyphs split at line ends, without leading or trailing word boundaries.

    A line also ends where the next glyph is back to the left and lower down: PDFium
    runs a line ending in a hyphen into the next one, without a line end."""
    rows: list[list[Glyph]] = []
    row: list[Glyph] = []
    last: Glyph | None = None
    for glyph in [*glyphs, Glyph("\n", 0, 0, 0)]:
        if glyph.text not in (" ", "\n"):
            if last is not None and row and _next_line(last, glyph):
                rows.append(row)
                row = []
            last = glyph
        if glyph.text == "\n":
            while row and row[-1].text == " ":
                row.pop()
            if row:
                rows.append(row)
            row = []
        elif glyph.text != " " or row:
            row.append(glyph)
    return rows


def _next_line(last: Glyph, glyph: Glyph) -> bool:
    width = max(last.right - last.left, 0.1)
    return glyph.left < last.left - 4 * width and glyph.bottom < last.bottom - width


def _advance(rows: list[list[Glyph]]) -> float:
    """The width of one character: the usual step between neighbouring glyphs."""
    steps = [
        b.left - a.left
        for row in rows
        for a, b in itertools.pairwise(row)
        if a.text != " " and b.text != " " and len(a.text) == 1 and b.left > a.left
    ]
    if steps:
        return statistics.median(steps)
    widths = [(g.right - g.left) / len(g.text) for row in rows for g in row if g.text.strip()]
    return statistics.median(widths) if widths else 1.0


def _line(row: list[Glyph], advance: float, margin: float) -> str:
    """One line: its indent and the spaces between its words from their positions."""
    parts = [" " * max(0, round((row[0].left - margin) / advance))] if advance > 0 else []
    previous: Glyph | None = None
    spaced = False
    for glyph in row:
        if glyph.text == " ":
            spaced = True
            continue
        if previous is not None and spaced:
            # Glyph to glyph: the step between the starts of two characters, less one.
            step = (glyph.left - previous.left) / advance - (len(previous.text) - 1)
            parts.append(" " * max(1, round(step) - 1))
        parts.append(glyph.text)
        previous, spaced = glyph, False
    return "".join(parts)
