"""Scraped Markdown copies of WikiLeaks cable pages: one cable per file.

The scrape keeps the page's artefacts (``[¶](#)``, ``[TAG](#)`` links,
``####`` heading prefixes, ``<url>`` autolinks, a blank line between most
lines). They stay in place: the parser's normalise stage strips them, knowing
the markup is MARKDOWN. ``header`` stays None: the parser splits.
"""

from __future__ import annotations

import re

from ..errors import NotACable
from ..model import Source
from .base import MARKDOWN, RawCable
from .decode import decode
from .telegram import shape_problem

FORMAT = "markdown"

_EXTENSIONS = (".md", ".markdown")
# "[¶](#)" and "[PREL](#)": links to "#" are what a scrape of the page leaves.
_ARTEFACTS = (b"](#)", "[¶]".encode())
# HTML and XML documents, and JSON, are never scrapes (however many artefacts they quote).
_MARKUP_STARTS = (b"<!", b"<?", b"<html", b"<HTML", b"{")
_JSON_ARRAY = re.compile(rb"\[\s*\{")  # a JSON array of records, never a scrape
_ARTEFACT_REACH = 16 * 1024  # the scrape starts with the cable: artefacts come early


def sniff(name: str | None, head: bytes) -> int:
    """Score for a scraped Markdown page: its link artefacts, or a .md name."""
    # An HTML or XML document is never a scrape: skip the search (pages are 70 KB+).
    start = head[:1024].lstrip()
    if not start.startswith(_MARKUP_STARTS) and not _JSON_ARRAY.match(start):
        start = head[:_ARTEFACT_REACH]
        if any(mark in start for mark in _ARTEFACTS):
            return 90
    if name is not None and name.lower().endswith(_EXTENSIONS):
        return 60
    return 0


def read_cable(data: bytes, path: str | None) -> RawCable:
    """The scraped page in ``data``, decoded, artefacts left for the parser. Raises
    NotACable for Markdown that shows no cable."""
    problem = shape_problem(data, "Markdown")
    if problem:
        raise NotACable(f"{path or 'The input'} {problem}")
    return RawCable(body=decode(data), source=Source(format=FORMAT, path=path), markup=MARKDOWN)
