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

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from ..store.sqlite import SQLiteStore
from .cache import cached

Ints = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
EMPTY: Ints = np.zeros(0, np.int64)


@dataclass(frozen=True, slots=True)
class Coded:
    """A many-valued attribute: (cable key, value code) pairs, and the values."""

    cables: Ints
    codes: Ints
    values: list[str]
    kinds: list[str | None]


@dataclass(frozen=True, slots=True)
class Columns:
    size: int  # 1 + the largest cable key: the length of the arrays below
    origin: Ints  # code per cable key, -1 when none
    origins: list[str]
    classification: Ints
    classifications: list[str]
    day: Ints  # proleptic ordinal of the date, 0 when none
    month: Ints  # year * 12 + month - 1
    year: Ints
    tags: Coded
    caveats: Coded


@dataclass(frozen=True, slots=True)
class Addressees:
    """Every FM, TO and INFO line by rowid (the rowid of ``name_fts`` too)."""

    cable: Ints  # the cable key, -1 for a rowid no addressee has
    role: npt.NDArray[np.int8]  # FROM, TO (TO or INFO, not excluded), OTHER


FROM, TO, OTHER = 0, 1, 2


def ints(text: str | None) -> Ints:
    """Integers written by ``group_concat`` (comma-separated), as an array."""
    if not text:
        return EMPTY
    return np.fromstring(text, np.int64, sep=",")


def columns(store: SQLiteStore) -> Columns:
    """The archive's columns, read again when the archive has changed."""
    return cached(store, "columns", lambda: _load(store))


def addressees(store: SQLiteStore) -> Addressees:
    """The addressees' cables and roles, read again when the archive has changed."""
    return cached(store, "addressees", lambda: _load_addressees(store))


def _load(store: SQLiteStore) -> Columns:
    (top,) = store.query("SELECT coalesce(max(key), 0) FROM cable")[0]
    size = int(top) + 1
    origin, origins = _single(store, "origin", size)
    classification, classes = _single(store, "classification", size)
    day, month, year = (np.zeros(size, np.int64) for _ in range(3))
    for value, keys in _grouped(store, "SELECT date, group_concat(key) FROM cable GROUP BY date"):
        if value is not None:
            d = date.fromisoformat(value)
            day[keys] = d.toordinal()
            month[keys] = d.year * 12 + d.month - 1
            year[keys] = d.year
    return Columns(
        size,
        origin,
        origins,
        classification,
        classes,
        day,
        month,
        year,
        _coded(store, "SELECT code, kind, group_concat(cable_key) FROM tag GROUP BY code"),
        _coded(store, "SELECT caveat, NULL, group_concat(cable_key) FROM caveat GROUP BY caveat"),
    )


def _grouped(store: SQLiteStore, sql: str) -> list[tuple[str | None, Ints]]:
    return [(row[0], ints(row[-1])) for row in store.query(sql)]


def _single(store: SQLiteStore, column: str, size: int) -> tuple[Ints, list[str]]:
    """A one-valued text column as codes per cable key, and the values by code."""
    codes = np.full(size, -1, np.int64)
    names: list[str] = []
    sql = f"SELECT {column}, group_concat(key) FROM cable GROUP BY {column} ORDER BY {column}"
    for value, keys in _grouped(store, sql):
        if value is not None:
            codes[keys] = len(names)
            names.append(value)
    return codes, names


def _coded(store: SQLiteStore, sql: str) -> Coded:
    rows = store.query(sql)
    names = [row[0] for row in rows]
    order = sorted(range(len(rows)), key=lambda n: names[n])
    groups = [ints(rows[n][2]) for n in order]
    return Coded(
        np.concatenate(groups) if groups else EMPTY,
        np.repeat(np.arange(len(groups), dtype=np.int64), [len(g) for g in groups]),
        [names[n] for n in order],
        [rows[n][1] for n in order],
    )


def _load_addressees(store: SQLiteStore) -> Addressees:
    (top,) = store.query("SELECT coalesce(max(rowid), 0) FROM addressee")[0]
    cable = np.full(int(top) + 1, -1, np.int64)
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


def hit_mask(cols: Columns, keys: Ints) -> Mask:
    mask = np.zeros(cols.size, np.bool_)
    mask[keys[keys < len(mask)]] = True
    return mask


def top(counts: Ints, names: list[str], size: int) -> list[tuple[str, int]]:
    """The ``size`` largest counts, by count then name (as SQL would order them)."""
    found = [(names[i], int(counts[i])) for i in np.flatnonzero(counts)]
    found.sort(key=lambda item: (-item[1], item[0]))
    return found[:size]


def count_single(codes: Ints, names: list[str], keys: Ints) -> Ints:
    picked = codes[keys]
    return np.bincount(picked[picked >= 0], minlength=len(names))


def count_coded(coded: Coded, mask: Mask) -> Ints:
    inside = mask[coded.cables]
    return np.bincount(coded.codes[inside], minlength=len(coded.values))


def dated(values: Ints, keys: Ints) -> Ints:
    """``values`` (day, month or year) of the hits that have a date."""
    picked = values[keys]
    return picked[picked > 0]
