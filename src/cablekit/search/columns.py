"""Facet and timeline counts, date order and addressee roles from columns held in memory.

Counting the hits of a broad query by tag, origin, classification, caveat, year
and date is a group-by over hundreds of thousands of joined rows in SQL; here it is
a few vectorised passes over arrays indexed by cable key (milliseconds at 250,000
cables). The arrays are read from the archive once per connection, and again
whenever the archive has changed (``cache.stamp``), so counts are always those of
the archive as it is. Which cables are counted is decided by the query (in SQL, with
the reader's scope); these arrays only hold header fields of the cables.

They are read grouped by value (``SELECT value, group_concat(key) ... GROUP BY
value`` over the covering indexes), so that a few thousand rows cross from SQLite
to Python rather than millions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from ..store.sqlite import SQLiteStore
from .cache import cached, peek

Ints = npt.NDArray[np.int64]
Small = npt.NDArray[np.int32]  # codes and keys held for long: half the memory
Mask = npt.NDArray[np.bool_]
T = TypeVar("T")
EMPTY: Ints = np.zeros(0, np.int64)


@dataclass(frozen=True, slots=True)
class Coded:
    """A many-valued attribute: (cable key, value code) pairs, and the values."""

    cables: Small  # by value code, then cable key
    codes: Small
    values: list[str]  # in order: codes follow the values' order
    kinds: list[str | None]
    starts: Ints  # where each value's cables start in ``cables`` (and the end)
    by_cable: Small  # the codes again, by cable key
    cable_starts: Ints  # where each cable key's codes start in ``by_cable`` (and the end)
    of_kind: dict[str | None, Mask]  # by kind: whether each code's value is of it

    def codes_of(self, keys: Ints) -> Small:
        """Every code of every cable of ``keys``, cable by cable, in one pass."""
        starts = self.cable_starts[keys]
        lengths = self.cable_starts[keys + 1] - starts
        # The positions of every code of every cable, run by run.
        at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        codes: Small = self.by_cable[at]
        return codes

    def few_codes_of(self, keys: list[int]) -> list[int]:
        """``codes_of`` a few cables (up to a few dozen), a slice each: for so few,
        numpy's fixed cost per array operation is most of the work."""
        starts, codes = self.cable_starts, self.by_cable
        found: list[int] = []
        for key in keys:
            found += codes[starts[key] : starts[key + 1]].tolist()
        return found

    def having(self, codes: list[int]) -> Ints:
        """The keys of the cables with any of the value ``codes``."""
        parts = [self.cables[self.starts[c] : self.starts[c + 1]] for c in codes]
        return np.concatenate(parts).astype(np.int64) if parts else EMPTY


@dataclass(frozen=True, slots=True)
class Single:
    """A one-valued text column: a code per cable key (-1: none), and the values by
    code, sorted."""

    codes: Small
    values: list[str]


@dataclass(frozen=True, slots=True)
class Dates:
    date: Small  # code of the date as stored, -1 when none
    dates: list[str]  # the dates as stored, in order (of strings, as SQL compares them)
    day: Small  # proleptic ordinal of the date, 0 when none
    month: Small  # year * 12 + month - 1
    year: Small


@dataclass(frozen=True, slots=True)
class Columns:
    """Every column, for the facets (each part is read, and kept, on its own)."""

    origin: Single
    classification: Single
    dates: Dates
    tags: Coded
    caveats: Coded


@dataclass(frozen=True, slots=True)
class Addressees:
    """Every FM, TO and INFO line by rowid (the rowid of ``name_fts`` too)."""

    cable: Small  # the cable key, -1 for a rowid no addressee has
    role: npt.NDArray[np.int8]  # FROM, TO (TO or INFO, not excluded), OTHER


FROM, TO, OTHER = 0, 1, 2


def ints(text: str | None) -> Ints:
    """Integers written by ``group_concat`` (comma-separated), as an array."""
    if not text:
        return EMPTY
    return np.fromstring(text, np.int64, sep=",")


def _part(name: str) -> Callable[[Callable[[SQLiteStore], T]], Callable[[SQLiteStore], T]]:
    """A part of the columns: read on first use, kept until the archive changes."""

    def register(read: Callable[[SQLiteStore], T]) -> Callable[[SQLiteStore], T]:
        def part(store: SQLiteStore) -> T:
            return cached(store, ("columns", name), lambda: read(store))

        part.__doc__ = read.__doc__
        return part

    return register


def loaded(store: SQLiteStore, name: str) -> Any:
    """The part ``name`` if it is held and up to date, else None (without reading it)."""
    return peek(store, ("columns", name))


def columns(store: SQLiteStore) -> Columns:
    """Every column of the archive as it is now."""
    return Columns(
        origins(store), classifications(store), dates(store), tags(store), caveats(store)
    )


def _size(store: SQLiteStore) -> int:
    (top,) = store.query("SELECT coalesce(max(key), 0) FROM cable")[0]
    return int(top) + 1


@_part("origin")
def origins(store: SQLiteStore) -> Single:
    """Each cable's origin (post)."""
    return _single(store, "origin", _size(store))


@_part("classification")
def classifications(store: SQLiteStore) -> Single:
    """Each cable's classification."""
    return _single(store, "classification", _size(store))


@_part("date")
def dates(store: SQLiteStore) -> Dates:
    """Each cable's date: as stored, and its day, month and year."""
    dated = _single(store, "date", _size(store))
    days = [date.fromisoformat(value) for value in dated.values]
    has = dated.codes >= 0
    day, month, year = (np.zeros(len(dated.codes), np.int32) for _ in range(3))
    for column, values in (
        (day, [d.toordinal() for d in days]),
        (month, [d.year * 12 + d.month - 1 for d in days]),
        (year, [d.year for d in days]),
    ):
        column[has] = np.array(values, np.int32)[dated.codes[has]]
    return Dates(dated.codes, dated.values, day, month, year)


@_part("tag")
def tags(store: SQLiteStore) -> Coded:
    """Each cable's TAGS, with the kind of each code."""
    # The kind once per code: tag_code covers (code, cable_key) but not the kind.
    return _coded(
        store,
        _size(store),
        "SELECT code, (SELECT k.kind FROM tag k WHERE k.code = t.code LIMIT 1),"
        " group_concat(cable_key) FROM tag t GROUP BY code",
    )


@_part("caveat")
def caveats(store: SQLiteStore) -> Coded:
    """Each cable's caveats."""
    return _coded(
        store,
        _size(store),
        "SELECT caveat, NULL, group_concat(cable_key) FROM caveat GROUP BY caveat",
    )


@_part("addressee")
def addressees(store: SQLiteStore) -> Addressees:
    """The addressees' cables and roles."""
    (top,) = store.query("SELECT coalesce(max(rowid), 0) FROM addressee")[0]
    cable = np.full(int(top) + 1, -1, np.int32)
    role = np.full(int(top) + 1, OTHER, np.int8)
    rows = store.query(
        "SELECT CASE WHEN role = 'from' THEN 0 WHEN excluded = 0 THEN 1 ELSE 2 END AS r,"
        " group_concat(rowid), group_concat(cable_key) FROM addressee GROUP BY r"
    )
    for code, rowids, keys in rows:
        at = ints(rowids)
        cable[at] = ints(keys)
        role[at] = code
    return Addressees(cable, role)


def _grouped(store: SQLiteStore, sql: str) -> list[tuple[str | None, Ints]]:
    return [(row[0], ints(row[-1])) for row in store.query(sql)]


def _single(store: SQLiteStore, column: str, size: int) -> Single:
    """A one-valued text column as codes per cable key, and the values by code."""
    codes = np.full(size, -1, np.int32)
    names: list[str] = []
    sql = f"SELECT {column}, group_concat(key) FROM cable GROUP BY {column} ORDER BY {column}"
    for value, keys in _grouped(store, sql):
        if value is not None:
            codes[keys] = len(names)
            names.append(value)
    return Single(codes, names)


def _coded(store: SQLiteStore, size: int, sql: str) -> Coded:
    rows = store.query(sql)
    names = [row[0] for row in rows]
    order = sorted(range(len(rows)), key=lambda n: names[n])
    groups = [ints(rows[n][2]) for n in order]
    lengths = [len(g) for g in groups]
    cables = (np.concatenate(groups) if groups else EMPTY).astype(np.int32)
    codes = np.repeat(np.arange(len(groups), dtype=np.int32), lengths)
    by_cable = np.argsort(cables, kind="stable")
    kinds = [rows[n][1] for n in order]
    return Coded(
        cables,
        codes,
        [names[n] for n in order],
        kinds,
        np.cumsum([0, *lengths], dtype=np.int64),
        codes[by_cable],
        np.searchsorted(cables[by_cable], np.arange(size + 1)),
        {kind: np.array([k == kind for k in kinds], np.bool_) for kind in set(kinds)},
    )


def hit_mask(size: int, keys: Ints) -> Mask:
    mask = np.zeros(size, np.bool_)
    mask[keys[keys < len(mask)]] = True
    return mask


def top(
    counts: Ints, names: list[str], size: int, among: Ints | None = None
) -> list[tuple[str, int]]:
    """The ``size`` largest counts (of the codes ``among``, when given: those with a
    count), by count then name (as SQL would order them). ``names`` are in order, as
    the codes of every column are: ties go by code."""
    found = np.flatnonzero(counts) if among is None else among
    if len(found) > size:  # only the counts that can make the top enter the sort
        least = np.partition(counts[found], len(found) - size)[len(found) - size]
        found = found[counts[found] >= least]
    order = found[np.lexsort((found, -counts[found]))][:size]
    return [(names[i], int(counts[i])) for i in order]


def count_single(column: Single, keys: Ints) -> Ints:
    picked = column.codes[keys]
    return np.bincount(picked[picked >= 0], minlength=len(column.values))


def count_coded(coded: Coded, keys: Ints, mask: Mask) -> Ints:
    """How many of the cables ``keys`` (also as ``mask``) have each value."""
    if not len(coded.values):
        return EMPTY
    if len(keys) * 64 > len(coded.cables):  # many hits: one pass over every pair
        return np.add.reduceat(mask[coded.cables], coded.starts[:-1], dtype=np.int64)
    return np.bincount(coded.codes_of(keys), minlength=len(coded.values))


def dated(values: Small, keys: Ints) -> Small:
    """``values`` (day, month or year) of the hits that have a date."""
    picked = values[keys]
    return picked[picked > 0]
