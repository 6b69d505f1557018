"""The analytics page: networkx over the whole family-practitioner-service graph.

Caseload distributions per profession and per service, families whose services span
several local authorities, service centrality, and the structural single points of failure
(articulation points, bridges). Only aggregates leave: counts through ``policy.suppress``
(or ``policy.suppress_table`` where a total sits beside them), services by name (they are
organisations, not people), practitioners never.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from typing import Any

from explorer import policy
from explorer.analytics import networks
from explorer.analytics.access import require_analysts_scope
from explorer.analytics.records import analysts_retained
from explorer.analytics.suppression import suppress_statistic
from explorer.graph import Graph

TOP_SERVICES = 15


def read_graph(graph: Graph, on: date, *, viewer: policy.ViewerLike):
    """The family-practitioner-service graph on ``on``, and every service's name and type."""
    require_analysts_scope(viewer)
    services = {r["service_id"]: r for r in graph.read("analytics_services")}
    retained = analysts_retained()
    G = networks.involvement_graph(graph.read("analytics_involvements", date=on, retained=retained),
                                   graph.read("analytics_universal", date=on, retained=retained),
                                   services)
    return G, services


def overview(graph: Graph, *, viewer: policy.ViewerLike, on: date) -> dict[str, Any]:
    started = time.perf_counter()
    G, services = read_graph(graph, on, viewer=viewer)
    read_seconds = time.perf_counter() - started

    per_practitioner = networks.caseload_per_practitioner(G)
    by_profession: dict[str, list[int]] = {}
    for node, n in ((("practitioner", p), n) for p, n in per_practitioner.items()):
        by_profession.setdefault(G.nodes[node].get("profession") or "unknown", []).append(n)
    professions = []
    for profession in sorted(by_profession):
        stats = networks.distribution(by_profession[profession])
        professions.append({"profession": profession,
                            "practitioners": policy.suppress(stats["count"]),
                            # Beside fewer than 5 practitioners, one's caseload would show.
                            **{k: "*" if 0 < stats["count"] < 5 else suppress_statistic(stats[k])
                               for k in ("mean", "median", "p90", "max")}})

    per_service = networks.caseload_per_service(G)
    service_rows = [{"service": services[s]["name"], "type": services[s]["type"],
                     "local_authority": services[s]["local_authority"],
                     "children": policy.suppress(n)}
                    for s, n in sorted(per_service.items(), key=lambda kv: (-kv[1], kv[0]))
                    if services[s]["type"] not in ("school", "gp_practice") or n]

    spanning = networks.families_spanning_authorities(G)
    combos = Counter(" + ".join(areas) for areas in spanning.values())
    names = sorted(combos)
    table = policy.suppress_table([[combos[c]] for c in names] + [[len(spanning)]])
    spanning_rows = [{"local_authorities": c, "families": table[i][0]} for i, c in enumerate(names)]

    centrality = networks.service_centrality(G)
    top = sorted(centrality.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_SERVICES]
    central_rows = [{"service": services[s]["name"], "type": services[s]["type"],
                     "local_authority": services[s]["local_authority"], "betweenness": round(c, 4)}
                    for s, c in top if s in services]

    hanging = networks.single_points_of_failure(G)
    return {
        "professions": professions,
        "services": service_rows,
        "spanning": spanning_rows,
        "spanning_total": table[-1][0],
        "centrality": central_rows,
        "articulation_practitioners": policy.suppress(len(networks.articulation_practitioners(G))),
        "families_on_one_practitioner": policy.suppress(len(hanging)),
        "families": policy.suppress(sum(1 for n in G if n[0] == "family")),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "read_seconds": round(read_seconds, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }
