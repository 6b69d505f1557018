"""pyvis/vis conversion: the network, laid out, as vis-network's nodes, edges and options
(built with pyvis, returned as plain data for JSON), its labels placed, and its legend."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pyvis.network import Network

from explorer.ecomap.builder import KINDS, Builder
from explorer.ecomap.labels import EDGE_FONT, NODE_FONT, WRAP, label_choices, place_labels
from explorer.ecomap.memo import Geometry
from explorer.ecomap.rings import drawn_label

MARK_STYLE = {"new": ("▲ NEW ", "#009E73"), "ended": ("▼ ENDED ", "#D55E00")}


def legend(b: Builder, marks: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The legend of what is drawn, and of nothing else: the kinds of node present, then the
    kinds of line (current, ceased, lead professional, new and ended since the date compared
    with) and the CAF mark when any is drawn."""
    kinds = {n["kind"] for n in b.nodes.values()}
    found = [{"kind": k, **v} for k, v in KINDS.items() if k in kinds]
    lines = list(b.edges.values())
    if any(not e["ceased"] for e in lines):
        found.append({"kind": "line-current", "name": "Current involvement or relationship"})
    if any(e["ceased"] for e in lines):
        found.append({"kind": "line-ceased", "name": "Ceased (dashed)"})
    if any(e.get("lead") for e in lines) or any(n.get("lead") for n in b.nodes.values()):
        found.append({"kind": "line-lead", "name": "Lead professional (★ LEAD, thick line and border)"})
    marked = set((marks or {}).values())
    if "new" in marked:
        found.append({"kind": "line-new", "name": "▲ NEW: started since the date compared with"})
    if "ended" in marked:
        found.append({"kind": "line-ended", "name": "▼ ENDED: ended since the date compared with"})
    if any(n.get("caf") for n in b.nodes.values()):
        found.append({"kind": "caf", "name": "[CAF]: holds a CAF assessment"})
    return found


class _Ids(list):
    """pyvis's list of node ids, asked ``in`` of by the network's own map of nodes (a dict):
    pyvis looks each new node up in it, and both ends of each new edge (``get_nodes``), so a
    200-node network made about 60,000 string comparisons, a millisecond of every request
    for it (issue 14). pyvis puts a node in ``node_map`` as it adds it to this list."""

    def __init__(self, node_map: dict[str, Any]) -> None:
        super().__init__()
        self._map = node_map

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._map


def to_vis(b: Builder, positions: dict[str, tuple[int, int]],
            bends: dict[str, dict[str, Any]],
            marks: dict[str, str] | None = None,
            placed: Geometry | None = None) -> tuple[list, list, dict]:
    """Nodes, edges and options built with pyvis, returned as plain data for JSON. Labels
    and titles are plain strings: vis-network draws labels as text on the canvas and shows
    a string title as text. With ``placed`` (the geometry of this same network, worked out
    before: :func:`geometry_of`), nodes are drawn where it says, lines bend and labels are
    drawn as it says, and neither ``positions`` nor ``bends`` is read."""
    if placed is not None:
        positions = placed.at
    # Directed only so that pyvis keeps every edge: undirected, it drops an edge between two
    # nodes already joined (a practitioner's second involvement with the same child, a
    # child who left a household and came back). No arrows are drawn.
    net = Network(directed=True)
    net.node_ids = _Ids(net.node_map)
    for node_id in sorted(b.nodes, key=lambda n: (b.ring[n], n)):
        _add_node(net, node_id, b.nodes[node_id], positions[node_id])
    joined: Counter[frozenset[str]] = Counter()
    marks = marks or {}
    for edge_id in sorted(b.edges):
        e = b.edges[edge_id]
        if placed is not None:
            smooth = placed.smooth[edge_id]
            smooth = dict(smooth) if isinstance(smooth, dict) else smooth
        else:
            # Edges between the same two nodes curve apart, alternately, so each stays visible.
            pair = frozenset((e["from"], e["to"]))
            k = joined[pair]
            joined[pair] += 1
            smooth = {"enabled": True, "type": "curvedCW" if k % 2 else "curvedCCW",
                      "roundness": 0.25 * ((k + 1) // 2)} if k else bends.get(edge_id, False)
        _add_edge(net, edge_id, e, smooth, marks.get(edge_id))
    net.toggle_physics(False)
    options = _options(net)
    if placed is None:
        place_labels(net.nodes, net.edges)
    else:
        for edge in net.edges:
            form = placed.label_form[edge["id"]]
            edge["canvas_label"] = label_choices(edge["label"] or "")[form] if form >= 0 else ""
    return net.nodes, net.edges, options


def geometry_of(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> Geometry:
    """What :func:`to_vis` worked out for a network: where its nodes are, how its lines
    bend and which form of each label was drawn (ids and numbers only)."""
    def form(edge: dict[str, Any]) -> int:
        drawn = edge.get("canvas_label") or ""
        return label_choices(edge["label"] or "").index(drawn) if drawn else -1

    return Geometry(at={n["id"]: (n["x"], n["y"]) for n in nodes},
                    smooth={e["id"]: e["smooth"] for e in edges},
                    label_form={e["id"]: form(e) for e in edges})


def _group_style(kind: str, lead: bool) -> dict[str, Any]:
    """A group is a box with its label inside: a service's white, bordered in its colour;
    the siblings' in their yellow, bordered black (black text on it: 14:1)."""
    colour = KINDS[kind]["color"]
    if kind == "service_group":
        return {"color": {"background": "#ffffff", "border": colour,
                          "highlight": {"background": "#ffffff", "border": "#000000"}},
                "font": {"strokeWidth": 0}, "borderWidth": 3 + (2 if lead else 0)}
    if kind == "sibling_group":
        return {"color": {"background": colour, "border": "#000000",
                          "highlight": {"background": colour, "border": "#000000"}},
                "font": {"strokeWidth": 0}, "borderWidth": 2}
    return {}


def _node_colour(kind: str) -> dict[str, Any]:
    colour = KINDS[kind]["color"]
    return {"background": colour, "border": "#000000",
            "highlight": {"background": colour, "border": "#000000"}}


# Made once, not for every node of every network: nothing changes a node's colour after
# to_vis, and JSON writes a shared map as often as it is named.
_NODE_COLOURS = {kind: _node_colour(kind) for kind in KINDS}


def _add_node(net: Network, node_id: str, node: dict[str, Any], at: tuple[int, int]) -> None:
    style = KINDS[node["kind"]]
    x, y = at
    lead, caf = node.get("lead", False), node.get("caf", False)
    net.add_node(node_id, label=drawn_label(node), shape=style["shape"], x=x, y=y, physics=False,
                 title=f"{style['name']}: {node['label']}".replace("\n", " "),
                 color=_NODE_COLOURS[node["kind"]],
                 borderWidth=5 if lead else 1, size=28 if node["kind"] == "child" else 16,
                 kind=node["kind"], details=node["details"], lead=lead, caf=caf,
                 child_id=node.get("child_id"), expanded=node.get("expanded", False),
                 sibling_of_root=node.get("sibling_of_root", False),
                 opens_ecomap=node.get("opens_ecomap", False),
                 household_id=node.get("household_id"), group_of=node.get("group_of"),
                 practitioner_id=node.get("practitioner_id"))
    boxed = _group_style(node["kind"], lead)
    if boxed:
        net.nodes[-1].update(boxed)


def _add_edge(net: Network, edge_id: str, e: dict[str, Any], smooth: Any, mark: str | None) -> None:
    prefix, colour = MARK_STYLE[mark] if mark else ("", "#6b6b6b" if e["ceased"] else "#303030")
    net.add_edge(e["from"], e["to"], id=edge_id, label=prefix + e["label"], kind=e["kind"],
                 smooth=smooth, arrows={"to": {"enabled": False}},
                 dashes=[8, 6] if e["ceased"] else False, ceased=e["ceased"],
                 width=4 if e.get("lead") or mark else 1.5, details=e["details"],
                 lead=e.get("lead", False), caf=e.get("caf", False), changed=mark,
                 color={"color": colour})


def _options(net: Network) -> dict[str, Any]:
    """pyvis's options for the network, with physics off and the map's own settings."""
    options = json.loads(net.options.to_json())
    options.update({
        "layout": {"randomSeed": 1, "improvedLayout": False},
        "interaction": {"hover": True, "keyboard": {"enabled": False}, "multiselect": False,
                        "navigationButtons": False, "dragNodes": False, "tooltipDelay": 300},
        # Long names wrap (a police unit's name ran into its neighbours' on one line).
        "nodes": {"widthConstraint": {"maximum": WRAP},
                  "font": {"face": "system-ui, sans-serif", "size": NODE_FONT, "color": "#0b0c0c",
                           "strokeWidth": 3, "strokeColor": "#ffffff", "multi": False}},
        # Edge labels level, not along the line: easier to read, and their boxes are the
        # ones place_labels keeps apart.
        "edges": {"smooth": False, "font": {"size": EDGE_FONT, "align": "horizontal",
                                            "color": "#303030", "strokeWidth": 3,
                                            "strokeColor": "#ffffff"}},
    })
    options["physics"] = {"enabled": False}
    return options
