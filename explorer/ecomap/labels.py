"""Label placement: where each node and its label are drawn (in canvas units, from the
label's text as vis-network lays it out), and edge labels placed where they touch nothing,
shortened or left off where room is short (:func:`place_labels`)."""

from __future__ import annotations

import functools
import math
import unicodedata
from collections import defaultdict
from typing import Any

from explorer.ecomap.curves import control_point

# Label sizes in canvas units: at the smallest zoom the page draws (MIN_LABEL_PX in ecomap.js,
# 12 px for a node's label) an edge's label is 9.6 px.
NODE_FONT, EDGE_FONT, WRAP = 20, 16, 170
# The map's canvas is 860 x 720 CSS px in a 1400-px window: at 12-px labels (0.6 of NODE_FONT)
# it holds about 1430 x 1200 canvas units; the layout spreads out no further than this for
# the sake of edge labels.
MAP_UNITS = (1380, 1150)
BOX_MARGIN = 5  # vis-network's margin round a node's label
LABEL_DROP = 14  # from the bottom of a node's shape to the top of the label hanging below it
LABEL_GAP = 6  # canvas units kept between any two boxes: labels that touch read as one
Box = tuple[float, float, float, float]  # left, top, right, bottom

# Advance widths (in ems) of DejaVu Sans, the face Debian's Chromium draws "system-ui,
# sans-serif" in. It is one of the widest common faces, so a box estimated with it holds the
# label drawn in a narrower one too.
_EM = {**dict.fromkeys("ijl|!.,:;'", 0.30), **dict.fromkeys(" ftI-()[]", 0.40),
       **dict.fromkeys("rsczJ", 0.56), **dict.fromkeys("0123456789", 0.64),
       "m": 0.98, "w": 0.82, "M": 0.87, "W": 0.99, "·": 0.32}


def _em(ch: str) -> float:
    if ch in _EM:
        return _EM[ch]
    base = unicodedata.normalize("NFD", ch)[0]  # ë is as wide as e
    if base in _EM:
        return _EM[base]
    if base.isascii() and base.isalpha():
        return 0.71 if base.isupper() else 0.62
    return 0.84  # ★ ▲ ▼, and anything else: as wide as the widest of them


@functools.lru_cache(maxsize=4096)
def text_size(text: str, size: float, wrap: float | None = None) -> tuple[float, float]:
    """The width and height of a label as vis-network lays it out: one line per "\\n", each
    line wrapped at spaces to ``wrap`` wide (a word longer than that stands alone), each
    line ``size`` high.

    >>> w, h = text_size("Zoë O'Brien", 20)
    >>> 100 < w < 140, h
    (True, 20)
    >>> text_size("Northmere Children's Social Care", 20, 170)[1]
    60
    """
    def width(line: str) -> float:
        return sum(_em(ch) for ch in line) * size

    lines: list[str] = []
    widest = 0.0  # where a line wraps, it may be as wide as the wrap: the estimate errs wide
    for part in text.split("\n"):
        line = ""
        for word in part.split(" "):
            joined = f"{line} {word}" if line else word
            if wrap is not None and line and width(joined) > wrap:
                lines.append(line)
                line = word
                widest = wrap
            else:
                line = joined
        lines.append(line)
    return max(widest, *(width(line) for line in lines)), len(lines) * size


def node_boxes(node: dict[str, Any]) -> list[Box]:
    """Where a drawn node and its label are, in canvas units: a box node holds its label;
    any other shape is ``size`` round its centre with the label hanging below it, LABEL_DROP
    lower (labels wrap inside the node's margins, as vis-network measured them in Chromium)."""
    x, y, label = node["x"], node["y"], node.get("label") or ""
    if node["shape"] == "box":
        w, h = text_size(label, NODE_FONT, WRAP - 2 * BOX_MARGIN)
        w, h = w / 2 + BOX_MARGIN + 2, h / 2 + BOX_MARGIN + 2  # and its border
        return [(x - w, y - h, x + w, y + h)]
    r = node["size"] + 2
    w, h = text_size(label, NODE_FONT, WRAP - 2 * BOX_MARGIN)
    top = y + node["size"] + LABEL_DROP
    return [(x - r, y - r, x + r, y + r), (x - w / 2, top - 2, x + w / 2, top + h + 2)]


def edge_label_box(edge: dict[str, Any], a: tuple[float, float], b: tuple[float, float],
                   label: str) -> Box:
    """Where an edge's label is drawn: level, centred on the middle of the line (or of the
    curve, for a bent one)."""
    smooth = edge.get("smooth")
    if smooth:
        c = control_point(a, b, smooth["type"], smooth["roundness"])
        mx, my = 0.25 * a[0] + 0.5 * c[0] + 0.25 * b[0], 0.25 * a[1] + 0.5 * c[1] + 0.25 * b[1]
    else:
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    w, h = text_size(label, EDGE_FONT)
    return (mx - w / 2, my - h / 2, mx + w / 2, my + h / 2)


def touch(p: Box, q: Box, gap: float = LABEL_GAP) -> bool:
    return p[0] < q[2] + gap and q[0] < p[2] + gap and p[1] < q[3] + gap and q[1] < p[3] + gap


class _Grid:
    """Boxes filed by the cells of a square grid they reach (widened by LABEL_GAP), so that
    asking whether a box touches any filed one tests only those sharing a cell with it: at
    200 nodes, testing every pair made placing the labels most of the endpoint's time. The
    answers are those of testing every pair (``touch`` decides, on every box that could)."""

    CELL = 120.0

    def __init__(self) -> None:
        self.cells: defaultdict[tuple[int, int], list[tuple[int, Box]]] = defaultdict(list)

    def _keys(self, box: Box) -> list[tuple[int, int]]:
        # Most boxes lie in one cell; placing 200 nodes' labels files and asks about 200,000.
        c, g = self.CELL, LABEL_GAP
        i0, i1 = math.floor((box[0] - g) / c), math.floor((box[2] + g) / c)
        j0, j1 = math.floor((box[1] - g) / c), math.floor((box[3] + g) / c)
        if i0 == i1 and j0 == j1:
            return [(i0, j0)]
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def add(self, box: Box, owner: int = -1) -> None:
        for key in self._keys(box):
            self.cells[key].append((owner, box))

    def touching(self, box: Box) -> set[int]:
        """The owners of the filed boxes that touch ``box``."""
        return {owner for key in self._keys(box) for owner, other in self.cells.get(key, ())
                if touch(box, other)}

    def touches(self, box: Box) -> bool:
        return any(touch(box, other) for key in self._keys(box)
                   for _, other in self.cells.get(key, ()))


def node_overlaps(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of drawn nodes whose shapes or labels touch, in the nodes' order."""
    grid = _Grid()
    found: set[tuple[int, int]] = set()
    for i, n in enumerate(nodes):
        boxes = node_boxes(n)
        for box in boxes:
            found |= {(j, i) for j in grid.touching(box)}
        for box in boxes:
            grid.add(box, i)
    return [(nodes[a]["id"], nodes[b]["id"]) for a, b in sorted(found)]


def any_overlap(nodes: list[dict[str, Any]]) -> bool:
    """Whether ``node_overlaps`` would find any pair, stopping at the first: the search for
    the spread asks this of every spread it tries, and all but the last have overlaps (at
    200 nodes, listing every pair each time was most of placing the labels).

    >>> a = {"id": "a", "x": 0, "y": 0, "shape": "dot", "size": 16, "label": "Ann"}
    >>> any_overlap([a, {**a, "id": "b", "x": 30}]), any_overlap([a, {**a, "id": "b", "x": 300}])
    (True, False)
    """
    grid = _Grid()
    for n in nodes:
        boxes = node_boxes(n)
        if any(grid.touches(box) for box in boxes):
            return True
        for box in boxes:
            grid.add(box)
    return False


def label_choices(label: str) -> list[str]:
    """An edge's label, then shorter forms of it (without its dates, then its first line
    alone, then a change's mark alone), then none: the full text is always in the tables and
    the edge's tooltip.

    >>> label_choices("▼ ENDED investigating officer\\n2026-02-10 to 2026-04-30")
    ['▼ ENDED investigating officer\\n2026-02-10 to 2026-04-30', '▼ ENDED investigating officer', '▼ ENDED']
    """
    lines = label.split("\n")
    undated = [line for line in lines if not any(map(str.isdigit, line))
               or line.startswith(("▲", "▼"))]
    # A change since the last conference keeps at least its mark on the map.
    mark = " ".join(lines[0].split(" ")[:2]) if lines[0].startswith(("▲", "▼")) else ""
    return list(dict.fromkeys(x for x in ("\n".join(lines), "\n".join(undated), lines[0], mark)
                              if x))


# Which edge labels are placed first when room is short: a change since the last conference,
# the lead professional, then the child's own people and places.
_LABEL_ORDER = {"carer": 0, "lives_in": 1, "involvement": 2, "universal": 3, "sibling": 4}


# The last spread tried: the first step past 10 times the layout's (0.6 * 1.04 ** 59 > 6).
_LAST_STEP = 59


def _first_clear_spread(nodes: list[dict[str, Any]], spread: Any) -> float:
    """From a little closer than the layout put them (its rings are a fixed gap apart, room
    the labels may not need) outwards in steps of 4%, the first spread at which no two nodes
    or node labels touch (at most 10 times the layout's). Spreading only moves boxes apart,
    so the steps at which none touch are all those from the first of them on: it is found by
    bisection, in 6 tries instead of one a step (the search was most of placing the labels)."""
    def clear(step: int) -> bool:
        spread(0.6 * 1.04 ** step)
        return not any_overlap(nodes)

    low, high = 0, _LAST_STEP  # the answer is in [low, high]; high is taken if none is clear
    if clear(low):
        high = low
    while low < high:
        middle = (low + high) // 2
        if clear(middle):
            high = middle
        else:
            low = middle + 1
    return 0.6 * 1.04 ** high


def place_labels(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    """Make the drawn labels clear of each other, in place. First the layout is drawn in or
    spread out from the child (every position scaled alike, so the picture keeps its shape)
    to the smallest size at which no node or node label touches another, then further (while
    the map still fits the canvas at readable labels) if that makes room for more edge
    labels; each edge's label is drawn where it touches no node, node label or label already
    placed, in full, or shortened, or not at all (``canvas_label``; ``label`` keeps the full
    text for the tables and details).

    >>> ns = [{"id": "a", "x": 0, "y": 0, "shape": "dot", "size": 16, "label": "Ann Long-Name"},
    ...       {"id": "b", "x": 60, "y": 0, "shape": "dot", "size": 16, "label": "Bob Long-Name"}]
    >>> es = [{"id": "e", "from": "a", "to": "b", "label": "parent"}]
    >>> place_labels(ns, es); node_overlaps(ns), ns[1]["x"] > 120
    ([], True)
    """
    if not nodes:
        return
    centre = next((n for n in nodes if n.get("kind") == "child"), nodes[0])
    cx, cy = centre["x"], centre["y"]
    home = {n["id"]: (n["x"] - cx, n["y"] - cy) for n in nodes}
    def spread(factor: float) -> None:
        for n in nodes:
            n["x"], n["y"] = round(cx + home[n["id"]][0] * factor), round(cy + home[n["id"]][1] * factor)

    factor = _first_clear_spread(nodes, spread)
    spread(factor)
    # Then further apart, while the map still fits the canvas at readable labels, if that
    # finds room for more edge labels (the fewest spread that leaves the fewest out).
    order = sorted(edges, key=lambda e: (not e.get("changed"), not e.get("lead"),
                                         e["id"].startswith("group:"),
                                         _LABEL_ORDER.get(e.get("kind", ""), 9), e["id"]))
    best: tuple[float, float] | None = None
    for step in range(12):
        spread(factor * 1.05 ** step)
        boxes = [box for n in nodes for box in node_boxes(n)]
        wide = max(b[2] for b in boxes) - min(b[0] for b in boxes)
        high = max(b[3] for b in boxes) - min(b[1] for b in boxes)
        if step and (wide > MAP_UNITS[0] or high > MAP_UNITS[1]):
            break
        missing = _place_edge_labels(order, nodes, boxes)
        if best is None or missing < best[0]:
            best = (missing, factor * 1.05 ** step)
        if not missing:
            break
    assert best is not None
    spread(best[1])
    _place_edge_labels(order, nodes, [box for n in nodes for box in node_boxes(n)])


def _place_edge_labels(order: list[dict[str, Any]], nodes: list[dict[str, Any]],
                       taken: list[Box]) -> float:
    """Each edge's label, in this order, where it touches nothing already placed: in full,
    shortened, or left off. How much was left out (a shortened label counts half)."""
    at = {n["id"]: (n["x"], n["y"]) for n in nodes}
    grid = _Grid()
    for box in taken:
        grid.add(box)
    missing = 0.0
    for e in order:
        e["canvas_label"] = ""
        choices = label_choices(e.get("label") or "")
        for i, choice in enumerate(choices):
            box = edge_label_box(e, at[e["from"]], at[e["to"]], choice)
            if not grid.touches(box):
                e["canvas_label"] = choice
                grid.add(box)
                missing += 0.5 if i else 0
                break
        else:
            missing += 1 if choices else 0
    return missing
