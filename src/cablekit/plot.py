"""Charts of the cables a query matches: over time, by post, by TAGS code.

Counts are computed in the archive, over what the reader's :class:`Scope` lets
them see (the query is compiled with it); only the figures reach Python. Drawn with
matplotlib's Agg renderer on a bare ``Figure``: no GUI, no global pyplot state,
so it runs on a server and in threads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from .errors import OutputUnwritable
from .scope import PUBLIC, Scope
from .search.engine import bin_width, bins, next_bin
from .search.query import Node, format_query
from .search.sql import matching_keys
from .store.sqlite import SQLiteStore

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn: the CLI starts fast
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PlotKind = Literal["timeline", "origins", "tags"]
PLOT_KINDS: tuple[PlotKind, ...] = ("timeline", "origins", "tags")
TOP = 20
BAR_COLOUR = "#3b6ea5"
_UNIT = {4: "year", 7: "month", 10: "day"}
IMAGE_EXTENSIONS = (".png", ".svg", ".pdf")


def check_image_path(out_path: str | os.PathLike[str]) -> None:
    """Refuse, before any work, a chart file whose extension names no format we draw
    (matplotlib would only say so after the query, with a traceback)."""
    extension = os.path.splitext(os.fspath(out_path))[1].lower()
    if extension not in IMAGE_EXTENSIONS:
        raise OutputUnwritable(
            f"Cannot draw {os.fspath(out_path)}: a chart is a .png, .svg or .pdf file"
        )


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


def plot(
    store: SQLiteStore,
    kind: PlotKind,
    node: Node | None,
    scope: Scope = PUBLIC,
    out_path: str | os.PathLike[str] = "plot.png",
) -> int:
    """Draw ``kind`` for the cables matching ``node`` (all visible ones when None) to
    ``out_path`` (PNG, SVG or PDF by its extension); the number of matching cables."""
    check_image_path(out_path)
    data = series(store, kind, node, scope)
    draw(data, node, out_path)
    return data.total


def draw(data: Series, node: Node | None, out_path: str | os.PathLike[str]) -> None:
    """Draw figures already computed (``series``) to ``out_path``; ``node`` is their
    query, for the title."""
    figure = _timeline(data) if data.kind == "timeline" else _ranking(data)
    query = format_query(node) if node is not None else "all cables"
    figure.axes[0].set_title(f"{query} — {data.total:,} cables", loc="left", fontsize=12, pad=10)
    figure.savefig(out_path, dpi=120)


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
    return points, _UNIT[width]


def _timeline(data: Series) -> Figure:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(10, 4.8), layout="constrained")
    axes = figure.add_subplot()
    if not data.points:
        return _empty(figure, "No dated cable matches")
    days = [date.fromisoformat(start) for start, _ in data.points]
    ends = [*days[1:], _next(days[-1], data.unit)]
    # matplotlib's date helpers are not annotated.
    starts = [float(date2num(day)) for day in days]  # type: ignore[no-untyped-call]
    # Bars a little narrower than their bin, so that neighbours stay apart.
    widths = [(end - day).days * 0.85 for day, end in zip(days, ends, strict=True)]
    axes.bar(starts, [n for _, n in data.points], width=widths, align="edge", color=BAR_COLOUR)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_xlabel(f"Date of the cable (one bar per {data.unit})")
    axes.set_ylabel("Cables")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _tidy(axes, "y")
    return figure


def _next(day: date, unit: str | None) -> date:
    width = {v: k for k, v in _UNIT.items()}.get(unit or "day", 10)
    return next_bin(day, width)


def _ranking(data: Series) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    """Horizontal bars, largest on top, each with its count at its end."""
    rows = data.points
    figure = Figure(figsize=(9, 1.6 + 0.32 * max(len(rows), 3)), layout="constrained")
    axes = figure.add_subplot()
    if not rows:
        return _empty(figure, "No cable matches")
    labels = [label for label, _ in reversed(rows)]
    values = [n for _, n in reversed(rows)]
    bars = axes.barh(labels, values, color=BAR_COLOUR, height=0.7)
    axes.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3, fontsize=9)
    axes.set_xlabel("Cables")
    axes.set_ylabel(f"Top {TOP} posts of origin" if data.kind == "origins" else f"Top {TOP} TAGS")
    axes.margins(x=0.08)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _tidy(axes, "x")
    return figure


def _tidy(axes: Axes, grid: Literal["x", "y"]) -> None:
    """Light grid lines along the value axis, no box."""
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis=grid, alpha=0.3)
    axes.set_axisbelow(True)


def _empty(figure: Figure, message: str) -> Figure:
    axes = figure.axes[0]
    axes.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        fontsize=12,
        color="#555555",
        transform=axes.transAxes,
    )
    axes.set_axis_off()
    return figure
