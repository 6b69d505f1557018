"""The de-identified network of one local authority: services and pseudonymous children.

Read by ``cypher/analytics_network.cypher`` (shielded children and sensitive services are
left out: the first would place a hidden child in an area, the second is special category
data). Children with the same set of services form a group. A group of 5 or more is drawn
child by child (each named by pseudonym and age band) up to ``MAX_NODES`` nodes, and above
that as one node labelled with its size; smaller groups are pooled into one "other" node
(``policy.pool_small_groups``), so no drawing shows a count the headline or a table
suppresses: a picture of three circles would say "3" beside a headline of "<5". Positions
are computed here
(``networks.hub_layout``, fixed seed), so the browser draws an SVG with no physics and the
same data always gives the same picture.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from explorer import policy
from explorer.analytics import networks
from explorer.analytics.access import require_analysts_scope
from explorer.analytics.records import analysts_retained
from explorer.graph import Graph

MAX_NODES = 2000
SIZE = 1000  # the SVG's viewBox is SIZE x SIZE
MARGIN = 40


@dataclass(frozen=True)
class NetworkView:
    local_authority: str
    grouped: bool
    nodes: list[dict[str, Any]]  # id, kind ('service' | 'child' | 'group'), label, x, y, r
    edges: list[tuple[str, str]]
    children: int | str  # suppressed
    services: int


def _group_id(services: tuple[str, ...]) -> str:
    return "G-" + hashlib.sha256("|".join(services).encode()).hexdigest()[:8].upper()


@dataclass
class _Read:
    """What the query gives for one area, narrowed to a plan status."""

    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    of_child: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    child_rows: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Members:
    """The drawn members (children or groups): their services, labels, kinds and sizes."""

    services_of: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def group(self, gid: str, services: list[str], size: int, label: str) -> None:
        self.services_of[gid], self.sizes[gid], self.kinds[gid] = services, size, "group"
        self.labels[gid] = label


def _read(graph: Graph, on: date, local_authority: str, plan_status: str | None) -> _Read:
    found = _Read()
    for row in graph.read("analytics_network", date=on, la=local_authority,
                          retained=analysts_retained()):
        child, service = row["child"], row["service"]
        if plan_status and child["status"] != plan_status:
            continue
        found.services[service["id"]] = service
        found.of_child[child["id"]].add(service["id"])
        found.child_rows[child["id"]] = child
    return found


def _hubs(read: _Read) -> nx.Graph:
    """Services joined where a child has both."""
    hubs = nx.Graph()
    hubs.add_nodes_from(read.services)
    for linked in read.of_child.values():
        ordered = sorted(linked)
        hubs.add_edges_from((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:])
    return hubs


def _members(read: _Read, *, key: bytes, age_on: date, grouped: bool, max_nodes: int) -> _Members:
    """Children one by one (or, grouped, one node per set of services) for every set shared by
    5 or more; the rest pooled into "other" (``policy.pool_small_groups``)."""
    by_set: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for cid, linked in read.of_child.items():
        by_set[tuple(sorted(linked))].append(cid)
    # Largest groups first; whatever would pass the limit goes to the "other" group.
    ranked = sorted(by_set, key=lambda s: (-len(by_set[s]), s))
    room = max(1, max_nodes - len(read.services) - 1) if grouped else len(ranked)
    beyond = ranked[room:]
    shown, pooled = policy.pool_small_groups({s: len(by_set[s]) for s in ranked[:room]},
                                             pooled=sum(len(by_set[s]) for s in beyond))
    pooled += beyond
    members = _Members()
    for linked in shown:
        if grouped:
            size = len(by_set[linked])
            members.group(_group_id(linked), list(linked), size,
                          f"{policy.suppress(size)} children")
            continue
        for cid in by_set[linked]:
            pid = policy.pseudonym(key, cid)
            child = read.child_rows[cid]
            members.services_of[pid], members.kinds[pid] = list(linked), "child"
            members.labels[pid] = (f"{pid} ({policy.age_band(child.get('date_of_birth'), age_on)}, "
                                   f"{child['status']})")
    if pooled:
        size = sum(len(by_set[s]) for s in pooled)
        members.group("G-OTHER", sorted({s for linked in pooled for s in linked}), size,
                      f"{policy.suppress(size)} children"
                      + (" with other sets of services" if shown else ""))
    return members


def _drawing(read: _Read, members: _Members,
             positions: dict[str, tuple[float, float]]) -> tuple[list[dict[str, Any]],
                                                                 list[tuple[str, str]]]:
    """Nodes (services, then members, each sorted) and edges in the SVG's coordinates."""
    span = SIZE - 2 * MARGIN

    def xy(node: str) -> tuple[float, float]:
        x, y = positions.get(node, (0.5, 0.5))
        return round(MARGIN + x * span, 1), round(MARGIN + y * span, 1)

    nodes = []
    for sid in sorted(read.services):
        x, y = xy(sid)
        nodes.append({"id": sid, "kind": "service", "x": x, "y": y, "r": 9,
                      "label": f"{read.services[sid]['name']} ({read.services[sid]['type']})"})
    edges: list[tuple[str, str]] = []
    for member in sorted(members.services_of):
        x, y = xy(member)
        if members.kinds[member] == "group":
            # The radius follows the shown size: every group of 1 to 4 looks the same.
            size = max(members.sizes[member], policy.SUPPRESSION_THRESHOLD)
            r = round(min(30.0, 3 + math.sqrt(size)), 1)
        else:
            r = 3
        nodes.append({"id": member, "kind": members.kinds[member], "x": x, "y": y,
                      "r": r, "label": members.labels[member]})
        edges.extend((member, s) for s in sorted(members.services_of[member]))
    return nodes, edges


def network_view(graph: Graph, *, viewer: policy.ViewerLike, key: bytes, on: date,
                 local_authority: str, plan_status: str | None = None,
                 max_nodes: int = MAX_NODES) -> NetworkView:
    """The de-identified network of one area on ``on`` (of children of one plan status if
    given), grouped when its children and services would pass ``max_nodes`` nodes."""
    require_analysts_scope(viewer)
    read = _read(graph, on, local_authority, plan_status)
    age_on = policy.analyst_age_date(on)  # age bands at 31 March, as in every analysts' report
    grouped = len(read.child_rows) + len(read.services) > max_nodes
    members = _members(read, key=key, age_on=age_on, grouped=grouped, max_nodes=max_nodes)
    positions = networks.hub_layout(_hubs(read), members.services_of, seed=7)
    nodes, edges = _drawing(read, members, positions)
    return NetworkView(local_authority, grouped, nodes, edges,
                       policy.suppress(len(read.child_rows)), len(read.services))
