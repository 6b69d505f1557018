"""Network views over HTTP on the demo seed (seed/demo/README.md tells the stories): the
ecomap's JSON through the policy for each role, the as-of date and the ceased toggle, depth 2
and expanding only through each child's own view, warnings, paths, audited exports, the
household and caseload pages, and names that are text."""

from __future__ import annotations

import itertools
import json
import math
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer import audit, ecomap
from explorer.graph import Graph
from tests.test_child_views import REFUGE_WORDS, SHIELDED


def _net(client, child_id: str, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    reply = client.get(f"/api/children/{child_id}/network?{query}")
    assert reply.status_code == 200, reply.status_code
    return reply.get_json()


def _labels(net: dict) -> str:
    return " | ".join(n["label"] for n in net["nodes"])


def _edge(net: dict, edge_id: str) -> dict | None:
    return next((e for e in net["edges"] if e["id"] == edge_id), None)


def test_chair_sees_zoes_whole_network_with_lead_caf_and_plan(signed_in):
    client = signed_in("chair", ["chair"])
    net = _net(client, "C-ZOE")
    ids = {n["id"] for n in net["nodes"]}
    assert {"child:C-ZOE", "child:C-LIAM", "child:C-AVA", "adult:A-KEVIN", "adult:A-SIOBHAN",
            "household:H-OBRIEN", "practitioner:P-SW1", "practitioner:P-POL1", "service:S-OAK",
            "service:S-GP-HIGH", "service:S-CSC"} <= ids
    lead = next(n for n in net["nodes"] if n["id"] == "practitioner:P-SW1")
    assert lead["lead"] and "LEAD PROFESSIONAL" in lead["label"] and lead["borderWidth"] > 1
    assert lead["details"]["phone"] == "01632 960101"
    police = _edge(net, "involvement:I-004")
    assert police["ceased"] and police["dashes"]
    assert net["plan"]["category"] == "neglect" and net["plan"]["start"] == "2026-03-02"
    assert net["options"]["physics"] == {"enabled": False}
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in net["nodes"])
    centre = next(n for n in net["nodes"] if n["id"] == "child:C-ZOE")
    assert (centre["x"], centre["y"], centre["shape"]) == (0, 0, "star")


def test_the_same_network_is_drawn_the_same_every_time(signed_in):
    client = signed_in("management", ["management"])
    first = _net(client, "C-ADA", depth=2)
    ecomap.memo.MEMO.clear()  # laid out again, not drawn from the geometry kept
    second = _net(client, "C-ADA", depth=2)
    strip = lambda net: json.dumps([net["nodes"], net["edges"], net["options"]], sort_keys=True)  # noqa: E731
    assert strip(first) == strip(second)


def _off_segment(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """How far point p is from the segment a-b."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy or 1)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _drawn(a: tuple[float, float], b: tuple[float, float], smooth) -> list[tuple[float, float]]:
    """Points along an edge as vis-network draws it: straight, or its quadratic curve, whose
    control point vis-network 9.1 computes thus for 'curvedCW' and 'curvedCCW'."""
    if not smooth:
        return [a, b]
    dx, dy, f = b[0] - a[0], a[1] - b[1], 0.5 * smooth["roundness"] + 0.5
    turn = f if smooth["type"] == "curvedCW" else 0.5 - 0.5 * smooth["roundness"]
    angle = math.atan2(dy, dx) + turn * math.pi
    c = (a[0] + f * math.hypot(dx, dy) * math.sin(angle), a[1] + f * math.hypot(dx, dy) * math.cos(angle))
    return [tuple((1 - t) ** 2 * a[i] + 2 * (1 - t) * t * c[i] + t * t * b[i] for i in (0, 1))
            for t in (k / 40 for k in range(41))]


def _crowded(net: dict, clearance: float) -> list[str]:
    """Nodes drawn on (within ``clearance`` of) a line they are not an end of."""
    at = {n["id"]: (n["x"], n["y"]) for n in net["nodes"]}
    found = []
    for e in net["edges"]:
        line = _drawn(at[e["from"]], at[e["to"]], e.get("smooth"))
        found += [f"{n} on {e['from']} - {e['to']}" for n in at if n not in (e["from"], e["to"])
                  and min(_off_segment(at[n], p, q) for p, q in itertools.pairwise(line)) < clearance]
    return found


@pytest.mark.parametrize(("role", "child_id"), [("chair", "C-ZOE"), ("management", "C-ADA")])
def test_the_map_reads_clearly(signed_in, role, child_id):
    """No person or place is drawn on a line it is not part of, and each practitioner is
    drawn beside the service or school they work for."""
    net = _net(signed_in(role, [role]), child_id)
    assert _crowded(net, 30) == []
    at = {n["id"]: (n["x"], n["y"]) for n in net["nodes"]}
    works = [e for e in net["edges"] if e["kind"] == "works_for"]
    assert works
    for e in works:
        assert math.dist(at[e["from"]], at[e["to"]]) <= 1.25 * ecomap.RING_GAP, e["id"]


def test_lines_other_childrens_views_add_bend_round_the_nodes_they_would_cross(signed_in):
    client = signed_in("management", ["management"])
    flat = _net(client, "C-ZOE")
    deep = _net(client, "C-ZOE", depth=2)
    # The child's own lines stay straight (parallel ones apart); at depth 2 some must bend.
    assert not any(e["smooth"] for e in flat["edges"])
    assert any(e["smooth"] for e in deep["edges"])
    assert _crowded(deep, 25) == []


@settings(max_examples=150, deadline=None)
@given(households=st.lists(st.integers(0, 4), max_size=3), loose=st.integers(0, 4),
       services=st.lists(st.integers(1, 4), max_size=12), schools=st.integers(0, 2))
def test_no_line_from_the_child_to_a_professional_runs_through_the_family(households, loose,
                                                                           services, schools):
    nodes, edges, ring = {"c": {"kind": "child"}}, {}, {"c": 0}

    def add(node_id: str, kind: str, joined: list[str]) -> None:
        nodes[node_id] = {"kind": kind}
        ring[node_id] = ecomap.ROOT_RING[kind]
        for other in joined:
            edges[f"{node_id}-{other}"] = {"from": node_id, "to": other}

    for h, members in enumerate(households):
        add(f"h{h}", "household", ["c"])
        for m in range(members):
            add(f"h{h}a{m}", "adult", [f"h{h}", "c"])  # lives there; a parent or carer
    for i in range(loose):
        add(f"s{i}", "sibling", ["c"])
    for u in range(schools):
        add(f"u{u}", "universal", ["c"])
        add(f"u{u}p", "practitioner", ["c", f"u{u}"])
    for s, staff in enumerate(services):
        add(f"v{s}", "service", [])
        for p in range(staff):
            add(f"v{s}p{p}", "practitioner", ["c", f"v{s}"])
    pos = ecomap.layout(nodes, edges, ring, "c")
    assert pos == ecomap.layout(dict(reversed(nodes.items())), edges, ring, "c")
    family = [n for n in nodes if ring[n] == ecomap.FAMILY_RING]
    spokes = [n for n in nodes if ring[n] == ecomap.PROFESSIONAL_RING]
    for n in family:
        for p in spokes:
            assert _off_segment(pos[n], pos["c"], pos[p]) >= 40, (n, p)
    drawn = {"nodes": [{"id": n, "x": x, "y": y} for n, (x, y) in pos.items()],
             "edges": list(edges.values())}
    assert _crowded(drawn, 25) == []
    placed = list(pos.values())
    nearest = min((math.dist(a, b) for i, a in enumerate(placed) for b in placed[i + 1:]),
                  default=math.inf)
    assert nearest >= 100


def test_hiding_ceased_and_moving_the_date(signed_in):
    client = signed_in("chair", ["chair"])
    assert _edge(_net(client, "C-ZOE", ceased=0), "involvement:I-004") is None
    # 2026-03-01: the police officer was involved (not yet ceased); the GP (from 2026-03-02)
    # and the plan (from 2026-03-02) were not there yet.
    before = _net(client, "C-ZOE", as_of="2026-03-01")
    police = _edge(before, "involvement:I-004")
    assert police and not police["ceased"] and not police["dashes"]
    assert _edge(before, "involvement:I-003") is None
    assert before["plan"] is None
    assert client.get("/api/children/C-ZOE/network?as_of=yesterday").status_code == 400
    assert client.get("/api/children/C-ZOE/network?depth=3").status_code == 400


def test_practitioner_sees_current_involvements_only_and_no_plan_category(signed_in):
    client = signed_in("sw1", ["practitioner"], practitioner_id="P-SW1")
    net = _net(client, "C-ZOE", as_of="2026-03-01")
    assert net["level"] == "involved"
    assert _edge(net, "involvement:I-004") is None  # ended before today: not for practitioners
    # Siblings are for chairs: Liam shows as a member of the current household, Ava not at all.
    assert not any(e["kind"] == "sibling" for e in net["edges"])
    assert "child:C-AVA" not in {n["id"] for n in net["nodes"]}
    assert _net(client, "C-ZOE")["plan"]["category"] is None


def test_a_repeat_plan_shows_its_history_to_the_chair_and_not_to_a_practitioner(signed_in):
    """Zoë's current plan (neglect, from 2026-03-02) follows an earlier one (neglect,
    2021-06-14 to 2022-09-26): the chair sees it is a repeat plan, and on a date inside the
    earlier plan the badge shows that plan. A practitioner sees no plan history at all."""
    chair = signed_in("chair", ["chair"])
    badge = _net(chair, "C-ZOE")["plan"]
    assert badge["earlier_plans"] == 1 and "repeat plan: 1 earlier" in badge["text"]
    then = _net(chair, "C-ZOE", as_of="2022-01-10")["plan"]
    assert (then["start"], then["end"], then["earlier_plans"]) == ("2021-06-14", "2022-09-26", 0)
    page = chair.get("/children/C-ZOE").get_data(as_text=True)
    assert "Previous plans" in page and "2021-06-14 to 2022-09-26" in page

    sw1 = signed_in("sw1", ["practitioner"], practitioner_id="P-SW1")
    assert _net(sw1, "C-ZOE")["plan"]["earlier_plans"] == 0
    assert _net(sw1, "C-ZOE", as_of="2022-01-10")["plan"] is None
    page = sw1.get("/children/C-ZOE").get_data(as_text=True)
    assert "Previous plans" not in page and "2021-06-14" not in page


def test_sensitive_service_without_consent_is_not_drawn(signed_in):
    client = signed_in("management", ["management"])
    net = _net(client, "C-MAYA")
    assert "CAMHS" not in json.dumps(net)
    assert "school nurse" in json.dumps(net)


def test_shielded_child_ecomap_is_the_child_alone(signed_in):
    client = signed_in("sw3", ["practitioner"], practitioner_id="P-SW3")
    net = _net(client, SHIELDED, depth=2)
    assert [n["id"] for n in net["nodes"]] == [f"child:{SHIELDED}"]
    assert net["warnings"] == []
    text = json.dumps(net) + client.get(f"/children/{SHIELDED}/ecomap").get_data(as_text=True)
    # P-SW3 is the viewer: their own id is in their "My caseload" link.
    assert not [w for w in REFUGE_WORDS if w in text and w != "P-SW3"]


def test_depth_two_and_expand_go_through_each_childs_own_view(signed_in):
    chair = signed_in("chair", ["chair"])
    net = _net(chair, "C-ZOE", depth=2)
    # The chair chairs Zoë only: Liam and Ava are drawn as the sibling rule shows them (where
    # they live and who works with them now), not their own networks (tests/test_siblings.py).
    assert set(net["expanded"]) == {"C-LIAM", "C-AVA"} and net["not_expandable"] == []
    assert "practitioner:P-SW4" not in {n["id"] for n in net["nodes"]}  # Ava's ceased one
    manager = signed_in("management", ["management"])
    deep = _net(manager, "C-ZOE", depth=2)
    assert set(deep["expanded"]) == {"C-LIAM", "C-AVA"}
    assert {"practitioner:P-HV2", "household:H-KEVIN"} <= {n["id"] for n in deep["nodes"]}
    assert _net(manager, "C-ZOE", expand="C-AVA")["expanded"] == ["C-AVA"]


def test_node_cap_is_reported(signed_in, demo: Graph):
    client = signed_in("management", ["management"])
    net = ecomap.build(demo, _Viewer("m", {"management"}), "C-ZOE", today=date.today(),
                       on=date.today(), depth=2, cap=5)
    assert net["capped"] and len(net["nodes"]) == 5 and net["not_drawn"] > 0
    assert client.get("/api/children/C-ZOE/network").get_json()["capped"] is False


def test_the_audit_records_every_child_the_answer_names_even_past_the_node_cap(demo: Graph):
    """The warnings and the sibling hint name siblings; past the cap a sibling is not drawn
    but may still be named, so it is still among the ids the audit event records."""
    manager, today = _Viewer("m", {"management"}), date.today()
    # On this day Zoë's siblings had a different social worker (seed/demo/README.md).
    found = ecomap.gather(demo, manager, "C-ZOE", today=today, on=date(2026, 4, 1), cap=1)
    net = ecomap.finish(demo, manager, found, today=today)
    assert [n["id"] for n in net["nodes"]] == ["child:C-ZOE"]  # the siblings are past the cap
    named = " ".join(w["message"] for w in net["warnings"]) + " ".join(net["siblings_not_compared"])
    assert "O'Brien" in named  # a sibling named though not drawn
    assert {"C-ZOE", "C-LIAM", "C-AVA"} <= set(found.child_ids) == set(net["child_ids"])


class _Viewer:
    def __init__(self, username: str, roles: set[str], practitioner_id: str | None = None):
        self.username, self.roles, self.practitioner_id = username, frozenset(roles), practitioner_id
        self.user_id = "u"


@pytest.mark.parametrize(("child_id", "on", "code"), [
    ("C-ADA", "", "no-lead-professional"),
    ("C-JOSE", "", "no-gp"),
    ("C-TYLER", "", "no-school"),
    ("C-ZOE", "2026-05-10", "recently-ended"),
    ("C-ZOE", "2026-04-01", "siblings-different-social-workers"),
])
def test_coordination_warnings_on_the_demo_stories(signed_in, child_id, on, code):
    client = signed_in("management", ["management"])
    # At the depth a chair opens (1): siblings are compared whether or not they are drawn.
    net = _net(client, child_id, **({"as_of": on} if on else {}))
    assert code in [w["code"] for w in net["warnings"]]
    assert net["siblings_not_compared"] == []  # management may open every sibling's record


def test_zoe_today_has_none_of_the_story_warnings(signed_in):
    client = signed_in("chair", ["chair"])
    assert _net(client, "C-ZOE")["warnings"] == []


def test_path_between_two_people_within_the_view(signed_in):
    client = signed_in("chair", ["chair"])
    reply = client.get("/api/children/C-ZOE/path?from=child:C-AVA&to=practitioner:P-SW1")
    steps = [s["id"] for s in reply.get_json()["path"] if s["type"] == "node"]
    assert steps[0] == "child:C-AVA" and steps[-1] == "practitioner:P-SW1" and len(steps) == 3
    hidden = client.get("/api/children/C-ZOE/path?from=child:C-ZOE&to=practitioner:P-HV2")
    assert hidden.get_json()["path"] == []  # Ava's health visitor is outside the chair's view


def test_exports_are_audited_before_they_happen(signed_in, demo: Graph):
    client = signed_in("chair", ["chair"])
    reply = client.post("/api/children/C-ZOE/exports", json={"kind": "png", "as_of": "2026-05-01"})
    assert reply.status_code == 200
    answer = reply.get_json()
    assert answer["viewer"] == "chair" and answer["marking"] == "OFFICIAL-SENSITIVE"
    events = audit.search(demo, username="chair")
    recorded = next(e for e in events if e["id"] == answer["event_id"])
    assert recorded["action"] == "child.export.png" and "C-ZOE" in recorded["returned_ids"]
    printed = client.post("/api/children/C-ZOE/exports", data={"kind": "print"}).get_json()
    assert next(e for e in audit.search(demo, username="chair")
                if e["id"] == printed["event_id"])["action"] == "child.export.print"
    assert client.post("/api/children/C-ZOE/exports", json={"kind": "pdf"}).status_code == 400
    assert client.post("/api/children/C-DANIEL/exports", json={"kind": "png"}).status_code == 404


def test_network_requests_are_audited_as_child_views(signed_in, demo: Graph):
    client = signed_in("chair", ["chair"])
    net = _net(client, "C-ZOE")
    event = next(e for e in audit.search(demo, username="chair") if e["id"] == net["event_id"])
    assert event["action"] == "child.network" and "C-ZOE" in event["returned_ids"]


def test_a_name_with_markup_is_text(signed_in, demo: Graph):
    demo.run_autocommit("MATCH (c:Child {id: 'C-ZOE'}) SET c.given_name = $n",
                        n="<img src=x onerror=alert(1)>")
    client = signed_in("chair", ["chair"])
    page = client.get("/children/C-ZOE/ecomap").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    reply = client.get("/api/children/C-ZOE/network")
    assert reply.mimetype == "application/json"
    centre = next(n for n in reply.get_json()["nodes"] if n["id"] == "child:C-ZOE")
    assert centre["label"].startswith("<img src=x")  # data, drawn by vis as canvas text


def test_ecomap_page_has_no_inline_script_or_style(signed_in):
    client = signed_in("chair", ["chair"])
    page = client.get("/children/C-ZOE/ecomap").get_data(as_text=True)
    assert "<script>" not in page and "<style" not in page and " style=" not in page
    assert "/static/vendor/vis-network/vis-network.min.js" in page


def test_household_shows_only_children_seen_there(signed_in):
    chair = signed_in("chair", ["chair"])
    page = chair.get("/households/H-OBRIEN").get_data(as_text=True)
    # Names are isolated in <bdi> (bidirectional text): read the page's words without it.
    lives_here, involved = " ".join(re.sub("</?bdi>", "", page).split()).split(
        "Children and who is involved with each")
    # Who lives there, as Zoë's own record shows it to her chair: Liam too, and Kevin, who left.
    for person in ("Zoë O&#39;Brien (child)", "Liam O&#39;Brien (child)",
                   "Siobhán O&#39;Brien (adult)", "Kevin O&#39;Brien (adult)"):
        assert person in lives_here, person
    assert "until 2021-03-31" in lives_here
    assert "Zoë" in involved and "Liam" not in involved  # the chair may not open Liam's record
    assert chair.get("/households/H-KEVIN").status_code == 404
    manager = signed_in("management", ["management"])
    page = manager.get("/households/H-OBRIEN").get_data(as_text=True)
    assert "Zoë" in page and "Liam" in page and "Amara" in page


def test_the_household_audit_records_every_child_the_page_names(signed_in, demo: Graph):
    chair = signed_in("chair", ["chair"])
    assert "Liam" in chair.get("/households/H-OBRIEN").get_data(as_text=True)
    event = next(e for e in audit.search(demo, username="chair")
                 if e["action"] == "child.household")
    # Liam is named under "Who lives here" though the chair may not open his record.
    assert set(event["returned_ids"]) == {"C-ZOE", "C-LIAM"}


def test_caseload_for_the_practitioner_and_management_only(signed_in):
    sw1 = signed_in("sw1", ["practitioner"], practitioner_id="P-SW1")
    page = sw1.get("/practitioners/P-SW1/caseload").get_data(as_text=True)
    for name in ("Zoë", "Liam", "Oliver", "Daniel", "Muhammad"):
        assert name in page
    assert sw1.get("/practitioners/P-SW2/caseload").status_code == 404
    sw3 = signed_in("sw3", ["practitioner"], practitioner_id="P-SW3")
    page = sw3.get("/practitioners/P-SW3/caseload").get_data(as_text=True)
    assert "Ellie" in page and "Withheld: shielded" in page
    assert not [w for w in REFUGE_WORDS if w in page and w != "P-SW3"]  # the viewer's own id
    manager = signed_in("management", ["management"])
    assert "Tyler" in manager.get("/practitioners/P-SW3/caseload").get_data(as_text=True)


def test_a_practitioner_involved_twice_with_a_child_shows_both_involvements(signed_in, demo: Graph):
    # A social worker allocated to Zoë before, and again now: two edges between the same two
    # nodes. Neither may be lost (pyvis drops the second of an undirected pair), and they
    # curve apart so both can be seen.
    demo.run_autocommit("""
        MATCH (p:Practitioner {id: 'P-SW1'}), (c:Child {id: 'C-ZOE'})
        CREATE (p)-[:INVOLVED_WITH {id: 'I-EARLIER', key: 'I-EARLIER', service_id: 'S-CSC',
                role: 'allocated social worker', since: date('2023-01-09'),
                until: date('2023-08-31'), lead: false, caf: false, consent_to_share: false,
                source: 'test'}]->(c)""")
    net = _net(signed_in("chair", ["chair"]), "C-ZOE")
    earlier, current = _edge(net, "involvement:I-EARLIER"), _edge(net, "involvement:I-001")
    assert earlier is not None and current is not None
    assert (earlier["from"], earlier["to"]) == (current["from"], current["to"])
    assert earlier["ceased"] and not current["ceased"]
    assert [e["smooth"] for e in (earlier, current)].count(False) == 1


def test_no_network_is_answered_unless_its_audit_event_is_written(signed_in, demo: Graph):
    """The event is written while the network is laid out; if it cannot be written, the answer
    is an error holding nothing of the child's, and the next request recovers."""
    client = signed_in("chair", ["chair"])
    head = demo.run_autocommit("MATCH (h:AuditHead) RETURN h.seq AS seq")[0]["seq"]
    # An event squatting on the next position: the chain's unique seq refuses the append.
    demo.run_autocommit("CREATE (:AuditEvent {id: 'squatter', seq: $seq})", seq=head + 1)
    try:
        for url in ("/api/children/C-ZOE/network?depth=2",
                    "/api/children/C-ZOE/path?from=child:C-AVA&to=practitioner:P-SW1"):
            reply = client.get(url)
            body = reply.get_data(as_text=True)
            assert reply.status_code == 500 and reply.get_json()["error"] == "Something went wrong"
            assert not any(word in body for word in ("C-AVA", "P-SW1", "Zo", "O'Brien", "nodes"))
    finally:
        demo.run_autocommit("MATCH (e:AuditEvent {id: 'squatter'}) DELETE e")
    assert not [e for e in audit.search(demo, username="chair") if not e["action"].startswith("auth.")]
    net = _net(client, "C-ZOE")
    assert [e["id"] for e in audit.search(demo, username="chair", action="child.network")] \
        == [net["event_id"]]
    assert audit.verify(demo).intact
