"""The citation graph page's drawing: a layout in which no citation is drawn through
a cable it does not touch, cables do not overlap, and everything is on the canvas;
the same graph always drawn the same way. Checked on every distinct neighbourhood of
the sample archive, and on the SVG the page sends."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from cablekit.archive import Archive
from cablekit.search.graph import Graph, GraphEdge, GraphNode
from cablekit.web import layout, svg


def neighbourhoods(archive: Archive) -> list[tuple[str, int]]:
    """(centre, hops) of each distinct graph with citations, at 1 and 3 hops."""
    seen: set[frozenset[str]] = set()
    found = []
    for (cable_id,) in archive.store.query("SELECT id FROM cable ORDER BY id"):
        for hops in (1, 3):
            graph = archive.neighbourhood(cable_id, hops)
            key = frozenset(graph.nodes) | {f"centre:{cable_id}"}
            if graph.edges and key not in seen:
                seen.add(key)
                found.append((cable_id, hops))
    return found


def test_no_citation_goes_through_a_cable_it_does_not_touch(sample_archive: Archive) -> None:
    cases = neighbourhoods(sample_archive)
    assert len(cases) > 50
    for centre, hops in cases:
        drawn = svg.drawing_of(sample_archive.neighbourhood(centre, hops), centre)
        placed = drawn.layout
        assert layout.crossings(placed, drawn.edges, drawn.radii) == 0, (centre, hops)
        at, radii = placed.positions, np.array(drawn.radii)
        gaps = np.hypot(*(at[:, None, :] - at[None, :, :]).transpose(2, 0, 1))
        np.fill_diagonal(gaps, np.inf)
        assert (gaps >= radii[:, None] + radii[None, :]).all(), (centre, hops)
        assert (at >= 0).all() and (at[:, 0] <= placed.width).all()
        assert (at[:, 1] <= placed.height).all()


def test_the_layout_is_the_same_every_time(sample_archive: Archive) -> None:
    graph = sample_archive.neighbourhood("09OTTAWA662", 3)
    first = svg.drawing_of(graph, "09OTTAWA662").layout.positions
    again = svg.drawing_of(graph, "09OTTAWA662").layout.positions
    assert (first == again).all()


def segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / ((dx * dx + dy * dy) or 1)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


@pytest.mark.parametrize("width", [svg.GRAPH_WIDTH, svg.NARROW_WIDTH])
@pytest.mark.parametrize(("centre", "hops"), [("09OTTAWA662", 3), ("05BRASILIA718", 3)])
def test_the_svg_draws_lines_clear_of_the_circles(
    sample_archive: Archive, centre: str, hops: int, width: float
) -> None:
    """In the page's SVG itself: each line, from one circle's edge to the other's,
    keeps clear of every other circle; sizes follow the citations received."""
    graph = sample_archive.neighbourhood(centre, hops)
    drawing = str(svg.citation_graph(graph, centre, lambda i: f"/cable/{i}/graph", width))
    circles = [
        (float(x), float(y), float(r))
        for x, y, r in re.findall(r'<circle [^>]*cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', drawing)
    ]
    line = r'<line [^>]*x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"'
    lines = [tuple(map(float, found)) for found in re.findall(line, drawing)]
    assert len(circles) == len(graph.nodes) and len(lines) == len(graph.edges)
    for x1, y1, x2, y2 in lines:
        # A line's ends are the circles nearest its two points (it stops at their edges).
        ends = {
            min(circles, key=lambda c: math.hypot(c[0] - x, c[1] - y) - c[2])
            for x, y in ((x1, y1), (x2, y2))
        }
        others = [c for c in circles if c not in ends]
        assert all(segment_distance((c[0], c[1]), (x1, y1), (x2, y2)) >= c[2] for c in others)
    assert len({r for _, _, r in circles}) > 2  # sizes differ: cited more, larger
    if width == svg.GRAPH_WIDTH:  # the wide canvas has room enough; a phone's may grow
        assert f'viewBox="0 0 {width:.0f} ' in drawing


def test_a_mention_is_drawn_dashed_and_a_ref_solid() -> None:
    """Both kinds of citation on the page: the REF line's as a solid line, a mention in
    the text as a dashed one (the stylesheet's ``edge-mention``)."""
    nodes = {
        i: GraphNode(i, True, True, "2009-01-0" + str(n + 1), "OTTAWA", "SECRET", "Z")
        for n, i in enumerate(["09OTTAWA1", "09OTTAWA2", "09OTTAWA3"])
    }
    edges = [
        GraphEdge("09OTTAWA3", "09OTTAWA1", "A", "OTTAWA 1", "ref"),
        GraphEdge("09OTTAWA3", "09OTTAWA2", None, "OTTAWA 2", "mention"),
    ]
    drawing = str(svg.citation_graph(Graph(nodes, edges), "09OTTAWA3", lambda i: i))
    assert drawing.count('class="edge edge-ref"') == 1
    assert drawing.count('class="edge edge-mention"') == 1
    css = (Path(svg.__file__).parent / "static" / "style.css").read_text()
    assert re.search(r"\.edge-mention\s*\{[^}]*stroke-dasharray", css)
