"""The builder: a child's view (already cut by the policy and dated by ``as_of``) as nodes
and edges, each view merged into one network by id, and big networks grouped (a service with
its many practitioners, siblings in other households) so they stay readable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from explorer.ecomap.dates import full_name, iso, span

NODE_CAP = 250

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
FAMILY_RING, PROFESSIONAL_RING = ROOT_RING["household"], ROOT_RING["practitioner"]
OTHER_VIEW_RINGS = 3  # another child's view is drawn this many rings further out


@dataclass
class Builder:
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


@dataclass(frozen=True)
class _Adding:
    """One view being added: its child's node, and how far out its rings start (0 for the
    root child's own view)."""

    child: dict[str, Any]
    cid: str
    base: int
    root: bool
    level: str | None

    def ring(self, kind: str) -> int:
        return self.base + ROOT_RING[kind]


def add_view(b: Builder, view: dict[str, Any], *, root: bool) -> None:
    child = view["child"]
    v = _Adding(child, f"child:{child['id']}", 0 if root else OTHER_VIEW_RINGS, root,
                view.get("level"))
    if v.cid not in b.nodes and not b.node(v.cid, "sibling", full_name(child), {}, v.ring("sibling")):
        return
    b.nodes[v.cid]["details"].update({"id": child["id"], "name": full_name(child),
                                      "date of birth": iso(child.get("date_of_birth")),
                                      "gender": (child.get("gender") or "").replace("_", " ")})
    b.nodes[v.cid]["child_id"] = child["id"]
    b.nodes[v.cid]["expanded"] = True
    if v.level == "shielded":
        b.nodes[v.cid]["details"]["shielded"] = "yes: address, household and practitioners withheld"
        return
    for h in view.get("households", []):
        _add_household(b, v, h)
    for c in view.get("carers", []):
        _add_carer(b, v, c)
    for s in view.get("siblings", []):
        _add_sibling(b, v, s)
    for u in view.get("universal", []):
        _add_universal(b, v, u)
    for e in view.get("involvements", []):
        _add_involvement(b, v, e)


def _household_label(hh: dict[str, Any]) -> str:
    if hh.get("address_status") == "none":
        return "No known address"
    address = hh.get("address") or "No known address"
    return address.split(",")[0] + (f"\n{hh['postcode']}" if hh.get("postcode") else "")


def _add_household(b: Builder, v: _Adding, h: dict[str, Any]) -> None:
    hh = h["household"]
    hid = f"household:{hh['id']}"
    b.node(hid, "household", _household_label(hh),
           {"address": hh.get("address") or "no known address", "postcode": hh.get("postcode"),
            "local authority": hh.get("local_authority"),
            "address status": (hh.get("address_status") or "").replace("_", " ")},
           v.ring("household"), **({"household_id": hh["id"]} if v.level != "sibling" else {}))
    verb = "lived here" if h.get("ceased") else "lives here"
    b.edge(f"lives:{v.child['id']}:{hh['id']}", v.cid, hid, "lives_in",
           f"{verb}\n{span(h.get('since'), h.get('until'))}", ceased=h.get("ceased", False),
           details={"since": iso(h.get("since")), "until": iso(h.get("until"))})
    for m in h["members"]:
        is_child = m.get("label") == "Child"
        mid = f"{'child' if is_child else 'adult'}:{m['id']}"
        if b.node(mid, "sibling" if is_child else "adult", full_name(m),
                  {"id": m["id"], "name": full_name(m)}, v.ring("adult"),
                  **({"child_id": m["id"]} if is_child else {})):
            b.edge(f"lives:{m['id']}:{hh['id']}", mid, hid, "lives_in",
                   "lived here" if m.get("ceased") else "lives here",
                   ceased=m.get("ceased", False),
                   details={"since": iso(m.get("since")), "until": iso(m.get("until"))})


def _add_carer(b: Builder, v: _Adding, c: dict[str, Any]) -> None:
    adult = c["adult"]
    aid = f"adult:{adult['id']}"
    relation = "parent" if c["relationship"] == "PARENT_OF" else "carer"
    if c.get("parental_responsibility"):
        relation += " (PR)"
    b.node(aid, "adult", full_name(adult), {"id": adult["id"], "name": full_name(adult),
                                        "phone": adult.get("phone"), "email": adult.get("email")},
           v.ring("adult"))
    b.edge(f"carer:{adult['id']}:{v.child['id']}", aid, v.cid, "carer", relation,
           details={"relationship": relation})


def _add_sibling(b: Builder, v: _Adding, s: dict[str, Any]) -> None:
    sib = s["sibling"]
    sid = f"child:{sib['id']}"
    if b.node(sid, "sibling", full_name(sib), {"id": sib["id"], "name": full_name(sib),
                                           "date of birth": iso(sib.get("date_of_birth"))},
              v.ring("sibling"), child_id=sib["id"]):
        a, z = sorted((v.cid, sid))
        b.edge(f"sibling:{a}:{z}", v.cid, sid, "sibling", "sibling",
               details={"shared": " and ".join(s.get("via") or [])})


def _add_universal(b: Builder, v: _Adding, u: dict[str, Any]) -> None:
    svc = u["service"]
    uid = f"service:{svc['id']}"
    kind = "school" if u["kind"] == "school" else "GP practice"
    b.node(uid, "universal", f"{svc.get('name')}\n({kind})",
           {"name": svc.get("name"), "type": kind, "local authority": svc.get("local_authority")},
           v.ring("universal"))
    verb = ("attended" if u.get("ceased") else "attends") if u["kind"] == "school" else \
        ("was registered" if u.get("ceased") else "registered")
    b.edge(f"{u['kind']}:{v.child['id']}:{svc['id']}:{iso(u.get('since'))}", v.cid, uid,
           u["kind"], f"{verb}\n{span(u.get('since'), u.get('until'))}",
           ceased=u.get("ceased", False),
           details={"since": iso(u.get("since")), "until": iso(u.get("until"))})


def _add_involvement(b: Builder, v: _Adding, e: dict[str, Any]) -> None:
    inv, prac, svc = e["involvement"], e["practitioner"], e["service"]
    pid, sid = f"practitioner:{prac['id']}", f"service:{svc['id']}"
    lead, caf = bool(inv.get("lead")) and not e.get("ceased"), bool(inv.get("caf"))
    profession = (prac.get("profession") or "").replace("_", " ")
    if not b.node(pid, "practitioner", full_name(prac) + f"\n{profession}",
                  {"id": prac["id"], "name": full_name(prac), "profession": profession,
                   "phone": prac.get("phone"), "email": prac.get("email"),
                   "service": svc.get("name")}, v.ring("practitioner"), practitioner_id=prac["id"]):
        return
    # Lead professional and CAF are marked for the root child's own involvements only.
    if v.root and lead:
        b.nodes[pid]["lead"] = True
    if v.root and caf:
        b.nodes[pid]["caf"] = True
    b.node(sid, "service", f"{svc.get('name')}", {"name": svc.get("name"),
                                                  "type": (svc.get("type") or "").replace("_", " "),
                                                  "local authority": svc.get("local_authority")},
           v.ring("service"))
    flags = (["LEAD"] if lead else []) + (["CAF"] if caf else [])
    b.edge(f"involvement:{inv.get('id') or prac['id'] + v.child['id']}", pid, v.cid, "involvement",
           "\n".join([inv.get("role") or "involved", span(inv.get("since"), inv.get("until"))]
                     + ([" · ".join(flags)] if flags else [])),
           ceased=e.get("ceased", False), lead=lead, caf=caf,
           details={"role": inv.get("role"), "since": iso(inv.get("since")),
                    "until": iso(inv.get("until")), "lead professional": "yes" if lead else "",
                    "CAF held": "yes" if caf else "", "service": svc.get("name")})
    b.edge(f"works:{prac['id']}:{svc['id']}", pid, sid, "works_for", "")
