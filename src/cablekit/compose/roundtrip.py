"""Parse -> render -> parse: does the canonical text give the record back?

Two ways. **Alone** (``alone=True``): the rendered text is parsed by itself, as a
file a user saves and reads again; everything the record holds but the publisher's
wrapper (``publication``, and ``partial``, the page's note that it shows an extract)
must come back from the telegram: id, date, addressees, classification... **Inside
the wrapper**: the re-read is given the same wrapper as the original, as the cable
would be if it were published again. Either way the record's ``source`` (where it
was read) and ``warnings`` (what the reader had to repair in the original text) are
not the text's and are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Cable, Source
from ..parser import parse_raw
from ..sources.base import TEXT, RawCable
from .render import RenderOptions, render

__all__ = ["NOT_COMPARED", "NOT_COMPARED_ALONE", "Trip", "differences", "reread", "round_trip"]

NOT_COMPARED = frozenset({"source", "warnings"})
NOT_COMPARED_ALONE = NOT_COMPARED | {"publication", "partial"}


@dataclass(frozen=True, slots=True)
class Trip:
    text: str
    again: Cable
    differences: list[str]


def reread(cable: Cable, text: str, alone: bool = False) -> Cable:
    """``text`` parsed as a telegram: alone, or in the wrapper ``cable`` was published in."""
    raw = RawCable(
        body=text,
        source=Source(format="telegram"),
        markup=TEXT,
        publication=None if alone else cable.publication,
        partial=False if alone else cable.partial,
    )
    return parse_raw(raw)


def round_trip(cable: Cable, options: RenderOptions | None = None, alone: bool = False) -> Trip:
    text = render(cable, options)
    again = reread(cable, text, alone)
    ignored = NOT_COMPARED_ALONE if alone else NOT_COMPARED
    return Trip(text, again, differences(cable, again, ignored))


def differences(before: Cable, after: Cable, ignored: frozenset[str] = NOT_COMPARED) -> list[str]:
    """The kinds of difference between two records: ``field`` or ``field.key``."""
    a, b = before.to_json(), after.to_json()
    kinds: list[str] = []
    for key, value in a.items():
        if key in ignored or value == b.get(key):
            continue
        kinds.append(_kind(key, value, b.get(key)))
    return kinds


def _kind(key: str, before: Any, after: Any) -> str:
    """``paragraphs.count``, ``paragraphs.text``, ``to.serial``, ``subject``..."""
    if before is None or after is None or not before or not after:
        return f"{key}.{'lost' if not after else 'gained'}"
    if isinstance(before, list):
        if len(before) != len(after):
            return f"{key}.count"
        for x, y in zip(before, after, strict=True):
            if x != y:
                return _kind(key, x, y) if isinstance(x, dict) else f"{key}.item"
    if isinstance(before, dict):
        for k, v in before.items():
            if v != after.get(k):
                return f"{key}.{k}"
    return key
