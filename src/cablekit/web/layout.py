"""Where the cables of a citation graph go on the page: a force-directed layout,
computed on the server (no script runs in the browser), then repaired so that no
citation is drawn through a cable it does not touch.

1. **Start** on rings around the centre, by distance in citations (deterministic:
   the same graph is always drawn the same way).
2. **Forces** (Fruchterman and Reingold): every two cables push each other apart,
   each citation pulls its two ends together, a weak pull keeps everything near the
   middle; the centre stays in the middle. The steps shrink as it cools.
3. **Fit**: the drawing is stretched to fill the (wide) canvas.
4. **Repair**: a cable lying on (or too close to) a citation line it is no end of is
   pushed off it, and cables that overlap are pushed apart, until none is left; if the
   canvas gets too crowded for that, it grows and the repair starts again.

Nodes are circles (``radii``, in the drawing's units); positions are their centres.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Points = npt.NDArray[np.float64]

CLEARANCE = 6.0  # between a citation line and a cable it does not touch, beyond its radius
GAP_X, GAP_Y = 10.0, 4.0  # between two cables' boxes (circle and label under it)
LABEL_HEIGHT = 18.0  # below the circle
MARGIN = 48.0  # around the drawing, while the forces run
EDGE = 4.0  # between a box and the canvas's edge
AREA_PER_NODE = 120.0**2
ITERATIONS = 250
REPAIR_ROUNDS = 300
STALLED = 25  # rounds without fewer problems: the canvas is too crowded, grow it
GROWTH = 1.2  # the canvas grows by this when the repair cannot finish


@dataclass(frozen=True, slots=True)
class Boxes:
    """What each node keeps free: ``half`` its half-width (circle or label), ``radius``
    its circle's; the box runs from the circle's top to the label's foot."""

    half: Points
    radius: Points


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    height: float
    positions: Points  # (n, 2): the centre of each node, in the order given


def place(
    n: int,
    edges: Sequence[tuple[int, int]],
    centre: int,
    radii: Sequence[float],
    width: float,
    label_widths: Sequence[float] = (),
) -> Layout:
    """Positions for ``n`` nodes joined by ``edges`` (index pairs), ``centre`` in the
    middle, on a canvas ``width`` wide (and as high as the graph needs). Each node
    keeps a box free: its circle, and its label (``label_widths``) under it."""
    size = np.asarray(radii, dtype=np.float64)
    labels = np.asarray(label_widths or [0.0] * n, dtype=np.float64)
    boxes = Boxes(np.maximum(size, labels / 2), size)
    height = min(max(n * AREA_PER_NODE / width, 420.0), max(1.2 * width, 1200.0))
    links = [(a, b) for a, b in edges if a != b]
    positions = _start(n, links, centre, width, height)
    positions = _fitted(_forces(positions, links, centre, width, height), width, height)
    for _ in range(8):
        repaired = _repair(positions, links, boxes, width, height)
        if repaired is not None:
            return Layout(width, height, repaired)
        # Too crowded to clear every line: more room, the same picture larger.
        middle = np.array([width / 2, height / 2])
        width, height = width * GROWTH, height * GROWTH
        positions = (positions - middle) * GROWTH + np.array([width / 2, height / 2])
    raise RuntimeError("the citation graph could not be laid out")  # never met in practice


def crossings(layout: Layout, edges: Sequence[tuple[int, int]], radii: Sequence[float]) -> int:
    """How many (citation, cable) pairs have the line pass within the cable's circle
    while the cable is no end of it: 0 for every layout :func:`place` returns."""
    links = [(a, b) for a, b in edges if a != b]
    if not links:
        return 0
    distance, through = _line_distances(layout.positions, links)
    size = np.asarray(radii, dtype=np.float64)[None, :]
    return int(np.count_nonzero(through & (distance < size)))


def _start(
    n: int, links: list[tuple[int, int]], centre: int, width: float, height: float
) -> Points:
    """Rings around the centre by distance in citations; the unreached on the outside."""
    around: dict[int, set[int]] = {}
    for a, b in links:
        around.setdefault(a, set()).add(b)
        around.setdefault(b, set()).add(a)
    hops = {centre: 0}
    queue = deque([centre])
    while queue:
        here = queue.popleft()
        for there in sorted(around.get(here, ())):
            if there not in hops:
                hops[there] = hops[here] + 1
                queue.append(there)
    far = max(hops.values(), default=0) + 1
    rings: dict[int, list[int]] = {}
    for node in range(n):
        rings.setdefault(hops.get(node, far), []).append(node)
    step = min(width, height) / (2 * (len(rings) + 1))
    positions = np.zeros((n, 2))
    for ring, members in rings.items():
        for k, node in enumerate(members):
            angle = 2 * math.pi * k / len(members) + 0.7 * ring
            positions[node] = (
                width / 2 + ring * step * 1.6 * math.cos(angle),
                height / 2 + ring * step * math.sin(angle),
            )
    return positions


def _forces(
    positions: Points, links: list[tuple[int, int]], centre: int, width: float, height: float
) -> Points:
    n = len(positions)
    if n < 2:
        return np.array([[width / 2, height / 2]] * n)
    k = math.sqrt(width * height / n) * 0.75
    middle = np.array([width / 2, height / 2])
    ends = np.array(links, dtype=np.int64).reshape(-1, 2)
    temperature = width / 8
    for _ in range(ITERATIONS):
        delta = positions[:, None, :] - positions[None, :, :]
        distance = np.maximum(np.hypot(delta[..., 0], delta[..., 1]), 0.01)
        push = (k * k / distance**2)[..., None] * delta  # k^2/d along the unit vector
        shift = push.sum(axis=1)
        if len(ends):
            along = positions[ends[:, 0]] - positions[ends[:, 1]]
            length = np.maximum(np.hypot(along[:, 0], along[:, 1]), 0.01)
            pull = (length / k)[:, None] * along  # d^2/k along the unit vector
            np.add.at(shift, ends[:, 0], -pull)
            np.add.at(shift, ends[:, 1], pull)
        shift += (middle - positions) * 0.02 * k / max(width, height) * 10  # a weak gravity
        size = np.maximum(np.hypot(shift[:, 0], shift[:, 1]), 0.01)
        positions = positions + shift / size[:, None] * np.minimum(size, temperature)[:, None]
        positions[centre] = middle
        positions = _inside(positions, width, height)
        temperature = max(temperature * 0.985, 1.0)
    return positions


def _repair(
    positions: Points, links: list[tuple[int, int]], boxes: Boxes, width: float, height: float
) -> Points | None:
    """Positions with every cable off the lines it is no end of, and apart from the
    others; None when the rounds run out. A cable on a line moves off it, and the
    line's ends move a little the other way."""
    positions = positions.copy()
    radii = boxes.radius
    ends = np.array(links, dtype=np.int64).reshape(-1, 2)
    low = np.stack([boxes.half + EDGE, radii + EDGE], axis=1)
    high = np.stack([width - boxes.half - EDGE, height - radii - LABEL_HEIGHT], axis=1)
    best, since_best = math.inf, 0
    for _ in range(REPAIR_ROUNDS):
        shift = np.zeros_like(positions)
        problems = 0
        if links:
            closest = _closest_points(positions, links)
            away = positions[None, :, :] - closest
            distance = np.hypot(away[..., 0], away[..., 1])
            need = radii[None, :] + CLEARANCE
            edge, node = np.nonzero(_not_ends(len(positions), ends) & (distance < need))
            problems += len(edge)
            if len(edge):
                unit = _units(away[edge, node], positions, ends[edge])
                amount = (need[0, node] - distance[edge, node] + 1.0)[:, None] * unit
                np.add.at(shift, node, 0.6 * amount)
                np.add.at(shift, ends[edge, 0], -0.2 * amount)
                np.add.at(shift, ends[edge, 1], -0.2 * amount)
        apart = _boxes_apart(positions, boxes)
        shift += apart
        if not shift.any():
            return positions
        problems += int(np.count_nonzero(apart.any(axis=1)))
        best, since_best = (problems, 0) if problems < best else (best, since_best + 1)
        if since_best > STALLED:
            return None
        positions = np.clip(positions + shift, low, high)
    return None


def _boxes_apart(positions: Points, boxes: Boxes) -> Points:
    """Moves that part overlapping boxes, each along the way they overlap least."""
    shift = np.zeros_like(positions)
    dx = positions[:, None, 0] - positions[None, :, 0]
    wide = boxes.half[:, None] + boxes.half[None, :] + GAP_X - np.abs(dx)
    top = positions[:, 1] - boxes.radius
    foot = positions[:, 1] + boxes.radius + LABEL_HEIGHT
    tall = np.minimum(foot[:, None], foot[None, :]) - np.maximum(top[:, None], top[None, :])
    tall = tall + GAP_Y
    first, second = np.nonzero(np.triu((wide > 0) & (tall > 0), 1))
    if not len(first):
        return shift
    w, t = wide[first, second], tall[first, second]
    across = w <= t  # part them sideways, else one above the other
    right = np.where(dx[first, second] >= 0, 1.0, -1.0)
    below = np.where(positions[first, 1] >= positions[second, 1], 1.0, -1.0)
    step = np.zeros((len(first), 2))
    step[:, 0] = np.where(across, right * (w / 2 + 0.5), 0.0)
    step[:, 1] = np.where(across, 0.0, below * (t / 2 + 0.5))
    np.add.at(shift, first, step)
    np.add.at(shift, second, -step)
    return shift


def _units(away: Points, positions: Points, ends: npt.NDArray[np.int64]) -> Points:
    """Unit vectors along ``away``; across the line where a cable lies on it."""
    length = np.hypot(away[:, 0], away[:, 1])
    flat = length < 0.01
    if flat.any():
        line = positions[ends[flat, 1]] - positions[ends[flat, 0]]
        away = away.copy()
        away[flat] = np.stack([-line[:, 1], line[:, 0]], axis=1) + 1e-6
        length = np.hypot(away[:, 0], away[:, 1])
    result: Points = away / length[:, None]
    return result


def _not_ends(n: int, ends: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """(edges, nodes): whether the node is no end of the edge."""
    nodes = np.arange(n)[None, :]
    result: npt.NDArray[np.bool_] = (nodes != ends[:, :1]) & (nodes != ends[:, 1:])
    return result


def _fitted(positions: Points, width: float, height: float) -> Points:
    """The drawing stretched to fill the canvas, each way (at most 2.5 times): the
    forces keep it round, the page is wide."""
    low, high = positions.min(axis=0), positions.max(axis=0)
    span = np.maximum(high - low, 1.0)
    room = np.array([width - 2 * MARGIN, height - 2 * MARGIN])
    scale = np.minimum(room / span, 2.5)
    result: Points = (positions - (low + high) / 2) * scale + np.array([width / 2, height / 2])
    return result


def _inside(positions: Points, width: float, height: float) -> Points:
    return np.clip(positions, [MARGIN, MARGIN], [width - MARGIN, height - MARGIN])


def _closest_points(positions: Points, links: list[tuple[int, int]]) -> Points:
    """(edges, nodes, 2): the point of each citation line nearest to each cable."""
    ends = np.array(links, dtype=np.int64)
    a, b = positions[ends[:, 0]], positions[ends[:, 1]]
    line = b - a
    length2 = np.maximum((line**2).sum(axis=1), 1e-9)
    t = ((positions[None, :, :] - a[:, None, :]) * line[:, None, :]).sum(axis=2) / length2[:, None]
    t = np.clip(t, 0.0, 1.0)
    result: Points = a[:, None, :] + t[..., None] * line[:, None, :]
    return result


def _line_distances(
    positions: Points, links: list[tuple[int, int]]
) -> tuple[Points, npt.NDArray[np.bool_]]:
    """(edges, nodes): the distance of each cable from each citation line, and whether
    the cable is no end of that line."""
    closest = _closest_points(positions, links)
    away = positions[None, :, :] - closest
    distance: Points = np.hypot(away[..., 0], away[..., 1])
    return distance, _not_ends(len(positions), np.array(links, dtype=np.int64))
