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
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from explorer import policy
from explorer.analytics import networks
from explorer.analytics.gaps import analysts_retained
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


def network_view(graph: Graph, *, key: bytes, on: date, local_authority: str,
                 plan_status: str | None = None, max_nodes: int = MAX_NODES) -> NetworkView:
    rows = graph.read("analytics_network", date=on, la=local_authority,
                      retained=analysts_retained())
    age_on = policy.analyst_age_date(on)  # age bands at 31 March, as in every analysts' report
    services: dict[str, dict[str, Any]] = {}
    of_child: dict[str, set[str]] = defaultdict(set)
    child_rows: dict[str, dict[str, Any]] = {}
    for row in rows:
        child, service = row["child"], row["service"]
        if plan_status and child["status"] != plan_status:
            continue
        services[service["id"]] = service
        of_child[child["id"]].add(service["id"])
        child_rows[child["id"]] = child

    hubs = nx.Graph()
    hubs.add_nodes_from(services)
    for linked in of_child.values():
        ordered = sorted(linked)
        hubs.add_edges_from((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:])

    by_set: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for cid, linked in of_child.items():
        by_set[tuple(sorted(linked))].append(cid)
    grouped = len(child_rows) + len(services) > max_nodes
    # Largest groups first; whatever would pass the limit goes to the "other" group.
    ranked = sorted(by_set, key=lambda s: (-len(by_set[s]), s))
    room = max(1, max_nodes - len(services) - 1) if grouped else len(ranked)
    beyond = ranked[room:]
    shown, pooled = policy.pool_small_groups({s: len(by_set[s]) for s in ranked[:room]},
                                             pooled=sum(len(by_set[s]) for s in beyond))
    pooled += beyond
    members: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    sizes: dict[str, int] = {}
    kinds: dict[str, str] = {}
    for linked in shown:
        if grouped:
            gid = _group_id(linked)
            members[gid], sizes[gid], kinds[gid] = list(linked), len(by_set[linked]), "group"
            labels[gid] = f"{policy.suppress(sizes[gid])} children"
            continue
        for cid in by_set[linked]:
            pid = policy.pseudonym(key, cid)
            members[pid], kinds[pid] = list(linked), "child"
            labels[pid] = (f"{pid} ({policy.age_band(child_rows[cid].get('date_of_birth'), age_on)}, "
                           f"{child_rows[cid]['status']})")
    if pooled:
        members["G-OTHER"] = sorted({s for linked in pooled for s in linked})
        sizes["G-OTHER"] = sum(len(by_set[s]) for s in pooled)
        kinds["G-OTHER"] = "group"
        labels["G-OTHER"] = (f"{policy.suppress(sizes['G-OTHER'])} children"
                             + (" with other sets of services" if shown else ""))

    positions = networks.hub_layout(hubs, members, seed=7)
    span = SIZE - 2 * MARGIN

    def xy(node: str) -> tuple[float, float]:
        x, y = positions.get(node, (0.5, 0.5))
        return round(MARGIN + x * span, 1), round(MARGIN + y * span, 1)

    nodes = []
    for sid in sorted(services):
        x, y = xy(sid)
        nodes.append({"id": sid, "kind": "service", "x": x, "y": y, "r": 9,
                      "label": f"{services[sid]['name']} ({services[sid]['type']})"})
    edges = []
    for member in sorted(members):
        x, y = xy(member)
        if kinds[member] == "group":
            # The radius follows the shown size: every group of 1 to 4 looks the same.
            size = max(sizes[member], policy.SUPPRESSION_THRESHOLD)
            r = round(min(30.0, 3 + math.sqrt(size)), 1)
        else:
            r = 3
        nodes.append({"id": member, "kind": kinds[member], "x": x, "y": y,
                      "r": r, "label": labels[member]})
        edges.extend((member, s) for s in sorted(members[member]))
    return NetworkView(local_authority, grouped, nodes, edges, policy.suppress(len(child_rows)),
                       len(services))
