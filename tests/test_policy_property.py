"""Property: on random graphs, no viewer ever receives what domain.md denies them.

Small worlds built to trip the policy (shielded children, sensitive services with and
without consent, ceased involvements, conferences and their chairs, children a day either
side of 18, care leavers either side of 25 with and without consent, records the retention
run marked archived) are made from a seeded generator, ten side by side in one graph, and
hypothesis draws random viewers holding random roles, each in one of the worlds, who open
everything there is to open in it. Every read of child data in explorer.children runs on the real
Neo4j, and an oracle written here from domain.md, independently of explorer.policy, names
what must not come back: every secret value in the graph is a unique token, so a leak is a
token found in the serialised result.

Each graph is loaded once and read by 50 examples (a write per example was a quarter of the
test's time); the hypothesis profile's examples (tests/conftest.py: 1,000 in CI) decide how
many graphs: 20 graphs, 200 worlds in CI.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer import children as reads
from explorer.accounts import Viewer
from explorer.graph import Graph

TODAY = date.today()
# Worlds side by side in one graph: at most 50 children, so the list's first page is all of it.
WORLDS = 10
EXAMPLES_PER_GRAPH = 50
EXAMPLES = settings.default.max_examples  # the hypothesis profile's (tests/conftest.py)
GRAPHS = max(1, EXAMPLES // EXAMPLES_PER_GRAPH)


@dataclass
class World:
    children: list[dict] = field(default_factory=list)
    households: list[dict] = field(default_factory=list)
    lives_in: list[dict] = field(default_factory=list)
    adults: list[dict] = field(default_factory=list)
    parent_of: list[dict] = field(default_factory=list)
    practitioners: list[dict] = field(default_factory=list)
    services: list[dict] = field(default_factory=list)
    works_for: list[dict] = field(default_factory=list)
    involvements: list[dict] = field(default_factory=list)
    attends: list[dict] = field(default_factory=list)
    conferences: list[dict] = field(default_factory=list)
    plans: list[dict] = field(default_factory=list)  # earlier, ended child protection plans

    def service(self, sid: str) -> dict:
        return next(s for s in self.services if s["id"] == sid)


def years_before(day: date, years: int) -> date:
    """The day ``years`` before ``day`` (28 February for a 29th): born then, one is ``years`` old."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


# (date of birth, care leaver, consented, marked archived) of each kind of child; a record is
# archived at 18, at 25 for a care leaver who consented, and whenever the run marked it.
AGES = {
    "young": lambda c: (years_before(TODAY, 10) + timedelta(days=c), False, False, False),
    "eve of 18": lambda c: (years_before(TODAY, 18) + timedelta(days=1), False, False, False),
    "18 today": lambda c: (years_before(TODAY, 18), False, False, False),
    "leaver of 24": lambda c: (years_before(TODAY, 25) + timedelta(days=1), True, True, False),
    "leaver 25 today": lambda c: (years_before(TODAY, 25), True, True, False),
    "leaver of 20, no consent": lambda c: (years_before(TODAY, 20), True, False, False),
    "marked archived": lambda c: (years_before(TODAY, 9), False, False, True),
    # Archived and past 18, or a consenting leaver archived before 25: counted once each as
    # left out (the management team's total counts them from two indexes).
    "19, marked archived": lambda c: (years_before(TODAY, 19), False, False, True),
    "leaver of 22, marked archived": lambda c: (years_before(TODAY, 22), True, True, True),
    # A seed requires a date of birth; a graph loaded otherwise may have none: no birthday,
    # so never archived by age.
    "no date of birth": lambda c: (None, False, False, False),
}


def live(child: dict) -> bool:
    """domain.md: archived at 18 (25 for a care leaver who consents); archived is archived."""
    if child.get("archived_at") is not None:
        return False
    born = child["date_of_birth"]
    if born is None:
        return True
    age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
    kept_to_25 = child.get("care_leaver") and child.get("care_leaver_consent")
    return age < (25 if kept_to_25 else 18)


class Dice:
    """The draws a world is made of, from a seeded generator: the worlds are made once per
    graph, before hypothesis draws the viewers and what they ask for."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)

    def integers(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def booleans(self) -> bool:
        return self.rng.random() < 0.5

    def sampled_from(self, options):
        return self.rng.choice(list(options))

    def unique_integers(self, below: int, max_size: int) -> list[int]:
        return self.rng.sample(range(below), self.rng.randint(0, min(below, max_size)))


def make_world(dice: Dice, n: int) -> World:
    """World ``n`` of a graph: its ids and tokens carry ``n``, so worlds load side by side
    and every token is still unique (each ends in Q: no token is part of another)."""
    w = World()
    n_children = dice.integers(1, 5)
    n_households = dice.integers(1, 3)
    n_practitioners = dice.integers(1, 4)
    n_services = dice.integers(1, 3)
    for h in range(n_households):
        w.households.append({"id": f"W{n}H{h}", "address": f"ADDRESSw{n}h{h}Q",
                             "postcode": f"PCODEw{n}h{h}Q", "local_authority": f"LAw{n}h{h}Q",
                             "address_status": "known"})
    for s in range(n_services):
        w.services.append({"id": f"W{n}S{s}", "name": f"SERVICEw{n}s{s}Q", "type": "social_care",
                           "sensitive": dice.booleans(), "local_authority": "LA"})
    # A school every child may attend: never sensitive, so its name is a plain secret.
    w.services.append({"id": f"W{n}SCH", "name": f"SCHOOLNAMEw{n}Q", "type": "school",
                       "sensitive": False, "local_authority": "LA"})
    for c in range(n_children):
        kind = dice.sampled_from(sorted(AGES)) if dice.booleans() else "young"
        born, leaver, consent, marked = AGES[kind](c)
        w.children.append({
            "id": f"W{n}C{c}", "given_name": f"GIVENw{n}c{c}Q", "family_name": f"FAMILYw{n}c{c}Q",
            "former_names": [f"FORMERw{n}c{c}Q"], "date_of_birth": born,
            "gender": "not_specified", "nhs_number": f"NHSw{n}c{c}Q", "shielded": dice.booleans(),
            "status": "cp_plan", "plan_category": "neglect", "plan_start": date(2025, 1, 1),
            "care_leaver": leaver, "care_leaver_consent": consent,
            "archived_at": TODAY - timedelta(days=30) if marked else None,
            "archived_reason": "aged 18" if marked else None})
        home = dice.integers(0, n_households - 1)
        ceased = dice.booleans() and dice.booleans()
        w.lives_in.append({"person": f"W{n}C{c}", "household": f"W{n}H{home}",
                           "since": date(2020, 1, 1), "until": date(2024, 1, 1) if ceased else None})
        if dice.booleans():
            w.attends.append({"child": f"W{n}C{c}", "service": f"W{n}SCH"})
        for k in range(dice.integers(0, 2)):
            # Dates are tokens too: a start falls on a multiple of 3 days after 1 January 2015,
            # an end one day past one, so no two plans share a date.
            start = date(2015, 1, 1) + timedelta(days=3 * (10 * n + 2 * c + k))
            w.plans.append({"id": f"PLANw{n}c{c}k{k}Q", "child": f"W{n}C{c}",
                            "category": "physical", "start": start,
                            "end": start + timedelta(days=301)})
    for a in range(dice.integers(0, 2)):
        w.adults.append({"id": f"W{n}A{a}", "given_name": f"ADULTw{n}a{a}Q", "family_name": "F",
                         "phone": f"ADULTPHONEw{n}a{a}Q"})
        for c in dice.unique_integers(n_children, max_size=3):
            w.parent_of.append({"adult": f"W{n}A{a}", "child": f"W{n}C{c}"})
    for p in range(n_practitioners):
        w.practitioners.append({"id": f"W{n}P{p}", "given_name": f"PRACw{n}p{p}Q",
                                "family_name": "F", "profession": "social_worker",
                                "phone": f"PHONEw{n}p{p}Q"})
        service = dice.integers(0, n_services - 1)
        w.works_for.append({"practitioner": f"W{n}P{p}", "service": f"W{n}S{service}"})
    for i in range(dice.integers(0, 8)):
        ended = dice.booleans()
        w.involvements.append({
            "id": f"W{n}I{i}", "practitioner": f"W{n}P{dice.integers(0, n_practitioners - 1)}",
            "child": f"W{n}C{dice.integers(0, n_children - 1)}",
            "service_id": f"W{n}S{dice.integers(0, n_services - 1)}", "role": f"ROLEw{n}i{i}Q",
            "since": date(2024, 1, 1), "until": TODAY - timedelta(days=1) if ended else None,
            "lead": dice.booleans(), "caf": False, "consent_to_share": dice.booleans()})
    for k in range(dice.integers(0, 2)):
        w.conferences.append({"id": f"W{n}K{k}",
                              "child": f"W{n}C{dice.integers(0, n_children - 1)}",
                              "chair": dice.sampled_from(["chair1", "chair2"]),
                              "date": date(2025, 6, 1), "kind": "initial"})
    return w


def graph_of(worlds: list[World]) -> World:
    """The worlds as one: what the oracle reads (they share nothing but the chairs' names)."""
    whole = World()
    for name in whole.__dict__:
        setattr(whole, name, [row for w in worlds for row in getattr(w, name)])
    return whole


@st.composite
def viewers(draw, world: World) -> Viewer:
    roles = frozenset(draw(st.sets(st.sampled_from(
        ["practitioner", "chair", "analyst", "management", "admin"]), max_size=3)))
    pid = draw(st.sampled_from([p["id"] for p in world.practitioners] + [None]))
    return Viewer(username=draw(st.sampled_from(["chair1", "chair2", "other"])), roles=roles,
                  practitioner_id=pid, user_id="u")


WRITE = """
UNWIND $households AS h CREATE (:Household {id: h.id, address: h.address, postcode: h.postcode,
  local_authority: h.local_authority, address_status: h.address_status})
WITH count(*) AS _
UNWIND $services AS s CREATE (:Service {id: s.id, name: s.name, type: s.type,
  sensitive: s.sensitive, local_authority: s.local_authority})
WITH count(*) AS _
UNWIND $children AS c CREATE (n:Child) SET n = c
WITH count(*) AS _
UNWIND $adults AS a CREATE (n:Adult) SET n = a
WITH count(*) AS _
UNWIND $practitioners AS p CREATE (n:Practitioner) SET n = p
WITH count(*) AS _
UNWIND $lives_in AS l MATCH (c:Child {id: l.person}), (h:Household {id: l.household})
CREATE (c)-[:LIVES_IN {since: l.since, until: l.until}]->(h)
WITH count(*) AS _
UNWIND $parent_of AS r MATCH (a:Adult {id: r.adult}), (c:Child {id: r.child})
CREATE (a)-[:PARENT_OF {parental_responsibility: true}]->(c)
WITH count(*) AS _
UNWIND $works_for AS r MATCH (p:Practitioner {id: r.practitioner}), (s:Service {id: r.service})
CREATE (p)-[:WORKS_FOR]->(s)
WITH count(*) AS _
UNWIND $attends AS r MATCH (c:Child {id: r.child}), (s:Service {id: r.service})
CREATE (c)-[:ATTENDS {since: date('2024-09-01')}]->(s)
WITH count(*) AS _
UNWIND $involvements AS i MATCH (p:Practitioner {id: i.practitioner}), (c:Child {id: i.child})
CREATE (p)-[:INVOLVED_WITH {id: i.id, service_id: i.service_id, role: i.role, since: i.since,
  until: i.until, lead: i.lead, caf: i.caf, consent_to_share: i.consent_to_share}]->(c)
WITH count(*) AS _
UNWIND $conferences AS k MATCH (c:Child {id: k.child})
CREATE (:Conference {id: k.id, chair: k.chair, date: k.date, kind: k.kind})-[:ABOUT]->(c)
WITH count(*) AS _
UNWIND $plans AS p MATCH (c:Child {id: p.child})
CREATE (c)-[:HAD_PLAN]->(:Plan {id: p.id, category: p.category, start: p.start, end: p.end})
"""


def build(graph: Graph, world: World) -> None:
    """Write the world into an empty graph, in one transaction."""
    graph.run_autocommit(WRITE, **{k: v for k, v in world.__dict__.items()})


# -- the oracle: domain.md, written without explorer.policy ------------------------------

def open_on(inv: dict) -> bool:
    return inv["since"] <= TODAY and (inv["until"] is None or inv["until"] >= TODAY)


def in_scope(world: World, v: Viewer, child: dict) -> bool:
    """Reached by the viewer's roles, and not archived (an archived record opens only in the
    management team's archived view)."""
    return live(child) and reaches(world, v, child)


def searchable(world: World, v: Viewer, child: dict) -> bool:
    """What a search may find: the children in the viewer's identified scope and, for the
    management team, archived records too (marked, opened only with a reason)."""
    identified = bool(v.roles & {"practitioner", "chair", "management"})
    return identified and (in_scope(world, v, child)
                           or ("management" in v.roles and reaches(world, v, child)))


def matches(world: World, v: Viewer, child: dict, *, text: str | None, dob: date | None,
            child_id: str | None) -> bool:
    """Does a child match a search's terms? A name fragment matches the name or, unless a
    shield hides them from the viewer, a former name."""
    names = [f"{child['given_name']} {child['family_name']}"]
    if not child["shielded"] or "management" in v.roles:
        names += child["former_names"]
    return ((dob is None or child["date_of_birth"] == dob)
            and (child_id is None or child["id"] == child_id)
            and (text is None or any(text.lower() in n.lower() for n in names)))


def reaches(world: World, v: Viewer, child: dict) -> bool:
    if "management" in v.roles:
        return True
    if "practitioner" in v.roles and v.practitioner_id and any(
            i["practitioner"] == v.practitioner_id and i["child"] == child["id"] and open_on(i)
            for i in world.involvements):
        return True
    return "chair" in v.roles and any(
        k["chair"] == v.username and k["child"] == child["id"] for k in world.conferences)


def viewer_services(world: World, v: Viewer) -> set[str]:
    if "practitioner" not in v.roles or not v.practitioner_id:
        return set()
    return {r["service"] for r in world.works_for if r["practitioner"] == v.practitioner_id}


def hidden_involvement(world: World, v: Viewer, inv: dict) -> bool:
    """A sensitive service's involvement, seen from outside it, with no consent to share."""
    return (world.service(inv["service_id"])["sensitive"] and not inv["consent_to_share"]
            and inv["service_id"] not in viewer_services(world, v))


def where_tokens(world: World, child: dict) -> set[str]:
    """Everything that would say where a child is or who works with it."""
    tokens = {child["nhs_number"], *child["former_names"]}
    for home in world.lives_in:
        if home["person"] == child["id"]:
            h = next(h for h in world.households if h["id"] == home["household"])
            tokens |= {h["address"], h["postcode"]}
    for i in world.involvements:
        if i["child"] == child["id"]:
            p = next(p for p in world.practitioners if p["id"] == i["practitioner"])
            tokens |= {i["role"], p["phone"], p["given_name"], world.service(i["service_id"])["name"]}
    tokens |= {world.service(a["service"])["name"] for a in world.attends if a["child"] == child["id"]}
    return tokens


def plan_tokens(world: World, child: dict) -> set[str]:
    """A child's plan history: for those who run or oversee its conferences only."""
    return {t for p in world.plans if p["child"] == child["id"]
            for t in (p["id"], p["start"].isoformat(), p["end"].isoformat())}


def leaks(result, forbidden: set[str]) -> set[str]:
    text = json.dumps(result, default=str)
    return {t for t in forbidden if t in text}


def archived_tokens(world: World, but: str | None = None) -> set[str]:
    """Every archived child's name and NHS number: in no list, network or household."""
    return {t for c in world.children if not live(c) and c["id"] != but
            for t in (c["given_name"], c["family_name"], c["nhs_number"])}


def forbidden_in_view(world: World, v: Viewer, child: dict, override: bool) -> set[str]:
    full = "management" in v.roles
    forbidden: set[str] = archived_tokens(world, but=child["id"])
    if child["shielded"] and not (full or override):
        forbidden |= where_tokens(world, child)
    chairs_it = "chair" in v.roles and any(
        k["chair"] == v.username and k["child"] == child["id"] for k in world.conferences)
    if not (full or chairs_it) or (child["shielded"] and not (full or override)):
        forbidden |= plan_tokens(world, child)
    for other in world.children:
        if other["id"] != child["id"] and other["shielded"] and not full:
            forbidden |= {other["given_name"], other["family_name"]}
    for inv in world.involvements:
        if inv["child"] == child["id"] and hidden_involvement(world, v, inv):
            forbidden.add(inv["role"])
            # The service's name stays hidden unless another involvement shows it.
            if not any(j["child"] == child["id"] and j["service_id"] == inv["service_id"]
                       and not hidden_involvement(world, v, j) for j in world.involvements):
                forbidden.add(world.service(inv["service_id"])["name"])
    return forbidden


def siblings_of(world: World, child: dict) -> set[str]:
    """domain.md: siblings share a parent or lived in one household at the same time (every
    stay here begins on one day, so sharing a household means overlapping in it)."""
    parents = {r["adult"] for r in world.parent_of if r["child"] == child["id"]}
    homes = {h["household"] for h in world.lives_in if h["person"] == child["id"]}
    return {c["id"] for c in world.children if c["id"] != child["id"] and (
        any(r["adult"] in parents and r["child"] == c["id"] for r in world.parent_of)
        or any(h["person"] == c["id"] and h["household"] in homes for h in world.lives_in))}


def sees_network(world: World, v: Viewer, child: dict) -> bool:
    """The chair of the child's conference, or the management team."""
    return "management" in v.roles or ("chair" in v.roles and any(
        k["chair"] == v.username and k["child"] == child["id"] for k in world.conferences))


def check_conference_list(graph: Graph, world: World, viewer: Viewer) -> None:
    """The conference list: a chair's own conferences' children, the management team's every
    one, nobody else's; within each, no more than the child's own page shows."""
    rows = reads.conference_rows(graph, viewer, today=TODAY)
    # An archived child is on nobody's list (the management team open it from a search).
    live_ids = {c["id"] for c in world.children if live(c)}
    with_conference = {k["child"] for k in world.conferences} & live_ids
    if "management" in viewer.roles:
        expected = with_conference
    elif "chair" in viewer.roles:
        expected = {k["child"] for k in world.conferences
                    if k["chair"] == viewer.username} & live_ids
    else:
        expected = set()
    assert {r["child"]["id"] for r in rows} == expected
    for row in rows:
        child = next(c for c in world.children if c["id"] == row["child"]["id"])
        forbidden = forbidden_in_view(world, viewer, child, override=False)
        # Only the lead professionals involved today: an ended involvement is not a lead now.
        forbidden |= {i["role"] for i in world.involvements
                      if i["child"] == child["id"] and not (i["lead"] and open_on(i))}
        if child["shielded"] and "management" not in viewer.roles:
            assert row["conferences"] == [] and row["leads"] == []
        assert not leaks(row, forbidden)


def check_sibling_pages(graph: Graph, world: World, viewer: Viewer, child: dict,
                        others: list[dict]) -> None:
    """A sibling page: only through a child whose whole network the viewer sees, only for its
    siblings, never a shielded one outside management, and only the sibling rule's fields.
    ``child``'s page of each of ``others`` (the children of its own world: no child has a
    sibling in another)."""
    full = "management" in viewer.roles
    # An archived sibling is not in the network (the retention rule), whoever asks.
    siblings = {s for s in siblings_of(world, child)
                if live(next(c for c in world.children if c["id"] == s))}
    network = {child["id"]} | {s for s in siblings if full or not next(
        c for c in world.children if c["id"] == s)["shielded"]}
    for sibling in others:
        found = reads.sibling_view(graph, viewer, child["id"], sibling["id"], today=TODAY)
        allowed = (in_scope(world, viewer, child) and sees_network(world, viewer, child)
                   and sibling["id"] in siblings and (full or not child["shielded"])
                   and (full or not sibling["shielded"]))
        assert (found is not None) == allowed, (child["id"], sibling["id"])
        if found is None:
            continue
        forbidden = {sibling["nhs_number"], *sibling["former_names"], *plan_tokens(world, sibling)}
        for inv in world.involvements:
            if inv["child"] == sibling["id"] and (not open_on(inv)
                                                  or hidden_involvement(world, viewer, inv)):
                forbidden.add(inv["role"])
        for home in world.lives_in:
            if home["person"] == sibling["id"] and home["until"] is not None:
                h = next(h for h in world.households if h["id"] == home["household"])
                forbidden |= {h["address"], h["postcode"]}
        current = {h["household"] for h in world.lives_in
                   if h["person"] == sibling["id"] and h["until"] is None}
        for other in world.children:
            lives_there = any(h["person"] == other["id"] and h["household"] in current
                              and h["until"] is None for h in world.lives_in)
            if other["id"] != sibling["id"] and lives_there and other["id"] not in network:
                forbidden |= {other["given_name"], other["family_name"]}
        assert not leaks(found, forbidden), (child["id"], sibling["id"])


@pytest.fixture(params=range(GRAPHS), ids=lambda n: f"graph{n}")
def worlds(request, shared_graph) -> Iterator[tuple[Graph, list[World], World]]:
    """(graph, its worlds, the worlds as one): ten worlds made from the seed ``request.param``,
    loaded once for the examples that read them."""
    worlds = [make_world(Dice(f"policy graph {request.param} world {n}"), n) for n in range(WORLDS)]
    whole = graph_of(worlds)
    assert len(whole.children) <= reads.PAGE_SIZE  # the first page is the whole list
    graph = shared_graph.holding(("test_policy_property", request.param),
                                 lambda graph: build(graph, whole))
    yield graph, worlds, whole
    shared_graph.check_unchanged()  # every read here is only a read


# 1,000 examples (20 graphs of 50) took 7 minutes in all at load 11 on 2 cores (docs/testing.md);
# each graph is one test here, and a busy machine may take far longer.
@pytest.mark.slow
@pytest.mark.timeout(1500)
@settings(max_examples=max(1, EXAMPLES // GRAPHS), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_viewer_receives_what_the_policy_denies(worlds, data):
    """A viewer of one world opens each of its households, its practitioners' caseloads and
    its children's pages, as the test did when each example built a world of its own; the
    lists, searches and conference list span the whole graph, and the viewer walks the pages
    of one of them."""
    graph, local_worlds, world = worlds
    local = data.draw(st.sampled_from(local_worlds), label="world")
    viewer = data.draw(viewers(local), label="viewer")
    walked = data.draw(st.sampled_from(WALKS), label="pages of")
    identified = bool(viewer.roles & {"practitioner", "chair", "management"})
    for household in local.households:
        check_household(graph, world, local, viewer, household)
    check_caseloads(graph, world, local, viewer)
    check_conference_list(graph, world, viewer)
    for child in local.children:
        check_sibling_pages(graph, world, viewer, child, local.children)
    check_lists_and_paging(graph, world, viewer, identified, walked)

    # Several children read at once, as the ecomap reads siblings to compare their social
    # workers: only those in scope, each within what its own page may show.
    partial = reads.child_views(graph, viewer, [c["id"] for c in local.children], today=TODAY,
                                parts=("involvements",))
    assert set(partial) == {c["id"] for c in local.children if in_scope(world, viewer, c)}
    for child in local.children:
        if child["id"] in partial:
            assert not leaks(partial[child["id"]], forbidden_in_view(world, viewer, child, override=False))

    for child in local.children:
        check_child(graph, world, viewer, child, identified)


def check_household(graph: Graph, world: World, local: World, viewer: Viewer,
                    household: dict) -> None:
    # The household page: only children in scope whose own view shows the household, never a
    # shielded child outside the management team, and nothing the child's own view denies.
    found = reads.household_view(graph, viewer, household["id"], today=TODAY)
    for view in (found or {}).get("children", []):
        shown = next(c for c in world.children if c["id"] == view["child"]["id"])
        assert in_scope(world, viewer, shown), f"{shown['id']} out of scope on a household page"
        assert not (shown["shielded"] and "management" not in viewer.roles)
        assert not leaks(view, forbidden_in_view(world, viewer, shown, override=False))
    if found and not any(c["shielded"] for c in local.children):
        assert found["household"]["id"] == household["id"]
    # Who lives there: never a shielded child outside the management team.
    assert not leaks(found, archived_tokens(world))
    for member in (found or {}).get("members", []):
        child = next((c for c in world.children if c["id"] == member["id"]), None)
        assert not (child and child["shielded"] and "management" not in viewer.roles), \
            f"shielded {member['id']} listed as living in {household['id']}"


def check_caseloads(graph: Graph, world: World, local: World, viewer: Viewer) -> None:
    # A caseload: the practitioner's own or, for the management team, anyone's; never a
    # shielded child's where-abouts outside management, never a hidden sensitive involvement.
    for practitioner in local.practitioners:
        load = reads.caseload(graph, viewer, practitioner["id"], today=TODAY)
        own = "practitioner" in viewer.roles and viewer.practitioner_id == practitioner["id"]
        if not (own or "management" in viewer.roles):
            assert load is None, "a caseload shown to someone who is neither its owner nor management"
            continue
        assert load is not None
        forbidden: set[str] = set()
        for inv in world.involvements:
            if inv["practitioner"] == practitioner["id"] and hidden_involvement(world, viewer, inv):
                forbidden.add(inv["role"])
        forbidden |= set().union(*(plan_tokens(world, c) for c in world.children))
        forbidden |= archived_tokens(world)
        for c in world.children:
            if c["shielded"] and "management" not in viewer.roles:
                # Service and practitioner names are shared with other children's entries;
                # each involvement's role is unique to it, so it stands for the involvement.
                forbidden |= {t for t in where_tokens(world, c)
                              if not t.startswith(("SERVICE", "PRAC", "PHONE"))}
            if not live(c) or not any(i["practitioner"] == practitioner["id"]
                                      and i["child"] == c["id"] and open_on(i)
                                      for i in world.involvements):
                assert c["id"] not in {e["child"]["id"] for e in load["entries"]}
        assert not leaks(load, forbidden)


WALKS = ("the list", "a search for q", "a search for former names")


def check_lists_and_paging(graph: Graph, world: World, viewer: Viewer, identified: bool,
                           walked: str) -> None:
    # The first page's list.
    kind, listed = reads.list_children(graph, viewer, today=TODAY)
    if kind == "analyst":
        assert listed == [], "an analyst received a list of children"
    else:
        listed_ids = {c["id"] for c in listed}
        assert listed_ids == {c["id"] for c in world.children if in_scope(world, viewer, c)} \
            if identified else listed_ids == set()
        for c in world.children:
            if c["shielded"] and "management" not in viewer.roles:
                assert not leaks(listed, where_tokens(world, c))
        assert not leaks(listed, archived_tokens(world))

    # Paging: the pages of the list, and of searches, walked two children at a time, give
    # exactly the children the viewer may find, each once, and every page says the true total.
    # "q" ends every name (the management team's search finds it through the full-text
    # index); "former" is in former names only, which a shield hides outside management.
    may_find = {c["id"] for c in world.children if identified and in_scope(world, viewer, c)}
    may_search = {c["id"] for c in world.children if searchable(world, viewer, c)}
    by_former = {i for i in may_search if "management" in viewer.roles
                 or not next(c for c in world.children if c["id"] == i)["shielded"]}
    walks = {
        "the list": (lambda page: reads.list_children(graph, viewer, today=TODAY, page=page,
                                                      page_size=2)[1], may_find),
        "a search for q": (lambda page: reads.search_children(
            graph, viewer, text="q", dob=None, child_id=None, today=TODAY, page=page,
            page_size=2), may_search),
        "a search for former names": (lambda page: reads.search_children(
            graph, viewer, text="Former", dob=None, child_id=None, today=TODAY, page=page,
            page_size=2), by_former)}
    # One walk an example (each reads every page of the whole graph), all three over them.
    for read, expected in [walks[walked]]:
        seen, page = [], 1
        while True:
            got = read(page)
            assert got.page == page and len(got) <= 2 and got.total == len(expected)
            seen += [c["id"] for c in got]
            if not got.has_next:
                break
            page += 1
        assert sorted(seen) == sorted(expected), "pages lost, repeated or added a child"
        for c in world.children:
            if c["shielded"] and "management" not in viewer.roles:
                assert not leaks(seen, where_tokens(world, c))
    # A page past the end (the list shrank since the link was made) is the last page.
    beyond = reads.list_children(graph, viewer, today=TODAY, page=99, page_size=2)[1]
    assert {c["id"] for c in beyond} <= may_find and beyond.page == max(1, -(-len(may_find) // 2))


def check_child(graph: Graph, world: World, viewer: Viewer, child: dict, identified: bool) -> None:
    # The child's own page, and the override where one may be asked for.
    view = reads.child_view(graph, viewer, child["id"], today=TODAY)
    if not in_scope(world, viewer, child):
        assert view is None, f"{child['id']} is out of scope but was shown"
    else:
        assert not leaks(view, forbidden_in_view(world, viewer, child, override=False))
    # The management team's read-only view of an archived record (a reason asked by the
    # route): only theirs, only for an archived record, never another archived child in it.
    kept = reads.child_view(graph, viewer, child["id"], today=TODAY, archived=True)
    notice = reads.archive_notice(graph, viewer, child["id"], today=TODAY)
    if "management" in viewer.roles and not live(child):
        assert kept is not None and kept["archive"]["on"] is not None
        assert notice is not None and notice["id"] == child["id"]
        assert not leaks(notice, {child["given_name"], child["family_name"]})
        assert not leaks(kept, archived_tokens(world, but=child["id"]))
    else:
        assert notice is None
        assert (kept is None) == (view is None) and "archive" not in (kept or {})
    if viewer.roles & {"chair", "practitioner"} and "management" not in viewer.roles:
        overridden = reads.child_view(graph, viewer, child["id"], today=TODAY, override=True)
        if not in_scope(world, viewer, child):
            assert overridden is None
        else:
            assert not leaks(overridden, forbidden_in_view(world, viewer, child, override=True))

    # Search by name and by former name: in scope only; a shield hides former names.
    for text in (child["given_name"], child["former_names"][0]):
        found = reads.search_children(graph, viewer, text=text, dob=None, child_id=None,
                                      today=TODAY)
        # The management team find archived records too (marked, opened with a reason).
        expected = (in_scope(world, viewer, child)
                    or ("management" in viewer.roles and reaches(world, viewer, child))) \
            and identified and (text == child["given_name"] or not child["shielded"]
                                or "management" in viewer.roles)
        assert ({c["id"] for c in found} == {child["id"]}) == expected
        if child["shielded"] and "management" not in viewer.roles:
            assert not leaks(found, where_tokens(world, child))
        assert all(bool(c.get("archive")) == (not live(child)) for c in found)

    # Search by date of birth and by id (each unique here), alone and with the name.
    for terms in ({"text": None, "dob": child["date_of_birth"], "child_id": None},
                  {"text": None, "dob": None, "child_id": child["id"]},
                  {"text": child["family_name"], "dob": child["date_of_birth"], "child_id": None},
                  {"text": child["given_name"], "dob": None, "child_id": child["id"]}):
        found = reads.search_children(graph, viewer, today=TODAY, **terms)
        expected_ids = {c["id"] for c in world.children
                        if searchable(world, viewer, c) and matches(world, viewer, c, **terms)}
        assert {c["id"] for c in found} == expected_ids and found.total == len(expected_ids)

    # Look-up outside one's involvement: the basic record and non-sensitive contacts only.
    looked = reads.look_up(graph, viewer, child_id=child["id"], family_name=None, dob=None,
                           today=TODAY)
    if not viewer.roles & {"practitioner", "chair"} or not live(child):
        assert looked == [], "an archived record (or one the role may not look up) was found"
        return
    forbidden = {child["nhs_number"], *child["former_names"], *plan_tokens(world, child)}
    forbidden |= {t for t in where_tokens(world, child) if t.startswith(("ADDRESS", "PCODE"))}
    if child["shielded"]:
        forbidden |= where_tokens(world, child)
    for inv in world.involvements:
        if inv["child"] == child["id"] and (world.service(inv["service_id"])["sensitive"]
                                            or not open_on(inv)):
            forbidden.add(inv["role"])
    assert not leaks(looked, forbidden)
