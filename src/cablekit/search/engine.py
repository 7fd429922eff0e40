"""Running a search: matches, exact total, ranking, cursor paging, snippets, facets
and timeline, all computed inside the archive from what the reader may see.

The matching keys are written once to a temporary table (per connection); every
figure is then a query over it, within one read snapshot, so counts, facets and
pages agree with each other even while an ingest is writing.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np

from ..errors import QuerySyntaxError
from ..store.sqlite import UNIT_BITS, SQLiteStore
from .columns import Ints, columns, count_coded, count_single, dated, hit_mask, top
from .query import Node, describe, parse_query
from .sql import PUBLIC, Scope, compile_query, ranking_expression, visible_units

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")
HIGHLIGHT = ("«", "»")
SNIPPET_WORDS = 24
FACET_SIZE = 10
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

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "description": self.description,
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
    """Search the archive. Raises QuerySyntaxError for a malformed query or cursor."""
    node = parse_query(query)
    after = decode_cursor(cursor, sort, query) if cursor else None
    with store.snapshot():
        total = collect_hits(store, node, scope, ranked=sort == "relevance")
        hits, next_key = page(store, sort, limit, after)
        result = SearchResult(
            query=query,
            description=describe(node),
            total=total,
            results=[as_hit(store, node, scope, hit, snippets) for hit in hits],
            next_cursor=encode_cursor(sort, query, next_key) if next_key else None,
        )
        if facets:
            result.facets = facet_counts(store)
        if timeline:
            result.timeline = timeline_bins(store)
    return result


def collect_hits(store: SQLiteStore, node: Node, scope: Scope, ranked: bool) -> int:
    """Fill the temporary ``hits`` table (and scores when ranked); the exact total."""
    compiled = compile_query(node, scope)
    store.query("CREATE TEMP TABLE IF NOT EXISTS hits (key INTEGER PRIMARY KEY, score REAL)")
    store.query("DELETE FROM temp.hits")
    store.query(
        f"INSERT INTO temp.hits (key, score) SELECT key, 0 FROM ({compiled.sql})", compiled.params
    )
    expression = ranking_expression(node)
    if ranked and expression:
        # bm25 is lower for better matches; a cable scores the sum over its units.
        visible, params = visible_units(scope, "rowid")
        store.query(
            "UPDATE temp.hits SET score = s.score FROM (SELECT rowid >> ? AS key,"
            " -sum(rank) AS score FROM unit_fts WHERE unit_fts MATCH ?"
            f"{visible} GROUP BY key) AS s WHERE hits.key = s.key",
            [UNIT_BITS, expression, *params],
        )
    return int(store.query("SELECT count(*) FROM temp.hits")[0][0])


_ORDER = {
    "relevance": ("h.score", "DESC"),
    "newest": ("coalesce(c.date, '')", "DESC"),
    "oldest": ("coalesce(c.date, '')", "ASC"),
}


def page(
    store: SQLiteStore, sort: Sort, limit: int, after: tuple[Any, int] | None
) -> tuple[list[tuple[Any, ...]], tuple[Any, int] | None]:
    """One page of hits in a stable order (ties broken by key), after a cursor position."""
    column, direction = _ORDER[sort]
    where, params = "", []
    if after is not None:
        op = "<" if direction == "DESC" else ">"
        where = f"WHERE ({column} {op} ? OR ({column} = ? AND h.key > ?))"
        params = [after[0], after[0], after[1]]
    rows = store.query(
        f"SELECT h.key, {column}, c.id, c.dtg, c.date, c.origin, c.classification, c.subject,"
        f" h.score FROM temp.hits h JOIN cable c ON c.key = h.key {where}"
        f" ORDER BY {column} {direction}, h.key LIMIT ?",
        [*params, limit + 1],
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_key = (rows[-1][1], rows[-1][0]) if more and rows else None
    return rows, next_key


def as_hit(
    store: SQLiteStore, node: Node, scope: Scope, row: tuple[Any, ...], snippets: bool
) -> Hit:
    key, _, cable_id, dtg, day, origin, classification, subject, score = row
    text = snippet(store, node, scope, key) if snippets else ""
    return Hit(cable_id, dtg, day, origin, classification, subject, text, round(float(score), 6))


def snippet(store: SQLiteStore, node: Node, scope: Scope, key: int) -> str:
    """The best matching visible passage with the matched words marked, or the
    opening of the first visible paragraph."""
    expression = ranking_expression(node)
    if expression:
        # The cable's paragraphs are the rowids just above its key (see sql.UNIT_BITS).
        visible, params = visible_units(scope, "rowid")
        rows = store.query(
            f"SELECT snippet(unit_fts, 0, ?, ?, '…', {SNIPPET_WORDS}) FROM unit_fts"
            f" WHERE unit_fts MATCH ? AND rowid > ? AND rowid < ?{visible}"
            " ORDER BY rank LIMIT 1",
            [*HIGHLIGHT, expression, key << UNIT_BITS, (key + 1) << UNIT_BITS, *params],
        )
        if rows:
            return str(rows[0][0]).replace("\n", " ")
    rows = store.query(
        f"SELECT u.body FROM unit u WHERE u.cable_key = ? AND u.seq > 0 AND {scope.units}"
        " ORDER BY u.seq LIMIT 1",
        [key, *scope.unit_params],
    )
    return opening(rows[0][0]) if rows else ""


def opening(text: str) -> str:
    words = text.split()
    return " ".join(words[:SNIPPET_WORDS]) + ("…" if len(words) > SNIPPET_WORDS else "")


def hit_keys(store: SQLiteStore) -> Ints:
    rows = store.query("SELECT key FROM temp.hits")
    return np.fromiter((row[0] for row in rows), np.int64, len(rows))


def facet_counts(store: SQLiteStore) -> dict[str, list[FacetValue]]:
    """Counts of cables among the hits, per value, for every facet (top values)."""
    cols = columns(store)
    keys = hit_keys(store)
    mask = hit_mask(cols, keys)
    facets: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    tag_counts = count_coded(cols.tags, mask)
    for kind, name in TAG_FACETS.items():
        of_kind = np.array([k == kind for k in cols.tags.kinds], np.bool_)
        facets[name] = values(top(tag_counts * of_kind, cols.tags.values, FACET_SIZE))
    facets["origin"] = values(
        top(count_single(cols.origin, cols.origins, keys), cols.origins, FACET_SIZE)
    )
    facets["classification"] = values(
        top(
            count_single(cols.classification, cols.classifications, keys),
            cols.classifications,
            FACET_SIZE,
        )
    )
    facets["caveat"] = values(top(count_coded(cols.caveats, mask), cols.caveats.values, FACET_SIZE))
    years = dated(cols.year, keys)
    if len(years):
        first = int(years.min())
        counts = np.bincount(years - first)
        facets["year"] = values(
            top(counts, [str(first + i) for i in range(len(counts))], FACET_SIZE)
        )
    return facets


def values(pairs: list[tuple[str, int]]) -> list[FacetValue]:
    return [FacetValue(value, count) for value, count in pairs]


def timeline_bins(store: SQLiteStore) -> list[Bin]:
    """A histogram of the hits by date, in years, months or days as the span needs."""
    cols = columns(store)
    keys = hit_keys(store)
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


def bins(first: str, last: str, width: int) -> list[tuple[str, str]]:
    """Consecutive (start, end) ISO dates from the bin of ``first`` to that of ``last``."""
    out = []
    day = date.fromisoformat(first)
    day = {4: day.replace(month=1, day=1), 7: day.replace(day=1), 10: day}[width]
    end_day = date.fromisoformat(last)
    while day <= end_day:
        following = next_bin(day, width)
        out.append((day.isoformat(), (following - timedelta(days=1)).isoformat()))
        day = following
    return out


def next_bin(day: date, width: int) -> date:
    if width == 4:
        return day.replace(year=day.year + 1)
    if width == 7:
        return day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
    return day + timedelta(days=1)


def encode_cursor(sort: Sort, query: str, position: tuple[Any, int]) -> str:
    data = json.dumps([sort, query, position[0], position[1]], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort, query: str) -> tuple[Any, int]:
    """A cursor's position; it must come from the same query and sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        saved_sort, saved_query, value, key = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError) as error:
        raise QuerySyntaxError("The cursor is not one this archive gave out", 0, query) from error
    if saved_sort != sort or saved_query != query:
        raise QuerySyntaxError(
            "The cursor belongs to another query or sort; start again without it", 0, query
        )
    return value, int(key)
