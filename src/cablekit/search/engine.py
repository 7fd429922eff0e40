"""Running a search: matches, exact total, ranking, cursor paging, snippets, facets
and timeline, all computed from what the reader may see.

Everything is read within one read snapshot, so counts, facets and pages agree with
each other even while an ingest is writing. The query's leaves are answered by SQL
and combined as boolean masks over cable keys (``matching``), with the reader's
scope applied to every leaf; the page is ordered by exact bm25 scores without
scoring every hit, or by date (``ranking``); facets and the timeline are counted
over columns held in memory (``columns``). Only the page's cables are read in full.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from ..errors import QuerySyntaxError
from ..scope import PUBLIC, UNIT_BITS, Scope
from ..store.sqlite import SQLiteStore
from .cache import held
from .columns import (
    EMPTY,
    Columns,
    Ints,
    Mask,
    columns,
    count_coded,
    count_single,
    dated,
    dates,
    hit_mask,
    top,
)
from .cursor import REFUSED, decode_cursor, encode_cursor
from .matching import Matcher, keys_of
from .query import Node, describe, parse_query
from .ranking import Page, Phrase, best_units, by_date, by_relevance, expression
from .sql import Compiled, among, positive_texts

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")
HIGHLIGHT = ("«", "»")
SNIPPET_WORDS = 24
FACET_SIZE = 10
FEW_HITS = 64  # fewer hits have their facets counted one by one
TAG_FACETS = {
    "subject": "tag_subject",
    "program": "tag_program",
    "geographic": "tag_country",
    "organization": "tag_organisation",
}
FACETS = (*TAG_FACETS.values(), "origin", "classification", "caveat", "year")


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    dtg: str | None
    date: str | None
    origin: str | None
    classification: str | None
    subject: str | None
    snippet: str
    score: float


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class Bin:
    start: str
    end: str
    count: int


@dataclass(slots=True)
class SearchResult:
    query: str
    description: str
    total: int
    results: list[Hit]
    next_cursor: str | None
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    timeline: list[Bin] = field(default_factory=list)
    sort: Sort = "relevance"  # the order given: newest when relevance was asked of no words
    newest_for_relevance: bool = False

    @property
    def order_note(self) -> str:
        """Why the order is not the one asked for (empty when it is)."""
        if self.newest_for_relevance:
            return "newest first: the query has no words to rank by"
        return ""

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "description": self.description,
            "sort": self.sort,
            "total": self.total,
            "results": [vars_of(h) for h in self.results],
            "facets": {k: [vars_of(v) for v in vs] for k, vs in self.facets.items()},
            "timeline": [vars_of(b) for b in self.timeline],
            "next_cursor": self.next_cursor,
        }


def vars_of(obj: object) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


def search(
    store: SQLiteStore,
    query: str,
    *,
    sort: Sort = "relevance",
    limit: int = 20,
    cursor: str | None = None,
    facets: bool = False,
    timeline: bool = False,
    snippets: bool = True,
    scope: Scope = PUBLIC,
) -> SearchResult:
    """Search the archive. Raises QuerySyntaxError for a malformed query or cursor.

    A query with no words (``tag:PREL``, a web page's filters alone) has nothing to
    rank by: asked for relevance, its hits come newest first, and the result says so.
    """
    node = parse_query(query)
    phrases = ranking_phrases(node)
    unranked = sort == "relevance" and not phrases
    if unranked:
        sort = "newest"
    position = cursor_position(store, scope, sort, query, cursor) if cursor else None
    with store.snapshot(), held(store):
        after = cursor_after(store, position, query) if position else None
        matcher = Matcher.of(store, scope)
        hits = matcher.match(node)
        keys = np.flatnonzero(hits)
        page = ordered(matcher, hits, keys, phrases, sort, limit, after)
        rows = page_rows(store, page.keys)
        texts = page_snippets(matcher, phrases, page.keys, page.best) if snippets else {}
        if sort == "relevance":
            scores = [round(float(v), 6) for v in page.values]
        else:  # the cursor goes on from the date as stored; hits are not scored
            page.values[:] = [rows[k][2] or "" for k in page.keys]
            scores = [0.0] * len(page.keys)
        result = SearchResult(
            query=query,
            description=describe(node),
            total=len(keys),
            results=[
                as_hit(rows[k], texts.get(k, ""), score)
                for k, score in zip(page.keys, scores, strict=True)
            ],
            next_cursor=None,
            sort=sort,
            newest_for_relevance=unranked,
        )
        if facets:
            result.facets = facet_counts(store, keys, len(hits))
        if timeline:
            result.timeline = timeline_bins(store, keys)
    if page.more and page.keys:  # signed after the read: the secret may be made now
        last = rows[page.keys[-1]][0]
        result.next_cursor = encode_cursor(store, scope.name, sort, query, page.values[-1], last)
    return result


def ranking_phrases(node: Node) -> list[Phrase]:
    """The phrases that rank hits and pick snippets: the positive word terms."""
    return [Phrase(t.words, t.prefix) for t in positive_texts(node)]


def ordered(
    matcher: Matcher,
    hits: Mask,
    found: Ints,
    phrases: list[Phrase],
    sort: Sort,
    limit: int,
    after: tuple[Any, int] | None,
) -> Page:
    """One page of hits (``hits``, also as ``found``: their keys) in a stable order (ties
    broken by key), after a cursor position."""
    if sort != "relevance":
        keys, more = by_date(dates(matcher.store), found, sort == "newest", limit, after)
        return Page(keys, [None] * len(keys), {}, more)
    return by_relevance(matcher, hits, phrases, limit, after)  # search() gives it words


def as_hit(row: tuple[Any, ...], snippet: str, score: float) -> Hit:
    cable_id, dtg, day, origin, classification, subject = row
    return Hit(cable_id, dtg, day, origin, classification, subject, snippet, score)


def page_rows(store: SQLiteStore, keys: list[int]) -> dict[int, tuple[Any, ...]]:
    """The fields a hit shows, for each of ``keys``."""
    if not keys:
        return {}
    within, params = among(keys)
    rows = store.query(
        f"SELECT key, id, dtg, date, origin, classification, subject FROM cable WHERE key {within}",
        params,
    )
    return {row[0]: row[1:] for row in rows}


def page_snippets(
    matcher: Matcher, phrases: list[Phrase], keys: list[int], best: dict[int, int]
) -> dict[int, str]:
    """Each hit's snippet: its best matching visible passage with the matched words
    marked, or the opening of its first visible paragraph."""
    missing = [k for k in keys if k not in best]
    best = {**best, **best_units(matcher, phrases, missing)}
    texts: dict[int, str] = {}
    if best:
        # FTS5 finds a few rowids one by one, but a prefix (word*) anew for each: then
        # one pass over the matches is cheaper ("+rowid" keeps the rowids from FTS5).
        # The reader's own index, when they have one: snippet() reads only the unit's
        # text, and the work stays within what the reader may see.
        rowid = "+rowid" if any(p.prefix for p in phrases) else "rowid"
        index = matcher.index
        within, params = among(sorted(best.values()))
        rows = matcher.store.query(
            f"SELECT rowid, snippet({index.name}, 0, ?, ?, '…', {SNIPPET_WORDS})"
            f" FROM {index.table} WHERE {index.name} MATCH ? AND {rowid} {within}",
            [*HIGHLIGHT, expression(phrases), *params],
        )
        by_unit = {rowid: str(text).replace("\n", " ") for rowid, text in rows}
        texts = {k: by_unit[u] for k, u in best.items() if u in by_unit}
    plain = [k for k in keys if k not in texts]
    if plain:
        texts.update(openings(matcher, plain))
    return texts


def openings(matcher: Matcher, keys: list[int]) -> dict[int, str]:
    """The opening of the first paragraph of each of ``keys`` that the reader may see.
    The units withheld from the reader are the set their matcher already holds: the
    scope's SQL is not run again for every unit of the page."""
    if not len(matcher.seen.hidden):  # every unit is the reader's: one statement
        within, params = among(keys)
        rows = matcher.store.query(
            "SELECT c.key, (SELECT u.body FROM unit u WHERE u.cable_key = c.key AND u.seq > 0"
            f" ORDER BY u.seq LIMIT 1) FROM cable c WHERE c.key {within}",
            params,
        )
        return {key: opening(body) for key, body in rows if body is not None}
    rowids = keys_of(
        matcher.store,
        Compiled(
            "SELECT rowid FROM unit WHERE cable_key IN (SELECT value FROM json_each(?))"
            " AND seq > 0 ORDER BY rowid",
            [json.dumps(keys)],
        ),
    )
    rowids = matcher.visible_units(rowids)
    owners = rowids >> UNIT_BITS
    first = rowids[np.r_[True, owners[1:] != owners[:-1]]] if len(rowids) else rowids
    rows = matcher.store.query(
        "SELECT cable_key, body FROM unit WHERE rowid IN (SELECT value FROM json_each(?))",
        [json.dumps(first.tolist())],
    )
    return {key: opening(body) for key, body in rows}


def opening(text: str) -> str:
    # Split no further than needed (a paragraph can be long); the last word split
    # off keeps the white space after it.
    words = text.split(maxsplit=SNIPPET_WORDS)
    more = len(words) > SNIPPET_WORDS
    return " ".join(words[:SNIPPET_WORDS]).rstrip() + ("…" if more else "")


def facet_counts(store: SQLiteStore, keys: Ints, size: int) -> dict[str, list[FacetValue]]:
    """Counts of cables among the hits (``keys``, below ``size``), per value, for every
    facet (top values)."""
    cols = columns(store)
    if len(keys) <= FEW_HITS:
        return few_facets(cols, [int(k) for k in keys])
    mask = hit_mask(size, keys)
    facets: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    tag_counts = count_coded(cols.tags, keys, mask)
    counted = np.flatnonzero(tag_counts)
    for kind, name in TAG_FACETS.items():
        of_kind = cols.tags.of_kind.get(kind)
        among = counted[of_kind[counted]] if of_kind is not None else EMPTY
        facets[name] = values(top(tag_counts, cols.tags.values, FACET_SIZE, among))
    for name, column in (("origin", cols.origin), ("classification", cols.classification)):
        facets[name] = values(top(count_single(column, keys), column.values, FACET_SIZE))
    caveat_counts = count_coded(cols.caveats, keys, mask)
    facets["caveat"] = values(top(caveat_counts, cols.caveats.values, FACET_SIZE))
    years = dated(cols.dates.year, keys)
    if len(years):
        first = int(years.min())
        counts = np.bincount(years - first)
        facets["year"] = values(
            top(counts, [str(first + i) for i in range(len(counts))], FACET_SIZE)
        )
    return facets


def few_facets(cols: Columns, keys: list[int]) -> dict[str, list[FacetValue]]:
    """``facet_counts`` of a few hits, counted one by one in Python (for a handful of
    cables the fixed cost of each vectorised pass is most of the work)."""
    tags = cols.tags
    by_kind: dict[str | None, dict[int, int]] = {kind: {} for kind in TAG_FACETS}
    for code, n in Counter(tags.few_codes_of(keys)).items():
        counts = by_kind.get(tags.kinds[code])
        if counts is not None:
            counts[code] = n
    facets = {name: _largest(by_kind[kind], tags.values) for kind, name in TAG_FACETS.items()}
    for name, column in (("origin", cols.origin), ("classification", cols.classification)):
        codes = column.codes[keys].tolist()
        facets[name] = _largest(Counter(c for c in codes if c >= 0), column.values)
    marked = Counter(cols.caveats.few_codes_of(keys))
    facets["caveat"] = _largest(marked, cols.caveats.values)
    years = Counter(y for y in cols.dates.year[keys].tolist() if y > 0)
    facets["year"] = _largest(years, {y: str(y) for y in years})
    return facets


def _largest(counts: dict[int, int], names: Sequence[str] | dict[int, str]) -> list[FacetValue]:
    """The FACET_SIZE largest ``counts`` by count, then code (the names' order)."""
    best = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_SIZE]
    return [FacetValue(names[code], n) for code, n in best]


def values(pairs: list[tuple[str, int]]) -> list[FacetValue]:
    return [FacetValue(value, count) for value, count in pairs]


def timeline_bins(store: SQLiteStore, keys: Ints) -> list[Bin]:
    """A histogram of the hits (``keys``) by date, in years, months or days as the span
    needs."""
    cols = dates(store)
    days = dated(cols.day, keys)
    if not len(days):
        return []
    first, last = date.fromordinal(int(days.min())), date.fromordinal(int(days.max()))
    width = bin_width(first, last)
    series = {4: cols.year, 7: cols.month, 10: cols.day}[width]
    points = dated(series, keys)
    counts = np.bincount(points - points.min())
    spans = bins(first.isoformat(), last.isoformat(), width)
    return [
        Bin(start, end, int(counts[n]) if n < len(counts) else 0)
        for n, (start, end) in enumerate(spans)
    ]


def bin_width(first: date, last: date) -> int:
    """Characters of the ISO date that name a bin: 4 (years), 7 (months) or 10 (days)."""
    days = (last - first).days
    if days <= 92:
        return 10
    if days <= 3 * 366:
        return 7
    return 4


@lru_cache(maxsize=1024)
def bins(first: str, last: str, width: int) -> tuple[tuple[str, str], ...]:
    """Consecutive (start, end) ISO dates from the bin of ``first`` to that of ``last``
    (kept: a calendar, asked again for the same spans)."""
    out = []
    day = date.fromisoformat(first)
    day = {4: day.replace(month=1, day=1), 7: day.replace(day=1), 10: day}[width]
    end_day = date.fromisoformat(last)
    while day <= end_day:
        following = next_bin(day, width)
        out.append((day.isoformat(), (following - timedelta(days=1)).isoformat()))
        day = following
    return tuple(out)


def next_bin(day: date, width: int) -> date:
    if width == 4:
        return day.replace(year=day.year + 1)
    if width == 7:
        return day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
    return day + timedelta(days=1)


def cursor_position(
    store: SQLiteStore, scope: Scope, sort: Sort, query: str, cursor: str
) -> tuple[Any, str]:
    """A cursor's position (sort value, cable id), once its signature shows that this
    archive gave it to this reader for this query and sort."""
    value, cable_id = decode_cursor(store, scope.name, sort, query, cursor)
    # A score after a relevance page, the date as stored ("" for none) after a date page.
    kind = (int, float) if sort == "relevance" else (str,)
    if not isinstance(value, kind) or isinstance(value, bool) or not isinstance(cable_id, str):
        raise QuerySyntaxError(REFUSED, 0, query)
    return value, cable_id


def cursor_after(store: SQLiteStore, position: tuple[Any, str], query: str) -> tuple[Any, int]:
    """The position in the terms ranking uses: the sort value and the cable's key."""
    value, cable_id = position
    rows = store.query("SELECT key FROM cable WHERE id = ?", [cable_id])
    if not rows:
        raise QuerySyntaxError(REFUSED, 0, query)
    return value, int(rows[0][0])
