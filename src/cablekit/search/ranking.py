"""Pages of hits in order: by relevance, every hit scored exactly, or by date.

**Relevance.** A cable is scored as one document made of its text units (its subject
and paragraphs) by bm25 counting units instead of words: a positive word term of the
query (an FTS5 phrase) occurs in a cable as many times as the cable has units holding
it, and a cable is as long as its number of units. With FTS5's constants and idf,
for each phrase *p*::

    idf(p) * n * (k1 + 1) / (n + k1 * (1 - b + b * units / average units))

summed over the phrases, where ``n`` is the number of the cable's units holding *p*,
``idf(p) = log((N - df + 0.5) / (df + 0.5))`` (at least 1e-6), ``df`` the number of
cables holding *p* in some unit, ``N`` the number of cables and ``average units`` their
mean number of units. A hit with no unit holding a positive term scores 0.

Issue 14 chose this over the sum of FTS5's bm25 over the matching units, which ranked
long cables with many matching paragraphs first, on 30 queries judged by reading the
cables (``bench/relevance/``, ``docs/archive.md``): nDCG@10 0.852 against 0.768, and
against 0.821 for bm25 over the cable as one document of words (FTS5 over whole
cables), which would also need the number of times each matching unit holds each
phrase. A cable is about what most of its paragraphs speak of, however long it is;
the number of words that say it adds little.

**Over what the reader may see.** Every count is of the units and cables the reader
may see, never of the whole archive: otherwise a reader's score for a word would move
when a cable hidden from them is added, and tell them the word is there
(``docs/security.md``). The units holding a phrase are its matches the reader may see
(``Matcher.visible_phrase_units``) in the cables they may see; a cable's length counts
only its units the reader may see; ``N``, ``df`` and the average are over the cables
the reader may see. A withheld paragraph counts nowhere, not even in a length.

**Cost.** FTS5's bm25 is never asked for: the rowids of the units holding each phrase,
which matching has already read, give every cable's ``n`` (one bincount of their cable
keys), and every cable's number of visible units is kept per reader and state of the
archive (:func:`unit_counts`). So every hit is scored exactly, with array operations
over the hits (a millisecond or two for a hundred thousand), and the page, its order
and its scores are those of scoring everything, with no bound to keep. Ties are broken
by key, as always; the snippets' passages are picked by :func:`best_units`.

**Date.** Newest or oldest first, by the day column held in memory, ties by key.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..scope import UNIT_BITS, UNIT_MASK
from ..store.sqlite import SQLiteStore
from .cache import cached
from .columns import EMPTY, Dates, Ints, Mask
from .matching import Matcher, keys_of
from .sql import Compiled, fts_phrase
from .text import tokens

Floats = npt.NDArray[np.float64]
Counts = npt.NDArray[np.uint16]
K1 = 1.2  # FTS5's bm25 constants
B = 0.75
KEY_SPAN = 1 << 32  # cable keys stay below this


@dataclass(frozen=True, slots=True)
class Phrase:
    """A positive word term of the query, as it ranks: an FTS5 phrase."""

    words: tuple[str, ...]
    prefix: bool

    @property
    def fts(self) -> str:
        return fts_phrase(self.words, self.prefix)

    def count(self, words: list[str]) -> int:
        """How many times the phrase occurs in ``words`` (FTS5's phrase instances)."""
        *head, last = self.words
        if not head and not self.prefix:
            return words.count(last)
        n = len(head)
        found = 0
        for at in range(n, len(words)):
            word = words[at]
            if (word.startswith(last) if self.prefix else word == last) and (
                not n or words[at - n : at] == head
            ):
                found += 1
        return found


@dataclass(frozen=True, slots=True)
class Page:
    """One page of hits in order, with what the next page starts after."""

    keys: list[int]
    values: list[Any]  # the sort value of each (score, or the date as stored)
    best: dict[int, int]  # a hit's best matching unit, when ranking found it
    more: bool


def expression(phrases: list[Phrase]) -> str:
    """The FTS5 expression of any of the phrases (its phrases in the same order)."""
    return " OR ".join(p.fts for p in phrases)


def by_relevance(
    matcher: Matcher, hits: Mask, phrases: list[Phrase], limit: int, after: tuple[Any, int] | None
) -> Page:
    """The ``limit`` best hits after the cursor position ``after`` (score, key)."""
    keys, scores = cable_scores(matcher, hits, phrases)
    return _relevance_page(hits, keys, scores, limit + 1, after)


def cable_scores(matcher: Matcher, hits: Mask, phrases: list[Phrase]) -> tuple[Ints, Floats]:
    """The hits with a visible unit holding any of ``phrases`` (ascending keys) and their
    scores: bm25 over cables, counting units (see the module's docstring). The work is
    over the matching units, not over every cable: a rare word costs little."""
    if not hits.any() or not phrases:  # no index work for a query nothing matched
        return EMPTY, np.zeros(0)
    lengths = unit_counts(matcher)
    cables = matcher.seen.count
    total = cached(matcher.store, ("reader unit total", matcher.scope), lambda: int(lengths.sum()))
    stats = Stats(cables, total / cables if cables else 1.0)
    held = {fts: _holding(matcher, fts) for fts in dict.fromkeys(p.fts for p in phrases)}
    if len(held) == 1:
        ((scored, _),) = held.values()
    else:
        holding = np.zeros(len(hits), np.bool_)
        for keys, _ in held.values():
            holding[keys] = True
        scored = np.flatnonzero(holding)
    scored = scored[hits[scored]]
    norm = K1 * (1 - B + B * lengths[scored] / stats.average)
    scores = np.zeros(len(scored), np.float64)
    for phrase in phrases:  # in the query's order, as FTS5 sums its phrases
        keys, counts = held[phrase.fts]
        weight = stats.idf(len(keys))
        found = _counts_at(keys, counts, scored).astype(np.float64)
        scores += weight * ((found * (K1 + 1.0)) / (found + norm))
    return scored, scores


def _holding(matcher: Matcher, phrase: str) -> tuple[Ints, Ints]:
    """The cables the reader may see with units they may see holding ``phrase``
    (ascending keys), and how many such units each has."""
    keys = hit_units(matcher, matcher.seen.cables, phrase) >> UNIT_BITS  # ascending
    if not len(keys):
        return EMPTY, EMPTY
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.diff(np.r_[starts, len(keys)])


def _counts_at(keys: Ints, counts: Ints, wanted: Ints) -> Ints:
    """``counts`` of the ``wanted`` keys (0 for those not among the sorted ``keys``)."""
    found = np.zeros(len(wanted), np.int64)
    if len(keys):
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        same = keys[at] == wanted
        found[same] = counts[at[same]]
    return found


def unit_counts(matcher: Matcher) -> Counts:
    """By cable key: the number of units the reader may see, in the cables they may see
    (0 elsewhere), two bytes a cable, kept per reader and state of the archive. Read from
    the reader's own index when they have one (their work stays within what they may
    see), else from the archive's counts less the units withheld from them."""
    seen, index, store = matcher.seen, matcher.index, matcher.store
    if seen.everything:
        return cable_units(store)

    def read() -> Counts:
        if index.exact:  # the reader's own index: exactly their units
            rowids = keys_of(store, Compiled(f"SELECT id FROM {index.table}_docsize", []))
            mine = np.bincount(rowids >> UNIT_BITS, minlength=seen.size)[: seen.size]
        else:
            counts = cable_units(store)
            mine = np.zeros(seen.size, np.int64)
            mine[: len(counts)] = counts[: seen.size]
            mine -= np.bincount(seen.hidden >> UNIT_BITS, minlength=seen.size)[: seen.size]
        return np.where(seen.cables, mine, 0).astype(np.uint16)

    return cached(store, ("reader unit counts", matcher.scope), read)


def cable_units(store: SQLiteStore) -> Counts:
    """By cable key: the number of units each cable has in the archive's index, read
    once per state of the archive (every unit's cable key, as one string)."""

    def read() -> Counts:
        keys = keys_of(store, Compiled("SELECT cable_key FROM unit", []))
        top = store.query("SELECT coalesce(max(key), 0) + 1 FROM cable")[0][0]
        return np.bincount(keys, minlength=int(top)).astype(np.uint16)

    return cached(store, "cable units", read)


def hit_units(matcher: Matcher, hits: Mask, phrase: str) -> Ints:
    """Rowids of the visible units of the cables ``hits`` holds that hold ``phrase``."""
    units = matcher.visible_phrase_units(phrase)
    keys = units >> UNIT_BITS
    inside = keys < len(hits)
    inside[inside] = hits[keys[inside]]
    return units[inside]


def _after(keys: Ints, scores: Floats, after: tuple[Any, int] | None) -> Mask:
    if after is None:
        return np.ones(len(keys), np.bool_)
    score, key = float(after[0]), after[1]
    return np.asarray((scores < score) | ((scores == score) & (keys > key)), np.bool_)


def _relevance_page(
    hits: Mask, keys: Ints, scores: Floats, want: int, after: tuple[Any, int] | None
) -> Page:
    """The first ``want`` hits after ``after`` by score, highest first, then key: the
    scored hits (``keys``, ``scores``, every score above 0), then those scoring 0."""
    eligible = _after(keys, scores, after)
    top, values = keys[eligible], scores[eligible]
    if len(top) > want:  # the candidates: every score reaching the want-th highest
        cut = np.partition(values, len(values) - want)[len(values) - want]
        keep = values >= cut
        top, values = top[keep], values[keep]
    order = np.lexsort((top, -values))[:want]
    page_keys = [int(k) for k in top[order]]
    page_values: list[Any] = [float(v) for v in values[order]]
    if len(page_keys) < want:  # the hits that score 0 follow, by key
        unscored = hits.copy()
        unscored[keys] = False
        zero = np.flatnonzero(unscored)
        if after is not None:
            score, key = float(after[0]), after[1]
            zero = zero if score > 0 else zero[zero > key] if score == 0 else EMPTY
        extra = [int(k) for k in zero[: want - len(page_keys)]]
        page_keys += extra
        page_values += [0.0] * len(extra)
    more = len(page_keys) == want
    return Page(page_keys[: want - 1], page_values[: want - 1], {}, more)


def document_frequency(matcher: Matcher, phrase: str) -> int:
    """How many units the reader may see hold ``phrase``: of their own index, all of
    those found; of the archive's, those of visible cables not withheld."""
    found = matcher.counts.get(phrase)
    if found is None:
        units = matcher.phrase_units(phrase)
        exact = matcher.index.exact
        found = matcher.counts[phrase] = (
            len(units) if exact else len(hit_units(matcher, matcher.seen.cables, phrase))
        )
    return found


def reader_stats(matcher: Matcher) -> Stats:
    """bm25's statistics over the units the reader may see: their number and their
    average length in tokens."""
    index = matcher.index
    if index.exact:
        return Stats.of(matcher.store, index.data)
    seen = matcher.seen
    return cached(
        matcher.store,
        ("reader stats", matcher.scope),
        lambda: unit_sizes(matcher.store).over(seen.cables, seen.hidden),
    )


@dataclass(frozen=True, slots=True)
class UnitSizes:
    """The length in tokens of every unit of the archive's index, by rowid."""

    rowids: Ints  # ascending
    sizes: Ints

    def over(self, cables: Mask, hidden: Ints) -> Stats:
        """bm25's statistics over the units of ``cables`` but ``hidden``."""
        keys = self.rowids >> UNIT_BITS
        inside = keys < len(cables)
        inside[inside] = cables[keys[inside]]
        if len(hidden):
            inside &= ~np.isin(self.rowids, hidden, assume_unique=True)
        rows = int(inside.sum())
        total = int(self.sizes[inside].sum())
        return Stats(rows, total / rows if rows else 1.0)


def unit_sizes(store: SQLiteStore) -> UnitSizes:
    """Every unit's length, read from FTS5's ``unit_fts_docsize`` once per state of the
    archive: each row's size is one varint (one column), and the rows are read as one
    string of hex digits and decoded at once."""
    return cached(store, "unit sizes", lambda: _read_unit_sizes(store))


def _read_unit_sizes(store: SQLiteStore) -> UnitSizes:
    ids, digits = store.query(
        "SELECT group_concat(id), group_concat(hex(sz), '') FROM unit_fts_docsize"
    )[0]
    rowids = np.array(ids.split(","), np.int64) if ids else EMPTY
    data = np.frombuffer(bytes.fromhex(digits or ""), np.uint8).astype(np.int64)
    last = data < 0x80  # a varint's last byte has the high bit clear
    ends = np.flatnonzero(last)
    owner = np.r_[0, np.cumsum(last[:-1])] if len(data) else EMPTY
    shifted = (data & 0x7F) << (7 * (ends[owner] - np.arange(len(data))))
    starts = np.r_[0, ends[:-1] + 1] if len(ends) else EMPTY
    sizes = np.add.reduceat(shifted, starts) if len(starts) else EMPTY
    return UnitSizes(rowids, sizes)


def best_units(matcher: Matcher, phrases: list[Phrase], keys: list[int]) -> dict[int, int]:
    """The best matching visible paragraph of each of ``keys`` that has one: the one
    with the lowest bm25 (FTS5's, with the reader's statistics: :func:`reader_stats`),
    the first of them on a tie.

    A unit alone needs no ranking; the units of a cable with several are scored here,
    by :func:`bm25`'s arithmetic over the phrases' :func:`frequencies` in their text and
    their lengths (FTS5's ``docsize`` of the reader's index), which costs a few
    microseconds a unit where asking FTS5 would walk every match of the expression (tens
    of milliseconds)."""
    if not phrases or not keys:
        return {}
    wanted = np.zeros(max(keys) + 1, np.bool_)
    wanted[keys] = True
    units = np.unique(np.concatenate([hit_units(matcher, wanted, p.fts) for p in phrases]))
    units = units[(units & UNIT_MASK) != 0]  # paragraphs: the subject is shown apart
    if not len(units):
        return {}
    owner = units >> UNIT_BITS
    alone = np.r_[True, owner[1:] != owner[:-1]] & np.r_[owner[:-1] != owner[1:], True]
    best = {int(k): int(u) for k, u in zip(owner[alone], units[alone], strict=True)}
    several = [int(u) for u in units[~alone]]
    if several:
        stats = reader_stats(matcher)
        idf = [stats.idf(document_frequency(matcher, p.fts)) for p in phrases]
        sizes = dict(
            matcher.store.query(
                f"SELECT id, sz FROM {matcher.index.table}_docsize"
                " WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(several)],
            )
        )
        rows = matcher.store.query(
            "SELECT rowid, body FROM unit WHERE rowid IN (SELECT value FROM json_each(?))"
            " ORDER BY rowid",
            [json.dumps(several)],
        )
        lowest: dict[int, float] = {}
        for rowid, body in rows:
            size = _varints(bytes(sizes[rowid]), 1)[0]
            rank = _rank(frequencies(phrases, body), idf, size, stats.average)
            key = rowid >> UNIT_BITS
            if key not in lowest or rank < lowest[key]:
                lowest[key], best[key] = rank, rowid
    return best


def frequencies(phrases: list[Phrase], text: str) -> list[int]:
    """How many times each phrase occurs in ``text``, as :meth:`Phrase.count` counts it
    in :func:`~cablekit.search.text.tokens` of the text. When no character beyond ASCII
    is part of a word (most cables: their others are quotes and dashes), the words are
    runs of ASCII letters and digits: each phrase is then found in the text in lower
    case by a regular expression, a microsecond or two a unit, without making words."""
    if not text.isascii() and any(_joins(c) for c in set(text) if c > "\x7f"):
        words = tokens(text)
        return [phrase.count(words) for phrase in phrases]
    lower = text.lower()  # no other character becomes an ASCII letter or digit
    return [len(_starts(phrase).findall(lower)) for phrase in phrases]


@functools.cache
def _joins(char: str) -> bool:
    """Whether ``char`` is part of a word (a letter, a digit, an accent FTS5 drops...),
    as :func:`~cablekit.search.text.tokens` reads it: then it joins two letters."""
    return len(tokens(f"a{char}a")) == 1


@functools.cache
def _starts(phrase: Phrase) -> re.Pattern[str]:
    """Matches the first word of each instance of ``phrase`` in lower-case text whose
    words are runs of ASCII letters and digits, the rest looked ahead at, so that
    instances that overlap all count, as in FTS5; never for a phrase with a word beyond
    ASCII, which such text cannot hold. (The pattern opens with the word itself, so that
    the engine scans for it: a leading look-behind would try every position.)"""
    if not all(word.isascii() for word in phrase.words):
        return re.compile("(?!)")
    first, *rest = (re.escape(word) for word in phrase.words)
    after = "".join(f"[^a-z0-9]+{word}" for word in rest)
    end = "" if phrase.prefix else "(?![a-z0-9])"
    return re.compile(f"{first}(?<![a-z0-9]{first})(?={after}{end})")


def bm25(phrases: list[Phrase], idf: list[float], words: list[str], average: float) -> float:
    """FTS5's bm25 of a unit whose words are ``words`` (``rank``: lower is better),
    computed as fts5_aux.c computes it, operation for operation, so that the result is
    the same number (``tests/test_search.py`` holds them equal)."""
    return _rank([phrase.count(words) for phrase in phrases], idf, len(words), average)


def _rank(found: list[int], idf: list[float], size: int, average: float) -> float:
    """bm25's arithmetic, as fts5_aux.c does it: the phrases' frequencies ``found`` in a
    unit of ``size`` words."""
    k1, b = K1, B
    length = float(size)
    score = 0.0
    for count, weight in zip(found, idf, strict=True):
        tf = float(count)
        score += weight * ((tf * (k1 + 1.0)) / (tf + k1 * (1 - b + b * length / average)))
    return -1.0 * score


@dataclass(frozen=True, slots=True)
class Stats:
    """bm25's statistics: a number of documents (rows) and their average length: units
    and their length in tokens, or cables and their number of units. For an FTS5 table,
    what it knows of itself (its "averages" record, read as ``xRowCount`` and
    ``xColumnTotalSize`` do)."""

    rows: int
    average: float

    @staticmethod
    def of(store: SQLiteStore, data: str = "unit_fts_data") -> Stats:
        """The statistics of the FTS5 table whose records are in ``data``."""
        found = store.query(f"SELECT block FROM {data} WHERE id = 1")
        if not found:  # an index never written to
            return Stats(0, 1.0)
        rows, total = _varints(bytes(found[0][0]), 2)
        return Stats(rows, total / rows if rows else 1.0)

    def idf(self, hits: int) -> float:
        """FTS5's idf of a phrase found in ``hits`` units (fts5Bm25GetData)."""
        idf = math.log((self.rows - hits + 0.5) / (hits + 0.5))
        return idf if idf > 0 else 1e-6


def _varints(data: bytes, count: int) -> list[int]:
    """The first ``count`` SQLite varints of ``data`` (FTS5 records use them)."""
    out, at = [], 0
    for _ in range(count):
        value = 0
        for n in range(9):
            byte = data[at]
            at += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        out.append(value)
    return out


# --- by date ---------------------------------------------------------------------


def by_date(
    cols: Dates, keys: Ints, newest: bool, limit: int, after: tuple[Any, int] | None
) -> tuple[list[int], bool]:
    """The first ``limit`` hits (``keys``, ascending) in date order after the cursor
    position ``after`` (the date as stored, "" for none, and the key), and whether more
    follow. Dates are ordered as the strings they are stored as, no date first, ties by
    key."""
    if len(keys) and keys[-1] >= KEY_SPAN:  # pragma: no cover - 4 billion cables
        raise ValueError("cable keys beyond 2**32 cannot be ordered by date")
    # One integer per hit that sorts as (date, key): twice the rank of the date (0: no
    # date; a cursor's date that is not stored falls on an odd rank between two),
    # then the key, reversed for newest first, since ties go by ascending key.
    places = (cols.date[keys].astype(np.int64) + 1) * 2 * KEY_SPAN
    places += KEY_SPAN - 1 - keys if newest else keys
    if after is not None:
        value, key = after
        at = _rank_of(cols.dates, str(value)) * KEY_SPAN
        at += KEY_SPAN - 1 - key if newest else key
        keep = places < at if newest else places > at
        keys, places = keys[keep], places[keep]
    want = limit + 1
    signed = -places if newest else places
    if len(keys) > want:
        first = np.argpartition(signed, want - 1)[:want]
        keys, signed = keys[first], signed[first]
    picked = [int(k) for k in keys[np.argsort(signed)]]
    return picked[:limit], len(picked) > limit


def _rank_of(dates: list[str], value: str) -> int:
    """Twice the rank of a date as stored among ``dates`` (0: none), or the odd number
    between two ranks when it is not one of them."""
    if not value:
        return 0
    at = bisect.bisect_left(dates, value)
    return 2 * (at + 1) if at < len(dates) and dates[at] == value else 2 * at + 1
