"""REF blocks (spec 5.6): split into items, type them, resolve cables to ids.

Collect, then resolve: the block is split into lettered (or separated) items
first; each item is then scanned for cable citations ``[YY] POST SERIAL``, whose
post must be a known station (directly, as an alias, or a garbled form).
"""

from __future__ import annotations

import re

from .. import tables
from ..model import Reference

REF_KEY = re.compile(
    r"^\s*(?:REF(?:S|TEL|TELS|\(S\))?|Refs?|Ref\(s\)|Reftels?|REFERENCES?)"
    r"\s*(?:[.:]+\s*|\s+|$)(?P<rest>.*)$"
)
# A lettered item: "A.", "A)", "(A)", "A:" at the start or after a separator.
_LETTER = re.compile(r"(?:^|(?<=[\s;,]))(?:\(([A-Z])\)|([A-Z])[.):](?!\w))\s*")
# A numbered item: "1." or "1)" (the list must start with "1" at the start of the block).
_NUMBER = re.compile(r"(?:^|(?<=[\s;,]))([1-9])[.)](?=\s)\s*")
_ITEM_SEPARATOR = re.compile(r"\s*[;:]\s+|\s+AND\s+(?=(?:\d{2,4}\s+)?[A-Z]{3,}\s+\d)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'.\-]*|\d+|\S")
_SLASH_YEAR = re.compile(r"/(\d{2})\b(?!/)")
_YEAR_SUFFIX = re.compile(r"^\s*\(\s*(\d{4}|\d{2})\s*\)")
_EMAIL = re.compile(r"\bE-?MAIL", re.I)
_TELCON = re.compile(r"\b(?:TELCON|TELECON|TELEPHONE|PHONE ?CALL|CON(?:VERSATION)?)\b", re.I)
_MEMO = re.compile(r"\b(?:MEMCON|MEMO(?:RANDUM)?|NOTE|LETTER|NON-?PAPER|DIPNOTE)\b", re.I)
_MESSAGE = re.compile(r"\b(?:MSG|DTG|IIR|\d{6}Z)\b", re.I)


def split_items(text: str) -> list[tuple[str | None, str]]:
    """(letter, text) items of a REF block, letters kept only in sequence A, B, C..."""
    text = " ".join(text.split())
    marks: list[tuple[int, int, str]] = []
    expected = "A"
    for m in _LETTER.finditer(text):
        letter = m[1] or m[2]
        if letter == expected:
            marks.append((m.start(), m.end(), letter))
            expected = chr(ord(expected) + 1)
        elif marks and letter == marks[-1][2] and m.start() == marks[-1][1]:
            marks[-1] = (marks[-1][0], m.end(), letter)  # doubled "A. A)"
    if not marks:
        marks = _numbered(text)
    if not marks:
        return [(None, part) for part in _ITEM_SEPARATOR.split(text) if part.strip(" ,;.")]
    items: list[tuple[str | None, str]] = []
    if text[: marks[0][0]].strip(" ,;:."):
        items.append((None, text[: marks[0][0]].strip()))
    for i, (_, end, letter) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        items.append((letter, text[end:stop].strip(" ;,")))
    return items


def _numbered(text: str) -> list[tuple[int, int, str]]:
    """The marks of a numbered list on one line (``1. ROME 1902, 2. STATE 31565``): only
    from "1" at the start, in sequence, and two at least (a serial is never taken)."""
    marks: list[tuple[int, int, str]] = []
    for m in _NUMBER.finditer(text):
        if m[1] == str(len(marks) + 1) and (marks or m.start() == 0):
            marks.append((m.start(), m.end(), m[1]))
    return marks if len(marks) > 1 else []


def _citations(item: str) -> list[tuple[int, int, str, int, str | None]]:
    """Cable citations in an item: (start, end, station, serial, year text)."""
    words = [(m.start(), m.end(), m[0]) for m in _WORD.finditer(item)]
    found: list[tuple[int, int, str, int, str | None]] = []
    last_serial = -1  # word index of the previous citation's serial: never a year
    for i, (_start, end, word) in enumerate(words):
        if not word.isdigit() or len(word) > 8 or i == 0:
            continue
        slash_year = _SLASH_YEAR.match(item, end)
        if item.startswith("...", end) or (item.startswith("/", end) and not slash_year):
            continue  # "MOSCOW 240...": a serial cut by an excerpt; "LONDON 10/15/08": a date
        hit = _station_before(words, i)
        if hit is None and found and words[i - 1][2].upper() in ("AND", ",", "&"):
            hit = (i, found[-1][2])  # "BERN 1253 AND 1260": the station carries over
        if hit is None:
            continue
        first, station = hit
        year = None
        previous = first - 1
        bracketed = previous >= 2 and words[previous][2] == ")" and words[previous - 2][2] == "("
        if bracketed:
            previous -= 1  # "(08) SAO PAULO 497"
        if (
            previous > last_serial
            and words[previous][2].isdigit()
            and len(words[previous][2]) in (2, 4)
        ):
            year = words[previous][2]
            first = previous - 1 if bracketed else previous
        last_serial = i
        if year is None and slash_year:  # "PANAMA 00933/08"
            year = slash_year[1]
            end = slash_year.end()
        suffix = _YEAR_SUFFIX.match(item[end:])
        if year is None and suffix:
            year = suffix[1]
            end += suffix.end()
        found.append((words[first][0], end, station, int(word), year))
    return found


def _station_before(words: list[tuple[int, int, str]], i: int) -> tuple[int, str] | None:
    """The longest run of up to 4 words before ``words[i]`` naming a station."""
    alpha = 0  # the words of a run all start with a letter
    while alpha < min(4, i) and words[i - 1 - alpha][2][0].isalpha():
        alpha += 1
    for n in range(alpha, 0, -1):
        station = tables.station_token(" ".join(w[2] for w in words[i - n : i]))
        if station:
            return i - n, station
    return None


def resolve(station: str, serial: int, year: str | None, citing_year: int | None) -> str | None:
    if serial < 1 or serial > 9_999_999:
        return None
    if year is not None:
        yy = year[-2:]
    elif citing_year is not None:
        yy = f"{citing_year % 100:02d}"
    else:
        return None
    return f"{yy}{station}{serial}"


def kind_of(text: str) -> str:
    if _EMAIL.search(text):
        return "email"
    if _TELCON.search(text):
        return "telcon"
    if _MEMO.search(text):
        return "memo"
    if _MESSAGE.search(text):
        return "cable"
    return "other"


def parse_references(text: str, citing_id: str | None, citing_year: int | None) -> list[Reference]:
    """Every reference of a REF block, cable citations resolved to ids."""
    refs: list[Reference] = []
    seen: set[str] = set()
    for letter, item in split_items(text):
        citations = _citations(item)
        if not citations:
            refs.append(Reference(letter, item, kind_of(item)))
            continue
        for n, (start, end, station, serial, year) in enumerate(citations):
            ident = resolve(station, serial, year, citing_year)
            if ident is not None and (ident == citing_id or ident in seen):
                continue
            if ident:
                seen.add(ident)
            piece = item if len(citations) == 1 else _piece(item, citations, n, start, end)
            refs.append(Reference(letter, piece, "cable", ident, year is None))
    return refs


def _piece(
    item: str, citations: list[tuple[int, int, str, int, str | None]], n: int, start: int, end: int
) -> str:
    """The text of one of several citations in an item, up to the next one."""
    stop = citations[n + 1][0] if n + 1 < len(citations) else len(item)
    return item[start:stop].strip(" ;,:") or item[start:end]
