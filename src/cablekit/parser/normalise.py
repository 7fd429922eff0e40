"""Stage 1: strip the publication layer's artefacts, leaving telegram lines.

Each markup kind (see ``sources.base``) has its own artefacts (spec section 1):
WikiLeaks ``<pre>`` blocks encode newlines as ``&#x000A;`` and wrap paragraph
numbers in ``¶`` anchors; scraped Markdown adds ``[¶](#)``, ``[TAG](#)``,
``####`` prefixes, ``<url>`` autolinks and a blank line between most lines;
flattened JSON exports lose the newlines altogether. The result is a list of
lines without trailing whitespace, every later stage can assume ``\\n``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from ..sources.base import FLATTENED, HTML, MARKDOWN

_HTML_ANCHOR = re.compile(r"<a id='par\d+' href='#par\d+'>¶</a>")
_HTML_TAG = re.compile(r"<[^>\n]{1,400}>")
_MD_PILCROW_LINK = re.compile(r"\[¶\]\(#\)")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(#\)")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_MD_AUTOLINK = re.compile(r"^<(https?://[^>\s]+)>$", re.MULTILINE)
# A flattened export keeps two or more spaces where lines were broken; split
# there unless the spaces follow a colon or a paragraph number ("SUBJECT:  X").
_FLAT_BREAK = re.compile(r"(?<!:)(?<!\d\.)\s{2,}")


def unwrap(text: str, markup: str) -> str:
    """Remove the artefacts of ``markup`` from ``text``."""
    if markup == HTML:
        text = text.replace("&#x000A;", "\n")
        text = _HTML_ANCHOR.sub("", text)
        if "<" in text:
            text = _HTML_TAG.sub("", text)
        if "&" in text:
            text = html.unescape(text)
    elif markup == MARKDOWN:
        text = _MD_PILCROW_LINK.sub("", text)
        text = _MD_LINK.sub(r"\1", text)
        text = _MD_HEADING.sub("", text)
        text = _MD_AUTOLINK.sub(r"\1", text)
    elif markup == FLATTENED:
        text = _FLAT_BREAK.sub("\n", text)
    if "\t" in text and text.count("\\\n") > 3:
        # A tab-separated media dump pasted into the page: backslash line ends.
        text = text.replace("\\\n", "\n").replace("\t", "\n")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("¶", "") if "¶" in text else text  # "in" is the cheaper scan


def lines_of(text: str, markup: str) -> list[str]:
    """The unwrapped text as stripped lines (indentation carries no meaning in a telegram),
    without the backslashes a pasted database dump ends its lines with."""
    text = unwrap(text, markup)
    # Line continuations of a pasted database dump. (A backslash is rare, and looking for
    # one character is many times cheaper than for two: test that first.)
    if "\\" in text and "\\\n" in text:
        return [line.strip().rstrip("\\").rstrip() for line in text.split("\n")]
    return list(map(str.strip, text.split("\n")))


# WikiLeaks' note before the text of some pages: "ID:190812 Cable dated:2009-02-06T13:05:00",
# glued to the classification line or on a line of its own. Page furniture, not cable text.
_PREAMBLE = re.compile(r"(?:ID:\s?\d+\s*)?Cable dated:\s?\d{4}-\d{2}-\d{2}(?:T[\d:]{5,8})?\]?\s*")


def strip_preamble(lines: list[str]) -> list[str]:
    """``lines`` without WikiLeaks' ``ID:... Cable dated:...`` note at the top."""
    for i, line in enumerate(lines[:5]):
        if not line:
            continue
        if line.startswith(("ID:", "Cable dated:")):
            m = _PREAMBLE.match(line)
            if m:
                return [*lines[:i], line[m.end() :], *lines[i + 1 :]]
        return lines
    return lines


# The portion marks that show where a paragraph glued to other text starts.
PORTION_MARK = r"(?:U|C|S|SBU|[CS]\s?/\s?NF|SBU/NF)"
# Newspaper copies glue the text header onto one line:
# "... CAIRO 000941SIPDISE.O. 12958: DECL: 02/14/2016 TAGS: PTER EG".
_GLUED_KEY = re.compile(
    r"(?<=\S)\s*(?=SIPDIS|NOFORN(?:\b|(?=SIPDIS))|(?i:E\.\s?O\.)\s?1\d{4}|EO 1\d{4}"
    r"|(?i:TAGS:)|AGS:(?<!TAGS:)"
    r"|(?i:SUBJECT:)|REF:\s|Classified By:|CLASSIFIED BY:)"
    rf"|(?<=[^\s\d])(?<!\d\.)\s+(?=1\s?\.\s*\({PORTION_MARK}\)\s)"
    r"|(?<=[^\s-])\s*(?=-{3,} ?S(?:UMMARY|ummary))"
    r"|\s+(?=S(?:UMMARY|ummary)\s*-{3,}\s*$)"
    r"|(?<=-{3}) (?=\d{1,2}\.\s*\()"
)
# Searched from the second character: a key that starts the line is no glue. Every
# alternative starts with a literal character, so the regex engine skips the other
# characters without trying each branch ("TAGS:" not at the start of the line is
# written ``T(?<=..T)AGS:``).
_GLUED_HINT = re.compile(
    r"SIPDIS|NOFORN|E\.\s?[Oo]\.|e\.\s?[Oo]\.|EO 1|T(?<=..T)AGS:|A(?<!TA)GS:|SUBJECT:|Subject:"
    r"|subject:|REF:|C(?<=..C)lassified By|C(?<=..C)LASSIFIED BY|UMMARY|ummary|1\s?\.\s*\(|--- \d"
)
# Where a _GLUED_KEY match can end: the first character of one of its keys (or the space
# of "--- 1."), found at a fraction of the cost of trying _GLUED_KEY everywhere.
_GLUED_KEY_START = re.compile(
    r"S(?=IPDIS|UMMARY|ummary|(?i:UBJECT:))|s(?=(?i:UBJECT:))|\u017f(?=(?i:UBJECT:))"
    r"|N(?=OFORN)|E(?=\.|O 1)|e(?=\.)|T(?=(?i:AGS:))|t(?=(?i:AGS:))|A(?=GS:)|R(?=EF:)"
    r"|C(?=lassified By:|LASSIFIED BY:)|1(?=\s?\.)|-(?=--)| (?<=--- )"
)
_PARAGRAPH_LINE = re.compile(r"^\s*\d{1,3}\s?\.")


def _glued_keys(line: str, scan: int) -> Iterator[re.Match[str]]:
    """The matches of _GLUED_KEY in ``line`` from ``scan`` on, as ``finditer`` finds them.

    A match is a run of white space (maybe empty) ending where a key starts, or the
    space of "--- 1.", so it starts between the white space before a _GLUED_KEY_START
    hit and the hit. Trying only those places spares the engine trying the long pattern
    at every character of a long line (a whole glued page can be one line). An empty match
    ends at a key, where no non-empty match starts either: the next try is one further.
    """
    for hit in _GLUED_KEY_START.finditer(line, scan):
        key = hit.start()
        if key < scan:
            continue
        at = key
        while at > scan and line[at - 1].isspace():
            at -= 1
        while at <= key:
            m = _GLUED_KEY.match(line, at)
            if m is None:
                at += 1
                continue
            yield m
            scan = at = m.end() if m.end() > at else m.end() + 1


def _split_glued(line: str) -> list[str]:
    """``_GLUED_KEY.split(line)``."""
    parts = []
    last = 0
    for m in _glued_keys(line, 0):
        parts.append(line[last : m.start()])
        last = m.end()
    parts.append(line[last:])
    return parts


def unglue_header(lines: list[str]) -> list[str]:
    """Split header fields run together on one line, up to the first paragraph."""
    out: list[str] = []
    for index, line in enumerate(lines[:61]):
        if line[:1].isdigit() and _PARAGRAPH_LINE.match(line):
            return out + lines[index:]
        if (
            len(line) > 20
            and not line.startswith("SUBJ")
            and _GLUED_HINT.search(line, 1)  # ten times cheaper than the pattern itself
            and next(_glued_keys(line, 1), None)
        ):
            out.extend(part for part in _split_glued(line) if part.strip())
        else:
            out.append(line)
    return out + lines[61:]
