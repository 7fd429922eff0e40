"""TAGS (spec 5.4): codes in order, person tags kept whole, glued codes split."""

from __future__ import annotations

import functools
import re

from .. import tables

TAGS_KEY = re.compile(r"^\s*(?:TAGS?|TAGE|TAS|TGS|Tags|AGS(?=:))\s*(?:[:;.]\s*|\s+|$)(?P<rest>.*)$")
_PERSON = re.compile(r"\(([^()]{2,60})\)")
_SPLIT = re.compile(r"[\s,;]+")
_PIECE = re.compile(r"[^\s,;]+")  # what _SPLIT leaves
_CODE = re.compile(r"^[A-Z][A-Z0-9&/'\-]{1,23}$")
CAPTION_WORDS = frozenset({"SIPDIS", "NOFORN", "SENSITIVE", "SBU", "EXDIS", "NODIS", "LIMDIS"})


@functools.lru_cache(maxsize=8192)  # TAGS lines repeat from cable to cable
def parse_tags(text: str) -> tuple[str, ...]:
    """The tag codes of a TAGS line (and its continuation), deduplicated in order."""
    found: list[str] = []
    for piece in _pieces(text):
        for tag in _expand(piece):
            if tag not in found:
                found.append(tag)
    return tuple(found)


def _pieces(text: str) -> list[str]:
    """Split on separators, keeping ``OVIP (CLINTON, HILLARY)`` whole."""
    pieces: list[str] = []
    last = 0
    for m in _PERSON.finditer(text):
        pieces.extend(_SPLIT.split(text[last : m.start()]))
        name = " ".join(m[1].split())
        if pieces and pieces[-1] == "":
            pieces.pop()
        if pieces and pieces[-1].upper() == "OVIP":
            pieces[-1] = f"OVIP ({name})"
        else:
            pieces.append(f"({name})")
        last = m.end()
    pieces.extend(_SPLIT.split(text[last:]))
    return [p.strip(".:") for p in pieces if p.strip(".:")]


def _expand(piece: str) -> list[str]:
    if piece.startswith(("OVIP (", "(")):
        return [piece]
    code = piece.upper()
    if code in CAPTION_WORDS:
        return []
    if len(code) > 4 and code.isalpha() and tables.tag_kind(code) is None:
        split = tables.split_glued_tags(code)
        if split and _plausible_run(split):
            return split
    return [code] if _CODE.match(code) else []


def _plausible_run(pieces: list[str]) -> bool:
    """Codes run together are subject, program or organisation codes, maybe ending in countries.

    ``RIGHTS`` is not ``RI GH TS``, ``POLITICAL`` not ``POL IT IC AL``; ``EUNCH`` is
    ``EUN CH``.
    """
    sizes = [len(p) >= 3 for p in pieces]
    codes, countries = sizes.count(True), sizes.count(False)
    ordered = sizes == sorted(sizes, reverse=True)  # codes first, then 2-letter countries
    return len(pieces) > 1 and sizes[0] and ordered and countries <= codes + 1


def looks_like_tags(line: str) -> bool:
    """A continuation line of TAGS: nothing but codes (known ones, if in lower case)."""
    first = _PIECE.search(line)  # usually the next field: decided by its first word
    if first is None or not (_CODE.match(first[0]) or tables.tag_kind(first[0].upper())):
        return False
    pieces = [p for p in _SPLIT.split(line.strip()) if p]
    if not pieces or len(pieces) > 25:
        return False
    if all(_CODE.match(p) for p in pieces):
        return True
    return all(tables.tag_kind(p.upper()) for p in pieces)
