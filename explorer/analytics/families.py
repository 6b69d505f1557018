"""Families hanging on one practitioner: the de-identified records of the single points of
failure (``cypher/gap_single_point_of_failure.cypher`` reads the families, networkx finds
the single points in ``networks.single_points_of_failure``).

Shielded children take no part in families (``policy.in_family_groupings``); no sensitive
involvement reaches here (the query leaves them out), so a profession never names a
sensitive service.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx

from explorer import policy
from explorer.analytics import networks


def _members_only(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The families with the children who may make one. The query already leaves shielded
    children out of families; filtering again here keeps it so should the query ever change."""
    kept = []
    for row in rows:
        members = {c["id"] for c in row["children"] if policy.in_family_groupings(c)}
        if members:
            kept.append(dict(row, children=[c for c in row["children"] if c["id"] in members],
                             involvements=[i for i in row["involvements"]
                                           if i["child_id"] in members]))
    return kept


def _graph(rows: list[dict[str, Any]]) -> nx.Graph:
    """The involvement graph of these families, children with no involvement included."""
    G = networks.involvement_graph(
        {"child_id": inv["child_id"], "household_id": row["household_id"],
         "household_la": row["local_authority"], "practitioner_id": inv["practitioner_id"],
         "profession": inv["profession"], "service_id": inv["service_id"],
         "service_type": inv["service_type"], "service_la": None}
        for row in rows for inv in row["involvements"])
    for row in rows:  # children with no involvement belong to the family too
        for child in row["children"]:
            G.add_edge(("family", row["household_id"]), ("child", child["id"]))
    return G


def _record(G: nx.Graph, family: tuple[str, str], practitioner: tuple[str, str], *, key: bytes,
            age_on: date, area: str, children: dict[str, dict[str, Any]],
            service_type: dict[str, str | None]) -> dict[str, Any]:
    kids = [children[c[1]] for c in G[family] if c[0] == "child"]
    # Children by pseudonym within a family: never in id order.
    records = sorted((policy.deidentified_record(key, dict(c, local_authority=area), age_on)
                      for c in kids), key=lambda r: r["pseudonym"])
    through = {G.edges[("child", c["id"]), practitioner]["service"]
               for c in kids if G.has_edge(("child", c["id"]), practitioner)}
    return {
        "family": policy.family_pseudonym(key, family[1]),
        "local_authority": area,
        "children": ", ".join(f"{r['pseudonym']} ({r['age_band']})" for r in records),
        "statuses": sorted({r["status"] for r in records if r["status"]}),
        "age_bands": sorted({r["age_band"] for r in records}),
        "worker": policy.staff_pseudonym(key, practitioner[1]),
        "profession": G.nodes[practitioner].get("profession"),
        "service_types": sorted({service_type[s] for s in through if service_type[s]}),
    }


def single_points_of_failure(rows: list[dict[str, Any]], key: bytes,
                             on: date) -> list[dict[str, Any]]:
    """The de-identified record of every family in ``rows`` (the query's) hanging on one
    practitioner, in family pseudonym order (never id order)."""
    rows = _members_only(rows)
    family_area = {row["household_id"]: row["local_authority"] or "unknown" for row in rows}
    children = {c["id"]: c for row in rows for c in row["children"]}
    service_type = {inv["service_id"]: inv["service_type"]
                    for row in rows for inv in row["involvements"]}
    G = _graph(rows)
    hanging = networks.single_points_of_failure(G, [("family", h) for h in family_area])
    age_on = policy.analyst_age_date(on)
    return [_record(G, family, practitioner, key=key, age_on=age_on, area=family_area[family[1]],
                    children=children, service_type=service_type)
            for family, practitioner in sorted(hanging.items(),
                                               key=lambda kv: policy.family_pseudonym(key, kv[0][1]))]
