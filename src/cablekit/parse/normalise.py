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
        text = text.replace("&#x000A;", "\n").replace("&#xA;", "\n")
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
    return text.replace("¶", "")


def lines_of(text: str, markup: str) -> list[str]:
    """The unwrapped text as lines without trailing whitespace."""
    return [line.rstrip() for line in unwrap(text, markup).split("\n")]
