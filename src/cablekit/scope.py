"""What a reader may see, as SQL conditions: the scope every read of the archive is
filtered by (built by ``access.policy.scope_for``, applied by the search package), and
the layout of a text unit's rowid that those conditions are written over.

Low in the house: it imports nothing of cablekit, so the access rules, the store and
the search package can all depend on it without depending on one another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

UNIT_BITS = 16  # a cable has fewer than 2**16 units (MAX_SEQ in store/rows.py)
# A text unit's rowid is its cable's key shifted left, plus its place.
UNIT_MASK = (1 << UNIT_BITS) - 1


@dataclass(frozen=True, slots=True)
class Scope:
    """What a reader may see, as SQL conditions with their parameters.

    ``units`` is a condition on a text unit row ``u`` (subject or paragraph) of a
    visible cable; ``cables`` on a cable row ``c``. ``rowids``, when given, is the
    units condition written over a bare unit rowid (``{rowid}`` marks where), so that
    full-text matches are kept or dropped without reading their unit rows; it takes
    ``unit_params``. ``record``, when given, turns a cable's stored record (its key and
    JSON bytes) into the record the reader may take away. ``hidden``, when given, is
    SQL selecting the rowids of the units the reader may not see (with ``unit_params``),
    the units condition being "not one of them": the search engine reads that set once
    per archive state instead of testing every match. ``versions`` is a condition on a
    version row ``v``: every version is judged by its own header and collections. The
    default sees everything.
    """

    units: str = "1"
    unit_params: tuple[object, ...] = ()
    cables: str = "1"
    cable_params: tuple[object, ...] = ()
    name: str = "public"
    rowids: str = ""
    record: Callable[[int, bytes], bytes] | None = field(default=None, compare=False)
    hidden: str = ""
    versions: str = "1"  # a condition on a version row ``v`` (alias) the reader may read
    version_params: tuple[object, ...] = ()

    def unit_rowids(self, rowid: str) -> str:
        """The units condition over the unit rowid expression ``rowid``."""
        if self.rowids:
            return self.rowids.replace("{rowid}", rowid)
        return f"{rowid} IN (SELECT u.rowid FROM unit u WHERE {self.units})"

    def references(self, alias: str = "r") -> str:
        """The condition (with ``unit_params``) that a reference row ``alias`` may be
        seen, its cable being visible: a REF item always; a mention only when the
        reader sees the paragraph unit it is in (its target and words are that
        paragraph's)."""
        if self.units == "1":
            return "1"
        unit = f"(({alias}.cable_key << {UNIT_BITS}) + {alias}.paragraph)"
        return f"({alias}.paragraph IS NULL OR {self.unit_rowids(unit)})"

    def hidden_units(self) -> str:
        """SQL selecting the rowids of the units the reader may not see (``unit_params``);
        empty when they see every unit of the cables they see."""
        if self.units == "1":
            return ""
        return self.hidden or f"SELECT u.rowid FROM unit u WHERE NOT coalesce(({self.units}), 0)"


PUBLIC = Scope()
