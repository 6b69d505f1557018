"""The conference list over HTTP on small graphs made for each case, signed in through the
real login: what a chair and the management team see, due dates and overdue flags, sorting
by an allow-listed key, shielding and sensitive services, and the audit trail."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from explorer import audit, reviews
from explorer.graph import Graph


def _text(reply) -> str:
    return reply.get_data(as_text=True)


def _graph(graph: Graph, *, children, conferences, involvements=(), services=(),
           practitioners=()) -> None:
    graph.run_autocommit("""
        UNWIND $children AS c
        CREATE (:Child {id: c.id, given_name: c.given, family_name: c.family,
                        date_of_birth: date('2015-01-01'), gender: 'female',
                        shielded: coalesce(c.shielded, false), status: c.status,
                        plan_category: c.category, plan_start: c.plan_start})
        WITH count(*) AS done
        UNWIND $conferences AS k
        MATCH (c:Child {id: k.child})
        CREATE (:Conference {id: k.id, date: k.date, kind: k.kind, chair: k.chair,
                             strategy_discussion: k.strategy})-[:ABOUT]->(c)
        """, children=list(children), conferences=list(conferences))
    graph.run_autocommit("""
        UNWIND $services AS s CREATE (:Service {id: s.id, name: s.name, type: s.type,
                                                sensitive: s.sensitive})
        WITH count(*) AS done
        UNWIND $practitioners AS p
        CREATE (:Practitioner {id: p.id, given_name: p.given, family_name: p.family,
                               profession: p.profession})
        WITH count(*) AS done
        UNWIND $involvements AS i
        MATCH (p:Practitioner {id: i.practitioner}), (c:Child {id: i.child})
        CREATE (p)-[:INVOLVED_WITH {id: i.id, service_id: i.service, role: i.role,
                                    since: date('2024-01-01'), lead: i.lead,
                                    consent_to_share: coalesce(i.consent, false)}]->(c)
        """, services=list(services), practitioners=list(practitioners),
        involvements=list(involvements))


def _rows(page: str) -> list[str]:
    """The body rows of the conference table, as text without tags."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row.split(">", 1)[1]).split())
            for row in body.split("<tr")[1:]]


@pytest.fixture
def chair_client(app, graph, make_user, login_as):
    def make(username="chair", roles=("chair",)):
        make_user(username, list(roles))
        client = app.test_client()
        login_as(client, username)
        return client
    return make


def test_the_chair_sees_zoe_overdue_on_the_demo(signed_in, demo):
    """The issue's case: Zoë's review was due on 2026-12-01 (six months after her review on
    2026-06-01) and nothing said so."""
    TODAY = date.today()  # per test: the server reads the date per request
    # The seed's strategy discussion is loaded with its initial conference.
    stored = demo.run_autocommit("MATCH (k:Conference {id: 'K-ZOE-1'}) RETURN k.strategy_discussion AS d")
    assert stored[0]["d"].isoformat() == "2026-02-13"
    client = signed_in("chair", ["chair"])
    page = _text(client.get("/conferences"))
    rows = _rows(page)
    assert len(rows) == 1 and "Zoë O&#39;Brien" in rows[0]  # not Daniel: chair2 chairs his
    due = reviews.months_after(date(2026, 6, 1), 6)
    assert str(due) in rows[0] and "(review)" in rows[0]
    assert ("Overdue" in rows[0]) == (due < TODAY)
    assert "neglect" in rows[0] and "Amara Okafor" in rows[0]  # plan category, lead professional
    # The first page points the chair to it.
    assert "/conferences" in _text(client.get("/"))


def test_due_dates_follow_the_rules_and_overdue_is_flagged(graph, chair_client):
    TODAY = date.today()  # per test: the server reads the date per request
    long_ago = TODAY - timedelta(days=400)
    _graph(graph, children=[
        {"id": "C-INIT", "given": "Ina", "family": "Initial", "status": "child_in_need"},
        {"id": "C-FIRST", "given": "Fia", "family": "First", "status": "cp_plan",
         "category": "physical", "plan_start": TODAY - timedelta(days=20)},
        {"id": "C-LATE", "given": "Lou", "family": "Late", "status": "cp_plan",
         "category": "emotional", "plan_start": long_ago},
        {"id": "C-ENDED", "given": "Eda", "family": "Ended", "status": "child_in_need"},
    ], conferences=[
        # Strategy discussion 5 days ago, initial conference booked in 30 days: late.
        {"id": "K1", "child": "C-INIT", "date": TODAY + timedelta(days=30), "kind": "initial",
         "chair": "chair", "strategy": TODAY - timedelta(days=5)},
        {"id": "K2", "child": "C-FIRST", "date": TODAY - timedelta(days=20), "kind": "initial",
         "chair": "chair"},
        {"id": "K3", "child": "C-LATE", "date": long_ago, "kind": "initial", "chair": "chair"},
        {"id": "K4", "child": "C-LATE", "date": long_ago + timedelta(days=80), "kind": "review",
         "chair": "chair"},
        {"id": "K5", "child": "C-ENDED", "date": long_ago, "kind": "initial", "chair": "chair"},
        {"id": "K6", "child": "C-ENDED", "date": long_ago, "kind": "initial", "chair": "other"},
    ])
    client = chair_client()
    rows = {row.split()[2]: row for row in _rows(_text(client.get("/conferences")))}
    initial_due = reviews.working_days_after(TODAY - timedelta(days=5), 15)
    assert f"{initial_due} (initial)" in rows["C-INIT"] and "Booked after due date" in rows["C-INIT"]
    assert f"{TODAY + timedelta(days=30)} (initial)" in rows["C-INIT"]  # the next conference
    first_due = reviews.months_after(TODAY - timedelta(days=20), 3)
    assert f"{first_due} (review)" in rows["C-FIRST"] and "Overdue" not in rows["C-FIRST"]
    assert "20 days" in rows["C-FIRST"] and "physical" in rows["C-FIRST"]
    late_due = reviews.months_after(long_ago + timedelta(days=80), 6)
    assert f"{late_due} (review)" in rows["C-LATE"] and "Overdue" in rows["C-LATE"]
    assert "1 year 1 month" in rows["C-LATE"]
    assert "None due" in rows["C-ENDED"]  # no plan: no review


def test_sorting_by_each_allowed_key_and_refusing_others(graph, chair_client):
    TODAY = date.today()  # per test: the server reads the date per request
    _graph(graph, children=[
        {"id": f"C{i}", "given": g, "family": f, "status": "cp_plan", "category": cat,
         "plan_start": TODAY - timedelta(days=days)}
        for i, (g, f, cat, days) in enumerate([("Ann", "Zed", "neglect", 300),
                                               ("Bob", "Young", "sexual", 40),
                                               ("Cat", "Abel", "emotional", 100)])
    ], conferences=[
        {"id": f"K{i}", "child": f"C{i}", "date": TODAY - timedelta(days=days), "kind": "initial",
         "chair": "chair"} for i, days in enumerate([300, 40, 100])
    ], services=[{"id": "S1", "name": "Social care", "type": "social_care", "sensitive": False}],
        practitioners=[{"id": "P1", "given": "Yan", "family": "Lead", "profession": "social_worker"},
                       {"id": "P2", "given": "Abe", "family": "Lead", "profession": "social_worker"}],
        involvements=[{"id": "I1", "practitioner": "P1", "child": "C0", "service": "S1",
                       "role": "allocated social worker", "lead": True},
                      {"id": "I2", "practitioner": "P2", "child": "C2", "service": "S1",
                       "role": "allocated social worker", "lead": True}])
    client = chair_client()

    def order(query: str) -> list[str]:
        reply = client.get("/conferences" + query)
        assert reply.status_code == 200
        return [row.split()[2] for row in _rows(_text(reply))]

    assert order("") == ["C0", "C2", "C1"]  # review due, soonest first (C0 is overdue)
    assert order("?sort=due&order=desc") == ["C1", "C2", "C0"]
    assert order("?sort=child") == ["C2", "C1", "C0"]  # Abel, Young, Zed
    assert order("?sort=plan") == ["C2", "C0", "C1"]  # emotional, neglect, sexual
    assert order("?sort=duration") == ["C1", "C2", "C0"]  # shortest plan first
    assert order("?sort=lead") == ["C2", "C0", "C1"]  # Abe, Yan, none last
    assert order("?sort=lead&order=desc") == ["C0", "C2", "C1"]  # none still last
    for bad in ("?sort=c.id", "?sort=due%20DESC", "?order=sideways", "?page=two"):
        reply = client.get("/conferences" + bad)
        assert reply.status_code == 400 and "Traceback" not in _text(reply)


def test_management_sees_every_conference_and_a_chair_only_their_own(graph, chair_client):
    TODAY = date.today()  # per test: the server reads the date per request
    _graph(graph, children=[
        {"id": "C-MINE", "given": "Mia", "family": "Mine", "status": "cp_plan"},
        {"id": "C-THEIRS", "given": "Tia", "family": "Theirs", "status": "cp_plan"},
    ], conferences=[
        {"id": "K1", "child": "C-MINE", "date": TODAY, "kind": "initial", "chair": "chair"},
        {"id": "K2", "child": "C-THEIRS", "date": TODAY, "kind": "initial", "chair": "chair2"},
    ])
    chair = _text(chair_client().get("/conferences"))
    assert "C-MINE" in chair and "C-THEIRS" not in chair
    management = _text(chair_client("boss", ("management",)).get("/conferences"))
    assert "C-MINE" in management and "C-THEIRS" in management and "Every conference" in management
    assert chair_client("pat", ("practitioner",)).get("/conferences").status_code == 403


def test_shielded_child_and_sensitive_lead_are_withheld(graph, chair_client):
    TODAY = date.today()  # per test: the server reads the date per request
    _graph(graph, children=[
        {"id": "C-SH", "given": "Sal", "family": "Shield", "status": "cp_plan", "shielded": True,
         "category": "sexual", "plan_start": TODAY - timedelta(days=30)},
        {"id": "C-SE", "given": "Sam", "family": "Sense", "status": "cp_plan", "category": "neglect"},
    ], conferences=[
        {"id": "K1", "child": "C-SH", "date": TODAY - timedelta(days=30), "kind": "initial",
         "chair": "chair"},
        {"id": "K2", "child": "C-SE", "date": TODAY - timedelta(days=30), "kind": "initial",
         "chair": "chair"},
    ], services=[{"id": "S-CAMHS", "name": "Hidden CAMHS", "type": "camhs", "sensitive": True},
                 {"id": "S-REF", "name": "Refuge outreach", "type": "other", "sensitive": False}],
        practitioners=[{"id": "P-C", "given": "Cara", "family": "Secret", "profession": "other"},
                       {"id": "P-R", "given": "Rae", "family": "Refuge", "profession": "other"}],
        involvements=[{"id": "I1", "practitioner": "P-C", "child": "C-SE", "service": "S-CAMHS",
                       "role": "clinician", "lead": True},
                      {"id": "I2", "practitioner": "P-R", "child": "C-SH", "service": "S-REF",
                       "role": "worker", "lead": True}])
    page = _text(chair_client().get("/conferences"))
    rows = {row.split()[2]: row for row in _rows(page)}
    # The shielded child: name and id only, no conference dates, plan or practitioner.
    assert "Shielded" in rows["C-SH"] and "withheld" in rows["C-SH"]
    for hidden in ("Refuge", "sexual", str(TODAY - timedelta(days=30))):
        assert hidden not in rows["C-SH"]
    # A sensitive service's lead, with no consent: not even its existence.
    assert "Secret" not in page and "CAMHS" not in page and "None" in rows["C-SE"]
    management = _text(chair_client("boss", ("management",)).get("/conferences"))
    assert "Rae Refuge" in management and "sexual" in management


def test_the_list_is_audited_with_the_children_it_showed(graph, chair_client):
    TODAY = date.today()  # per test: the server reads the date per request
    _graph(graph, children=[{"id": "C1", "given": "A", "family": "B", "status": "cp_plan"}],
           conferences=[{"id": "K1", "child": "C1", "date": TODAY, "kind": "initial",
                         "chair": "chair"}])
    page = _text(chair_client().get("/conferences?sort=child"))
    event = audit.search(graph, action="conference.list", limit=10)[0]
    assert event["id"] in page
    assert list(event["returned_ids"]) == ["C1"]
    assert json.loads(event["params"])["sort"] == "child"


def test_warnings_count_matches_the_ecomap(signed_in, demo):
    # Zoë with no GP on record: the ecomap warns, and the list counts the same warnings.
    demo.run_autocommit("MATCH (:Child {id: 'C-ZOE'})-[r:REGISTERED_WITH]->() DELETE r")
    client = signed_in("chair", ["chair"])
    network = client.get("/api/children/C-ZOE/network").get_json()
    assert "no-gp" in [w["code"] for w in network["warnings"]]
    count = len(network["warnings"])
    row = _rows(_text(client.get("/conferences")))[0]
    assert re.search(rf"\b{count} warnings? for Zoë", row), row
