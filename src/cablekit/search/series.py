"""The figures of a chart of the cables a query matches: over time, by post, by TAGS.

Counts are computed in the archive, over what the reader's :class:`Scope` lets them
see (the query is compiled with it); only the figures reach Python (``plot`` draws
them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..scope import PUBLIC, Scope
from ..store.sqlite import SQLiteStore
from .engine import bin_width, bins
from .query import Node
from .sql import matching_keys

PlotKind = Literal["timeline", "origins", "tags"]
PLOT_KINDS: tuple[PlotKind, ...] = ("timeline", "origins", "tags")
TOP = 20
UNITS = {4: "year", 7: "month", 10: "day"}  # a timeline bin: the date prefix's length


@dataclass(frozen=True, slots=True)
class Series:
    """What a chart shows: ``points`` are (label, count); timeline labels are the
    first day of each bin, ``unit`` its length (year, month or day)."""

    kind: PlotKind
    total: int  # matching cables
    points: list[tuple[str, int]]
    unit: str | None = None


def series(store: SQLiteStore, kind: PlotKind, node: Node | None, scope: Scope = PUBLIC) -> Series:
    """The figures of chart ``kind`` for the cables matching ``node`` (all when None)."""
    if kind not in PLOT_KINDS:
        raise ValueError(f"unknown plot {kind!r}; use one of {', '.join(PLOT_KINDS)}")
    with store.snapshot():
        keys, params = matching_keys(node, scope)
        total = int(store.query(f"SELECT count(*) FROM ({keys})", params)[0][0])
        if kind == "timeline":
            points, unit = _timeline_points(store, keys, params)
            return Series(kind, total, points, unit)
        sql = _ORIGINS if kind == "origins" else _TAGS
        rows = store.query(sql.format(keys=keys, top=TOP), params)
    return Series(kind, total, [(str(label), int(n)) for label, n in rows])


_ORIGINS = (
    "SELECT c.origin, count(*) AS n FROM cable c WHERE c.key IN ({keys})"
    " AND c.origin IS NOT NULL GROUP BY c.origin ORDER BY n DESC, c.origin LIMIT {top}"
)
_TAGS = (
    "SELECT t.code, count(DISTINCT t.cable_key) AS n FROM tag t WHERE t.cable_key IN ({keys})"
    " GROUP BY t.code ORDER BY n DESC, t.code LIMIT {top}"
)


def _timeline_points(
    store: SQLiteStore, keys: str, params: list[object]
) -> tuple[list[tuple[str, int]], str | None]:
    """Counts per year, month or day (as the span needs: engine.bin_width), gaps as 0."""
    first, last = store.query(
        f"SELECT min(c.date), max(c.date) FROM cable c WHERE c.key IN ({keys})", params
    )[0]
    if first is None:
        return [], None
    width = bin_width(date.fromisoformat(first), date.fromisoformat(last))
    counts = dict(
        store.query(
            f"SELECT substr(c.date, 1, {width}) AS b, count(*) FROM cable c"
            f" WHERE c.key IN ({keys}) AND c.date IS NOT NULL GROUP BY b",
            params,
        )
    )
    points = [(start, counts.get(start[:width], 0)) for start, _ in bins(first, last, width)]
    return points, UNITS[width]
