"""Charts drawn on the server as SVG: the timeline of a search and a citation graph.

The SVG is built with Jinja2-free string code, so every piece of cable text in it goes
through ``escape``; styling comes from classes in ``static/style.css`` (the Content
Security Policy allows no inline style), links are ordinary ``<a href>``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from markupsafe import Markup, escape

from ..search.engine import Bin
from ..search.graph import Graph

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


MIN_GRAPH_SIZE = 360
RING = 120  # distance between rings
NODE_SPACING = 44  # along a ring
MARGIN = 70


def citation_graph(graph: Graph, centre: str, link: Callable[[str], str]) -> Markup:
    """The cables around ``centre`` on rings by their distance in citations; an arrow
    goes from the citing cable to the cited one. Cables outside the archive (or not
    visible) are hollow and have no link."""
    distance = _distances(graph, centre)
    rings: dict[int, list[str]] = {}
    for node_id in sorted(graph.nodes, key=lambda i: (distance.get(i, 99), i)):
        rings.setdefault(distance.get(node_id, max(distance.values(), default=0) + 1), []).append(
            node_id
        )
    radii, outer = {}, 0.0
    for ring, members in sorted(rings.items()):
        # Far enough out for its members to stand apart, and beyond the ring inside.
        radii[ring] = (
            max(ring * RING, len(members) * NODE_SPACING / (2 * math.pi), outer + RING / 2)
            if ring
            else 0.0
        )
        outer = radii[ring]
    size = max(MIN_GRAPH_SIZE, 2 * outer + 2 * MARGIN)
    middle = size / 2
    spot: dict[str, tuple[float, float]] = {}
    for ring, members in rings.items():
        for n, node_id in enumerate(members):
            angle = 2 * math.pi * n / len(members) + ring * 0.4
            spot[node_id] = (
                middle + radii[ring] * math.cos(angle),
                middle + radii[ring] * math.sin(angle),
            )
    parts = [
        f'<svg class="graph" viewBox="0 0 {size:.0f} {size:.0f}" width="{size:.0f}"'
        f' height="{size:.0f}" role="img"'
        f' aria-label="Citations around {escape(centre)}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="6"'
        ' markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"'
        ' class="arrow"/></marker></defs>',
    ]
    for edge in graph.edges:
        if edge.source in spot and edge.target in spot:
            (x1, y1), (x2, y2) = spot[edge.source], spot[edge.target]
            parts.append(
                f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
                ' marker-end="url(#arrow)"/>'
            )
    for node_id, (x, y) in spot.items():
        node = graph.nodes[node_id]
        kind = "centre" if node_id == centre else "cable" if node.in_archive else "outside"
        title = escape(" ".join(filter(None, [node_id, node.date, node.subject])))
        shape = (
            f'<circle class="node node-{kind}" cx="{x:.1f}" cy="{y:.1f}" r="8"/>'
            f'<text class="label" x="{x:.1f}" y="{y - 12:.1f}" text-anchor="middle">'
            f"{escape(node_id)}</text><title>{title}</title>"
        )
        if node.in_archive:
            shape = f'<a href="{escape(link(node_id))}">{shape}</a>'
        parts.append(f"<g>{shape}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _distances(graph: Graph, centre: str) -> dict[str, int]:
    """Hops from ``centre``, following citations either way."""
    around: dict[str, set[str]] = {}
    for edge in graph.edges:
        around.setdefault(edge.source, set()).add(edge.target)
        around.setdefault(edge.target, set()).add(edge.source)
    seen = {centre: 0}
    queue = deque([centre])
    while queue:
        here = queue.popleft()
        for there in sorted(around.get(here, ())):
            if there not in seen:
                seen[there] = seen[here] + 1
                queue.append(there)
    return seen
