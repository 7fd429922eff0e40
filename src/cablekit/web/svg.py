"""Charts drawn on the server as SVG: the timeline of a search and a citation graph.

The SVG is built with Jinja2-free string code, so every piece of cable text in it goes
through ``escape``; styling comes from classes in ``static/style.css`` (the Content
Security Policy allows no inline style), links are ordinary ``<a href>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..search.engine import Bin
from ..search.graph import Graph
from . import layout

TIMELINE_WIDTH = 720
TIMELINE_HEIGHT = 110
AXIS = 18
MIN_BINS_WIDE = 8


def timeline(bins: list[Bin], link: Callable[[Bin], str]) -> Markup:
    """Bars of the hits per bin; each bar links to the search narrowed to its dates."""
    if not bins:
        return Markup("")
    top = max(b.count for b in bins) or 1
    step = TIMELINE_WIDTH / max(len(bins), MIN_BINS_WIDE)  # one bar does not fill the chart
    plot = TIMELINE_HEIGHT - AXIS
    parts = [
        f'<svg class="timeline" viewBox="0 0 {TIMELINE_WIDTH} {TIMELINE_HEIGHT}"'
        ' role="img" aria-label="Hits over time; select a bar to narrow the dates">'
    ]
    for n, b in enumerate(bins):
        height = max(1.0, plot * b.count / top) if b.count else 0.0
        x = n * step
        label = escape(f"{_span(b)}: {b.count:,} cable{'s' if b.count != 1 else ''}")
        parts.append(
            f'<a href="{escape(link(b))}" class="bar-link"><title>{label}</title>'
            f'<rect class="bar-hit" x="{x:.1f}" y="0" width="{step:.1f}" height="{plot}"/>'
            f'<rect class="bar" x="{x + step * 0.1:.1f}" y="{plot - height:.1f}"'
            f' width="{max(step * 0.8, 1):.1f}" height="{height:.1f}"/></a>'
        )
    for n in sorted({0, len(bins) // 2, len(bins) - 1}):
        anchor = "start" if n == 0 else "end" if n == len(bins) - 1 else "middle"
        x = n * step if anchor == "start" else (n + 1) * step if anchor == "end" else n * step
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{TIMELINE_HEIGHT - 4}"'
            f' text-anchor="{anchor}">{escape(bins[n].start)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _span(b: Bin) -> str:
    return b.start if b.start == b.end else f"{b.start} to {b.end}"


GRAPH_WIDTH = 1100.0  # the drawing's units; it is shown the full width of the page
NARROW_WIDTH = 480.0  # the drawing for phones: narrower and taller, so labels stay legible
LABEL_CHAR_WIDTH = 8.0  # a label's characters at 13 px, a little wide (the font varies)
_CLASS_OF = {
    "UNCLASSIFIED": "u",
    "SENSITIVE BUT UNCLASSIFIED": "sbu",
    "LIMITED OFFICIAL USE": "lou",
    "CONFIDENTIAL": "c",
    "SECRET": "s",
    "TOP SECRET": "ts",
}


@dataclass(frozen=True, slots=True)
class Drawing:
    """A citation graph as drawn: its cables in order (the centre first), each one's
    radius and citations received, the citations as index pairs, and the layout."""

    ids: list[str]
    index: dict[str, int]
    edges: list[tuple[int, int]]
    radii: list[float]
    cited: list[int]
    layout: layout.Layout


def drawing_of(graph: Graph, centre: str, width: float = GRAPH_WIDTH) -> Drawing:
    ids = sorted(graph.nodes, key=lambda i: (i != centre, i))
    index = {node_id: n for n, node_id in enumerate(ids)}
    edges = [
        (index[e.source], index[e.target])
        for e in graph.edges
        if e.source in index and e.target in index
    ]
    cited = [0] * len(ids)
    for _, target in edges:
        cited[target] += 1
    # Area grows with the citations received; the centre a little larger still.
    radii = [min(7.0 + 3.0 * math.sqrt(c), 22.0) + (3.0 if n == 0 else 0.0)
             for n, c in enumerate(cited)]  # fmt: skip
    labels = [LABEL_CHAR_WIDTH * len(i) for i in ids]
    placed = layout.place(len(ids), edges, 0, radii, width, labels)
    return Drawing(ids, index, edges, radii, cited, placed)


def citation_graph(
    graph: Graph, centre: str, link: Callable[[str], str], width: float = GRAPH_WIDTH
) -> Markup:
    """The cables around ``centre`` (a force-directed layout, see :mod:`.layout`): an
    arrow goes from the citing cable to the cited one; a cable's size grows with the
    citations it receives here, its colour is its classification; cables outside the
    archive (or not visible) are hollow and have no link. A click on a cable draws the
    graph around it."""
    drawn = drawing_of(graph, centre, width)
    marker = f"arrow-{width:.0f}"  # one per drawing: a page may hold two
    ids, index, radii, cited, placed = (
        drawn.ids,
        drawn.index,
        drawn.radii,
        drawn.cited,
        drawn.layout,
    )
    at = placed.positions
    parts = [
        f'<svg class="graph" viewBox="0 0 {placed.width:.0f} {placed.height:.0f}"'
        f' role="img" aria-label="Citations around {escape(centre)}">',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7"'
        ' markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"'
        ' class="arrow"/></marker></defs>',
    ]
    for edge in graph.edges:
        if edge.source not in index or edge.target not in index or edge.source == edge.target:
            continue
        a, b = index[edge.source], index[edge.target]
        (x1, y1), (x2, y2) = _trimmed_line(at[a], at[b], radii[a], radii[b] + 1.5)
        title = escape(f"{edge.source} cites {edge.target}: {edge.text}")
        parts.append(
            f'<line class="edge edge-{edge.kind}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}"'
            f' y2="{y2:.1f}" marker-end="url(#{marker})"><title>{title}</title></line>'
        )
    for node_id in ids:
        n = index[node_id]
        node = graph.nodes[node_id]
        x, y = at[n]
        level = _CLASS_OF.get(node.classification or "", "unknown")
        kind = f"cls-{level}" if node.in_archive else "outside"
        if n == 0:
            kind += " centre"
        said = f"{node.date or ''} {node.origin or ''} {node.classification or ''}".strip()
        title = escape(
            " — ".join(filter(None, [node_id, said, node.subject]))
            + f" (cited {cited[n]} time{'s' * (cited[n] != 1)} here)"
            + ("" if node.in_archive else ": not in the archive")
        )
        shape = (
            f'<circle class="node {kind}" cx="{x:.1f}" cy="{y:.1f}" r="{radii[n]:.1f}"/>'
            f'<text class="label" x="{x:.1f}" y="{y + radii[n] + 14:.1f}"'
            f' text-anchor="middle">{escape(node_id)}</text><title>{title}</title>'
        )
        if node.in_archive:
            shape = f'<a href="{escape(link(node_id))}">{shape}</a>'
        parts.append(f"<g>{shape}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _trimmed_line(
    start: Sequence[float], end: Sequence[float], cut_start: float, cut_end: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The segment between two circles' edges (the arrow's tip touches the cited one)."""
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    return (x1 + ux * cut_start, y1 + uy * cut_start), (x2 - ux * cut_end, y2 - uy * cut_end)
