"""Graph analytics over the family-practitioner-service graph, as pure networkx functions.

The graph ``G`` (built by :func:`involvement_graph` from plain rows) has nodes
``("family", household_id)``, ``("child", id)``, ``("practitioner", id)`` and
``("service", id)``, each with a ``kind`` attribute (and ``la`` on families and
services, ``profession`` on practitioners, ``type`` on services). Edges:

- family - child: the child lives in the household (on the report date);
- child - practitioner: an open involvement, with ``service`` (the service the
  practitioner acts for);
- practitioner - service: the practitioner works through that service;
- child - service with ``universal=True``: a school attended or GP practice
  registered with (no practitioner is named for those).

Every function returns plain dicts or lists, sorted so that the same graph
always gives the same answer. Nothing here knows about names or dates of birth:
nodes carry ids only, and the callers pseudonymise before anything is shown.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

Node = tuple[str, str]


def involvement_graph(involvements: Iterable[Mapping[str, Any]],
                      universal: Iterable[Mapping[str, Any]] = (),
                      services: Mapping[str, Mapping[str, Any]] | None = None) -> nx.Graph:
    """The family-practitioner-service graph from plain rows.

    ``involvements``: maps with child_id, household_id, household_la, practitioner_id,
    profession, service_id (``cypher/analytics_involvements``). ``universal``: maps with
    household_id and service_ids: the schools and GP practices of the family's children
    (``cypher/analytics_universal``). ``services``: service id -> type and local_authority.

    >>> G = involvement_graph([{"child_id": "C1", "household_id": "H1", "household_la": "A",
    ...     "practitioner_id": "P1", "profession": "social_worker", "service_id": "S1"}],
    ...     [{"household_id": "H1", "service_ids": ["S2"]}],
    ...     {"S1": {"type": "social_care", "local_authority": "A"}})
    >>> sorted(G.nodes)
    [('child', 'C1'), ('family', 'H1'), ('practitioner', 'P1'), ('service', 'S1'), ('service', 'S2')]
    >>> G.edges[("child", "C1"), ("practitioner", "P1")]["service"], G.nodes[("service", "S1")]["la"]
    ('S1', 'A')
    """
    G = nx.Graph()
    known = services or {}

    def service(sid: str) -> Node:
        node = ("service", sid)
        if node not in G:
            info = known.get(sid, {})
            G.add_node(node, kind="service", type=info.get("type"), la=info.get("local_authority"))
        return node

    for row in involvements:
        c = ("child", row["child_id"])
        G.add_node(c, kind="child")
        if row.get("household_id"):
            family = ("family", row["household_id"])
            G.add_node(family, kind="family", la=row.get("household_la"))
            G.add_edge(family, c)
        p = ("practitioner", row["practitioner_id"])
        G.add_node(p, kind="practitioner", profession=row.get("profession"))
        G.add_edge(c, p, service=row["service_id"])
        G.add_edge(p, service(row["service_id"]))
    for row in universal:
        family = ("family", row["household_id"])
        if family not in G:
            G.add_node(family, kind="family")
        for sid in row["service_ids"]:
            G.add_edge(family, service(sid), universal=True)
    return G


def _family_services(G: nx.Graph, family: Node) -> set[str]:
    """Services a family reaches: its own universal ones, and its children's (universal, or
    the service each involvement is through)."""
    found = set()
    for n in G[family]:
        if n[0] == "service":
            found.add(n[1])
        elif n[0] == "child":
            for m, data in G[n].items():
                if m[0] == "service":
                    found.add(m[1])
                elif data.get("service"):
                    found.add(data["service"])
    return found


def _of_kind(G: nx.Graph, kind: str) -> list[Node]:
    return sorted(n for n in G if n[0] == kind)


# -- caseloads ---------------------------------------------------------------------------------

def caseload_per_practitioner(G: nx.Graph, profession: str | None = None) -> dict[str, int]:
    """Children with an open involvement of each practitioner (of ``profession`` if given).

    >>> G = nx.Graph()
    >>> G.add_node(("practitioner", "P1"), kind="practitioner", profession="social_worker")
    >>> G.add_node(("practitioner", "P2"), kind="practitioner", profession="teacher")
    >>> for c in ("C1", "C2"):
    ...     G.add_node(("child", c), kind="child")
    ...     G.add_edge(("child", c), ("practitioner", "P1"), service="S1")
    >>> caseload_per_practitioner(G)
    {'P1': 2, 'P2': 0}
    >>> caseload_per_practitioner(G, "teacher")
    {'P2': 0}
    """
    found = {}
    for node in _of_kind(G, "practitioner"):
        if profession is not None and G.nodes[node].get("profession") != profession:
            continue
        found[node[1]] = sum(1 for n in G[node] if n[0] == "child")
    return found


def caseload_per_service(G: nx.Graph) -> dict[str, int]:
    """Distinct children with an open involvement through each service.

    >>> G = nx.Graph()
    >>> G.add_node(("service", "S1"), kind="service")
    >>> G.add_edge(("child", "C1"), ("practitioner", "P1"), service="S1")
    >>> G.add_edge(("child", "C1"), ("practitioner", "P2"), service="S1")
    >>> G.add_edge(("child", "C2"), ("practitioner", "P2"), service="S1")
    >>> caseload_per_service(G)
    {'S1': 2}
    """
    children: dict[str, set[str]] = defaultdict(set)
    for u, v, service in G.edges(data="service"):
        if service is None:
            continue
        child = u if u[0] == "child" else v
        children[service].add(child[1])
    return {s[1]: len(children.get(s[1], ())) for s in _of_kind(G, "service")}


def distribution(values: Iterable[int], *, over: float | None = None,
                 buckets: tuple[int, ...] = (0, 1, 5, 10, 15, 20, 25, 30, 40)) -> dict[str, Any]:
    """Summary of a caseload distribution: count, mean, median, 90th percentile, max, how many
    are over ``over``, and a histogram (bucket label -> how many values fall in it).

    >>> d = distribution([10, 12, 30, 16], over=25)
    >>> d["count"], d["mean"], d["median"], d["max"], d["over"]
    (4, 17.0, 14.0, 30, 1)
    >>> d["histogram"]["10-14"], d["histogram"]["30-39"]
    (2, 1)
    >>> distribution([])["count"]
    0
    """
    data = sorted(values)
    histogram = {}
    for i, low in enumerate(buckets):
        high = buckets[i + 1] - 1 if i + 1 < len(buckets) else None
        label = str(low) if high == low else f"{low}-{high}" if high is not None else f"{low}+"
        histogram[label] = sum(1 for v in data if v >= low and (high is None or v <= high))
    if not data:
        return {"count": 0, "mean": None, "median": None, "p90": None, "max": None,
                "over": 0, "histogram": histogram}
    p90 = data[min(len(data) - 1, math.ceil(0.9 * len(data)) - 1)]
    return {"count": len(data), "mean": round(statistics.fmean(data), 1),
            "median": float(statistics.median(data)), "p90": p90, "max": data[-1],
            "over": sum(1 for v in data if over is not None and v > over),
            "histogram": histogram}


# -- single points of failure ------------------------------------------------------------------

def single_points_of_failure(G: nx.Graph,
                             families: Iterable[Node] | None = None) -> dict[Node, Node]:
    """Families that would be left with no service if one practitioner left: family -> that
    practitioner.

    A family reaches services only through its children's practitioners, so it hangs on
    practitioner ``p`` exactly when ``p`` is its children's only practitioner with a
    service. In the graph of involvements alone (no universal edges) that ``p`` is an
    articulation point (removing it cuts the family off) and the edges from the family's
    children to ``p`` are bridges; see :func:`articulation_practitioners`. Families with no
    practitioner at all are a different gap (no service now) and are not listed. Universal
    services (school, GP) do not count: nobody there is named as working with the family.

    >>> G = nx.Graph()
    >>> G.add_node(("family", "H1"), kind="family"); G.add_node(("family", "H2"), kind="family")
    >>> G.add_edges_from([(("family", "H1"), ("child", "C1")), (("family", "H1"), ("child", "C2")),
    ...                   (("family", "H2"), ("child", "C3"))])
    >>> G.add_edge(("child", "C1"), ("practitioner", "P1"), service="S1")
    >>> G.add_edge(("child", "C2"), ("practitioner", "P1"), service="S1")
    >>> G.add_edge(("child", "C3"), ("practitioner", "P1"), service="S1")
    >>> G.add_edge(("child", "C3"), ("practitioner", "P2"), service="S2")
    >>> G.add_edges_from([(("practitioner", "P1"), ("service", "S1")),
    ...                   (("practitioner", "P2"), ("service", "S2"))])
    >>> single_points_of_failure(G)
    {('family', 'H1'): ('practitioner', 'P1')}
    """
    chosen = sorted(families) if families is not None else _of_kind(G, "family")
    found = {}
    for family in chosen:
        if family not in G:
            continue
        practitioners = {
            p for child in G[family] if child[0] == "child"
            for p in G[child] if p[0] == "practitioner"
            and any(s[0] == "service" for s in G[p])
        }
        if len(practitioners) == 1:
            found[family] = next(iter(practitioners))
    return found


def articulation_practitioners(G: nx.Graph) -> list[str]:
    """Practitioners whose removal splits the graph (networkx articulation points).

    >>> G = nx.path_graph([("child", "C1"), ("practitioner", "P1"), ("service", "S1")])
    >>> articulation_practitioners(G)
    ['P1']
    """
    return sorted(n[1] for n in nx.articulation_points(G) if n[0] == "practitioner")


def practitioner_bridges(G: nx.Graph) -> list[tuple[str, str]]:
    """Child-practitioner edges that are bridges: the only link between that child's side of
    the graph and the practitioner's.

    >>> G = nx.path_graph([("child", "C1"), ("practitioner", "P1"), ("service", "S1")])
    >>> practitioner_bridges(G)
    [('C1', 'P1')]
    """
    found = []
    for u, v in nx.bridges(G):
        ends = {u[0]: u[1], v[0]: v[1]}
        if set(ends) == {"child", "practitioner"}:
            found.append((ends["child"], ends["practitioner"]))
    return sorted(found)


# -- authorities and centrality ----------------------------------------------------------------

def families_spanning_authorities(G: nx.Graph, minimum: int = 2) -> dict[str, list[str]]:
    """Families whose services (through their children's involvements, schools and GP
    practices) lie in ``minimum`` or more local authorities: household id -> the authorities.

    >>> G = nx.Graph()
    >>> G.add_node(("family", "H1"), kind="family")
    >>> G.add_node(("service", "S1"), kind="service", la="A")
    >>> G.add_node(("service", "S2"), kind="service", la="B")
    >>> G.add_edge(("family", "H1"), ("child", "C1"))
    >>> G.add_edge(("child", "C1"), ("service", "S1"), universal=True)
    >>> G.add_edge(("child", "C1"), ("practitioner", "P1"), service="S2")
    >>> families_spanning_authorities(G)
    {'H1': ['A', 'B']}
    """
    found = {}
    for family in _of_kind(G, "family"):
        areas = {G.nodes[("service", sid)].get("la") for sid in _family_services(G, family)
                 if ("service", sid) in G}
        areas.discard(None)
        if len(areas) >= minimum:
            found[family[1]] = sorted(areas)
    return found


def service_graph(G: nx.Graph) -> nx.Graph:
    """Services joined when a family is involved with both; ``weight`` = how many families.

    >>> G = nx.Graph()
    >>> G.add_edge(("family", "H1"), ("child", "C1"))
    >>> G.add_edge(("child", "C1"), ("practitioner", "P1"), service="S1")
    >>> G.add_edge(("child", "C1"), ("service", "S2"), universal=True)
    >>> G.add_node(("service", "S1"), kind="service"); G.add_node(("service", "S2"), kind="service")
    >>> list(service_graph(G).edges(data="weight"))
    [('S1', 'S2', 1)]
    """
    S = nx.Graph()
    S.add_nodes_from(s[1] for s in _of_kind(G, "service"))
    for family in _of_kind(G, "family"):
        services = _family_services(G, family)
        ordered = sorted(services)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                weight = S.edges[a, b]["weight"] + 1 if S.has_edge(a, b) else 1
                S.add_edge(a, b, weight=weight)
    return S


def service_centrality(G: nx.Graph) -> dict[str, float]:
    """Betweenness centrality of each service in :func:`service_graph` (unweighted: a service
    that many families' other services reach only through it is a hub whose loss isolates).

    >>> G = nx.Graph()
    >>> for s in ("S1", "S2", "S3"):
    ...     G.add_node(("service", s), kind="service")
    >>> for h, pair in (("H1", ("S1", "S2")), ("H2", ("S2", "S3"))):
    ...     G.add_edge(("family", h), ("child", h + "c"))
    ...     for s in pair:
    ...         G.add_edge(("child", h + "c"), ("service", s), universal=True)
    >>> service_centrality(G)
    {'S1': 0.0, 'S2': 1.0, 'S3': 0.0}
    """
    S = service_graph(G)
    if S.number_of_nodes() < 3:
        return dict.fromkeys(sorted(S.nodes), 0.0)
    centrality = nx.betweenness_centrality(S, normalized=True)
    return {s: round(centrality[s], 6) for s in sorted(centrality)}


# -- layout ------------------------------------------------------------------------------------

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def spring_positions(G: nx.Graph, *, seed: int = 7, iterations: int = 120,
                     gravity: float = 0.6) -> dict[Any, tuple[float, float]]:
    """Fruchterman-Reingold positions from a seeded start, in pure Python (networkx's own
    spring_layout needs numpy, which the app does not ship). Meant for the hubs of a view
    (tens to a few hundred services), not for thousands of nodes.

    >>> pos = spring_positions(nx.path_graph(3), seed=1)
    >>> pos == spring_positions(nx.path_graph(3), seed=1)
    True
    >>> d01 = math.dist(pos[0], pos[1]); d02 = math.dist(pos[0], pos[2])
    >>> d02 > d01
    True
    >>> spring_positions(nx.Graph())
    {}
    """
    import random

    nodes = list(G.nodes)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    rng = random.Random(seed)  # noqa: S311 (a layout, not a secret)
    pos = {n: [rng.random(), rng.random()] for n in nodes}
    k = math.sqrt(1.0 / len(nodes))
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in G.edges if u != v]
    xy = [pos[n] for n in nodes]
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        disp = [[0.0, 0.0] for _ in nodes]
        for i in range(len(nodes)):
            xi, yi = xy[i]
            for j in range(i + 1, len(nodes)):
                dx, dy = xi - xy[j][0], yi - xy[j][1]
                d2 = max(dx * dx + dy * dy, 1e-9)
                f = k * k / d2  # repulsion k^2/d, along the unit vector (dx, dy)/d
                disp[i][0] += dx * f
                disp[i][1] += dy * f
                disp[j][0] -= dx * f
                disp[j][1] -= dy * f
        for i, j in edges:
            dx, dy = xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]
            d = max(math.hypot(dx, dy), 1e-9)
            f = d / k  # attraction d^2/k, along the unit vector
            disp[i][0] -= dx * f
            disp[i][1] -= dy * f
            disp[j][0] += dx * f
            disp[j][1] += dy * f
        for i in range(len(nodes)):
            # Gravity towards the centre keeps parts that share nothing from drifting away.
            disp[i][0] -= gravity * (xy[i][0] - 0.5) / k
            disp[i][1] -= gravity * (xy[i][1] - 0.5) / k
            length = max(math.hypot(*disp[i]), 1e-9)
            step = min(length, temperature) / length
            xy[i][0] += disp[i][0] * step
            xy[i][1] += disp[i][1] * step
        temperature -= cooling
    return {n: (round(xy[i][0], 6), round(xy[i][1], 6)) for n, i in index.items()}


def hub_layout(hubs: nx.Graph, members: Mapping[str, Iterable[str]], *, seed: int = 7,
               spread: float = 0.004) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1] x [0, 1]: hubs (services) by a force-directed layout with a fixed
    seed (:func:`spring_positions`); each member (a child or group) on a sunflower spiral
    around the centre of its hubs, in sorted order. The same graph always gives the same
    positions, and no physics runs in the browser.

    >>> H = nx.Graph([("S1", "S2")])
    >>> pos = hub_layout(H, {"X-1": ["S1"], "X-2": ["S1", "S2"]})
    >>> pos == hub_layout(H, {"X-2": ["S2", "S1"], "X-1": ["S1"]})
    True
    >>> all(0 <= x <= 1 and 0 <= y <= 1 for x, y in pos.values())
    True
    """
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(hubs.nodes))
    ordered.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in hubs.edges(data=True)))
    raw = spring_positions(ordered, seed=seed)
    if raw:  # hubs spread over the unit square, so that ``spread`` means the same everywhere
        xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        raw = {n: ((x - min(xs)) / span, (y - min(ys)) / span) for n, (x, y) in raw.items()}
    placed: dict[str, tuple[float, float]] = {}
    by_centre: dict[tuple[str, ...], int] = defaultdict(int)
    for member in sorted(members):
        hubs_of = tuple(sorted(set(members[member])))
        points = [raw[h] for h in hubs_of if h in raw] or [(0.5, 0.5)]
        cx = sum(p[0] for p in points) / len(points)
        cy = sum(p[1] for p in points) / len(points)
        k = by_centre[hubs_of]
        by_centre[hubs_of] += 1
        # A sunflower: the k-th member at radius spread * sqrt(k + 1), so members of one
        # centre sit about ``spread`` apart however many there are.
        r = spread * math.sqrt(k + 1)
        placed[member] = (cx + r * math.cos(k * GOLDEN_ANGLE), cy + r * math.sin(k * GOLDEN_ANGLE))
    everything = {**raw, **placed}
    if not everything:
        return {}
    xs = [p[0] for p in everything.values()]
    ys = [p[1] for p in everything.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    return {n: (round((x - min(xs)) / span, 5), round((y - min(ys)) / span, 5))
            for n, (x, y) in sorted(everything.items())}
