"""Line layout: the format's line length, word wrapping, spaced classification words.

Wrapping is plain greedy word wrapping with one twist: a wrapped line must never
start with something a reader would take for a new item (spec 1, 5, 6.1): a
paragraph number (``2. of the law``), a portion mark (``(C)``), a heading
underline, a field key (``REF``, ``TAGS``, ``SUBJECT``, ``E.O.``, ``Classified
By``) or a page header (``PAGE``). Such a word stays on the line before it, which
may then run a few characters over the width; the text reads back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

WIDTH = 69  # spec 11: text wrapped at 69 characters (5 FAH-1 H-246.1 says 55-69)

SPACED = {
    "CONFIDENTIAL": "C O N F I D E N T I A L",
    "SECRET": "S E C R E T",
    "TOP SECRET": "T O P S E C R E T",
    "LIMITED OFFICIAL USE": "LIMITED OFFICIAL USE",
    "UNCLASSIFIED": "UNCLAS",
    "SENSITIVE BUT UNCLASSIFIED": "UNCLAS",
}

# First characters and words that start something else when they start a line.
_RISKY_FIRST = frozenset("0123456789-=_*(#[<")
_RISKY_WORDS = frozenset(
    [
        "REF",
        "REFS",
        "REFTEL",
        "REFTELS",
        "REF(S)",
        "Ref",
        "Refs",
        "Ref(s)",
        "Reftel",
        "Reftels",
        "REFERENCE",
        "REFERENCES",
        "TAG",
        "TAGS",
        "TAGE",
        "TAS",
        "TGS",
        "Tags",
        "AGS",
        "SUBJ",
        "SUBJECT",
        "UBJ",
        "UBJECT",
        "Subj",
        "Subject",
        "E.O",
        "EO",
        "E",
        "Classified",
        "CLASSIFIED",
        "classified",
        "Text",
        "PAGE",
        "NNNN",
        "BT",
        "SIPDIS",
        "Sipdis",
        "sipdis",
        "SENSITIVE",  # "Sensitive but unclassified ..." starting a line reads as a caption
        "Sensitive",
        "sensitive",
        "visit",
        "Visit",
        "VISIT",
    ]
)


def risky_start(word: str) -> bool:
    """True when a line starting with ``word`` could be read as a new item."""
    return (
        word[:1] in _RISKY_FIRST
        or word[:1].isspace()  # readers strip a line's edges: a U+2028 there would be lost
        or word.rstrip(".:;,") in _RISKY_WORDS
    )


def wrap(
    text: str,
    width: int | None = WIDTH,
    first: str = "",
    indent: str = "",
    last_words: int = 2,
) -> list[str]:
    """``text`` after ``first`` on the first line, wrapped at ``width``.

    Continuation lines start with ``indent``. ``width=None`` keeps the text on one
    line. The last line keeps at least ``last_words`` words where the text has
    them, so a lone word (``SIPDIS``, a name) never ends a block on its own line.
    """
    chunks = chunks_of(text)
    if not chunks:
        return [first.rstrip()]
    lines: list[list[str]] = [[]]
    room = (width or 0) - len(first)
    for chunk in chunks:
        if chunk == BREAK:
            lines.append([])
            room = (width or 0) - len(indent)
            continue
        need = len(chunk) + (1 if lines[-1] else 0)
        if width is not None and lines[-1] and need > room:
            lines.append([])
            room = width - len(indent)
            need = len(chunk)
        lines[-1].append(chunk)
        room -= need
    _keep_last_words(lines, last_words)
    prefixes = [first] + [indent] * (len(lines) - 1)
    return [prefix + " ".join(line) for prefix, line in zip(prefixes, lines, strict=True)]


BREAK = "\n"  # a chunk that forces a new line


def chunks_of(text: str) -> list[str]:
    """The unbreakable units of ``text``: words, a risky word glued to the one before.

    One regex split finds the spaces where a line may break (the common case); text
    holding something that reads as a page marker goes word by word.
    """
    if _MARKER_IN_TEXT.search(text):
        # Split at spaces only: other whitespace (a stray U+2028) is part of the text.
        return _chunks([word for word in text.split(" ") if word])
    return [chunk for chunk in _BREAKABLE.split(text.strip(" ")) if chunk]


# A space where a line may break: not after a word cut at a hyphen or other whitespace,
# not before other whitespace, a risky first character or a risky word (see risky_start).
_BREAKABLE = re.compile(
    r"(?<![A-Za-z]-)(?<![^\S ]) +(?![^\S ])(?![0-9\-=_*(#\[<])"
    r"(?!(?:"
    + "|".join(re.escape(w) for w in sorted(_RISKY_WORDS, key=len, reverse=True))
    + r")[.:;,]*(?: |$))"
)
_MARKER_IN_TEXT = re.compile(r"\d{8} +\d{3}(?:\.\d)? +OF +\d{3}", re.I)


def _chunks(words: Sequence[str]) -> list[str]:
    """Words grouped so that no group but the first starts risky: the unbreakable units.

    Text that reads as a page marker (``TRIPOLI 00000308 003 OF 003``) is cut before
    its serial, so that a reader does not take it out of the text.
    """
    chunks: list[str] = []
    for n, word in enumerate(words):
        if _marker_serial(words, n):
            chunks.extend([BREAK, word])
        elif chunks and (risky_start(word) or _glued_to_previous(chunks[-1])):
            chunks[-1] += " " + word
        else:
            chunks.append(word)
    return chunks


def _glued_to_previous(chunk: str) -> bool:
    """A word cut at a hyphen (``US-``) is re-joined without a space by readers, and
    whitespace at a line's end is stripped: keep what follows on the same line."""
    return (len(chunk) > 1 and chunk.endswith("-") and chunk[-2].isalpha()) or chunk[-1].isspace()


def _marker_serial(words: Sequence[str], n: int) -> bool:
    """``00000308 003 OF 003``: the 8-digit serial of a page marker starts at ``n``."""
    return (
        len(words[n]) == 8
        and words[n].isdigit()
        and n > 0
        and _MARKER_TAIL.match(" ".join(words[n + 1 : n + 4])) is not None
    )


_MARKER_TAIL = re.compile(r"^\d{3}(?:\.\d)? OF \d{3}\b", re.I)


def _keep_last_words(lines: list[list[str]], minimum: int) -> None:
    while len(lines) > 1 and _word_count(lines[-1]) < minimum and len(lines[-2]) > 1:
        lines[-1].insert(0, lines[-2].pop())
        if not lines[-2]:
            del lines[-2]


def _word_count(chunks: Sequence[str]) -> int:
    return sum(len(chunk.split()) for chunk in chunks)


def split_in_two(first: str, text: str) -> list[str] | None:
    """``text`` after ``first`` as two lines cut near the middle, where a cut is safe;
    None for text that cannot be cut (one word)."""
    chunks = [c for c in chunks_of(text) if c != BREAK]
    if len(chunks) < 2:
        return None
    half = len(chunks) // 2
    return [first + " ".join(chunks[:half]), " ".join(chunks[half:])]
