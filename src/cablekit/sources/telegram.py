"""Raw telegram text: one cable per file, the whole telegram in ``body``.

The files converted from WikiLeaks' PDF edition are latin-1 with CRLF line
ends and ``¶`` as byte 0xB6; :func:`decode` handles all of that. The parser
splits the envelope from the text, so ``header`` stays None.
"""

from __future__ import annotations

import re

from ..errors import NotACable
from ..model import Source
from .base import TEXT, RawCable
from .decode import decode

FORMAT = "telegram"

# What any telegram shows near its top: the envelope (VZCZC, a DTG line, FM/TO), a
# classification word, or a header field. Text with none of them is no telegram.
_CABLE_MARKS = re.compile(
    rb"VZCZC|\b(?:C O N F I D E N T I A L|S E C R E T|UNCLAS|CONFIDENTIAL|SECRET"
    rb"|LIMITED OFFICIAL USE|TAGS?:|SUBJ(?:ECT)?:|E\.\s?O\.\s?1\d{4})"
    rb"|^\s*(?:[ZOPR] )?\d{6}Z [A-Z]{3} \d{2}|^\s*FM [A-Z]",
    re.IGNORECASE | re.MULTILINE,
)
SHAPE_REACH = 64 * 1024


def shape_problem(data: bytes, kind: str) -> str | None:
    """Why ``data`` is not a cable of ``kind`` ("text", "Markdown"), as the end of a
    sentence naming what was found and what was expected; None when it shows one."""
    if _CABLE_MARKS.search(data[:SHAPE_REACH]):
        return None
    first = next((line.strip() for line in data[:SHAPE_REACH].splitlines() if line.strip()), b"")
    begins = decode(first[:60]).strip()
    return (
        f"holds no cable: it is {kind} beginning {begins!r}, where a telegram shows an"
        " envelope (VZCZC, a DTG, FM), a classification line or header fields (TAGS,"
        " SUBJECT, E.O.) near its top"
    )


def sniff(name: str | None, head: bytes) -> int:
    """Score for plain text: always a little (the fallback), more for a telegram's marks."""
    if b"VZCZC" in head[:4096]:
        return 40
    if name is not None and name.lower().endswith(".txt"):
        return 20
    return 1


def read_cable(data: bytes, path: str | None) -> RawCable:
    """The telegram in ``data``, decoded. Raises NotACable for text that shows no cable."""
    problem = shape_problem(data, "text")
    if problem:
        raise NotACable(f"{path or 'The input'} {problem}")
    return RawCable(body=decode(data), source=Source(format=FORMAT, path=path), markup=TEXT)
