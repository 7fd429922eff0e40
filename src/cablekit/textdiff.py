"""Word-level differences between two versions of a cable's text.

The words of the two texts are compared with :class:`difflib.SequenceMatcher`
(no junk heuristic: in cables the most frequent words are exactly those a diff
must not skip); the white space between matched words is compared apart. Every
character is kept, so the changes rebuild both texts exactly: the ``equal`` and
``delete`` texts, in order, are the old text; the ``equal`` and ``insert`` texts
are the new one.

``format_diff`` renders the changes like ``git diff --word-diff``:
``[-removed-]{+added+}``, with long unchanged runs cut to a few words of context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

Kind = Literal["equal", "insert", "delete"]
CONTEXT_WORDS = 6
ELLIPSIS = " … "
_TOKEN = re.compile(r"\s+|\S+")
_WORD = re.compile(r"(\S+)(\s*)")
_RED, _GREEN, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[0m"


@dataclass(frozen=True, slots=True)
class Change:
    kind: Kind
    text: str


def split(text: str) -> tuple[str, list[str], list[str]]:
    """(leading white space, words, the white space after each word)."""
    lead = text[: len(text) - len(text.lstrip())]
    words: list[str] = []
    spaces: list[str] = []
    for match in _WORD.finditer(text, len(lead)):
        words.append(match.group(1))
        spaces.append(match.group(2))
    return lead, words, spaces


def word_diff(old: str, new: str) -> list[Change]:
    """The changes from ``old`` to ``new``, word by word, in text order.

    Words are matched; the white space between two matched words is then compared
    on its own, so a re-flowed line is a change of white space, not of its words.
    """
    lead_a, a, space_a = split(old)
    lead_b, b, space_b = split(new)
    changes = _spaces(lead_a, lead_b)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            changes.append(Change("delete", _join(a, space_a, i1, i2)))
            changes.append(Change("insert", _join(b, space_b, j1, j2)))
            continue
        for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
            changes.append(Change("equal", a[i]))
            changes += _spaces(space_a[i], space_b[j])
    return _merged([c for c in changes if c.text])


def _join(words: list[str], spaces: list[str], start: int, end: int) -> str:
    return "".join(w + s for w, s in zip(words[start:end], spaces[start:end], strict=True))


def _spaces(old: str, new: str) -> list[Change]:
    if old == new:
        return [Change("equal", old)]
    return [Change("delete", old), Change("insert", new)]


def _merged(changes: list[Change]) -> list[Change]:
    """Neighbours grouped: one equal run, then all deletions, then all insertions."""
    out: list[Change] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append(Change("delete", "".join(deleted)))
        if inserted:
            out.append(Change("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for change in changes:
        if change.kind == "equal":
            flush()
            if out and out[-1].kind == "equal":
                change = Change("equal", out.pop().text + change.text)
            out.append(change)
        else:
            (deleted if change.kind == "delete" else inserted).append(change.text)
    flush()
    return out


def old_text(changes: list[Change]) -> str:
    return "".join(c.text for c in changes if c.kind != "insert")


def new_text(changes: list[Change]) -> str:
    return "".join(c.text for c in changes if c.kind != "delete")


def format_diff(changes: list[Change], color: bool = False) -> str:
    """The changes as ``git diff --word-diff`` shows them; "" when nothing changed.

    Unchanged runs keep CONTEXT_WORDS words on each side of a change (line breaks
    included) and show `` … `` for what they skip.
    """
    shown = _words_only(changes)
    if all(c.kind == "equal" for c in shown):
        return ""
    parts: list[str] = []
    for n, change in enumerate(shown):
        if change.kind == "equal":
            parts.append(_context(change.text, first=n == 0, last=n == len(shown) - 1))
        else:
            parts.append(_marked(change, color))
    return "".join(parts)


def shown(changes: list[Change], whitespace: bool = False) -> list[Change]:
    """The changes as a reader calls them: white space alone changed is kept as the
    new text, unmarked (a re-flowed line, a doubled space); with ``whitespace``, every
    change, as :func:`word_diff` gives them."""
    return changes if whitespace else _words_only(changes)


def is_space(change: Change) -> bool:
    """Whether a change is of white space only."""
    return change.kind != "equal" and not change.text.strip()


def _words_only(changes: list[Change]) -> list[Change]:
    """Changes of white space alone shown as the new white space, unmarked.

    Re-flowed lines and doubled spaces are the commonest edit between versions and
    change no word: marking them would bury the edits that matter.
    """
    out: list[Change] = []
    for change in _trimmed(changes):
        if change.kind != "equal" and not change.text.strip():
            change = Change("equal", change.text if change.kind == "insert" else "")
        if not change.text:
            continue
        if out and change.kind == "equal" and out[-1].kind == "equal":
            change = Change("equal", out.pop().text + change.text)
        out.append(change)
    return out


def _trimmed(changes: list[Change]) -> Iterator[Change]:
    """Replacements with the white space both sides share at their ends moved out of
    the marks (as the new white space)."""
    n = 0
    while n < len(changes):
        pair = changes[n : n + 2]
        if [c.kind for c in pair] != ["delete", "insert"] or not pair[0].text.strip():
            yield changes[n]
            n += 1
            continue
        old, new = pair[0].text, pair[1].text
        old_lead, new_lead = _edge(old, start=True), _edge(new, start=True)
        old_tail, new_tail = _edge(old, start=False), _edge(new, start=False)
        if not (old_lead and new_lead):
            old_lead = new_lead = ""
        if not (old_tail and new_tail):
            old_tail = new_tail = ""
        yield Change("equal", new_lead)
        yield Change("delete", old[len(old_lead) : len(old) - len(old_tail)])
        yield Change("insert", new[len(new_lead) : len(new) - len(new_tail)])
        yield Change("equal", new_tail)
        n += 2


def _edge(text: str, start: bool) -> str:
    """The white space at the start (or end) of a text that has a word."""
    if start:
        return text[: len(text) - len(text.lstrip())]
    return text[len(text.rstrip()) :]


def _marked(change: Change, color: bool) -> str:
    start, end = ("[-", "-]") if change.kind == "delete" else ("{+", "+}")
    if not color:
        return f"{start}{change.text}{end}"
    paint = _RED if change.kind == "delete" else _GREEN
    # Colour each line apart, so that a pager showing one line still resets it.
    body = f"{_RESET}\n{paint}".join(change.text.split("\n"))
    return f"{paint}{start}{body}{end}{_RESET}"


def _context(text: str, first: bool, last: bool) -> str:
    """An unchanged run cut to the words next to the changes around it."""
    words = _TOKEN.findall(text)
    keep = 2 * CONTEXT_WORDS  # tokens: words and the spaces between them
    head = [] if first else words[:keep]
    tail = [] if last else words[-keep:]
    if len(words) <= len(head) + len(tail) + 2:
        return text
    return "".join(head).rstrip() + ELLIPSIS + "".join(tail).lstrip()


def summary(changes: list[Change]) -> str:
    """How many words went and came: "12 words removed, 15 added"."""
    removed = sum(_words(c.text) for c in changes if c.kind == "delete")
    added = sum(_words(c.text) for c in changes if c.kind == "insert")
    if not removed and not added:
        return "only white space changed" if changes_anything(changes) else "no change"
    noun = "word" if removed == 1 else "words"
    return f"{removed} {noun} removed, {added} added"


def changes_anything(changes: list[Change]) -> bool:
    return any(c.kind != "equal" for c in changes)


def _words(text: str) -> int:
    return len(text.split())
