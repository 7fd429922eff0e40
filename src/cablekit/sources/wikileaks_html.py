"""WikiLeaks cable pages (all three templates): the page table and the two ``<pre>`` blocks.

Every template has the same core, after ~70 KB of navigation::

    <table class='cable'>
    <tr><th>Reference ID</th><th>Created</th>[<th>Released</th>]<th>Classification</th>...
    <tr><td><a href='...'>09BEIJING22</a></td><td><a ...>2009-01-06 08:08</a></td>...
    </table>
    <code><pre>VZCZCXRO0309&#x000A;OO RUEHCN ...</pre></code>      header (envelope)
    <code><pre>C O N F I D E N T I A L SECTION 01 OF 07 ...</pre></code>   body

Nov 2010 pages call the second column "Date" and have no "Released"; the
staged-release (Dec 2010 - Apr 2011) and final (Aug 2011) pages have five
columns. The columns are matched by their ``<th>`` names, not positions.

Speed matters (the parser targets >1,500 cables/s including this step), so the
page is searched with ``bytes.find`` and only the table cells and the two
``<pre>`` slices are decoded: no HTML parser, no regex over the page. The
``<pre>`` contents are kept as inner HTML, verbatim (``&#x000A;``, ``<a>``
anchors and entities are the parser's to decode), with one exception: on
"partial extract" pages the header block starts with WikiLeaks' note
"This record is a partial extract of the original cable. ..."; the note is
publication wrapping, not envelope, so it is cut and ``partial`` set instead.
"""

from __future__ import annotations

import html
import re

from ..errors import NotACable, UnreadableInput
from ..model import Publication, Source
from .base import HTML, RawCable
from .decode import decode

FORMAT = "wikileaks-html"

PARTIAL_NOTE = "This record is a partial extract of the original cable."
_FULL_NOTE = PARTIAL_NOTE + " The full text of the original cable is not available."
_BREAK = "&#x000A;"

_TABLE_MARKS = (b"class='cable'", b'class="cable"')
_COLUMNS = {
    "reference id": "reference_id",
    "created": "created",
    "date": "created",  # the Nov 2010 template's name for "Created"
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}
_EXTENSIONS = (".html", ".htm", ".xhtml")
_HTML_STARTS = (b"<?xml", b"<!DOCTYPE", b"<!doctype", b"<html")


def sniff(name: str | None, head: bytes) -> int:
    """Score for a WikiLeaks page: its title, the cable table and ``<pre>``, or any HTML."""
    # The title is near the top; the table usually lies beyond the head (70-190 KB pages).
    if b"<title>Cable Viewer</title>" in head[:4096]:
        return 95
    if b"<pre" in head and (any(mark in head for mark in _TABLE_MARKS) or b"Reference ID" in head):
        return 95
    if name is not None and name.lower().endswith(_EXTENSIONS):
        return 40
    if head[:1024].lstrip().startswith(_HTML_STARTS):
        return 30
    return 0


def read_cable(data: bytes, path: str | None) -> RawCable:
    """The cable on the page in ``data``. Raises NotACable when the page has no ``<pre>`` block."""
    table, table_end = _find_table(data)
    publication = _publication(data, table, table_end, path) if table >= 0 else None
    first = _pre(data, max(table_end, 0))
    if first is None:
        where = path or "The input"
        if b"<html" not in data[:4096].lower():  # XML (a GEXF or GraphML graph, a feed)
            raise NotACable(f"{where} is an XML file, not a cable")
        raise NotACable(f"{where} is an HTML page without a cable (no <pre> block)")
    second = _pre(data, first[1])
    if second is None:  # a lone block holds the whole telegram
        header, body = None, decode(data[first[0] : first[1]])
    else:
        header = decode(data[first[0] : first[1]])
        body = decode(data[second[0] : second[1]])
    header, partial = split_partial_note(header)
    reference_id = publication.reference_id if publication else None
    return RawCable(
        body=body,
        header=header,
        markup=HTML,
        source=Source(format=FORMAT, path=path, original_id=reference_id),
        publication=publication,
        partial=partial or body.startswith(PARTIAL_NOTE),
    )


def split_partial_note(header: str | None) -> tuple[str | None, bool]:
    """``header`` without WikiLeaks' partial-extract note (and its line breaks), and whether
    the note was there. Also used for the inner HTML kept in JSON exports of pages."""
    if header is None or not header.startswith(PARTIAL_NOTE):
        return header, False
    note = _FULL_NOTE if header.startswith(_FULL_NOTE) else PARTIAL_NOTE
    rest = header[len(note) :]
    while rest.startswith((_BREAK, "\n")):
        rest = rest[len(_BREAK) :] if rest.startswith(_BREAK) else rest[1:]
    return rest, True


def _find_table(data: bytes) -> tuple[int, int]:
    """Start and end of the cable table, or (-1, -1).

    Searched from the end: the table and the ``<pre>`` blocks close the page,
    after tens of KB of navigation. (Inside the ``<pre>`` text ``<`` is
    escaped, so the body cannot fake the table tag.)
    """
    for mark in _TABLE_MARKS:
        start = data.rfind(mark)
        if start >= 0:
            end = data.find(b"</table>", start)
            return start, (end if end >= 0 else start)
    return -1, -1


def _publication(data: bytes, start: int, end: int, path: str | None) -> Publication:
    """The page table: each ``<th>`` name paired with the first row's ``<td>`` of that place.
    Raises UnreadableInput when the table is not a cable table (``shape_problem``)."""
    table = data[start:end]
    names = [_text(cell) for cell in table.split(b"<th")[1:]]
    values = [_text(cell) for cell in table.split(b"<td")[1:]]
    fields: dict[str, str | None] = {}
    for name, value in zip(names, values, strict=False):
        key = _COLUMNS.get(name.lower())
        if key is not None:
            fields[key] = value or None
    problem = shape_problem(names, fields)
    if problem:
        raise UnreadableInput(f"{path or 'The input'} {problem}")
    return Publication(
        reference_id=fields.get("reference_id"),
        created=fields.get("created"),
        released=fields.get("released"),
        classification=fields.get("classification"),
        origin=fields.get("origin"),
    )


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\b")
_CLASS_WORDS = re.compile(
    r"(?:UNCLASSIFIED|UNCLAS|LIMITED OFFICIAL USE|CONFIDENTIAL|SECRET|TOP SECRET)\b", re.I
)


def shape_problem(names: list[str], fields: dict[str, str | None]) -> str | None:
    """What of a cable table is not a WikiLeaks cable table's, as the end of a sentence
    naming what was found and what was expected; None for a table of the right shape:
    a Reference ID and a Created (or Date) column, a date in it, a classification word."""
    if "reference_id" not in fields and "created" not in fields:
        found = ", ".join(names[:8]) or "no column names"
        return (
            f"has a cable table with {found} where a WikiLeaks cable page has Reference ID,"
            " Created, Released, Classification, Origin"
        )
    created = fields.get("created")
    if created and not _DATE.match(created):
        return f"has {created[:40]!r} as Created where a WikiLeaks cable page has a date"
    level = fields.get("classification")
    if level and not _CLASS_WORDS.match(level):
        return (
            f"has {level[:40]!r} as Classification where a WikiLeaks cable page has a"
            " classification word (UNCLASSIFIED, CONFIDENTIAL, SECRET...)"
        )
    return None


def _text(cell: bytes) -> str:
    """The text of a table cell, ``cell`` running from inside its opening tag.

    The text is what stands before the first closing tag, after the last
    ``>`` before it: ``>\n<a href='...'>09BEIJING22</a>\n</td>...`` gives
    ``09BEIJING22``. Entities are decoded.
    """
    close = cell.find(b"</")
    if close < 0:
        close = len(cell)
    text = decode(cell[cell.rfind(b">", 0, close) + 1 : close]).strip()
    return html.unescape(text) if "&" in text else text


def _pre(data: bytes, pos: int) -> tuple[int, int] | None:
    """Start and end of the inner HTML of the first ``<pre>`` at or after ``pos``."""
    tag = data.find(b"<pre", pos)
    if tag < 0:
        return None
    inner = data.find(b">", tag) + 1
    close = data.find(b"</pre>", inner)
    if inner <= 0 or close < 0:
        return None
    return inner, close
