"""Child pages over HTTP on the demo seed, signed in as each role through the real login:
scope, shielding, the one-view override, sensitive services, search and look-up."""

from __future__ import annotations

import re

import pytest

from explorer import audit
from explorer.graph import Graph
from explorer.paths import REPO_ROOT

DEMO = REPO_ROOT / "seed" / "demo"
SHIELDED = "C-ELLIE"  # lives in a refuge (H-REFUGE); former name Ellie Shaw
REFUGE_WORDS = ("H-REFUGE", "Riverside", "S-RIV", "P-SW3", "Safe Haven")


def _text(reply) -> str:
    return reply.get_data(as_text=True)


def _refuge_details(graph: Graph, *, sensitive: bool = True) -> list[str]:
    """Everything that would say where the shielded child is, read from the database
    (with ``sensitive=False``, less the workers of sensitive services with no consent)."""
    row = graph.run_autocommit(
        "MATCH (:Child {id: $id})-[:LIVES_IN]->(h:Household) RETURN h.address AS a, h.postcode AS p",
        id=SHIELDED)[0]
    schools = graph.run_autocommit(
        "MATCH (:Child {id: $id})-[:ATTENDS|REGISTERED_WITH]->(s) RETURN s.name AS n", id=SHIELDED)
    workers = graph.run_autocommit(
        "MATCH (p:Practitioner)-[i:INVOLVED_WITH]->(:Child {id: $id}), (s:Service {id: i.service_id}) "
        "WHERE $sensitive OR NOT s.sensitive OR i.consent_to_share RETURN p.family_name AS n",
        id=SHIELDED, sensitive=sensitive)
    return [row["a"].split(",")[0], row["p"], *[s["n"] for s in schools], *[w["n"] for w in workers]]


def test_chair_sees_the_whole_network_of_a_chaired_child(signed_in, demo):
    client = signed_in("chair", ["chair"])
    page = _text(client.get("/children/C-ZOE"))
    assert "Zoë" in page and "O&#39;Brien" in page
    # Household, a sibling, a ceased involvement (police, ended), the school, the plan category.
    assert "Siblings" in page and "C-LIAM" in page
    assert "investigating officer" in page and "2026-04-30" in page
    assert "Child protection plan: neglect" in page  # said in words, not the seed's code


def test_chair_cannot_open_a_child_they_do_not_chair(signed_in):
    client = signed_in("chair", ["chair"])
    assert client.get("/children/C-DANIEL").status_code == 404


def test_out_of_scope_and_nonexistent_look_the_same(signed_in):
    client = signed_in("chair", ["chair"])
    hidden, missing = client.get("/children/C-DANIEL"), client.get("/children/C-NO-SUCH")
    assert hidden.status_code == missing.status_code == 404
    # The sign-out form's CSRF token is signed with a timestamp, so it differs between two
    # requests a second apart; everything else on the two pages must be identical.
    token = re.compile(r'name="csrf_token" value="[^"]+"')
    assert token.sub("", _text(hidden)) == token.sub("", _text(missing))
    assert "There is nothing at this address that you may see." in _text(hidden)
    assert token.search(_text(missing))  # the pattern still matches what it must remove


def test_practitioner_sees_children_they_are_involved_with_and_no_others(signed_in):
    client = signed_in("sw1", ["practitioner"], practitioner_id="P-SW1")
    page = _text(client.get("/children/C-ZOE"))
    assert "Zoë" in page and "Parents and carers" in page
    assert "Siblings" not in page  # the whole network is for chairs
    assert client.get("/children/C-MAYA").status_code == 404
    index = _text(client.get("/"))
    assert "C-ZOE" in index and "C-MAYA" not in index
    assert "Child protection plan" in index and "cp plan" not in index  # statuses in words


@pytest.mark.parametrize("roles", [["analyst"], ["admin"]])
def test_roles_without_identified_access_are_refused(signed_in, roles):
    client = signed_in("someone", roles)
    assert client.get("/children/C-ZOE").status_code == 403
    assert client.post("/search", data={"text": "o'brien"}).status_code == 403


def test_a_shielded_child_shows_only_name_gender_dob_and_id(signed_in, demo):
    client = signed_in("sw3", ["practitioner"], practitioner_id="P-SW3")
    page = _text(client.get(f"/children/{SHIELDED}"))
    assert "Ellie" in page and "2015-07-03" in page and "This child is shielded" in page
    for detail in _refuge_details(demo):
        assert detail not in page
    assert "Ellie Shaw" not in page and "9378657974" not in page


def test_management_sees_a_shielded_childs_network(signed_in, demo):
    client = signed_in("boss", ["management"])
    page = _text(client.get(f"/children/{SHIELDED}"))
    for detail in _refuge_details(demo, sensitive=False):
        assert detail in page
    assert "Safe Haven" not in page  # sensitive, no consent: hidden from management too


def test_a_shield_override_shows_one_view_is_flagged_and_is_not_remembered(signed_in, demo, app):
    client = signed_in("sw3", ["practitioner"], practitioner_id="P-SW3")
    assert client.post(f"/children/{SHIELDED}/override", data={"reason": ""}).status_code == 400
    reason = "Strategy discussion today; need the school contact"
    reply = client.post(f"/children/{SHIELDED}/override", data={"reason": reason})
    assert reply.status_code == 200
    assert "Shield overridden for this view only" in _text(reply)
    assert _refuge_details(demo)[0] in _text(reply)
    events = audit.search(demo, username="sw3", action="shield.override", date_from=None,
                          date_to=None, flagged=True, limit=10)
    assert [e["reason"] for e in events] == [reason]
    again = _text(client.get(f"/children/{SHIELDED}"))
    assert _refuge_details(demo)[0] not in again and "This child is shielded" in again


def test_management_has_nothing_to_override(signed_in):
    client = signed_in("boss", ["management"])
    reply = client.post(f"/children/{SHIELDED}/override", data={"reason": "a reason of some length"})
    assert reply.status_code == 403


def test_search_matches_a_shielded_child_only_on_visible_fields(signed_in, demo):
    demo.run_autocommit("CREATE (:Conference {id: 'K-E', chair: 'chair', date: date(), kind: 'initial'})"
                        "-[:ABOUT]->(:Child {id: 'C-X'})")  # gives the chair a second child
    demo.run_autocommit("MATCH (k:Conference {id: 'K-E'}), (c:Child {id: $id}) CREATE (k)-[:ABOUT]->(c)",
                        id=SHIELDED)
    client = signed_in("chair", ["chair"])
    by_name = _text(client.post("/search", data={"text": "ellie carter"}))
    assert SHIELDED in by_name
    by_former_name = _text(client.post("/search", data={"text": "shaw"}))
    assert SHIELDED not in by_former_name and "0 found" in by_former_name
    assert 'href="/lookup"' in by_former_name.split("0 found")[1]  # where to go next
    manager = signed_in("boss", ["management"])
    assert SHIELDED in _text(manager.post("/search", data={"text": "shaw"}))
    nobody = _text(manager.post("/search", data={"text": "no such name"}))
    assert "0 found" in nobody and 'href="/lookup"' not in nobody.split("0 found")[1]  # no look-up


def test_search_shows_what_was_asked_back_as_text(signed_in):
    client = signed_in("chair", ["chair"])
    page = _text(client.post("/search", data={"text": "zoë", "child_id": "C-ZOE"}))
    assert 'value="zoë"' in page and 'value="C-ZOE"' in page and "1 found" in page
    hostile = _text(client.post("/search", data={"text": '"><script>alert(1)</script>'}))
    assert "<script>alert(1)" not in hostile and "&lt;script&gt;alert(1)" in hostile


def test_sensitive_involvement_is_hidden_without_consent_and_shown_with_it(signed_in):
    manager = signed_in("boss", ["management"])
    maya = _text(manager.get("/children/C-MAYA"))  # CAMHS, no consent to share
    assert "CAMHS" not in maya
    ada = _text(manager.get("/children/C-ADA"))  # CAMHS, consent recorded
    assert "CAMHS" in ada


def test_a_sensitive_service_sees_its_own_involvement(signed_in):
    client = signed_in("camhs", ["practitioner"], practitioner_id="P-CAMHS1")
    assert "CAMHS" in _text(client.get("/children/C-MAYA"))


def test_look_up_needs_a_reason_and_shows_basic_record_and_contacts(signed_in, demo):
    client = signed_in("sw1", ["practitioner"], practitioner_id="P-SW1")
    form = {"family_name": "Okafor", "date_of_birth": "", "child_id": "C-ADA"}
    assert client.post("/lookup", data=form).status_code == 400
    reply = _text(client.post("/lookup", data={**form, "reason": "Referral received from school today"}))
    assert "C-ADA" in reply
    assert "CAMHS" not in reply  # a look-up never shows a sensitive service, consent or not
    events = audit.search(demo, username="sw1", action="lookup", date_from=None, date_to=None,
                          flagged=None, limit=10)
    assert events and events[0]["reason"] == "Referral received from school today"


def test_look_up_of_a_shielded_child_shows_no_contacts(signed_in, demo):
    client = signed_in("sw1", ["practitioner"], practitioner_id="P-SW1")
    reply = _text(client.post("/lookup", data={"child_id": SHIELDED,
                                               "reason": "Checking a referral about this child"}))
    assert "Shielded" in reply
    for detail in _refuge_details(demo):
        assert detail not in reply


def test_analyst_first_page_is_de_identified(signed_in, demo):
    client = signed_in("ana", ["analyst"])
    page = _text(client.get("/"))
    # No list of children at all (not even pseudonyms: its rows would be unsuppressed counts),
    # only the way to the reports.
    assert "X-" not in page and "/analyst" in page
    names = demo.run_autocommit("MATCH (c:Child) RETURN c.family_name AS f, c.id AS id")
    for row in names:
        assert row["id"] not in page
    assert "O&#39;Brien" not in page and "Okafor" not in page


def test_a_chair_sees_only_who_lived_with_the_child_and_siblings_of_the_same_time(signed_in, demo):
    # A foster home Zoë stayed at in 2019: one child overlapped her there, one came years later,
    # as did an adult; a foster carer of hers also cared for another child, never with her.
    demo.run_autocommit("""
        MATCH (z:Child {id: 'C-ZOE'})
        CREATE (h:Household {id: 'H-TESTROW', address: '1 Test Row', postcode: 'ZZ1 1ZZ',
                             local_authority: 'Northmere', address_status: 'confirmed'})
        CREATE (z)-[:LIVES_IN {since: date('2019-01-01'), until: date('2019-06-30')}]->(h)
        CREATE (same:Child {id: 'C-SAMETIME', given_name: 'Nadia', family_name: 'Overlap',
                            gender: 'female', date_of_birth: date('2016-02-02')})
        CREATE (same)-[:LIVES_IN {since: date('2019-06-01'), until: date('2019-12-31')}]->(h)
        CREATE (later:Child {id: 'C-LATER', given_name: 'Tamsin', family_name: 'Afterward',
                             gender: 'female', date_of_birth: date('2015-03-03')})
        CREATE (later)-[:LIVES_IN {since: date('2022-01-01')}]->(h)
        CREATE (adult:Adult {id: 'A-LATER', given_name: 'Rufus', family_name: 'Newtenant'})
        CREATE (adult)-[:LIVES_IN {since: date('2023-05-01')}]->(h)
        CREATE (carer:Adult {id: 'A-FOSTERER', given_name: 'Gwen', family_name: 'Fosterer'})
        CREATE (carer)-[:CARER_OF]->(z)
        CREATE (other:Child {id: 'C-CAREDFOR', given_name: 'Owen', family_name: 'Elsewhere',
                             gender: 'male', date_of_birth: date('2012-04-04')})
        CREATE (carer)-[:CARER_OF]->(other)
    """)
    client = signed_in("chair", ["chair"])
    page = _text(client.get("/children/C-ZOE"))
    assert "1 Test Row" in page and "Gwen" in page  # the foster home and carer are hers
    assert "Nadia" in page and "C-SAMETIME" in page  # lived there with her: a sibling too
    for stranger in ("Tamsin", "C-LATER", "Rufus", "Owen", "C-CAREDFOR"):
        assert stranger not in page, stranger
    network = client.get("/api/children/C-ZOE/network?as_of=2019-06-15&depth=2").get_json()
    drawn = " ".join(str(n) for n in network["nodes"])
    assert "C-SAMETIME" in drawn
    # Before Nadia moved in (2019-06-01) she was not yet living with Zoë: not drawn then.
    before = client.get("/api/children/C-ZOE/network?as_of=2019-03-01&depth=2").get_json()
    assert "C-SAMETIME" not in " ".join(str(n) for n in before["nodes"])
    assert not [s for s in ("C-LATER", "A-LATER", "C-CAREDFOR") if s in drawn]
