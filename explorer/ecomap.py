"""A child's ecomap: the child's view (cut by the policy) as nodes, edges and a fixed layout.

Everything drawn comes from ``explorer.children.child_view``: the root child's view, and at
depth 2 (or when a node is expanded) the views of the other children in it, each read
through the policy in its own right (None means nothing more to draw). This module never
reads the database and never decides who may see what; it filters by date for display,
lays the network out and hands nodes, edges and options built with pyvis to the page as JSON.

The layout is child-centred and deterministic: the child at the centre; the family
(households, parents and carers, siblings) in an arc at the top of the first ring; the
practitioners, school and GP round the rest of the second, so that no line from the child to
a professional crosses the family; each service just outside its practitioners; anything
reached through another child's view beyond, beside that child. People are grouped with the
household, school, practice or service they belong to. Physics is off, so the same network is
drawn the same every time (see :func:`layout`).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx
from pyvis.network import Network

from explorer import changes, coordination
from explorer.children import child_view, child_views, sibling_views

NODE_CAP = 250
MAX_EXPAND = 10

# Okabe-Ito colours, each kind with its own shape too, so nothing depends on colour alone.
KINDS: dict[str, dict[str, str]] = {
    "child": {"color": "#E69F00", "shape": "star", "name": "The child"},
    "sibling": {"color": "#F0E442", "shape": "triangle", "name": "Other child"},
    "adult": {"color": "#56B4E9", "shape": "dot", "name": "Parent, carer or adult in the household"},
    "household": {"color": "#009E73", "shape": "square", "name": "Household (address)"},
    "practitioner": {"color": "#0072B2", "shape": "diamond", "name": "Practitioner"},
    "service": {"color": "#D55E00", "shape": "hexagon", "name": "Service"},
    "universal": {"color": "#CC79A7", "shape": "triangleDown", "name": "School or GP practice"},
    "service_group": {"color": "#D55E00", "shape": "box",
                      "name": "A service with its practitioners, grouped (listed in the tables)"},
    "sibling_group": {"color": "#F0E442", "shape": "box",
                      "name": "Siblings in other households, grouped (select it to show each)"},
}
KIND_ORDER = {k: i for i, k in enumerate(("child", "household", "adult", "sibling", "sibling_group",
                                          "practitioner", "service_group", "universal", "service"))}
ROOT_RING = {"household": 1, "adult": 1, "sibling": 1, "sibling_group": 1, "practitioner": 2,
             "universal": 2, "service": 3}
RING_GAP, NODE_SPACING = 190, 120
GROUP_SPACING = 170  # between neighbours in a group: room for two labels side by side
FAMILY_RING, PROFESSIONAL_RING = ROOT_RING["household"], ROOT_RING["practitioner"]
GROUP_KINDS = frozenset({"household", "service", "universal"})  # places people gather round
OFFSET = {"household": -0.35, "universal": 0.5}  # off their ring, in ring gaps
CLEARANCE = 30  # px a line keeps from a node it does not join, bending round it if need be
BENDS = [(kind, roundness) for roundness in (0.25, 0.45, 0.7) for kind in ("curvedCW", "curvedCCW")]


def _name(person: dict[str, Any]) -> str:
    return " ".join(p for p in (person.get("given_name"), person.get("family_name")) if p) \
        or str(person.get("id") or "")


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def _span(since: date | None, until: date | None) -> str:
    if not since and not until:
        return ""
    return f"{_d(since)} to {_d(until)}".strip() if until else f"since {_d(since)}"


def as_of(view: dict[str, Any], on: date, *, ceased: bool = True) -> dict[str, Any]:
    """The view as it stood on a day: records not yet started are dropped; records ended
    before it are kept marked ``ceased`` (or dropped with ``ceased=False``).

    >>> v = {"level": "network", "child": {"id": "C"}, "households": [], "carers": [],
    ...      "siblings": [], "conferences": [], "universal": [],
    ...      "involvements": [{"involvement": {"since": date(2026, 1, 1), "until": date(2026, 4, 30)}}]}
    >>> as_of(v, date(2026, 5, 1))["involvements"][0]["ceased"]
    True
    >>> as_of(v, date(2026, 5, 1), ceased=False)["involvements"], as_of(v, date(2025, 1, 1))["involvements"]
    ([], [])
    """
    def keep(since: date | None, until: date | None) -> tuple[bool, bool]:
        started = since is None or since <= on
        ended = until is not None and until < on
        return started and (ceased or not ended), ended

    def born(person: dict[str, Any]) -> bool:
        return person.get("date_of_birth") is None or person["date_of_birth"] <= on

    out = dict(view)
    households = []
    for h in view.get("households", []):
        shown, ended = keep(h.get("since"), h.get("until"))
        if not shown:
            continue
        members = []
        for m in h["members"]:
            m_shown, m_ended = keep(m.get("since"), m.get("until"))
            if m_shown and born(m):
                members.append({**m, "ceased": m_ended})
        households.append({**h, "members": members, "ceased": ended})
    out["households"] = households
    involvements = []
    for e in view.get("involvements", []):
        shown, ended = keep(e["involvement"].get("since"), e["involvement"].get("until"))
        if shown:
            involvements.append({**e, "ceased": ended})
    out["involvements"] = involvements
    universal = []
    for u in view.get("universal", []):
        shown, ended = keep(u.get("since"), u.get("until"))
        if shown:
            universal.append({**u, "ceased": ended})
    out["universal"] = universal
    # A sibling is drawn from the day it was born; one who is a sibling only by living with
    # the child, from the first day they lived together (a member's stay and the child's).
    together: dict[str, list[date | None]] = {}
    for h in view.get("households", []):
        for m in h["members"]:
            starts = [d for d in (h.get("since"), m.get("since")) if d is not None]
            together.setdefault(m["id"], []).append(max(starts) if starts else None)

    def sibling_then(s: dict[str, Any]) -> bool:
        if not born(s["sibling"]):
            return False
        if "parent" in (s.get("via") or []):
            return True
        return any(start is None or start <= on for start in together.get(s["sibling"]["id"], [None]))

    out["siblings"] = [s for s in view.get("siblings", []) if sibling_then(s)]
    return out


# A child's status as people say it (the seed's values are codes).
STATUS_NAMES = {"cp_plan": "Child protection plan", "looked_after": "Looked after",
                "unborn_plan": "Unborn-child plan", "child_in_need": "Child in need"}


def plan_badge(child: dict[str, Any], on: date,
               previous: list[dict[str, Any]] | tuple = ()) -> dict[str, Any] | None:
    """The plan in force on the day as the badge shows it: the current plan, or an earlier
    one (``previous``: ended child protection plans) when the day falls in it. A plan that
    follows earlier ones says how many: a repeat plan is a warning sign in its own right.

    >>> plan_badge({"status": "cp_plan", "plan_category": "neglect", "plan_start": date(2026, 3, 2)},
    ...            date(2026, 5, 1))["text"]
    'Child protection plan: neglect (since 2026-03-02)'
    >>> plan_badge({"status": "cp_plan", "plan_start": date(2026, 3, 2)}, date(2026, 1, 1))
    >>> earlier = [{"category": "physical", "start": date(2023, 1, 9), "end": date(2024, 2, 1)}]
    >>> plan_badge({"status": "cp_plan", "plan_category": "neglect", "plan_start": date(2026, 3, 2)},
    ...            date(2026, 5, 1), earlier)["text"]
    'Child protection plan: neglect (since 2026-03-02), repeat plan: 1 earlier'
    >>> plan_badge({"status": "cp_plan", "plan_start": date(2026, 3, 2)}, date(2023, 6, 1),
    ...            earlier)["text"]
    'Child protection plan: physical (2023-01-09 to 2024-02-01)'
    """
    plan = coordination.plan_in_force(child, on, previous)
    if plan is None:
        return None
    status, category, start, end = plan["status"], plan["category"], plan["start"], plan["end"]
    if plan["current"]:
        period = f" (since {start.isoformat()})" if start else ""
    else:
        period = f" ({start.isoformat()} to {end.isoformat()})"
    text = STATUS_NAMES[status] + (f": {category}" if category else "") + period
    earlier = sum(1 for p in previous if start and p["end"] < start)
    if earlier:
        text += f", repeat plan: {earlier} earlier"
    return {"status": status, "category": category, "start": _d(start), "end": _d(end),
            "earlier_plans": earlier, "text": text}


@dataclass
class _Builder:
    """Collects nodes and edges (by id, so views that share a parent or service merge)."""

    cap: int
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[str, dict[str, Any]] = field(default_factory=dict)
    ring: dict[str, int] = field(default_factory=dict)
    dropped: int = 0

    def node(self, node_id: str, kind: str, label: str, details: dict[str, Any], ring: int,
             **flags: Any) -> bool:
        if node_id in self.nodes:
            known = self.nodes[node_id]
            if KIND_ORDER[kind] < KIND_ORDER[known["kind"]] and known["kind"] != "child":
                known["kind"] = kind  # a service that is also the school is drawn as the school
            known["details"].update({k: v for k, v in details.items() if v not in (None, "")})
            for key, value in flags.items():
                known[key] = known.get(key) or value
            self.ring[node_id] = min(self.ring[node_id], ring)
            return True
        if len(self.nodes) >= self.cap:
            self.dropped += 1
            return False
        self.nodes[node_id] = {"id": node_id, "kind": kind, "label": label, "details": details,
                               **flags}
        self.ring[node_id] = ring
        return True

    def edge(self, edge_id: str, a: str, b: str, kind: str, label: str, *, ceased: bool = False,
             details: dict[str, Any] | None = None, **flags: Any) -> None:
        if a not in self.nodes or b not in self.nodes or edge_id in self.edges:
            return
        self.edges[edge_id] = {"id": edge_id, "from": a, "to": b, "kind": kind, "label": label,
                               "ceased": ceased, "details": details or {}, **flags}


def _add_view(b: _Builder, view: dict[str, Any], *, root: bool) -> None:
    child = view["child"]
    cid = f"child:{child['id']}"
    ring = (lambda kind: ROOT_RING[kind]) if root else (lambda kind: 3 + ROOT_RING[kind])
    if cid not in b.nodes and not b.node(cid, "sibling", _name(child), {}, ring("sibling")):
        return
    b.nodes[cid]["details"].update({"id": child["id"], "name": _name(child),
                                    "date of birth": _d(child.get("date_of_birth")),
                                    "gender": (child.get("gender") or "").replace("_", " ")})
    b.nodes[cid]["child_id"] = child["id"]
    b.nodes[cid]["expanded"] = True
    if view.get("level") == "shielded":
        b.nodes[cid]["details"]["shielded"] = "yes: address, household and practitioners withheld"
        return
    for h in view.get("households", []):
        hh = h["household"]
        hid = f"household:{hh['id']}"
        address = hh.get("address") or ("Last known address unknown"
                                        if hh.get("address_status") == "none" else "No known address")
        label = address.split(",")[0] + (f"\n{hh['postcode']}" if hh.get("postcode") else "")
        if hh.get("address_status") == "none":
            label = "No known address"
        b.node(hid, "household", label, {"address": hh.get("address") or "no known address",
                                         "postcode": hh.get("postcode"),
                                         "local authority": hh.get("local_authority"),
                                         "address status": (hh.get("address_status") or "")
                                         .replace("_", " ")}, ring("household"),
               **({"household_id": hh["id"]} if view.get("level") != "sibling" else {}))
        verb = "lived here" if h.get("ceased") else "lives here"
        b.edge(f"lives:{child['id']}:{hh['id']}", cid, hid, "lives_in",
               f"{verb}\n{_span(h.get('since'), h.get('until'))}", ceased=h.get("ceased", False),
               details={"since": _d(h.get("since")), "until": _d(h.get("until"))})
        for m in h["members"]:
            is_child = m.get("label") == "Child"
            mid = f"{'child' if is_child else 'adult'}:{m['id']}"
            if b.node(mid, "sibling" if is_child else "adult", _name(m),
                      {"id": m["id"], "name": _name(m)}, ring("adult"),
                      **({"child_id": m["id"]} if is_child else {})):
                b.edge(f"lives:{m['id']}:{hh['id']}", mid, hid, "lives_in",
                       "lived here" if m.get("ceased") else "lives here",
                       ceased=m.get("ceased", False),
                       details={"since": _d(m.get("since")), "until": _d(m.get("until"))})
    for c in view.get("carers", []):
        adult = c["adult"]
        aid = f"adult:{adult['id']}"
        relation = "parent" if c["relationship"] == "PARENT_OF" else "carer"
        if c.get("parental_responsibility"):
            relation += " (PR)"
        b.node(aid, "adult", _name(adult), {"id": adult["id"], "name": _name(adult),
                                            "phone": adult.get("phone"), "email": adult.get("email")},
               ring("adult"))
        b.edge(f"carer:{adult['id']}:{child['id']}", aid, cid, "carer", relation,
               details={"relationship": relation})
    for s in view.get("siblings", []):
        sib = s["sibling"]
        sid = f"child:{sib['id']}"
        if b.node(sid, "sibling", _name(sib), {"id": sib["id"], "name": _name(sib),
                                               "date of birth": _d(sib.get("date_of_birth"))},
                  ring("sibling"), child_id=sib["id"]):
            a, z = sorted((cid, sid))
            b.edge(f"sibling:{a}:{z}", cid, sid, "sibling", "sibling",
                   details={"shared": " and ".join(s.get("via") or [])})
    for u in view.get("universal", []):
        svc = u["service"]
        uid = f"service:{svc['id']}"
        kind = "school" if u["kind"] == "school" else "GP practice"
        b.node(uid, "universal", f"{svc.get('name')}\n({kind})",
               {"name": svc.get("name"), "type": kind, "local authority": svc.get("local_authority")},
               ring("universal"))
        verb = ("attended" if u.get("ceased") else "attends") if u["kind"] == "school" else \
            ("was registered" if u.get("ceased") else "registered")
        b.edge(f"{u['kind']}:{child['id']}:{svc['id']}:{_d(u.get('since'))}", cid, uid,
               u["kind"], f"{verb}\n{_span(u.get('since'), u.get('until'))}",
               ceased=u.get("ceased", False),
               details={"since": _d(u.get("since")), "until": _d(u.get("until"))})
    for e in view.get("involvements", []):
        inv, prac, svc = e["involvement"], e["practitioner"], e["service"]
        pid, sid = f"practitioner:{prac['id']}", f"service:{svc['id']}"
        lead, caf = bool(inv.get("lead")) and not e.get("ceased"), bool(inv.get("caf"))
        label = _name(prac) + f"\n{(prac.get('profession') or '').replace('_', ' ')}"
        if not b.node(pid, "practitioner", label,
                      {"id": prac["id"], "name": _name(prac),
                       "profession": (prac.get("profession") or "").replace("_", " "),
                       "phone": prac.get("phone"), "email": prac.get("email"),
                       "service": svc.get("name")}, ring("practitioner"), practitioner_id=prac["id"]):
            continue
        if root and lead:
            b.nodes[pid]["lead"] = True
        if root and caf:
            b.nodes[pid]["caf"] = True
        b.node(sid, "service", f"{svc.get('name')}", {"name": svc.get("name"),
                                                      "type": (svc.get("type") or "").replace("_", " "),
                                                      "local authority": svc.get("local_authority")},
               ring("service"))
        flags = (["LEAD"] if lead else []) + (["CAF"] if caf else [])
        b.edge(f"involvement:{inv.get('id') or prac['id'] + child['id']}", pid, cid, "involvement",
               "\n".join([inv.get("role") or "involved", _span(inv.get("since"), inv.get("until"))]
                         + ([" · ".join(flags)] if flags else [])),
               ceased=e.get("ceased", False), lead=lead, caf=caf,
               details={"role": inv.get("role"), "since": _d(inv.get("since")),
                        "until": _d(inv.get("until")), "lead professional": "yes" if lead else "",
                        "CAF held": "yes" if caf else "", "service": svc.get("name")})
        b.edge(f"works:{prac['id']}:{svc['id']}", pid, sid, "works_for", "")


# A big view groups each service drawn with many practitioners into one node (its people are
# listed in the node's details and the tables): 180 practitioners round one child are a fan
# of unlabelled dots at any zoom that fits them.
GROUP_WHEN_NODES = 40
GROUP_AT = 4


def group_services(b: _Builder, root: str) -> _Builder:
    """The view with, when it has more than GROUP_WHEN_NODES nodes, every service that has
    GROUP_AT or more practitioners drawn replaced, with them, by one 'service_group' node:
    one line to each child they work with, saying how many involvements (and how many
    ceased), drawn thick when one of them is the lead professional.

    >>> b = _Builder(cap=100)
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
    >>> import explorer.ecomap as m; m.GROUP_WHEN_NODES = 3
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
    out = _Builder(cap=b.cap, nodes={k: dict(v) for k, v in b.nodes.items()},
                   edges=dict(b.edges), ring=dict(b.ring), dropped=b.dropped)
    for service_id in sorted(staff):
        members = sorted(staff[service_id])
        if len(members) < GROUP_AT or service_id == root:
            continue
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
    return out


SIBLINGS_GROUP = "group:siblings"


def group_siblings(b: _Builder, root: str, *, opened: bool = False) -> _Builder:
    """The view with the root's siblings in other households (those not drawn living in a
    household the child is drawn in) drawn as one 'sibling_group' node when there are
    GROUP_AT or more of them and the viewer has not opened the group: eleven siblings, each
    with its own lines to the parents they share, made a hairball. Every line a grouped
    sibling had to a node outside the group becomes one line from the group to that node,
    saying how many (and drawn dashed only if all of them ceased); the siblings are listed
    in the group's details and in the tables.

    >>> b = _Builder(cap=100)
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
    out = _Builder(cap=b.cap, nodes={k: dict(v) for k, v in b.nodes.items() if k not in members},
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


def legend(b: _Builder, marks: dict[str, str] | None = None) -> list[dict[str, Any]]:
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
    angle: dict[str, float] = {}
    pos: dict[str, tuple[int, int]] = {root: (0, 0)}

    def put(placed: dict[str, float], radius: float) -> None:
        for n, a in placed.items():
            # A household sits inside its people and a school or practice outside its staff,
            # so the lines to them fan out instead of running along the ring through the others.
            r = radius + OFFSET.get(nodes[n]["kind"], 0.0) * RING_GAP
            angle[n] = a
            pos[n] = (round(r * math.sin(a)), round(-r * math.cos(a)))

    def on(k: int) -> list[str]:
        return [n for n in nodes if ring[n] == k and n != root]

    family, professionals = on(FAMILY_RING), on(PROFESSIONAL_RING)
    radius, family_arc = 0.0, 0.0
    if family:
        # At most half the circle, and less when the professionals far outnumber the family:
        # twelve services' boxes squeezed into the lower half made the map too wide to read.
        share = min(math.pi, 2.4 * math.pi * len(family) / (len(family) + len(professionals)))
        radius = max(RING_GAP, len(family) * GROUP_SPACING / share)
        family_arc = len(family) * GROUP_SPACING / radius
        put(_in_arc(_grouped(family, nodes, neighbours, ring, root), GROUP_SPACING / radius,
                    -family_arc / 2, family_arc), radius)
    if professionals:
        rest = 2 * math.pi - family_arc
        groups = _grouped(professionals, nodes, neighbours, ring, root)
        # The smallest ring on which no two neighbours' boxes (a node with its label, or a
        # group's box) touch: a fixed spacing put twelve groups a canvas and a half apart.
        placed = [_layout_boxes(nodes[n], pos[n]) for n in pos]
        order = [n for g in groups for n in g]
        radius = max(radius + RING_GAP, len(professionals) * NODE_SPACING / rest)
        while True:
            angles = _in_arc(groups, GROUP_SPACING / radius, family_arc / 2, rest)
            at = {n: (radius * math.sin(a), -radius * math.cos(a)) for n, a in angles.items()}
            boxes = [_layout_boxes(nodes[n], at[n]) for n in order]
            near = itertools.chain(itertools.pairwise(boxes), zip(boxes, boxes[2:], strict=False),
                                   itertools.product(boxes, placed))
            if radius > 20000 or not any(_touch(p, q) for a, b in near for p in a for q in b):
                break
            radius *= 1.03
        put(angles, radius)
    for k in sorted({r for n, r in ring.items() if r > PROFESSIONAL_RING}):
        members = on(k)
        radius = max(radius + RING_GAP, len(members) * NODE_SPACING / (2 * math.pi))
        put(_beside(members, nodes, neighbours, angle, NODE_SPACING / radius), radius)
    return pos


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


@dataclass
class Gathered:
    """A view's drawn nodes and edges, read and cut by the policy: everything that decides
    what the answer holds (``child_ids`` is what an audit event records), before the parts
    that do not (the sibling comparison behind the warnings, the layout, pyvis)."""

    child_id: str
    root_view: dict[str, Any]
    drawn: _Builder
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
    b = _Builder(cap=cap)
    b.node(f"child:{child_id}", "child", _name(root_view["child"]), {}, 0)
    _add_view(b, as_of(root_view, on, ceased=ceased), root=True)
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
        _add_view(b, as_of(view, on, ceased=ceased), root=False)
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


def finish(graph: Any, viewer: Any, gathered: Gathered, *, today: date) -> dict:
    """The ecomap as the page draws it: warnings, layout and pyvis's nodes, edges and options."""
    g, b, root_view = gathered, gathered.drawn, gathered.root_view
    # Siblings' social workers are compared at every depth (a chair opens depth 1), each
    # sibling's view read through the policy on its own account, drawn only at depth 2.
    # The siblings drawn on the day (as_of leaves out those not born, or not yet siblings).
    sibling_ids = sorted({s["sibling"]["id"] for s in as_of(root_view, g.on)["siblings"]})
    compared = {k: v for k, v in g.other_views.items() if k in sibling_ids}
    unread = [k for k in sibling_ids if k not in compared and k not in g.closed]
    if unread:
        compared.update(child_views(graph, viewer, unread, today=today, parts=("involvements",)))
        rest = [k for k in unread if k not in compared]
        if rest:
            compared.update(sibling_views(graph, viewer, root_view, rest, today=today))
    warnings, compared_ids = view_warnings(root_view, g.on, compared)
    root = f"child:{g.child_id}"
    b = group_siblings(group_services(b, root), root, opened=g.siblings_open)
    positions = layout(b.nodes, b.edges, b.ring, root)
    # The child's own network is laid out clear of crossings; lines that other children's
    # views add (depth 2, expand) may run through a node, and bend round it instead.
    bends = _bends(positions, b.edges, sorted((set(b.edges) - g.own_edges)
                                              & {k for k in b.edges if not k.startswith("group:")}))
    # What changed between the last conference (or the day asked for) and the as-of date.
    since = g.since or changes.default_since(root_view, g.on)
    changed = changes.changes(root_view, since, g.on) if since and since < g.on else []
    marks = {c["edge"]: "new" if c["change"] in ("started", "moved in") else "ended"
             for c in changed if c["edge"] and c["edge"] in b.edges}
    nodes, edges, options = _to_vis(b, positions, bends, marks)
    child = root_view["child"]
    return {
        "child": {"id": child["id"], "name": _name(child), "shielded": bool(child.get("shielded"))},
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


def _via(a: tuple[float, float], b: tuple[float, float], kind: str,
         roundness: float) -> tuple[float, float]:
    """The control point of a curved edge from a to b, as vis-network computes it for its
    'curvedCW' and 'curvedCCW' smooth types (BezierEdgeStatic._getViaCoordinates)."""
    dx, dy = b[0] - a[0], a[1] - b[1]
    reach = 0.5 * roundness + 0.5
    turn = reach if kind == "curvedCW" else 0.5 - 0.5 * roundness
    angle = (math.atan2(dy, dx) + turn * math.pi) % (2 * math.pi)
    length = math.hypot(dx, dy)
    return a[0] + reach * length * math.sin(angle), a[1] + reach * length * math.cos(angle)


def _track(a: tuple[float, float], b: tuple[float, float],
           smooth: tuple[str, float] | None) -> list[tuple[float, float]]:
    """Points along an edge as drawn: its two ends, or 13 along its quadratic curve."""
    if smooth is None:
        return [a, b]
    c = _via(a, b, *smooth)
    return [((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * c[0] + t * t * b[0],
             (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * c[1] + t * t * b[1])
            for t in (i / 12 for i in range(13))]


def _gap(point: tuple[float, float], track: list[tuple[float, float]]) -> float:
    """How far a point is from a polyline."""
    nearest = math.inf
    for (ax, ay), (bx, by) in itertools.pairwise(track):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((point[0] - ax) * dx + (point[1] - ay) * dy) / (dx * dx + dy * dy or 1)))
        nearest = min(nearest, math.hypot(point[0] - ax - t * dx, point[1] - ay - t * dy))
    return nearest


def _clearance(a: tuple[float, float], b: tuple[float, float], smooth: tuple[str, float] | None,
               others: list[tuple[int, int]]) -> float:
    track = _track(a, b, smooth)
    return min((_gap(p, track) for p in others), default=math.inf)


def _bends(positions: dict[str, tuple[int, int]], edges: dict[str, dict[str, Any]],
           which: list[str]) -> dict[str, dict[str, Any]]:
    """For each edge in ``which`` whose straight line passes within CLEARANCE of a node it
    does not join, the gentlest curve (of BENDS) that clears every node, or failing that the
    one that clears them most.

    A node just below the middle of a line (y grows downwards): the line bends up, away from
    it, as little as clears it; a line already clear stays straight.

    >>> pos = {"a": (0, 0), "b": (200, 0), "m": (100, 5)}
    >>> _bends(pos, {"e": {"from": "a", "to": "b"}}, ["e"])["e"]
    {'enabled': True, 'type': 'curvedCW', 'roundness': 0.45}
    >>> _bends({**pos, "m": (100, 60)}, {"e": {"from": "a", "to": "b"}}, ["e"])
    {}
    """
    bends: dict[str, dict[str, Any]] = {}
    for edge_id in which:
        ends = edges[edge_id]["from"], edges[edge_id]["to"]
        a, b = positions[ends[0]], positions[ends[1]]
        others = [p for n, p in positions.items() if n not in ends]
        if _clearance(a, b, None, others) >= CLEARANCE:
            continue
        scored = [(_clearance(a, b, bend, others), -i, bend) for i, bend in enumerate(BENDS)]
        clear = [bend for score, _, bend in scored if score >= CLEARANCE]
        kind, roundness = clear[0] if clear else max(scored)[2]
        bends[edge_id] = {"enabled": True, "type": kind, "roundness": roundness}
    return bends


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
        c = _via(a, b, smooth["type"], smooth["roundness"])
        mx, my = 0.25 * a[0] + 0.5 * c[0] + 0.25 * b[0], 0.25 * a[1] + 0.5 * c[1] + 0.25 * b[1]
    else:
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    w, h = text_size(label, EDGE_FONT)
    return (mx - w / 2, my - h / 2, mx + w / 2, my + h / 2)


def _touch(p: Box, q: Box, gap: float = LABEL_GAP) -> bool:
    return p[0] < q[2] + gap and q[0] < p[2] + gap and p[1] < q[3] + gap and q[1] < p[3] + gap


class _Grid:
    """Boxes filed by the cells of a square grid they reach (widened by LABEL_GAP), so that
    asking whether a box touches any filed one tests only those sharing a cell with it: at
    200 nodes, testing every pair made placing the labels most of the endpoint's time. The
    answers are those of testing every pair (``_touch`` decides, on every box that could)."""

    CELL = 120.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[int, Box]]] = {}

    def _keys(self, box: Box) -> list[tuple[int, int]]:
        c, g = self.CELL, LABEL_GAP
        return [(i, j) for i in range(math.floor((box[0] - g) / c), math.floor((box[2] + g) / c) + 1)
                for j in range(math.floor((box[1] - g) / c), math.floor((box[3] + g) / c) + 1)]

    def add(self, box: Box, owner: int = -1) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append((owner, box))

    def touching(self, box: Box) -> set[int]:
        """The owners of the filed boxes that touch ``box``."""
        return {owner for key in self._keys(box) for owner, other in self.cells.get(key, ())
                if _touch(box, other)}

    def touches(self, box: Box) -> bool:
        return any(_touch(box, other) for key in self._keys(box)
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


def _label_choices(label: str) -> list[str]:
    """An edge's label, then shorter forms of it (without its dates, then its first line
    alone, then a change's mark alone), then none: the full text is always in the tables and
    the edge's tooltip.

    >>> _label_choices("▼ ENDED investigating officer\\n2026-02-10 to 2026-04-30")
    ['▼ ENDED investigating officer\\n2026-02-10 to 2026-04-30', '▼ ENDED investigating officer', '▼ ENDED']
    """
    lines = label.split("\n")
    undated = [line for line in lines if not any(ch.isdigit() for ch in line)
               or line.startswith(("▲", "▼"))]
    # A change since the last conference keeps at least its mark on the map.
    mark = " ".join(lines[0].split(" ")[:2]) if lines[0].startswith(("▲", "▼")) else ""
    return list(dict.fromkeys(x for x in ("\n".join(lines), "\n".join(undated), lines[0], mark)
                              if x))


# Which edge labels are placed first when room is short: a change since the last conference,
# the lead professional, then the child's own people and places.
_LABEL_ORDER = {"carer": 0, "lives_in": 1, "involvement": 2, "universal": 3, "sibling": 4}


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

    # From a little closer than the layout put them (its rings are a fixed gap apart, room
    # the labels may not need) outwards, to the first spread at which no two touch.
    factor = 0.6
    while True:
        spread(factor)
        if factor > 6 or not node_overlaps(nodes):
            break
        factor *= 1.04
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
        choices = _label_choices(e.get("label") or "")
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


MARK_STYLE = {"new": ("▲ NEW ", "#009E73"), "ended": ("▼ ENDED ", "#D55E00")}


def _to_vis(b: _Builder, positions: dict[str, tuple[int, int]],
            bends: dict[str, dict[str, Any]],
            marks: dict[str, str] | None = None) -> tuple[list, list, dict]:
    """Nodes, edges and options built with pyvis, returned as plain data for JSON. Labels
    and titles are plain strings: vis-network draws labels as text on the canvas and shows
    a string title as text."""
    # Directed only so that pyvis keeps every edge: undirected, it drops an edge between two
    # nodes already joined (a practitioner's second involvement with the same child, a
    # child who left a household and came back). No arrows are drawn.
    net = Network(directed=True)
    for node_id in sorted(b.nodes, key=lambda n: (b.ring[n], n)):
        node = b.nodes[node_id]
        style = KINDS[node["kind"]]
        x, y = positions[node_id]
        lead, caf = node.get("lead", False), node.get("caf", False)
        label = drawn_label(node)
        # A group is a box with its label inside: a service's white, bordered in its colour;
        # the siblings' in their yellow, bordered black (black text on it: 14:1).
        boxed = {"color": {"background": "#ffffff", "border": style["color"],
                           "highlight": {"background": "#ffffff", "border": "#000000"}},
                 "font": {"strokeWidth": 0}, "borderWidth": 3 + (2 if lead else 0)} \
            if node["kind"] == "service_group" else \
            {"color": {"background": style["color"], "border": "#000000",
                       "highlight": {"background": style["color"], "border": "#000000"}},
             "font": {"strokeWidth": 0}, "borderWidth": 2} if node["kind"] == "sibling_group" else {}
        net.add_node(node_id, label=label, shape=style["shape"], x=x, y=y, physics=False,
                     title=f"{KINDS[node['kind']]['name']}: {node['label']}".replace("\n", " "),
                     color={"background": style["color"], "border": "#000000",
                            "highlight": {"background": style["color"], "border": "#000000"}},
                     borderWidth=5 if lead else 1, size=28 if node["kind"] == "child" else 16,
                     kind=node["kind"], details=node["details"], lead=lead, caf=caf,
                     child_id=node.get("child_id"), expanded=node.get("expanded", False),
                     sibling_of_root=node.get("sibling_of_root", False),
                     opens_ecomap=node.get("opens_ecomap", False),
                     household_id=node.get("household_id"), group_of=node.get("group_of"),
                     practitioner_id=node.get("practitioner_id"))
        if boxed:
            net.nodes[-1].update(boxed)
    joined: Counter[frozenset[str]] = Counter()
    for edge_id in sorted(b.edges):
        e = b.edges[edge_id]
        # Edges between the same two nodes curve apart, alternately, so each stays visible.
        k = joined[frozenset((e["from"], e["to"]))]
        joined[frozenset((e["from"], e["to"]))] += 1
        smooth = {"enabled": True, "type": "curvedCW" if k % 2 else "curvedCCW",
                  "roundness": 0.25 * ((k + 1) // 2)} if k else bends.get(edge_id, False)
        mark = (marks or {}).get(edge_id)
        prefix, colour = MARK_STYLE[mark] if mark else ("", "#6b6b6b" if e["ceased"] else "#303030")
        net.add_edge(e["from"], e["to"], id=edge_id, label=prefix + e["label"], kind=e["kind"],
                     smooth=smooth, arrows={"to": {"enabled": False}},
                     dashes=[8, 6] if e["ceased"] else False, ceased=e["ceased"],
                     width=4 if e.get("lead") or mark else 1.5, details=e["details"],
                     lead=e.get("lead", False), caf=e.get("caf", False), changed=mark,
                     color={"color": colour})
    net.toggle_physics(False)
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
    place_labels(net.nodes, net.edges)
    return net.nodes, net.edges, options


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
