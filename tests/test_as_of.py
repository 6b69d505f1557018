"""The ecomap as of a date, over HTTP on the demo seed: who and what did not exist yet (or had
ended) on the day is not drawn as current, and the warnings and the plan badge agree with
what is drawn (seed/demo/README.md tells the O'Briens' story the dates come from)."""

from __future__ import annotations

from explorer.graph import Graph


def _net(client, child_id: str = "C-ZOE", **params) -> dict:
    reply = client.get(f"/api/children/{child_id}/network", query_string=params)
    assert reply.status_code == 200
    return reply.get_json()


def _ids(net: dict) -> set[str]:
    return {n["id"] for n in net["nodes"]}


def _codes(net: dict) -> list[str]:
    return [w["code"] for w in net["warnings"]]


def test_a_sibling_born_after_the_date_is_not_drawn(signed_in):
    """The issue's case: as of 2021-01-01, Ava (born 2024-06-05) was drawn as a sibling."""
    chair = signed_in("chair", ["chair"])
    for depth in (1, 2):
        then = _net(chair, as_of="2021-01-01", depth=depth)
        assert "child:C-AVA" not in _ids(then) and "C-AVA" not in then["siblings_not_compared"]
        assert "child:C-LIAM" in _ids(then)  # born 2020-08-30
        assert "child:C-AVA" in _ids(_net(chair, depth=depth))  # today she is
    # Before Liam was born, neither he nor his edges are drawn, as a sibling or a household member.
    before = _net(chair, as_of="2019-01-01")
    assert "child:C-LIAM" not in _ids(before)
    assert not [e for e in before["edges"] if "C-LIAM" in e["from"] + e["to"]]


def test_involvements_households_and_services_not_started_are_not_drawn(signed_in):
    chair = signed_in("chair", ["chair"])
    then = _net(chair, as_of="2021-01-01")
    # P-SW1 since 2025-12-08, the school since 2021-09-01: neither yet.
    assert "practitioner:P-SW1" not in _ids(then) and "service:S-OAK" not in _ids(then)
    assert {"practitioner:P-SW1", "service:S-OAK"} <= _ids(_net(chair))
    # Kevin lived at H-OBRIEN until 2021-03-31: current then, ceased (dashed) a year later.
    kevin = {e["id"]: e for e in then["edges"]}["lives:A-KEVIN:H-OBRIEN"]
    assert kevin["ceased"] is False and kevin["dashes"] is False
    later = {e["id"]: e for e in _net(chair, as_of="2022-04-01")["edges"]}
    assert later["lives:A-KEVIN:H-OBRIEN"]["ceased"] is True
    assert "lives:A-KEVIN:H-OBRIEN" not in {e["id"] for e in _net(chair, as_of="2022-04-01",
                                                                     ceased=0)["edges"]}
    # Before Zoë lived anywhere (she was born on 2017-04-12), no household is drawn.
    assert not [n for n in _net(chair, as_of="2017-01-01")["nodes"] if n["kind"] == "household"]


def test_a_child_who_is_a_sibling_only_by_living_together_is_drawn_from_that_day(signed_in,
                                                                                   demo: Graph):
    demo.run_autocommit("""
        MATCH (h:Household {id: 'H-OBRIEN'})
        CREATE (:Child {id: 'C-LODGER', given_name: 'Leo', family_name: 'Lodge', gender: 'male',
                        date_of_birth: date('2012-01-01'), shielded: false, status: 'none'})
               -[:LIVES_IN {since: date('2025-01-01')}]->(h)""")
    chair = signed_in("chair", ["chair"])
    assert "child:C-LODGER" not in _ids(_net(chair, as_of="2024-06-01"))
    assert "child:C-LODGER" in _ids(_net(chair, as_of="2025-06-01"))


def test_the_plan_warning_agrees_with_the_plan_badge(signed_in):
    """The issue's case: as of 2021-01-01 'cp plan and no social worker allocated' was shown
    although the plan badge was empty (Zoë's plan started 2026-03-02)."""
    chair = signed_in("chair", ["chair"])
    then = _net(chair, as_of="2021-01-01")
    assert then["plan"] is None and "plan-no-social-worker" not in _codes(then)
    # During her earlier plan (neglect, 2021-06-14 to 2022-09-26) she had no social worker on
    # record: the badge shows that plan, and the warning says so.
    earlier = _net(chair, as_of="2021-07-01")
    assert earlier["plan"]["start"] == "2021-06-14"
    assert "plan-no-social-worker" in _codes(earlier)
    # Now: the plan and its social worker, no warning.
    now = _net(chair)
    assert now["plan"]["start"] == "2026-03-02" and "plan-no-social-worker" not in _codes(now)
    for day in ("2019-01-01", "2021-07-01", "2023-01-01", "2026-04-01"):
        net = _net(chair, as_of=day)
        # P-SW1 is Zoë's only social worker in the demo.
        sw_open = any(e["from"] == "practitioner:P-SW1" and e["to"] == "child:C-ZOE"
                      and not e["ceased"] for e in net["edges"])
        assert ("plan-no-social-worker" in _codes(net)) == (net["plan"] is not None and not sw_open), day


def test_the_sibling_warning_compares_only_siblings_drawn_on_the_day(signed_in):
    """On 2026-04-01 Ava had a different social worker (P-SW4): a warning names her. On a
    day before she was born, nothing may name her."""
    boss = signed_in("management", ["management"])
    then = _net(boss, as_of="2026-04-01")
    assert "siblings-different-social-workers" in _codes(then)
    assert "Ava" in " ".join(w["message"] for w in then["warnings"])
    before = _net(boss, as_of="2023-01-01")
    assert "Ava" not in " ".join(w["message"] for w in before["warnings"])
