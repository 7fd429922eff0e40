"""Classification levels and portion markings, read the same way everywhere.

A portion marking such as ``C``, ``S//NF``, ``SBU/NF`` or ``S/REL NATO`` names a
classification (its first part) and, after it, dissemination controls. Levels are
ranks in :data:`cablekit.model.CLASSIFICATIONS` (UNCLASSIFIED is 0, TOP SECRET 5).
"""

from __future__ import annotations

import re

from .model import CLASSIFICATIONS

_ABBREVIATIONS = {
    "U": "UNCLASSIFIED",
    "UNCLASSIFIED": "UNCLASSIFIED",
    "UNCLAS": "UNCLASSIFIED",
    "SBU": "SENSITIVE BUT UNCLASSIFIED",
    "LOU": "LIMITED OFFICIAL USE",
    "C": "CONFIDENTIAL",
    "CONFIDENTIAL": "CONFIDENTIAL",
    "S": "SECRET",
    "SECRET": "SECRET",
    "TS": "TOP SECRET",
    "TOP SECRET": "TOP SECRET",
}
# The portion mark of each level, as written in markings and on banners.
PORTION_MARKS = {
    "UNCLASSIFIED": "U",
    "SENSITIVE BUT UNCLASSIFIED": "SBU",
    "LIMITED OFFICIAL USE": "LOU",
    "CONFIDENTIAL": "C",
    "SECRET": "S",
    "TOP SECRET": "TS",
}
# The classification part of a marking: everything before the first control.
_LEAD = re.compile(r"\s*(TOP SECRET|[A-Z]+)")
_NOFORN = re.compile(r"(?:^|[/\s-])(?:NF|NOFORN)\b")
_REL = re.compile(r"\bREL(?:EASABLE)?\b(?:\s+TO\b)?\s*(.*)")

LEVELS = {name: rank for rank, name in enumerate(CLASSIFICATIONS)}


def level(classification: str | None) -> int | None:
    """The rank of a classification name, or None when unknown."""
    return LEVELS.get(classification) if classification else None


def marking_classification(marking: str | None) -> str | None:
    """The classification a portion marking names (``S//NF`` -> SECRET), or None."""
    if not marking:
        return None
    match = _LEAD.match(marking.upper())
    if match is None:
        return None
    return _ABBREVIATIONS.get(match.group(1))


def marking_level(marking: str | None, default: int) -> int:
    """The level that covers a portion: its marking's, or ``default`` (the cable's)."""
    name = marking_classification(marking)
    return LEVELS[name] if name else default


def marking_noforn(marking: str | None) -> bool:
    """Whether a portion marking carries NOFORN (``C/NF``, ``S//NOFORN``)."""
    return bool(marking and _NOFORN.search(marking.upper()))


def marking_release(marking: str | None) -> str | None:
    """The REL TO list of a portion marking as written (``NATO/AUS``), or None."""
    if not marking:
        return None
    match = _REL.search(marking.upper())
    return match.group(1).strip() or None if match else None
