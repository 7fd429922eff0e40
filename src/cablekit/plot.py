"""Charts of the cables a query matches: over time, by post, by TAGS code.

The figures come from ``search.series`` (counted in the archive, over what the
reader's :class:`Scope` lets them see); this module draws them. Drawn with
matplotlib's Agg renderer on a bare ``Figure``: no GUI, no global pyplot state,
so it runs on a server and in threads.
"""

from __future__ import annotations

import os
from datetime import date
from typing import TYPE_CHECKING, Literal

from .errors import OutputUnwritable
from .scope import PUBLIC, Scope
from .search.engine import next_bin
from .search.query import Node, format_query
from .search.series import PLOT_KINDS, TOP, UNITS, PlotKind, Series, series
from .store.sqlite import SQLiteStore

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn: the CLI starts fast
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["PLOT_KINDS", "TOP", "PlotKind", "Series", "draw", "plot", "series"]
BAR_COLOUR = "#3b6ea5"
IMAGE_EXTENSIONS = (".png", ".svg", ".pdf")


def check_image_path(out_path: str | os.PathLike[str]) -> None:
    """Refuse, before any work, a chart file whose extension names no format we draw
    (matplotlib would only say so after the query, with a traceback)."""
    extension = os.path.splitext(os.fspath(out_path))[1].lower()
    if extension not in IMAGE_EXTENSIONS:
        raise OutputUnwritable(
            f"Cannot draw {os.fspath(out_path)}: a chart is a .png, .svg or .pdf file"
        )


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
    width = {v: k for k, v in UNITS.items()}.get(unit or "day", 10)
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
