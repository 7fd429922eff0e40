"""Long cables in sections (spec 7): ``SECTION 01 OF 03`` and the page markers.

A long telegram goes out as several sections, each on new pages; the published
text keeps ``SECTION 01 OF nn`` on the classification line and a page marker
(``OTTAWA 00000278 002 OF 003``) where each later section starts. Sections are
cut by length: every ``SECTION_LINES`` lines of rendered body text start a new
one, inside the paragraph where the cut falls.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Cable, PageMarker, Sections
from .layout import WIDTH
from .render import paragraph_lines

# Cablegate sections carry about 3,000 characters of text (median over the corpus's
# multi-section cables): some 50 lines of 60-69 characters.
SECTION_LINES = 50


def split_sections(cable: Cable, lines_per_section: int = SECTION_LINES) -> Cable:
    """``cable`` with ``sections`` and page markers when its text is too long for one."""
    cuts = _cuts(cable, lines_per_section)
    if not cuts:
        return cable
    total = len(cuts) + 1
    markers = tuple(
        PageMarker(_marker_text(cable, page, total), page, total, None, number)
        for page, number in enumerate(cuts, 2)
    )
    return replace(cable, sections=Sections(1, total), page_markers=markers)


def _cuts(cable: Cable, limit: int) -> list[int | None]:
    """The number of the paragraph each later section starts in."""
    cuts: list[int | None] = []
    used = 0
    for paragraph in cable.paragraphs:
        used += len(paragraph_lines(paragraph, WIDTH, 2)) + 1
        while used > limit:
            cuts.append(paragraph.number)
            used -= limit
    return cuts


def _marker_text(cable: Cable, page: int, total: int) -> str:
    return f"{cable.post} {cable.serial or 0:08d} {page:03d} OF {total:03d}"
