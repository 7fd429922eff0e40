"""Facet and timeline counts from columns held in memory.

Counting the hits of a broad query by tag, origin, classification, caveat, year
and date is a group-by over hundreds of thousands of joined rows in SQL; here it is
a few vectorised passes over arrays indexed by cable key (tens of milliseconds at
250,000 cables). The arrays are read from the archive once, and again whenever the
archive has changed (``PRAGMA data_version``), so counts are always those of the
archive as it is. Which cables are counted is decided by the query (in SQL, with
the reader's scope); these arrays only hold header fields of the cables.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from ..store.sqlite import SQLiteStore

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Coded:
    """A many-valued attribute: (cable key, value code) pairs, and the values."""

    cables: Ints
    codes: Ints
    values: list[str]
    kinds: list[str | None]


@dataclass(frozen=True, slots=True)
class Columns:
    stamp: tuple[int, int]
    origin: Ints  # code per cable key, -1 when none
    origins: list[str]
    classification: Ints
    classifications: list[str]
    day: Ints  # proleptic ordinal of the date, 0 when none
    month: Ints  # year * 12 + month - 1
    year: Ints
    tags: Coded
    caveats: Coded


_CACHE: weakref.WeakKeyDictionary[SQLiteStore, Columns] = weakref.WeakKeyDictionary()


def columns(store: SQLiteStore) -> Columns:
    """The archive's columns, read again when the archive has changed."""
    stamp = _stamp(store)
    cached = _CACHE.get(store)
    if cached is None or cached.stamp != stamp:
        cached = _load(store, stamp)
        _CACHE[store] = cached
    return cached


def _stamp(store: SQLiteStore) -> tuple[int, int]:
    (version,) = store.query("PRAGMA data_version")[0]
    return int(version), store.db.total_changes


def _load(store: SQLiteStore, stamp: tuple[int, int]) -> Columns:
    rows = store.query("SELECT key, origin, classification, date FROM cable")
    size = 1 + max((row[0] for row in rows), default=0)
    keys = np.fromiter((row[0] for row in rows), np.int64, len(rows))
    origin, origins = _encode([row[1] for row in rows], keys, size)
    classification, classes = _encode([row[2] for row in rows], keys, size)
    day, month, year = (np.zeros(size, np.int64) for _ in range(3))
    dates = [date.fromisoformat(row[3]) if row[3] else None for row in rows]
    day[keys] = [d.toordinal() if d else 0 for d in dates]
    month[keys] = [d.year * 12 + d.month - 1 if d else 0 for d in dates]
    year[keys] = [d.year if d else 0 for d in dates]
    return Columns(
        stamp,
        origin,
        origins,
        classification,
        classes,
        day,
        month,
        year,
        _coded(store, "SELECT cable_key, code, kind FROM tag"),
        _coded(store, "SELECT cable_key, caveat, NULL FROM caveat"),
    )


def _encode(values: list[str | None], keys: Ints, size: int) -> tuple[Ints, list[str]]:
    names = sorted({v for v in values if v is not None})
    index = {name: n for n, name in enumerate(names)}
    codes = np.full(size, -1, np.int64)
    codes[keys] = [index[v] if v is not None else -1 for v in values]
    return codes, names


def _coded(store: SQLiteStore, sql: str) -> Coded:
    rows = store.query(sql)
    names = sorted({row[1] for row in rows})
    index = {name: n for n, name in enumerate(names)}
    kinds: list[str | None] = [None] * len(names)
    for _, value, kind in rows:
        kinds[index[value]] = kind
    return Coded(
        np.fromiter((row[0] for row in rows), np.int64, len(rows)),
        np.fromiter((index[row[1]] for row in rows), np.int64, len(rows)),
        names,
        kinds,
    )


def hit_mask(cols: Columns, keys: Ints) -> npt.NDArray[np.bool_]:
    mask = np.zeros(len(cols.day), np.bool_)
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


def count_coded(coded: Coded, mask: npt.NDArray[np.bool_]) -> Ints:
    inside = mask[coded.cables]
    return np.bincount(coded.codes[inside], minlength=len(coded.values))


def dated(values: Ints, keys: Ints) -> Ints:
    """``values`` (day, month or year) of the hits that have a date."""
    picked = values[keys]
    return picked[picked > 0]
