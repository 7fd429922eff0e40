"""The one definition of a word: what search indexes and what queries look for.

``tokens(text)`` is chosen to equal SQLite FTS5's ``unicode61 remove_diacritics 2``
tokenizer, so that the archive's full-text index, the query parser and the test
oracle all split text the same way:

- a token is a maximal run of letters and numbers (Unicode categories ``L*``,
  ``N*``) and private-use characters (``Co``); everything else separates, the
  underscore included;
- the combining accents FTS5 treats as part of a word (``_DIACRITICS``) stay in
  the run and are then dropped, so ``"e\\u0301"`` reads as ``e``;
- each character is case-folded (one-character case folding, else lower case)
  and loses its diacritics when it decomposes into an ASCII letter plus
  combining marks (``é`` -> ``e``, ``ø`` stays ``ø``), as FTS5 does.

``tests/test_query.py`` checks the agreement with SQLite on every character of
Unicode 3.2. Characters added to Unicode later may differ (SQLite's tables are
from Unicode 6.1, Python's from 14), and unassigned code points, which SQLite
treats as letters, separate here; neither occurs in the cables.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["tokens"]

# The combining accents that unicode61 counts as token characters (and removes);
# every other combining mark separates words. Found by asking SQLite.
_DIACRITICS = (
    "\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u0309\u030a\u030b\u030c"
    "\u030f\u0311\u031b\u0323\u0324\u0325\u0326\u0327\u0328\u032d\u032e\u0330\u0331"
)
# Two Mongolian letters that Unicode later re-classified as marks; SQLite's older
# tables still call them letters.
_OLD_LETTERS = "\u1885\u1886"
_PRIVATE_USE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"

# [^\W_] is exactly the letters and numbers (L*, N*) in Python's re module.
_TOKEN = re.compile(rf"(?:[^\W_]|[{_PRIVATE_USE}{_DIACRITICS}{_OLD_LETTERS}])+")

# SQLite's remove_diacritics table leaves these alone although they decompose.
_KEPT = {"\u01e0": "\u01e1", "\u01e1": "\u01e1"}


def _fold_char(char: str) -> str:
    if char in _DIACRITICS:
        return ""
    if char in _KEPT:
        return _KEPT[char]
    folded = char.casefold()
    if len(folded) != 1:  # "ß" -> "ss": FTS5 folds one character to one
        folded = char.lower()
    base = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return base if base and base.isascii() else folded


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each non-ASCII character once, on demand."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(token: str) -> str:
    """One token case-folded and stripped of diacritics, as FTS5 stores it."""
    if token.isascii():
        return token.lower()
    return token.translate(_FOLD)


def tokens(text: str) -> list[str]:
    """The words of ``text``, folded, in order (FTS5 ``unicode61 remove_diacritics 2``)."""
    words = [fold(run) for run in _TOKEN.findall(text)]
    return [w for w in words if w]  # a run of bare accents folds to nothing
