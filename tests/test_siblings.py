"""Siblings in other households, over HTTP on the demo seed: what a chair sees of a sibling
of a child whose conference they chair (explorer/policy/identified.py, "siblings of a chaired child"),
that the links lead there instead of a 404, and what stays hidden (the sibling's own case,
its past, shielded siblings, sensitive services)."""

from __future__ import annotations

import json
import re

from explorer import audit
from explorer.graph import Graph


def _text(reply) -> str:
    return reply.get_data(as_text=True)


def _net(client, child_id: str, **params) -> dict:
    reply = client.get(f"/api/children/{child_id}/network", query_string=params)
    assert reply.status_code == 200
    return reply.get_json()


def test_the_chairs_sibling_link_leads_to_what_the_rule_shows(signed_in, graph: Graph):
    chair = signed_in("chair", ["chair"])
    record = _text(chair.get("/children/C-ZOE"))
    link = "/children/C-ZOE/siblings/C-AVA"
    assert f'href="{link}"' in record  # the sibling link, no longer to Ava's own (404) page
    reply = chair.get(link)
    assert reply.status_code == 200
    page = _text(reply)
    # Identity and status; where Ava lives now and who lives there now; who works with her now.
    assert "Ava O&#39;Brien" in page and "2024-06-05" in page and "shared parent" in page
    assert "Flat 3, 27 Harbour Street, Southwick" in page and "SW9 2QT" in page
    assert "Kevin O&#39;Brien" in page and "Megan Price" in page
    assert "Bethan Rees" in page and "01632 960402" in page  # her health visitor, to invite
    assert "S-GP-HARB" not in page and "GP practice:" in page
    # Not her own case: no NHS number, no ceased involvement, no adults' contact details.
    for hidden in ("6281948211", "Tomasz Nowak", "sibling assessment", "07700 900103"):
        assert hidden not in page, hidden
    # The event records what the page named.
    event = audit.search(graph, action="child.sibling", limit=1)[0]
    assert event["id"] in page and list(event["returned_ids"]) == ["C-AVA"]
    assert json.loads(event["params"]) == {"child_id": "C-ZOE", "sibling_id": "C-AVA"}


def test_a_sibling_page_only_through_a_whole_network_that_shows_the_sibling(signed_in):
    chair = signed_in("chair", ["chair"])
    missing = chair.get("/children/C-ZOE/siblings/C-NO-SUCH")
    for path in ("/children/C-ZOE/siblings/C-MAYA",  # not Zoë's sibling
                 "/children/C-DANIEL/siblings/C-ZOE",  # chair2 chairs Daniel
                 "/children/C-ZOE/siblings/C-ZOE"):
        reply = chair.get(path)
        assert reply.status_code == 404 and "Traceback" not in _text(reply)
    assert missing.status_code == 404
    # A practitioner sees the children they work with, not their siblings' networks.
    sw1 = signed_in("sw1", ["practitioner"], practitioner_id="P-SW1")
    assert sw1.get("/children/C-ZOE/siblings/C-AVA").status_code == 404
    assert "/siblings/" not in _text(sw1.get("/children/C-ZOE"))
    # The management team may open the sibling page and Ava's own record.
    boss = signed_in("boss", ["management"])
    page = _text(boss.get("/children/C-ZOE/siblings/C-AVA"))
    assert "Open Ava's own record" in page


def test_a_shielded_sibling_is_neither_listed_nor_reachable(signed_in, demo: Graph):
    demo.run_autocommit("MATCH (c:Child {id: 'C-AVA'}) SET c.shielded = true")
    chair = signed_in("chair", ["chair"])
    assert "C-AVA" not in _text(chair.get("/children/C-ZOE"))
    absent = chair.get("/children/C-ZOE/siblings/C-NO-SUCH")
    shielded = chair.get("/children/C-ZOE/siblings/C-AVA")
    assert shielded.status_code == absent.status_code == 404
    token = re.compile(r'name="csrf_token" value="[^"]+"')
    assert token.sub("", _text(shielded)) == token.sub("", _text(absent))
    net = json.dumps(_net(chair, "C-ZOE", depth=2))
    for hidden in ("C-AVA", "Harbour Street", "Bethan Rees"):
        assert hidden not in net


def test_a_siblings_sensitive_service_stays_hidden(signed_in, demo: Graph):
    demo.run_autocommit("""
        MATCH (c:Child {id: 'C-AVA'}), (s:Service {type: 'camhs'})
        WITH c, s LIMIT 1
        CREATE (:Practitioner {id: 'P-SECRET', given_name: 'Sasha', family_name: 'Hiddenworth',
                               profession: 'camhs_clinician'})
               -[:INVOLVED_WITH {id: 'I-SECRET', service_id: s.id, role: 'clinician',
                                 since: date('2025-01-01'), consent_to_share: false,
                                 lead: false}]->(c)""")
    chair = signed_in("chair", ["chair"])
    page = _text(chair.get("/children/C-ZOE/siblings/C-AVA"))
    assert "Bethan Rees" in page and "Hiddenworth" not in page and "clinician" not in page
    assert "Hiddenworth" not in json.dumps(_net(chair, "C-ZOE", depth=2))


def test_the_chairs_ecomap_draws_the_siblings_as_the_rule_shows_them(signed_in):
    chair = signed_in("chair", ["chair"])
    net = _net(chair, "C-ZOE", depth=2)
    ids = {n["id"] for n in net["nodes"]}
    assert set(net["expanded"]) == {"C-LIAM", "C-AVA"} and net["not_expandable"] == []
    assert {"practitioner:P-HV2", "household:H-KEVIN", "adult:A-MEGAN"} <= ids
    assert "practitioner:P-SW4" not in ids  # Ava's ceased assessment: her past, not shown
    nodes = {n["id"]: n for n in net["nodes"]}
    # The side panel leads to the sibling page, not to Ava's ecomap or household (404s).
    assert nodes["child:C-AVA"]["sibling_of_root"] and not nodes["child:C-AVA"]["opens_ecomap"]
    assert not nodes["household:H-KEVIN"].get("household_id")
    assert nodes["household:H-OBRIEN"]["household_id"] == "H-OBRIEN"
    # Expanding one sibling draws the same.
    one = _net(chair, "C-ZOE", expand="C-AVA")
    assert one["expanded"] == ["C-AVA"] and "practitioner:P-HV2" in {n["id"] for n in one["nodes"]}
