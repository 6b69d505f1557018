"""Grouping for big networks: a service drawn with many practitioners becomes one node, and
the root child's siblings in other households another, each listing its members in its
details (and the page's tables), so a big view stays readable."""

from __future__ import annotations

from typing import Any

from explorer.ecomap.builder import FAMILY_RING, Builder

# A big view groups each service drawn with many practitioners into one node (its people are
# listed in the node's details and the tables): 180 practitioners round one child are a fan
# of unlabelled dots at any zoom that fits them.
GROUP_WHEN_NODES = 40
GROUP_AT = 4
SIBLINGS_GROUP = "group:siblings"


def group_services(b: Builder, root: str) -> Builder:
    """The view with, when it has more than GROUP_WHEN_NODES nodes, every service that has
    GROUP_AT or more practitioners drawn replaced, with them, by one 'service_group' node:
    one line to each child they work with, saying how many involvements (and how many
    ceased), drawn thick when one of them is the lead professional.

    >>> b = Builder(cap=100)
    >>> _ = b.node("child:C", "child", "C", {}, 0)
    >>> for i in range(5):
    ...     _ = b.node(f"practitioner:P{i}", "practitioner", f"P{i}", {"name": f"P{i}"}, 2)
    ...     _ = b.node("service:S", "service", "S", {"name": "S"}, 3)
    ...     b.edge(f"involvement:I{i}", f"practitioner:P{i}", "child:C", "involvement", "role",
    ...            ceased=i == 4, lead=i == 0, details={"role": f"r{i}"})
    ...     b.edge(f"works:P{i}:S", f"practitioner:P{i}", "service:S", "works_for", "")
    >>> grouped = group_services(b, "child:C")
    >>> len(grouped.nodes) == len(b.nodes)  # 7 nodes: small enough to draw one by one
    True
    >>> import explorer.ecomap.grouping as m; m.GROUP_WHEN_NODES = 3
    >>> grouped = group_services(b, "child:C"); m.GROUP_WHEN_NODES = 40
    >>> sorted(grouped.nodes), grouped.edges["group:service:S:child:C"]["label"]
    (['child:C', 'group:service:S'], '5 involvements (1 ceased)')
    """
    if len(b.nodes) <= GROUP_WHEN_NODES:
        return b
    staff: dict[str, list[str]] = {}
    taken: set[str] = set()
    for e in sorted(b.edges.values(), key=lambda e: e["id"]):
        if e["kind"] == "works_for" and e["from"] not in taken:
            staff.setdefault(e["to"], []).append(e["from"])
            taken.add(e["from"])
    out = Builder(cap=b.cap, nodes={k: dict(v) for k, v in b.nodes.items()},
                   edges=dict(b.edges), ring=dict(b.ring), dropped=b.dropped)
    for service_id in sorted(staff):
        members = sorted(staff[service_id])
        if len(members) >= GROUP_AT and service_id != root:
            _group_service(out, service_id, members)
    return out


def _group_service(out: Builder, service_id: str, members: list[str]) -> None:
    """Replace, in place, a service and its practitioners by one group node, with one line
    to each child they work with."""
    service = out.nodes[service_id]
    gid = f"group:{service_id}"
    involvements = [e for e in out.edges.values()
                    if e["kind"] == "involvement" and e["from"] in members]
    details = {out.nodes[m]["details"].get("name") or m: ", ".join(
        x for x in (out.nodes[m]["details"].get("profession"), out.nodes[m]["details"].get("phone"))
        if x) for m in members}
    lead = any(out.nodes[m].get("lead") for m in members)
    label = f"{service['details'].get('name') or service['label']}\n{len(members)} practitioners"
    out.nodes[gid] = {"id": gid, "kind": "service_group", "label": label, "lead": lead,
                      "caf": any(out.nodes[m].get("caf") for m in members),
                      "details": {"service": service["details"].get("name"), **details}}
    out.ring[gid] = min(out.ring[m] for m in members)
    by_child: dict[str, list[dict[str, Any]]] = {}
    for e in involvements:
        by_child.setdefault(e["to"], []).append(e)
    gone = {*members, service_id}
    for node_id in gone:
        out.nodes.pop(node_id, None)
        out.ring.pop(node_id, None)
    out.edges = {k: e for k, e in out.edges.items() if e["from"] not in gone and e["to"] not in gone}
    for child, lines in sorted(by_child.items()):
        if child not in out.nodes:
            continue
        ceased = sum(1 for e in lines if e["ceased"])
        label = f"{len(lines)} involvement{'s' if len(lines) != 1 else ''}" + \
            (f" ({ceased} ceased)" if ceased else "")
        out.edge(f"{gid}:{child}", gid, child, "involvement", label,
                 ceased=ceased == len(lines), lead=any(e.get("lead") for e in lines),
                 caf=any(e.get("caf") for e in lines),
                 details={"involvements": str(len(lines)), "ceased": str(ceased)})


def group_siblings(b: Builder, root: str, *, opened: bool = False) -> Builder:
    """The view with the root's siblings in other households (those not drawn living in a
    household the child is drawn in) drawn as one 'sibling_group' node when there are
    GROUP_AT or more of them and the viewer has not opened the group: eleven siblings, each
    with its own lines to the parents they share, made a hairball. Every line a grouped
    sibling had to a node outside the group becomes one line from the group to that node,
    saying how many (and drawn dashed only if all of them ceased); the siblings are listed
    in the group's details and in the tables.

    >>> b = Builder(cap=100)
    >>> _ = b.node("child:C", "child", "C", {}, 0)
    >>> _ = b.node("adult:K", "adult", "K", {}, 1)
    >>> for i in range(4):
    ...     _ = b.node(f"child:S{i}", "sibling", f"S{i}", {"name": f"S{i}"}, 1, child_id=f"S{i}")
    ...     b.edge(f"sibling:child:C:child:S{i}", "child:C", f"child:S{i}", "sibling", "sibling")
    ...     b.edge(f"carer:K:S{i}", "adult:K", f"child:S{i}", "carer", "parent")
    >>> g = group_siblings(b, "child:C")
    >>> sorted(g.nodes), sorted(e["label"] for e in g.edges.values())
    (['adult:K', 'child:C', 'group:siblings'], ['parent (4)', 'sibling (4)'])
    >>> sorted(group_siblings(b, "child:C", opened=True).nodes) == sorted(b.nodes)
    True
    """
    homes = {e["to"] for e in b.edges.values() if e["kind"] == "lives_in" and e["from"] == root}
    at_home = {e["from"] for e in b.edges.values() if e["kind"] == "lives_in" and e["to"] in homes}
    siblings = sorted({e["to"] if e["from"] == root else e["from"] for e in b.edges.values()
                       if e["kind"] == "sibling" and root in (e["from"], e["to"])} - at_home - {root})
    if opened or len(siblings) < GROUP_AT:
        return b
    members = set(siblings)
    out = Builder(cap=b.cap, nodes={k: dict(v) for k, v in b.nodes.items() if k not in members},
                   edges={}, ring={k: v for k, v in b.ring.items() if k not in members},
                   dropped=b.dropped)
    out.nodes[SIBLINGS_GROUP] = {
        "id": SIBLINGS_GROUP, "kind": "sibling_group", "group_of": len(siblings),
        "label": f"{len(siblings)} siblings\nin other households",
        "details": {b.nodes[s]["details"].get("name") or b.nodes[s]["label"]:
                    "born " + (b.nodes[s]["details"].get("date of birth") or "(date unknown)")
                    for s in siblings}}
    out.ring[SIBLINGS_GROUP] = FAMILY_RING
    merged: dict[tuple[str, str, bool], list[dict[str, Any]]] = {}
    for edge_id, e in sorted(b.edges.items()):
        inside = (e["from"] in members, e["to"] in members)
        if inside == (False, False):
            out.edges[edge_id] = e
        elif inside != (True, True):  # lines between two grouped siblings say nothing more
            other, group_first = (e["to"], True) if inside[0] else (e["from"], False)
            merged.setdefault((other, e["kind"], group_first), []).append(e)
    for (other, kind, group_first), lines in sorted(merged.items()):
        words = sorted({e["label"].split("\n")[0] for e in lines})
        a, z = (SIBLINGS_GROUP, other) if group_first else (other, SIBLINGS_GROUP)
        out.edges[f"{SIBLINGS_GROUP}:{kind}:{other}"] = {
            "id": f"{SIBLINGS_GROUP}:{kind}:{other}", "from": a, "to": z, "kind": kind,
            "label": f"{', '.join(words)} ({len(lines)})", "ceased": all(e["ceased"] for e in lines),
            "details": {"connections": str(len(lines))}}
    return out
