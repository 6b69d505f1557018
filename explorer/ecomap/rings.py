"""Layout geometry: the child-centred rings (:func:`layout`), the same every time for the same
network, with people grouped round the household, school, practice or service they belong to."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from explorer.ecomap.builder import FAMILY_RING, KIND_ORDER, KINDS, PROFESSIONAL_RING
from explorer.ecomap.labels import Box, node_boxes, touch

RING_GAP, NODE_SPACING = 190, 120
GROUP_SPACING = 170  # between neighbours in a group: room for two labels side by side
GROUP_KINDS = frozenset({"household", "service", "universal"})  # places people gather round
OFFSET = {"household": -0.35, "universal": 0.5}  # off their ring, in ring gaps


@dataclass
class _Rings:
    """A layout in progress: the network, and the angle and position of each node placed."""

    nodes: dict[str, dict[str, Any]]
    ring: dict[str, int]
    root: str
    neighbours: dict[str, set[str]]
    angle: dict[str, float] = field(default_factory=dict)
    pos: dict[str, tuple[int, int]] = field(default_factory=dict)

    def on(self, k: int) -> list[str]:
        return [n for n in self.nodes if self.ring[n] == k and n != self.root]

    def grouped(self, members: list[str]) -> list[list[str]]:
        return _grouped(members, self.nodes, self.neighbours, self.ring, self.root)

    def put(self, placed: dict[str, float], radius: float) -> None:
        for n, a in placed.items():
            # A household sits inside its people and a school or practice outside its staff,
            # so the lines to them fan out instead of running along the ring through the others.
            r = radius + OFFSET.get(self.nodes[n]["kind"], 0.0) * RING_GAP
            self.angle[n] = a
            self.pos[n] = (round(r * math.sin(a)), round(-r * math.cos(a)))


def layout(nodes: dict[str, dict[str, Any]], edges: dict[str, dict[str, Any]],
           ring: dict[str, int], root: str) -> dict[str, tuple[int, int]]:
    """Concentric rings around the root, the same every time for the same network.

    The family (households, parents and carers, siblings) takes an arc at the top of the
    first ring, at most half of it; practitioners with the school and GP take the rest of
    the circle on the second ring, so no line from the child to a professional crosses the
    family. On both, nodes come in groups: a household among the people who live in it, a
    school or GP practice beside the practitioners who work there, a service's
    practitioners side by side; a household sits a little inside its people and a school or
    practice a little outside its staff, so the lines to them fan out instead of running
    along the ring through the others (place_labels then spreads the layout until the
    household's address clears its neighbours' names). Outer rings (services, and what
    other children's views add) put each node beside the nodes that brought it in, at the
    mean of their angles, pushed apart only as far as needed.

    >>> pos = layout({"a": {"kind": "child"}, "b": {"kind": "adult"}, "c": {"kind": "adult"}},
    ...              {}, {"a": 0, "b": 1, "c": 1}, "a")
    >>> pos["a"], pos == layout({"a": {"kind": "child"}, "c": {"kind": "adult"},
    ...                          "b": {"kind": "adult"}}, {}, {"a": 0, "b": 1, "c": 1}, "a")
    ((0, 0), True)
    """
    neighbours: dict[str, set[str]] = {n: set() for n in nodes}
    for e in edges.values():
        neighbours[e["from"]].add(e["to"])
        neighbours[e["to"]].add(e["from"])
    rings = _Rings(nodes, ring, root, neighbours, pos={root: (0, 0)})
    family, professionals = rings.on(FAMILY_RING), rings.on(PROFESSIONAL_RING)
    radius, family_arc = 0.0, 0.0
    if family:
        # At most half the circle, and less when the professionals far outnumber the family:
        # twelve services' boxes squeezed into the lower half made the map too wide to read.
        share = min(math.pi, 2.4 * math.pi * len(family) / (len(family) + len(professionals)))
        radius = max(RING_GAP, len(family) * GROUP_SPACING / share)
        family_arc = len(family) * GROUP_SPACING / radius
        rings.put(_in_arc(rings.grouped(family), GROUP_SPACING / radius,
                          -family_arc / 2, family_arc), radius)
    if professionals:
        radius = _professional_ring(rings, professionals, radius, family_arc)
    for k in sorted({r for n, r in ring.items() if r > PROFESSIONAL_RING}):
        members = rings.on(k)
        radius = max(radius + RING_GAP, len(members) * NODE_SPACING / (2 * math.pi))
        rings.put(_beside(members, nodes, neighbours, rings.angle, NODE_SPACING / radius), radius)
    return rings.pos


def _professional_ring(rings: _Rings, professionals: list[str], radius: float,
                       family_arc: float) -> float:
    """Place the professionals in the rest of the circle, on the smallest ring (outside the
    family's) on which no two neighbours' boxes (a node with its label, or a group's box)
    touch: a fixed spacing put twelve groups a canvas and a half apart. Its radius."""
    nodes = rings.nodes
    rest = 2 * math.pi - family_arc
    groups = rings.grouped(professionals)
    placed = [_layout_boxes(nodes[n], rings.pos[n]) for n in rings.pos]
    order = [n for g in groups for n in g]
    radius = max(radius + RING_GAP, len(professionals) * NODE_SPACING / rest)
    while True:
        angles = _in_arc(groups, GROUP_SPACING / radius, family_arc / 2, rest)
        at = {n: (radius * math.sin(a), -radius * math.cos(a)) for n, a in angles.items()}
        boxes = [_layout_boxes(nodes[n], at[n]) for n in order]
        near = itertools.chain(itertools.pairwise(boxes), zip(boxes, boxes[2:], strict=False),
                               itertools.product(boxes, placed))
        if radius > 20000 or not any(touch(p, q) for a, b in near for p in a for q in b):
            break
        radius *= 1.03
    rings.put(angles, radius)
    return radius


def drawn_label(node: dict[str, Any]) -> str:
    """A node's label as drawn: its name, and its lead professional and CAF marks."""
    return node.get("label", "") + ("\n★ LEAD PROFESSIONAL" if node.get("lead") else "") + \
        ("\n[CAF]" if node.get("caf") else "")


def _layout_boxes(node: dict[str, Any], at: tuple[float, float]) -> list[Box]:
    return node_boxes({"x": at[0], "y": at[1], "label": drawn_label(node),
                       "shape": KINDS[node["kind"]]["shape"],
                       "size": 28 if node["kind"] == "child" else 16})


def _grouped(members: list[str], nodes: dict[str, dict[str, Any]],
             neighbours: dict[str, set[str]], ring: dict[str, int], root: str) -> list[list[str]]:
    """One inner ring in groups: each household, school, GP practice or service with its people
    (the place in the middle of them); groups in order of kind then id, people by kind then id."""
    def group(n: str) -> str:
        if nodes[n]["kind"] in GROUP_KINDS:
            return n
        places = sorted(m for m in neighbours[n] if m != root and nodes[m]["kind"] in GROUP_KINDS)
        return places[0] if places else n

    groups: dict[str, list[str]] = {}
    for n in members:
        groups.setdefault(group(n), []).append(n)
    ordered = []
    here = ring[members[0]]  # groups round a place on this ring (a household, a school) first
    for g in sorted(groups, key=lambda g: (ring[g] != here, KIND_ORDER[nodes[g]["kind"]], g)):
        people = sorted((n for n in groups[g] if n != g), key=lambda n: (KIND_ORDER[nodes[n]["kind"]], n))
        if g in groups[g]:
            people.insert(len(people) // 2, g)
        ordered.append(people)
    return ordered


def _in_arc(groups: list[list[str]], gap: float, start: float, width: float) -> dict[str, float]:
    """Angles in the arc from ``start`` (clockwise from the top) ``width`` wide: the nodes of
    a group ``gap`` apart, the space left shared evenly between the groups and the two ends.

    >>> a = _in_arc([["h", "m1"], ["x"]], 0.5, 0.0, 2.0)
    >>> [round(a[n], 2) for n in ("h", "m1", "x")]
    [0.38, 0.88, 1.62]
    """
    count = sum(len(g) for g in groups)
    gap = min(gap, width / count)
    between = (width - sum(len(g) - 1 for g in groups) * gap) / len(groups)
    angles, at = {}, start + between / 2
    for g in groups:
        for n in g:
            angles[n] = at % (2 * math.pi)
            at += gap
        at += between - gap
    return angles


def _beside(members: list[str], nodes: dict[str, dict[str, Any]], neighbours: dict[str, set[str]],
            angle: dict[str, float], gap: float) -> dict[str, float]:
    """Angles for an outer ring: each node at the mean angle of its neighbours already placed,
    then pushed apart (in runs, each run centred where its nodes want to be) to ``gap`` apart.

    >>> a = _beside(["s1", "s2"], {"s1": {"kind": "service"}, "s2": {"kind": "service"}},
    ...             {"s1": {"p1"}, "s2": {"p2"}}, {"p1": 1.0, "p2": 1.0}, 0.2)
    >>> round(a["s1"], 2), round(a["s2"], 2)
    (0.9, 1.1)
    """
    def wanted(n: str) -> float:
        placed = [angle[m] for m in neighbours[n] if m in angle]
        if not placed:
            return 0.0
        x, y = sum(math.cos(a) for a in placed), sum(math.sin(a) for a in placed)
        return math.atan2(y, x) % (2 * math.pi) if abs(x) + abs(y) > 1e-9 else min(placed)

    order = sorted(members, key=lambda n: (wanted(n), KIND_ORDER[nodes[n]["kind"]], n))
    want = [wanted(n) for n in order]
    if len(order) * gap >= 2 * math.pi:
        gap = 2 * math.pi / len(order)
    runs: list[list[float]] = []  # [start, count, sum of (wanted - index * gap)]
    for w in want:
        runs.append([w, 1, w])
        while len(runs) > 1 and runs[-2][0] + runs[-2][1] * gap > runs[-1][0] + 1e-12:
            last = runs.pop()
            run = runs[-1]
            run[2] += last[2] - run[1] * last[1] * gap
            run[1] += last[1]
            run[0] = run[2] / run[1]
    angles = [start + i * gap for start, count, _ in runs for i in range(int(count))]
    if angles[-1] - angles[0] > 2 * math.pi - gap + 1e-9:  # the ends overlap round the circle
        step = 2 * math.pi / len(order)
        angles = [angles[0] + i * step for i in range(len(order))]
    return {n: a % (2 * math.pi) for n, a in zip(order, angles, strict=True)}
