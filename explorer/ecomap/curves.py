"""Lines as vis-network draws them: straight, or the quadratic curve of its 'curvedCW' and
'curvedCCW' smooth types; and the gentlest bend that takes a line clear of the nodes it does
not join."""

from __future__ import annotations

import itertools
import math
from typing import Any

CLEARANCE = 30  # px a line keeps from a node it does not join, bending round it if need be
BENDS = [(kind, roundness) for roundness in (0.25, 0.45, 0.7) for kind in ("curvedCW", "curvedCCW")]


def control_point(a: tuple[float, float], b: tuple[float, float], kind: str,
         roundness: float) -> tuple[float, float]:
    """The control point of a curved edge from a to b, as vis-network computes it for its
    'curvedCW' and 'curvedCCW' smooth types (BezierEdgeStatic._getViaCoordinates)."""
    dx, dy = b[0] - a[0], a[1] - b[1]
    reach = 0.5 * roundness + 0.5
    turn = reach if kind == "curvedCW" else 0.5 - 0.5 * roundness
    angle = (math.atan2(dy, dx) + turn * math.pi) % (2 * math.pi)
    length = math.hypot(dx, dy)
    return a[0] + reach * length * math.sin(angle), a[1] + reach * length * math.cos(angle)


def _track(a: tuple[float, float], b: tuple[float, float],
           smooth: tuple[str, float] | None) -> list[tuple[float, float]]:
    """Points along an edge as drawn: its two ends, or 13 along its quadratic curve."""
    if smooth is None:
        return [a, b]
    c = control_point(a, b, *smooth)
    return [((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * c[0] + t * t * b[0],
             (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * c[1] + t * t * b[1])
            for t in (i / 12 for i in range(13))]


def _gap(point: tuple[float, float], track: list[tuple[float, float]]) -> float:
    """How far a point is from a polyline."""
    nearest = math.inf
    for (ax, ay), (bx, by) in itertools.pairwise(track):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((point[0] - ax) * dx + (point[1] - ay) * dy) / (dx * dx + dy * dy or 1)))
        nearest = min(nearest, math.hypot(point[0] - ax - t * dx, point[1] - ay - t * dy))
    return nearest


def _clearance(a: tuple[float, float], b: tuple[float, float], smooth: tuple[str, float] | None,
               others: list[tuple[int, int]]) -> float:
    track = _track(a, b, smooth)
    return min((_gap(p, track) for p in others), default=math.inf)


def bend_round_nodes(positions: dict[str, tuple[int, int]], edges: dict[str, dict[str, Any]],
           which: list[str]) -> dict[str, dict[str, Any]]:
    """For each edge in ``which`` whose straight line passes within CLEARANCE of a node it
    does not join, the gentlest curve (of BENDS) that clears every node, or failing that the
    one that clears them most.

    A node just below the middle of a line (y grows downwards): the line bends up, away from
    it, as little as clears it; a line already clear stays straight.

    >>> pos = {"a": (0, 0), "b": (200, 0), "m": (100, 5)}
    >>> bend_round_nodes(pos, {"e": {"from": "a", "to": "b"}}, ["e"])["e"]
    {'enabled': True, 'type': 'curvedCW', 'roundness': 0.45}
    >>> bend_round_nodes({**pos, "m": (100, 60)}, {"e": {"from": "a", "to": "b"}}, ["e"])
    {}
    """
    bends: dict[str, dict[str, Any]] = {}
    for edge_id in which:
        ends = edges[edge_id]["from"], edges[edge_id]["to"]
        a, b = positions[ends[0]], positions[ends[1]]
        others = [p for n, p in positions.items() if n not in ends]
        if _clearance(a, b, None, others) >= CLEARANCE:
            continue
        scored = [(_clearance(a, b, bend, others), -i, bend) for i, bend in enumerate(BENDS)]
        clear = [bend for score, _, bend in scored if score >= CLEARANCE]
        kind, roundness = clear[0] if clear else max(scored)[2]
        bends[edge_id] = {"enabled": True, "type": kind, "roundness": roundness}
    return bends
