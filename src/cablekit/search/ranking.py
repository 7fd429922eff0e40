"""Pages of hits in order: by relevance without scoring every hit, or by date.

**Relevance.** A cable's score is the sum of bm25 over its visible units that match
any positive word term of the query; a hit with no such unit scores 0. bm25's
statistics (the number of units, their average length, the number of units holding
each phrase) are those of the units the reader may see, never of the whole archive:
otherwise a reader's score for a word would move when a cable hidden from them is
added, and tell them the word is there (``docs/security.md``). Where the index
holds exactly the reader's units (``Index.exact``: a reader who sees everything, or
a reader's own index), this is FTS5's ``rank``. For the others, FTS5 ranks each
phrase alone with the archive's statistics; each unit's frequency of the phrase is
recovered exactly from that number (bm25 is invertible in it, given the unit's
length, from ``unit_fts_docsize``), and bm25 is computed again with the reader's
statistics (:func:`reader_stats`), operation for operation as :func:`bm25` computes
it. Asking FTS5 for bm25 costs about 1.6 µs a unit, so ranking every unit of a broad
query (hundreds of thousands) would cost most of a second. Only the cables that can
reach the page are scored:

FTS5 scores a unit, for each phrase *p* of the expression, ``idf(p) * tf * (k1 + 1) /
(tf + k1 * (1 - b + b * length / average length))``, and that fraction stays below
``k1 + 1`` whatever the frequency, the length and the average length. A cable's
score is therefore below
``units × (k1 + 1) × Σ idf(p)``, where ``units`` is its number of matching units:
a bound known from the matching rowids alone. Cables are scored exactly, by FTS5, in
descending order of that bound, until no unscored cable's bound reaches the score of
the last cable the page needs. The page, its order and its scores are those of
scoring everything (ties broken by key, as always); the total never depended on
ranking.

**Date.** Newest or oldest first, by the day column held in memory, ties by key.
"""

from __future__ import annotations

import bisect
import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..scope import UNIT_BITS, UNIT_MASK
from ..store.sqlite import SQLiteStore
from .cache import cached
from .columns import EMPTY, Dates, Ints, Mask
from .matching import ARCHIVE_INDEX, Index, Matcher
from .sql import fts_phrase
from .text import tokens

Floats = npt.NDArray[np.float64]
K1 = 1.2  # FTS5's bm25 constants (b does not enter the bound)
B = 0.75
FIRST_BATCH = 0.4  # score first the cables whose bound reaches this share of the page's
FIRST_ROWS = 8_000  # ... as long as they hold fewer matching units than this
SLACK = 1e-9  # relative margin on the bound, for rounding
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
class Ranked:
    """Scored cables: keys, scores, and the rowid of each one's best unit (-1: none)."""

    keys: Ints
    scores: Floats
    best: Ints

    @staticmethod
    def empty() -> Ranked:
        return Ranked(EMPTY, np.zeros(0), EMPTY)

    def join(self, other: Ranked) -> Ranked:
        return Ranked(
            np.concatenate([self.keys, other.keys]),
            np.concatenate([self.scores, other.scores]),
            np.concatenate([self.best, other.best]),
        )


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
    want = limit + 1
    candidates, bounds, rows = _bounds(matcher, hits, phrases)
    order = np.lexsort((candidates, -bounds))  # highest bound first, then key
    lowest = -bounds[order]  # ascending, for searchsorted
    rows = np.cumsum(rows[order])
    scored = Ranked.empty()
    done = 0
    # First the cables whose bound comes near that of the page's last one by bound
    # (within FIRST_ROWS units); then, at most once more, every cable whose bound
    # reaches the score of the page's last one.
    end = min(want, len(order))
    if end:
        reach = bounds[order[end - 1]] * FIRST_BATCH
        end = max(end, min(np.searchsorted(lowest, -reach, side="right"), _upto(rows, FIRST_ROWS)))
    while end > done:
        scored = scored.join(_score(matcher, phrases, np.sort(candidates[order[done:end]])))
        done = end
        threshold = _threshold(scored, want, after)
        end = int(np.searchsorted(lowest, -threshold, side="right"))
    return _relevance_page(hits, scored, want, after)


def _upto(cumulative: Ints, rows: int) -> int:
    """How many cables, in order, hold at most ``rows`` matching units in all."""
    return int(np.searchsorted(cumulative, rows, side="right"))


def _bounds(matcher: Matcher, hits: Mask, phrases: list[Phrase]) -> tuple[Ints, Floats, Ints]:
    """The hits with visible units holding any of ``phrases``; for each, a bound on
    its score (each such unit adds ``(k1 + 1) * idf`` of every phrase it holds) and
    its number of such units (at most: a unit holding two phrases counts twice)."""
    if not hits.any():  # no index work for a query nothing matched
        return EMPTY, np.zeros(0), EMPTY
    stats = reader_stats(matcher)
    owners, weights = [], []
    for phrase, times in Counter(p.fts for p in phrases).items():
        owners.append(hit_units(matcher, hits, phrase) >> UNIT_BITS)
        weight = times * stats.idf(document_frequency(matcher, phrase)) * (K1 + 1)
        weights.append(weight * (1 + SLACK))
    keys = np.concatenate(owners)
    if len(keys) * 16 < len(hits):  # few matches: work on them, not on every key
        candidates, at = np.unique(keys, return_inverse=True)
    else:
        candidates, at = np.arange(len(hits)), keys
    per_unit = np.repeat(np.array(weights), [len(k) for k in owners])
    bounds = np.bincount(at, per_unit, minlength=len(candidates))
    rows = np.bincount(at, minlength=len(candidates))
    found = np.flatnonzero(rows)
    return candidates[found], bounds[found], rows[found]


def hit_units(matcher: Matcher, hits: Mask, phrase: str) -> Ints:
    """Rowids of the visible units of the cables ``hits`` holds that hold ``phrase``."""
    units = matcher.visible_phrase_units(phrase)
    keys = units >> UNIT_BITS
    inside = keys < len(hits)
    inside[inside] = hits[keys[inside]]
    return units[inside]


def _threshold(scored: Ranked, want: int, after: tuple[Any, int] | None) -> float:
    """The score a cable must reach to enter the page: that of the ``want``-th best
    eligible cable scored so far (0 while there are fewer)."""
    eligible = scored.scores[_after(scored.keys, scored.scores, after)]
    if len(eligible) < want:
        return 0.0
    return float(np.partition(eligible, len(eligible) - want)[len(eligible) - want])


def _after(keys: Ints, scores: Floats, after: tuple[Any, int] | None) -> Mask:
    if after is None:
        return np.ones(len(keys), np.bool_)
    score, key = float(after[0]), after[1]
    return np.asarray((scores < score) | ((scores == score) & (keys > key)), np.bool_)


def _relevance_page(hits: Mask, scored: Ranked, want: int, after: tuple[Any, int] | None) -> Page:
    eligible = _after(scored.keys, scored.scores, after)
    keys, scores, best = scored.keys[eligible], scored.scores[eligible], scored.best[eligible]
    order = np.lexsort((keys, -scores))[:want]
    page_keys = [int(k) for k in keys[order]]
    values: list[Any] = [float(s) for s in scores[order]]
    found = {int(k): int(b) for k, b in zip(keys[order], best[order], strict=True) if b >= 0}
    if len(page_keys) < want:  # then every cable with a positive score was scored
        zero = np.flatnonzero(hits)
        zero = zero[~np.isin(zero, scored.keys)]
        if after is not None:
            score, key = float(after[0]), after[1]
            zero = zero if score > 0 else zero[zero > key] if score == 0 else EMPTY
        extra = [int(k) for k in zero[: want - len(page_keys)]]
        page_keys += extra
        values += [0.0] * len(extra)
    more = len(page_keys) == want
    return Page(page_keys[: want - 1], values[: want - 1], found, more)


def _score(matcher: Matcher, phrases: list[Phrase], keys: Ints) -> Ranked:
    """Exact scores (``-sum(rank)`` over visible matching units) and best units of
    ``keys`` (ascending), by one pass of FTS5 over the expression's matches."""
    found = unit_ranks(matcher, phrases, keys)
    rowids, ranks = found
    if not len(rowids):
        return Ranked(keys, np.zeros(len(keys)), np.full(len(keys), -1, np.int64))
    owner = rowids >> UNIT_BITS
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    scored_keys = owner[starts]
    scores = -np.add.reduceat(ranks, starts)
    # The best paragraph (the subject counts in the score, but is shown apart).
    paragraph = (rowids & UNIT_MASK) != 0
    ranked = np.where(paragraph, ranks, np.inf)
    lowest = np.minimum.reduceat(ranked, starts)
    segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(ranks)]))
    at_lowest = np.flatnonzero(paragraph & (ranked == lowest[segment]))
    owners, first = np.unique(segment[at_lowest], return_index=True)
    best = np.full(len(starts), -1, np.int64)
    best[owners] = rowids[at_lowest[first]]
    return Ranked(scored_keys, scores, best)


def unit_ranks(matcher: Matcher, phrases: list[Phrase], keys: Ints) -> tuple[Ints, Floats]:
    """(rowid, rank) of the visible units of the cables ``keys`` that match any of
    ``phrases``, by rowid, the rank being the reader's bm25."""
    if not matcher.index.exact:
        return _recomputed_ranks(matcher, phrases, keys)
    return _fts_ranks(matcher, matcher.index, expression(phrases), keys)


def _fts_ranks(matcher: Matcher, index: Index, expr: str, keys: Ints) -> tuple[Ints, Floats]:
    """(rowid, FTS5 rank) of the visible units of the cables ``keys`` that match
    ``expr`` in ``index``. FTS5 walks every match of the expression but computes bm25
    only for the units of those cables."""
    rows = matcher.store.query(
        f"SELECT rowid, rank FROM {index.table} WHERE {index.name} MATCH ?"
        f" AND (rowid >> {UNIT_BITS}) IN (SELECT value FROM json_each(?))",
        [expr, json.dumps(keys.tolist())],
    )
    rowids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    ranks = np.fromiter((r[1] for r in rows), np.float64, len(rows))
    visible = ~matcher.withheld(rowids)
    return rowids[visible], ranks[visible]


def _recomputed_ranks(matcher: Matcher, phrases: list[Phrase], keys: Ints) -> tuple[Ints, Floats]:
    """The reader's bm25 of the visible matching units of ``keys``, from the archive's
    index: FTS5 ranks each phrase alone, with the archive's statistics; the phrase's
    frequency in each unit is recovered from that rank, and bm25 computed again with
    the reader's statistics, as :func:`bm25` computes it."""
    archive = Stats.of(matcher.store)
    ranked = {
        fts: _fts_ranks(matcher, ARCHIVE_INDEX, fts, keys)
        for fts in dict.fromkeys(p.fts for p in phrases)
    }
    rowids = np.unique(np.concatenate([found for found, _ in ranked.values()]))
    size = unit_sizes(matcher.store).of(rowids).astype(np.float64)
    frequency = {}
    for fts, (found, ranks) in ranked.items():
        at = np.searchsorted(rowids, found)
        tf = np.zeros(len(rowids), np.float64)
        idf = archive.idf(len(matcher.phrase_units(fts)))
        tf[at] = _frequencies(ranks, idf, size[at], archive.average)
        frequency[fts] = tf
    mine = reader_stats(matcher)
    score = np.zeros(len(rowids), np.float64)
    for phrase in phrases:  # the operations of bm25(), on every unit at once
        tf, weight = frequency[phrase.fts], mine.idf(document_frequency(matcher, phrase.fts))
        score += weight * ((tf * (K1 + 1.0)) / (tf + K1 * (1 - B + B * size / mine.average)))
    return rowids, -1.0 * score


def _frequencies(ranks: Floats, idf: float, size: Floats, average: float) -> Floats:
    """The frequencies of one phrase in units that FTS5 ranked for it alone: bm25 solved
    for the frequency (``rank = -idf * tf (k1 + 1) / (tf + k)``), rounded to the integer
    it is."""
    share = -ranks / idf
    k = K1 * (1 - B + B * size / average)
    return np.rint(share * k / ((K1 + 1.0) - share))


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

    def of(self, rowids: Ints) -> Ints:
        """The lengths of units of the index (``rowids``)."""
        at = np.minimum(np.searchsorted(self.rowids, rowids), max(len(self.rowids) - 1, 0))
        return self.sizes[at] if len(self.rowids) else np.zeros(len(rowids), np.int64)

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
    with the lowest bm25, the first of them on a tie (as ``_score`` picks it).

    A unit alone needs no ranking; the units of a cable with several are scored here,
    by :func:`bm25` over their text, which costs a few microseconds a unit where asking
    FTS5 would walk every match of the expression (tens of milliseconds)."""
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
        rows = matcher.store.query(
            "SELECT rowid, body FROM unit WHERE rowid IN (SELECT value FROM json_each(?))"
            " ORDER BY rowid",
            [json.dumps(several)],
        )
        lowest: dict[int, float] = {}
        for rowid, body in rows:
            key, rank = rowid >> UNIT_BITS, bm25(phrases, idf, tokens(body), stats.average)
            if key not in lowest or rank < lowest[key]:
                lowest[key], best[key] = rank, rowid
    return best


def bm25(phrases: list[Phrase], idf: list[float], words: list[str], average: float) -> float:
    """FTS5's bm25 of a unit whose words are ``words`` (``rank``: lower is better),
    computed as fts5_aux.c computes it, operation for operation, so that the result is
    the same number (``tests/test_search.py`` holds them equal)."""
    k1, b = K1, B
    size = float(len(words))
    score = 0.0
    for phrase, weight in zip(phrases, idf, strict=True):
        tf = float(phrase.count(words))
        score += weight * ((tf * (k1 + 1.0)) / (tf + k1 * (1 - b + b * size / average)))
    return -1.0 * score


@dataclass(frozen=True, slots=True)
class Stats:
    """bm25's statistics: a number of units (rows) and their average length in tokens.
    For an FTS5 table, what it knows of itself (its "averages" record, read as
    ``xRowCount`` and ``xColumnTotalSize`` do)."""

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
    cols: Dates, hits: Mask, newest: bool, limit: int, after: tuple[Any, int] | None
) -> tuple[list[int], bool]:
    """The first ``limit`` hits in date order after the cursor position ``after`` (the
    date as stored, "" for none, and the key), and whether more follow. Dates are
    ordered as the strings they are stored as, no date first, ties by key."""
    keys = np.flatnonzero(hits)
    if len(hits) >= KEY_SPAN:  # pragma: no cover - 4 billion cables
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
