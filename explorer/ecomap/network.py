"""A child's ecomap put together: the views read through the policy (:func:`gather`), then
warnings, grouping, layout and vis data (:func:`finish`); and paths over what is drawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from explorer import changes, coordination
from explorer.children import child_view, child_views, sibling_views
from explorer.ecomap import memo
from explorer.ecomap.builder import NODE_CAP, Builder, add_view
from explorer.ecomap.curves import bend_round_nodes
from explorer.ecomap.dates import as_of, full_name, plan_badge
from explorer.ecomap.grouping import SIBLINGS_GROUP, group_services, group_siblings
from explorer.ecomap.memo import network_key
from explorer.ecomap.rings import layout
from explorer.ecomap.vis import geometry_of, legend, to_vis

MAX_EXPAND = 10


@dataclass
class Gathered:
    """A view's drawn nodes and edges, read and cut by the policy: everything that decides
    what the answer holds (``child_ids`` is what an audit event records), before the parts
    that do not (the sibling comparison behind the warnings, the layout, pyvis)."""

    child_id: str
    root_view: dict[str, Any]
    drawn: Builder
    own_edges: set[str]
    other_views: dict[str, dict[str, Any]]
    expanded: list[str]
    closed: list[str]
    on: date
    depth: int
    ceased: bool
    since: date | None = None  # what changed since this day (None: since the last conference)
    siblings_open: bool = False  # the viewer opened the group of siblings in other households

    @property
    def child_ids(self) -> list[str]:
        """Every child the answer may name: those drawn, and the root's siblings, whom the
        warnings and the sibling hint name even when the node cap left them undrawn."""
        drawn = {n["child_id"] for n in self.drawn.nodes.values() if n.get("child_id")}
        return sorted(drawn | {s["sibling"]["id"] for s in self.root_view["siblings"]})


def gather(graph: Any, viewer: Any, child_id: str, *, today: date, on: date, depth: int = 1,
           ceased: bool = True, expand: tuple[str, ...] = (),
           cap: int = NODE_CAP, since: date | None = None,
           siblings_open: bool = False) -> Gathered | None:
    """What the ecomap of a child holds as this viewer may see it on a day; None when out of
    scope."""
    root_view = child_view(graph, viewer, child_id, today=today)
    if root_view is None:
        return None
    b = Builder(cap=cap)
    b.node(f"child:{child_id}", "child", full_name(root_view["child"]), {}, 0)
    add_view(b, as_of(root_view, on, ceased=ceased), root=True)
    own_edges = set(b.edges)
    # Depth 2: every other child in the root's view; expand: the ones asked for. Each is read
    # through the policy on its own account.
    others = [n["child_id"] for n in b.nodes.values() if n.get("child_id")
              and n["child_id"] != child_id] if depth >= 2 else []
    wanted = list(dict.fromkeys([*others, *expand[:MAX_EXPAND]]))
    expanded, closed, other_views = [], [], {}
    root_siblings = {s["sibling"]["id"] for s in root_view["siblings"]}
    for other in wanted:
        if other == child_id or f"child:{other}" not in b.nodes:
            continue
        view = child_view(graph, viewer, other, today=today)
        if view is None and other in root_siblings:
            # A sibling the viewer may not open in its own right: what the root's network
            # shows of it (policy: "siblings of a chaired child").
            view = sibling_views(graph, viewer, root_view, [other], today=today).get(other)
        if view is None:
            closed.append(other)
            continue
        other_views[other] = view
        add_view(b, as_of(view, on, ceased=ceased), root=False)
        expanded.append(other)
    # Siblings of the root are each joined to it; the lines their own views add between
    # them (every pair of 11 siblings: 55 lines) say nothing more and made a hairball.
    root_id = f"child:{child_id}"
    joined = {e["to"] if e["from"] == root_id else e["from"] for k, e in b.edges.items()
              if k in own_edges and e["kind"] == "sibling"}
    b.edges = {k: e for k, e in b.edges.items() if k in own_edges or e["kind"] != "sibling"
               or not (e["from"] in joined and e["to"] in joined)}
    sibling_level = {k for k, v in other_views.items() if v.get("level") == "sibling"}
    for node in b.nodes.values():
        if node.get("child_id") and node["child_id"] != child_id and node["child_id"] not in expanded:
            node["expanded"] = False
        if node.get("child_id") and node["child_id"] != child_id:
            # Where the side panel may send the viewer: the sibling page (what the root's
            # network shows of a sibling), and the child's own ecomap unless it is known closed.
            node["sibling_of_root"] = node["child_id"] in root_siblings
            node["opens_ecomap"] = node["child_id"] not in closed and \
                node["child_id"] not in sibling_level
    return Gathered(child_id, root_view, b, own_edges, other_views, expanded, closed, on, depth,
                    ceased, since, siblings_open)


def view_warnings(root_view: dict[str, Any], on: date,
                  sibling_views: dict[str, dict[str, Any]]) -> tuple[list[dict[str, str]], list[str]]:
    """The coordination warnings of a child's view on a day, as the ecomap shows them, and the
    ids of the siblings compared: ``sibling_views`` are the views (each read through the
    policy) of the root's siblings that the viewer may open; shielded ones are not compared.
    Used by the ecomap and the conference list alike, so their counts agree."""
    then = as_of(root_view, on)
    # Only the siblings drawn on the day (born, and siblings by then) are compared.
    sibling_ids = {s["sibling"]["id"] for s in then.get("siblings", [])}
    compared = {k: v for k, v in sibling_views.items()
                if k in sibling_ids and v.get("level") != "shielded"}
    seen = {k: as_of(v, on) for k, v in compared.items()}
    return coordination.warnings(then, on, seen), sorted(compared)


def sibling_comparison(graph: Any, viewer: Any, root_view: dict[str, Any], on: date, *,
                       today: date, known: dict[str, dict[str, Any]] | None = None,
                       closed: list[str] | tuple[str, ...] = (),
                       ) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The ids of the root's siblings drawn on ``on``, and the views of those its warnings
    compare social workers with, keyed by id: each read through the policy on its own account (those in
    ``known``, already read for depth 2, are not read again; those ``closed`` to the viewer
    are not asked for), and through the root's network for a sibling the viewer may not open
    in its own right. Siblings are compared at every depth (a chair opens depth 1), drawn only
    at depth 2; as_of leaves out those not born, or not yet siblings, on the day."""
    sibling_ids = sorted({s["sibling"]["id"] for s in as_of(root_view, on)["siblings"]})
    compared = {k: v for k, v in (known or {}).items() if k in sibling_ids}
    unread = [k for k in sibling_ids if k not in compared and k not in closed]
    if unread:
        compared.update(child_views(graph, viewer, unread, today=today, parts=("involvements",)))
        rest = [k for k in unread if k not in compared]
        if rest:
            compared.update(sibling_views(graph, viewer, root_view, rest, today=today))
    return sibling_ids, compared


def finish(graph: Any, viewer: Any, gathered: Gathered, *, today: date) -> dict:
    """The ecomap as the page draws it: warnings, layout and pyvis's nodes, edges and options."""
    g, b, root_view = gathered, gathered.drawn, gathered.root_view
    sibling_ids, compared = sibling_comparison(graph, viewer, root_view, g.on, today=today,
                                               known=g.other_views, closed=g.closed)
    warnings, compared_ids = view_warnings(root_view, g.on, compared)
    root = f"child:{g.child_id}"
    b = group_siblings(group_services(b, root), root, opened=g.siblings_open)
    # What changed between the last conference (or the day asked for) and the as-of date.
    since = g.since or changes.default_since(root_view, g.on)
    changed = changes.changes(root_view, since, g.on) if since and since < g.on else []
    marks = {c["edge"]: "new" if c["change"] in ("started", "moved in") else "ended"
             for c in changed if c["edge"] and c["edge"] in b.edges}
    # Lines that other children's views add (depth 2, expand): the child's own network is
    # laid out clear of crossings, these may run through a node and bend round it instead.
    added = sorted((set(b.edges) - g.own_edges) & {k for k in b.edges if not k.startswith("group:")})
    key = network_key(b.nodes, b.edges, b.ring, root, added, marks)
    placed = memo.MEMO.get(key)
    if placed is None:
        positions = layout(b.nodes, b.edges, b.ring, root)
        nodes, edges, options = to_vis(b, positions, bend_round_nodes(positions, b.edges, added),
                                       marks)
        memo.MEMO.put(key, geometry_of(nodes, edges))
    else:
        nodes, edges, options = to_vis(b, {}, {}, marks, placed=placed)
    child = root_view["child"]
    return {
        "child": {"id": child["id"], "name": full_name(child), "shielded": bool(child.get("shielded"))},
        "level": root_view["level"], "as_of": g.on.isoformat(), "depth": g.depth,
        "ceased": g.ceased, "plan": plan_badge(child, g.on, root_view.get("previous_plans", [])),
        "nodes": nodes, "edges": edges, "options": options,
        "legend": legend(b, marks), "warnings": warnings,
        "changes": changed, "changes_since": since.isoformat() if since else None,
        "expanded": g.expanded, "not_expandable": g.closed,
        "siblings_open": g.siblings_open,
        "sibling_group": b.nodes[SIBLINGS_GROUP]["group_of"] if SIBLINGS_GROUP in b.nodes else 0,
        "labels_not_drawn": sum(1 for e in edges if e["label"] and not e["canvas_label"]),
        "cap": b.cap, "capped": b.dropped > 0, "not_drawn": b.dropped,
        "siblings_not_compared": sorted(set(sibling_ids) - set(compared_ids)),
        "child_ids": g.child_ids,
    }


def build(graph: Any, viewer: Any, child_id: str, *, today: date, on: date, depth: int = 1,
          ceased: bool = True, expand: tuple[str, ...] = (), cap: int = NODE_CAP) -> dict | None:
    """The ecomap of a child as this viewer may see it on a day; None when out of scope."""
    gathered = gather(graph, viewer, child_id, today=today, on=on, depth=depth, ceased=ceased,
                      expand=expand, cap=cap)
    return None if gathered is None else finish(graph, viewer, gathered, today=today)


def shortest_path(network: dict[str, Any], source: str, target: str) -> list[dict[str, Any]]:
    """How two nodes of a drawn network are connected: the shortest path over only the
    nodes and edges in it (so only over what the policy let the viewer see).

    >>> net = {"nodes": [{"id": "a", "label": "A", "kind": "child"}, {"id": "b", "label": "B",
    ...         "kind": "adult"}, {"id": "c", "label": "C", "kind": "sibling"}],
    ...        "edges": [{"id": "e1", "from": "a", "to": "b", "label": "parent"},
    ...                  {"id": "e2", "from": "b", "to": "c", "label": "parent"}]}
    >>> [step["id"] for step in shortest_path(net, "a", "c")]
    ['a', 'e1', 'b', 'e2', 'c']
    >>> shortest_path(net, "a", "zz")
    []
    """
    g = nx.Graph()
    labels = {n["id"]: n for n in network["nodes"]}
    g.add_nodes_from(sorted(labels))
    for e in sorted(network["edges"], key=lambda e: e["id"]):
        g.add_edge(e["from"], e["to"], id=e["id"], label=e.get("label", ""))
    if source not in g or target not in g:
        return []
    try:
        path = nx.shortest_path(g, source, target)
    except nx.NetworkXNoPath:
        return []
    steps: list[dict[str, Any]] = []
    for i, node in enumerate(path):
        if i:
            data = g.edges[path[i - 1], node]
            steps.append({"id": data["id"], "type": "edge", "label": data["label"]})
        steps.append({"id": node, "type": "node", "label": labels[node].get("label", node),
                      "kind": labels[node].get("kind")})
    return steps
