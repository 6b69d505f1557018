"""What changed between two dates, over HTTP on the demo seed: by default since the last
conference, else since a chosen date; listed, and marked on the map's lines."""

from __future__ import annotations

import json

from explorer import audit
from explorer.graph import Graph


def _net(client, child_id: str = "C-ZOE", **params) -> dict:
    reply = client.get(f"/api/children/{child_id}/network", query_string=params)
    assert reply.status_code == 200, reply.status_code
    return reply.get_json()


def test_changes_since_a_date_are_listed_and_marked(signed_in, graph: Graph):
    chair = signed_in("chair", ["chair"])
    net = _net(chair, as_of="2026-06-01", since="2026-01-01")
    listed = [(c["date"], c["change"], c["what"]) for c in net["changes"]]
    assert ("2026-02-10", "started",
            "investigating officer, strategy discussion: Sarah Lowe (Northmere Police Child "
            "Protection Unit)") in listed
    assert ("2026-04-30", "ended",
            "investigating officer, strategy discussion: Sarah Lowe (Northmere Police Child "
            "Protection Unit)") in listed
    assert ("2026-03-02", "plan started", "Child protection plan: neglect") in listed
    assert ("2026-03-02", "started", "safeguarding lead GP: Priya Nair (High Street Medical Centre)") \
        in listed
    # Nothing from before the date compared with (Amara Okafor since 2025-12-08).
    assert not [c for c in listed if "Amara Okafor" in c[2]]
    edges = {e["id"]: e for e in net["edges"]}
    assert edges["involvement:I-003"]["changed"] == "new"
    assert edges["involvement:I-003"]["label"].startswith("▲ NEW ")
    assert edges["involvement:I-004"]["changed"] == "ended"
    assert edges["involvement:I-001"]["changed"] is None
    assert {"line-new", "line-ended"} <= {item["kind"] for item in net["legend"]}
    # The audit event records the dates compared.
    event = audit.search(graph, action="child.network", limit=1)[0]
    assert json.loads(event["params"])["since"] == "2026-01-01"


def test_people_moving_out_are_changes(signed_in):
    chair = signed_in("chair", ["chair"])
    net = _net(chair, as_of="2021-06-01", since="2021-01-01")
    assert [(c["change"], c["what"], c["edge"]) for c in net["changes"]] == [
        ("moved out", "Kevin O'Brien from 14 Winter Road", "lives:A-KEVIN:H-OBRIEN")]


def test_by_default_a_chair_compares_with_the_last_conference(signed_in, demo: Graph):
    chair = signed_in("chair", ["chair"])
    assert _net(chair)["changes_since"] == "2026-06-01"  # Zoë's review on 2026-06-01
    assert _net(chair, as_of="2026-05-01")["changes_since"] == "2026-03-02"
    # A practitioner sees no conferences, so nothing is compared unless a date is chosen.
    sw1 = signed_in("sw1", ["practitioner"], practitioner_id="P-SW1")
    net = _net(sw1)
    assert net["changes_since"] is None and net["changes"] == []
    assert _net(sw1, since="2026-01-01", as_of="2026-06-01")["changes"] != []
    assert chair.get("/api/children/C-ZOE/network?since=yesterday").status_code == 400
