"""Analysts' gap reports on a generated population, checked against an independent count.

A population of a few thousand children is generated, nudged so that every gap has cases
(lead flags cleared, siblings given different social workers, a family with services in two
areas), renamed so that every child's and adult's name is a distinctive token, and loaded
into the real test Neo4j. The counts the app reports are then compared with the same gaps
computed here in plain Python over the seed rows, following domain.md's definitions
directly; and an analyst's HTTP session is searched for any name, date of birth, address,
postcode or child id.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from explorer import audit, policy
from explorer.accounts import Viewer
from explorer.analytics import counting, gaps, network_view, networks, overview, saved
from explorer.analytics.suppression import tally
from explorer.seed import read_seed
from explorer.seed.generate import DEFAULT_TODAY, generate
from explorer.seed.loader import load

ON = DEFAULT_TODAY
# Over HTTP a report is as of today or a month's end: the month's end before ON.
REPORT = ON - timedelta(days=1)
KEY = b"test-pseudonym-key"  # conftest's config.pseudonym_key
# The analytics check their viewer's scope: these calls are an analyst's.
ANALYST = Viewer("analyst", frozenset({"analyst"}), None, "analyst")
CHILDREN = 3000
NAME_MARK = "Qzx"  # every person's given and family name starts with it


def _open(row: dict, on: date) -> bool:
    since, until = row.get("since"), row.get("until")
    return (since is None or since <= on) and (until is None or until >= on)


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    out = tmp_path_factory.mktemp("population")
    generate(out, children=CHILDREN, seed=11, today=ON)
    seed = read_seed(out, today=ON)
    rows = seed.rows
    for i, child in enumerate(rows["child"]):
        child["given_name"], child["family_name"] = f"{NAME_MARK}g{i}", f"{NAME_MARK}f{i}"
        child["former_names"] = []
    for i, adult in enumerate(rows["adult"]):
        adult["given_name"], adult["family_name"] = f"{NAME_MARK}ag{i}", f"{NAME_MARK}af{i}"
        adult.pop("email", None)
    profession = {p["id"]: p["profession"] for p in rows["practitioner"]}
    # Several services and no lead: clear the lead flag on every involvement of some plans.
    cp = [c["id"] for c in rows["child"] if c.get("status") == "cp_plan"][:8]
    for inv in rows["involved_with"]:
        if inv["child_id"] in cp:
            inv["lead"] = False
    # Plans with no social worker: end the allocation of a few more.
    plans = [c["id"] for c in rows["child"] if c.get("status") in ("cp_plan", "looked_after")]
    unallocated = set(plans[8:11])
    rows["involved_with"] = [inv for inv in rows["involved_with"] if not (
        inv["child_id"] in unallocated and profession[inv["practitioner_id"]] == "social_worker")]
    leavers = {c["id"] for c in rows["child"] if c.get("care_leaver")}
    without_adviser = sorted(leavers)[:2]
    rows["involved_with"] = [inv for inv in rows["involved_with"] if not (
        inv["child_id"] in without_adviser
        and profession[inv["practitioner_id"]] == "personal_adviser")]
    # Siblings with different social workers: move one sibling of some families to another worker.
    workers = sorted(p for p, prof in profession.items() if prof == "social_worker")
    by_parent = defaultdict(list)
    for r in rows["parent_of"]:
        by_parent[r["adult_id"]].append(r["child_id"])
    sw_inv = defaultdict(list)
    for inv in rows["involved_with"]:
        if profession[inv["practitioner_id"]] == "social_worker" and _open(inv, ON):
            sw_inv[inv["child_id"]].append(inv)
    moved = 0
    for kids in by_parent.values():
        with_sw = [k for k in kids if sw_inv.get(k)]
        if len(with_sw) >= 2 and moved < 6:
            for inv in sw_inv[with_sw[0]]:
                inv["practitioner_id"] = next(w for w in workers if w != inv["practitioner_id"])
            moved += 1
    # A family whose services span two areas: one child registered with a GP elsewhere.
    la_of_service = {s["id"]: s["local_authority"] for s in rows["service"]}
    gp_by_la = {}
    for s in rows["service"]:
        if s["type"] == "gp_practice":
            gp_by_la.setdefault(s["local_authority"], s["id"])
    for reg in rows["registered_with"]:
        home = la_of_service[reg["service_id"]]
        other = next(sid for la, sid in sorted(gp_by_la.items()) if la != home)
        reg["service_id"] = other
        break
    # Repeat plans in every band: earlier plans for a few more children on a plan, and one
    # for a child on no plan now (history only: not a repeat plan).
    had = {p["child_id"] for p in rows["plan"]}
    roomy = [c for c in rows["child"] if c["id"] not in had and c.get("status") == "cp_plan"
             and (c["plan_start"] - c["date_of_birth"]).days > 1500]
    for n, (child, gap) in enumerate(zip(roomy, (100, 300, 500, 1000), strict=False)):
        end = child["plan_start"] - timedelta(days=gap)
        rows["plan"].append({"id": f"PL-T{n}", "child_id": child["id"], "category": "neglect",
                             "start": end - timedelta(days=120), "end": end})
    quiet = next(c for c in rows["child"] if c.get("status") == "child_in_need"
                 and (ON - c["date_of_birth"]).days > 1000)
    rows["plan"].append({"id": "PL-T9", "child_id": quiet["id"], "category": "sexual",
                         "start": ON - timedelta(days=400), "end": ON - timedelta(days=200)})
    return seed


@pytest.fixture
def population(shared_graph, seed):
    """The population's graph, for tests that only read it: loaded once for them all (a test
    that writes takes ``loaded`` instead)."""
    graph = shared_graph.holding(("test_analytics", id(seed)),
                                 lambda graph: load(graph, seed, source="test", progress=False))
    yield graph
    shared_graph.check_unchanged()


@pytest.fixture
def loaded(graph, seed):
    """The population loaded into this test's own emptied graph."""
    load(graph, seed, source="test", progress=False)
    return seed


# -- the independent computation -----------------------------------------------------------------

class Expected:
    """The gaps computed from the seed rows in plain Python, per domain.md."""

    def __init__(self, seed, on: date):
        rows = seed.rows
        self.on = on
        # Analysts' ages are taken at 31 March on or before the report date.
        self.age_on = date(on.year if on >= date(on.year, 3, 31) else on.year - 1, 3, 31)
        # School age is taken at the start of the school year, 31 August.
        self.school_on = date(on.year if on >= date(on.year, 8, 31) else on.year - 1, 8, 31)
        # Archived records are in no report (domain.md: archived at 18, at 25 for a care leaver
        # who consented), from the month they fall due in, whatever the report's date: the
        # reports are read today, and the population was generated as of ON.
        today = datetime.now(UTC).date()
        month_end = date(today.year + today.month // 12, today.month % 12 + 1, 1) - timedelta(days=1)

        def kept(c: dict) -> bool:
            age = _age(c["date_of_birth"], month_end)
            return age < 18 or bool(c.get("care_leaver") and c.get("care_leaver_consent")
                                    and age < 25)

        self.children = {c["id"]: c for c in rows["child"] if kept(c)}
        self.household_la = {h["id"]: h["local_authority"] for h in rows["household"]}
        self.profession = {p["id"]: p["profession"] for p in rows["practitioner"]}
        self.services = {s["id"]: s for s in rows["service"]}
        self.lives = defaultdict(list)
        for r in rows["lives_in"]:
            self.lives[r["person_id"]].append(r)
        # Analysts' data leaves out every involvement with a sensitive service, consented or
        # not (domain.md: even its existence is special category data).
        self.involvements = defaultdict(list)
        for r in rows["involved_with"]:
            if (_open(r, on) and not self.services[r["service_id"]]["sensitive"]
                    and r["child_id"] in self.children):
                self.involvements[r["child_id"]].append(r)
        self.attends = {r["child_id"] for r in rows.get("attends", [])
                        if r.get("until") is None or r["until"] >= on}
        self.registered = {r["child_id"] for r in rows.get("registered_with", [])
                           if r.get("until") is None or r["until"] >= on}
        self.parents = defaultdict(set)
        for r in rows["parent_of"]:
            self.parents[r["child_id"]].add(r["adult_id"])
        self.works_for = defaultdict(list)
        for r in rows["works_for"]:
            self.works_for[r["practitioner_id"]].append(r)
        self.plans = defaultdict(list)
        for r in rows.get("plan", []):
            self.plans[r["child_id"]].append(r)

    def earlier_plans(self, cid: str) -> list[dict]:
        """The child's previous plans that ended before the current one started."""
        start = self.children[cid].get("plan_start")
        return [p for p in self.plans.get(cid, []) if start is not None and p["end"] < start]

    def area(self, cid: str) -> str:
        child = self.children[cid]
        if child.get("shielded"):
            return gaps.WITHHELD
        spells = sorted(self.lives.get(cid, []), key=lambda r: (
            r.get("until") is None, r.get("until") or date.min, r.get("since") or date.min),
            reverse=True)
        return self.household_la[spells[0]["household_id"]] if spells else "unknown"

    def workers(self, cid: str, profession: str) -> set[str]:
        return {i["practitioner_id"] for i in self.involvements.get(cid, [])
                if self.profession[i["practitioner_id"]] == profession}

    def child_gap(self, slug: str) -> set[str]:
        on, found = self.on, set()
        for cid, c in self.children.items():
            dob = c["date_of_birth"]
            status = c.get("status") or "none"
            if slug == "no-school":
                hit = (dob <= self.school_on and 5 <= _age(dob, self.school_on) <= 15
                       and cid not in self.attends)
            elif slug == "no-gp":
                hit = dob <= self.age_on and cid not in self.registered
            elif slug == "no-social-worker":
                hit = (status in ("cp_plan", "looked_after")
                       and (c.get("plan_start") is None or c["plan_start"] <= on)
                       and (c.get("plan_end") is None or c["plan_end"] >= on)
                       and not self.workers(cid, "social_worker"))
            elif slug == "no-lead-professional":
                invs = self.involvements.get(cid, [])
                hit = (len({i["service_id"] for i in invs}) >= 3
                       and not any(i.get("lead") for i in invs))
            elif slug == "long-plans":
                start = c.get("plan_start")
                hit = (status == "cp_plan" and start is not None
                       and start <= on.replace(year=on.year - 2)
                       and (c.get("plan_end") is None or c["plan_end"] >= on))
            elif slug == "repeat-plans":
                start = c.get("plan_start")
                hit = (status == "cp_plan" and start is not None and start <= on
                       and (c.get("plan_end") is None or c["plan_end"] >= on)
                       and bool(self.earlier_plans(cid)))
            elif slug == "care-leavers":
                hit = (c.get("care_leaver") and _age(dob, self.age_on) >= 18
                       and not self.workers(cid, "personal_adviser"))
            elif slug == "siblings-split":
                # Shielded children are in no sibling group, on either side.
                mine = self.workers(cid, "social_worker")
                hit = not c.get("shielded") and bool(mine) and any(
                    (theirs := self.workers(s, "social_worker")) and not (mine & theirs)
                    for s in self.siblings(cid))
            else:
                raise AssertionError(slug)
            if hit:
                found.add(cid)
        return found

    def current_households(self, cid: str) -> set[str]:
        return {r["household_id"] for r in self.lives.get(cid, []) if _open(r, self.on)}

    def siblings(self, cid: str) -> set[str]:
        found = set()
        homes = self.current_households(cid)
        for other in self.children:
            if other == cid or self.children[other].get("shielded"):
                continue
            if self.parents[cid] & self.parents[other] or homes & self.current_households(other):
                found.add(other)
        return found

    def single_points_of_failure(self) -> dict[str, str]:
        # A shielded child is in no family: its household is what its shield hides.
        members = defaultdict(set)
        for cid in self.children:
            if self.children[cid].get("shielded"):
                continue
            for hid in self.current_households(cid):
                members[hid].add(cid)
        found = {}
        for hid, kids in members.items():
            known = any((self.children[k].get("status") or "none") in gaps.FAMILY_STATUSES
                        or self.children[k].get("care_leaver") for k in kids)
            if not known:
                continue
            workers = {i["practitioner_id"] for k in kids for i in self.involvements.get(k, [])}
            if len(workers) == 1:
                found[hid] = self.household_la[hid]
        return found

    def caseloads(self) -> dict[str, tuple[str, int]]:
        found = {}
        for pid, prof in self.profession.items():
            if prof != "social_worker":
                continue
            n = sum(1 for invs in self.involvements.values()
                    if any(i["practitioner_id"] == pid for i in invs))
            spells = sorted(self.works_for[pid], key=lambda r: (r.get("until") is None,
                                                                 r.get("since") or date.min),
                            reverse=True)
            la = self.services[spells[0]["service_id"]]["local_authority"] if spells else "unknown"
            found[pid] = (la, n)
        return found


@pytest.fixture(scope="module")
def expected(seed):
    return Expected(seed, ON)


CHILD_GAPS = ("no-school", "no-gp", "no-social-worker", "no-lead-professional", "siblings-split",
              "long-plans", "repeat-plans", "care-leavers")


def test_gap_counts_match_an_independent_computation(population, expected):
    nonzero = []
    for slug in CHILD_GAPS:
        records = gaps.gap_records(population, slug, viewer=ANALYST, key=KEY, on=ON)
        want = expected.child_gap(slug)
        assert {r["pseudonym"] for r in records} == {policy.pseudonym(KEY, c) for c in want}, slug
        assert gaps.count_by_area(records) == dict(Counter(expected.area(c) for c in want)), slug
        nonzero.append(slug if not want else "")
        for r in records:
            assert set(r) >= {"pseudonym", "age_band", "local_authority"}
            assert "id" not in r and "date_of_birth" not in r
    # The population was nudged so that the gaps under test are not vacuous.
    assert not any(nonzero), nonzero

    hanging = expected.single_points_of_failure()
    records = gaps.gap_records(population, "single-point-of-failure", viewer=ANALYST, key=KEY, on=ON)
    assert {r["family"] for r in records} == {policy.family_pseudonym(KEY, h) for h in hanging}
    assert gaps.count_by_area(records) == dict(Counter(hanging.values()))
    assert hanging

    caseloads = expected.caseloads()
    rows = gaps.caseload_rows(population, KEY, ON, viewer=ANALYST)
    assert {(r["worker"], r["caseload"]) for r in rows} == {
        (policy.staff_pseudonym(KEY, p), n) for p, (_la, n) in caseloads.items()}
    over = gaps.gap_records(population, "caseloads", viewer=ANALYST, key=KEY, on=ON)
    assert Counter(r["local_authority"] for r in over) == Counter(
        la for la, n in caseloads.values() if n > gaps.CASELOAD_THRESHOLD)


def test_repeat_plans_show_how_many_and_how_long_since_as_bands(population, expected):
    records = {r["pseudonym"]: r for r in gaps.gap_records(population, "repeat-plans", viewer=ANALYST,
                                                           key=KEY, on=ON)}
    want = expected.child_gap("repeat-plans")
    assert set(records) == {policy.pseudonym(KEY, c) for c in want}
    for cid in want:
        earlier = expected.earlier_plans(cid)
        days = (expected.children[cid]["plan_start"] - max(p["end"] for p in earlier)).days
        band = ("under 1 year" if days < 365 else "1 to 2 years" if days < 730
                else "2 years or more")
        r = records[policy.pseudonym(KEY, cid)]
        assert r["previous_plans"] == (len(earlier) if len(earlier) < 3 else "3 or more")
        assert r["since_previous_plan"] == band
        # Bands only: no date leaves the report.
        assert not [k for k, v in r.items() if isinstance(v, date)], r
    assert {r["since_previous_plan"] for r in records.values()} == {
        "under 1 year", "1 to 2 years", "2 years or more"}
    assert {r["previous_plans"] for r in records.values()} >= {1, 2}
    # The filters work on this report as on the others.
    area = sorted(gaps.count_by_area(list(records.values())))[0]
    narrowed = gaps.gap_records(population, "repeat-plans", viewer=ANALYST, key=KEY, on=ON,
                                filters=gaps.Filters(area))
    assert narrowed and {r["pseudonym"] for r in narrowed} == {
        p for p, r in records.items() if r["local_authority"] == area}
    assert gaps.gap_records(population, "repeat-plans", viewer=ANALYST, key=KEY, on=ON,
                            filters=gaps.Filters(plan_status="child_in_need")) == []
    # The dashboard counts it per local authority, suppressed like every gap.
    column = next(c for c in gaps.summary(population, viewer=ANALYST, key=KEY, on=ON).columns
                  if c.gap.slug == "repeat-plans")
    assert all(v not in (1, 2, 3, 4) for v in column.cells.values())
    assert column.total == len(want) >= 5


def test_filters_narrow_the_reports(population, expected):
    everything = gaps.gap_records(population, "no-gp", viewer=ANALYST, key=KEY, on=ON)
    area = sorted(gaps.count_by_area(everything))[0]
    by_area = gaps.gap_records(population, "no-gp", viewer=ANALYST, key=KEY, on=ON,
                               filters=gaps.Filters(area))
    assert by_area and all(r["local_authority"] == area for r in by_area)
    young = gaps.gap_records(population, "no-gp", viewer=ANALYST, key=KEY, on=ON,
                             filters=gaps.Filters(age_band="0-4"))
    assert {r["pseudonym"] for r in young} == {r["pseudonym"] for r in everything
                                               if r["age_band"] == "0-4"}
    cin = gaps.gap_records(population, "no-gp", viewer=ANALYST, key=KEY, on=ON,
                           filters=gaps.Filters(plan_status="child_in_need"))
    assert all(r["status"] == "child_in_need" for r in cin)
    hv = gaps.gap_records(population, "no-gp", viewer=ANALYST, key=KEY, on=ON,
                          filters=gaps.Filters(service_type="health_visiting"))
    assert hv and all("health_visiting" in r["service_types"] for r in hv)



@pytest.mark.parametrize("on", [ON, REPORT])
def test_the_dashboard_served_from_saved_counts_is_the_live_one_for_every_focus(
        population, monkeypatch, on):
    """Every view the filters offer (no focus, each status, age band and service type, each
    area), served from the saved counts, is the view counted live from the graph now."""
    live = {g.slug: counting.groups(population, g, on) for g in gaps.GAPS}
    found = saved.counts(population, on)  # saved now, or by an earlier test of the same graph
    for g in gaps.GAPS:  # the same groups (Cypher returns them in no particular order)
        assert sorted(map(saved.encode, ([x] for x in found[g.slug].groups))) == sorted(
            map(saved.encode, ([x] for x in live[g.slug]))), g.slug

    def refuse(*_args, **_kwargs):
        raise AssertionError("counted live: the saved counts were not served")
    monkeypatch.setattr(counting, "groups", refuse)
    rows = gaps.report_areas(population)
    known = gaps.areas(population)
    views = [gaps.NO_FILTERS, *(gaps.Filters(a) for a in known)]
    views += [gaps.Filters(**{dim: v}) for dim, values in (
        ("plan_status", gaps.STATUSES), ("age_band", gaps.AGE_BANDS),
        ("service_type", gaps.FILTER_SERVICE_TYPES)) for v in values]
    for filters in views:
        served = gaps.summary(population, viewer=ANALYST, key=KEY, on=on, filters=filters)
        assert served.columns == [tally(g, live[g.slug], rows, filters.focus)
                                  for g in gaps.GAPS], filters
        somewhere = {f["local_authority"] for groups in live.values() for f, n in groups if n}
        assert served.areas == ([filters.local_authority] if filters.local_authority else
                                [a for a in rows if a in known or a in somewhere]), filters
        assert served.counted.startswith("Counted ")


def test_networkx_analytics_agree_with_the_reports(population, expected):
    G, _services = overview.read_graph(population, ON, viewer=ANALYST)
    per_worker = networks.caseload_per_practitioner(G, "social_worker")
    for pid, (_la, n) in expected.caseloads().items():
        assert per_worker.get(pid, 0) == n
    # In the graph of involvements alone, every single point of failure is an articulation
    # point and its edges to the family's children are bridges.
    H = networks.involvement_graph(population.read("analytics_involvements", date=ON,
                                              retained=gaps.analysts_retained()))
    hanging = networks.single_points_of_failure(H)
    assert hanging
    assert {p[1] for p in hanging.values()} <= set(networks.articulation_practitioners(H))
    bridges = set(networks.practitioner_bridges(H))
    for family, p in hanging.items():
        kids = [c for c in H[family] if c[0] == "child" and H.has_edge(c, p)]
        if len(kids) == 1:
            assert (kids[0][1], p[1]) in bridges
    spanning = networks.families_spanning_authorities(G)
    assert len(spanning) >= 1 and all(len(v) >= 2 for v in spanning.values())
    centrality = networks.service_centrality(G)
    assert centrality and all(0.0 <= v <= 1.0 for v in centrality.values())
    found = overview.overview(population, viewer=ANALYST, on=ON)
    assert found["centrality"] and found["professions"]


def test_network_view_is_the_same_every_time_and_grouped_when_large(population):
    area = gaps.areas(population)[0]
    first = network_view.network_view(population, viewer=ANALYST, key=KEY, on=ON, local_authority=area)
    again = network_view.network_view(population, viewer=ANALYST, key=KEY, on=ON, local_authority=area)
    assert first == again and not first.grouped
    assert all(n["id"].startswith("X-") for n in first.nodes if n["kind"] == "child")
    small = network_view.network_view(population, viewer=ANALYST, key=KEY, on=ON, local_authority=area,
                                      max_nodes=50)
    assert small.grouped and len(small.nodes) <= 50
    assert all(re.fullmatch(r"(<5|\d+) children( with other sets of services)?", n["label"])
               for n in small.nodes if n["kind"] == "group")
    assert all(not re.fullmatch(r"[1-4] children", n["label"]) for n in small.nodes)


# -- suppression ------------------------------------------------------------------------------

def test_suppressed_tables_hide_small_counts_and_cannot_be_undone_by_subtraction():
    import random

    rng = random.Random(5)
    for _ in range(500):
        rows, cols = rng.randint(1, 6), rng.randint(1, 5)
        body = [[rng.choice((0, 0, 1, 2, 3, 4, 5, 6, 9, 20, 40)) for _ in range(cols)]
                for _ in range(rows)]
        table = [[*r, sum(r)] for r in body]
        table.append([sum(r[c] for r in table) for c in range(cols + 1)])
        shown = policy.suppress_table(table)
        mask = policy.suppression_mask(table)
        for r, row in enumerate(shown):
            for c, v in enumerate(row):
                assert v not in (1, 2, 3, 4)
                assert (v in ("<5", "*")) == mask[r][c]
        assert not _solvable_cells(table, mask), (table, shown)
        # A breakdown of an unbroken table: its totals column is that table, already published
        # with its own suppression, and must come out as that table has it.
        unbroken = policy.suppression_mask([[row[-1]] for row in table])
        published = {(r, cols): unbroken[r][0] for r in range(rows + 1)}
        mask = policy.suppression_mask(table, published)
        assert all(mask[r][cols] == hidden for (r, _), hidden in published.items())
        assert not _solvable_cells(table, mask), (table, published)
        assert all(mask[r][c] for r in range(rows + 1) for c in range(cols + 1)
                   if 0 < table[r][c] < 5)


def test_which_hidden_cells_a_table_gives_away_agrees_with_solving_its_equations():
    import random

    rng = random.Random(11)
    for _ in range(400):
        rows, cols = rng.randint(1, 6), rng.randint(1, 6)
        table = [[rng.randint(0, 9) for _ in range(cols)] for _ in range(rows)]
        hidden = [[rng.random() < 0.4 for _ in range(cols)] for _ in range(rows)]
        assert policy.recoverable(table, hidden) == sorted(_solvable_cells(table, hidden)), hidden


def _rank(matrix: list[list[Fraction]]) -> int:
    rows, rank = [row[:] for row in matrix], 0
    for col in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def _solvable_cells(table: list[list[int]], mask: list[list[bool]]) -> list[tuple[int, int]]:
    """Hidden cells an analyst could work out exactly from the shown cells and the sums (an
    independent check: a cell is determined when adding "this cell alone" to the equations
    the table's rows and columns give does not raise their rank)."""
    cells = [(r, c) for r, row in enumerate(mask) for c, h in enumerate(row) if h]
    if not cells:
        return []
    n_rows, n_cols = len(table), len(table[0])
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)] + \
            [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    equations = []
    for line in lines:
        if len(line) > 1:
            coeff = {cell: (-1 if k == len(line) - 1 else 1) for k, cell in enumerate(line)}
            equations.append([Fraction(coeff.get(cell, 0)) for cell in cells])
    base = _rank(equations)
    return [cell for i, cell in enumerate(cells)
            if _rank([*equations, [Fraction(int(j == i)) for j in range(len(cells))]]) == base]


def test_suppress_and_secondary_suppression_examples():
    assert [policy.suppress(n) for n in range(7)] == [0, "<5", "<5", "<5", "<5", 5, 6]
    col = gaps.suppressed_column(gaps.GAPS[0], {"A": 2, "B": 30, "C": 7}, ["A", "B", "C"])
    assert col.cells == {"A": "<5", "B": 30, "C": "*"} and col.total == 39
    assert not col.list_allowed("A") and not col.list_allowed("C") and col.list_allowed("B")
    assert not col.list_allowed(None)


@pytest.mark.slow
def test_reports_narrowed_one_way_and_another_give_away_no_count_they_hide(population):
    """Every table an analyst can ask for of one gap (per area; by each status; by each age
    band; with and without each service type; one area's row) taken together: no cell any of
    them hides can be worked out from what the others show."""
    rows = gaps.report_areas(population)
    unfocused = gaps.summary(population, viewer=ANALYST, key=KEY, on=REPORT)
    for area in gaps.areas(population):  # an area's row is that row of the whole table
        alone = gaps.summary(population, viewer=ANALYST, key=KEY, on=REPORT, filters=gaps.Filters(area))
        assert [c.cells[area] for c in alone.columns] == [c.cells[area] for c in unfocused.columns]
    checked_hidden = 0
    for i, gap in enumerate(gaps.GAPS):
        base = unfocused.columns[i]
        for dim, values in (("plan_status", gaps.STATUSES), ("age_band", gaps.AGE_BANDS),
                            ("service_type", gaps.FILTER_SERVICE_TYPES)):
            parts = {v: gaps.summary(population, viewer=ANALYST, key=KEY, on=REPORT,
                                     filters=gaps.Filters(**{dim: v})).columns[i] for v in values}
            # The cells, every column's total row, and the unfocused column as the totals.
            names = [(a, v) for a in rows for v in values] + [("total", v) for v in values] + \
                    [(a, "all") for a in rows] + [("total", "all")]
            value = {**{(a, v): parts[v].cells[a] for a in rows for v in values},
                     **{("total", v): parts[v].total for v in values},
                     **{(a, "all"): base.cells[a] for a in rows}, ("total", "all"): base.total}
            equations = [[(a, v) for a in rows] + [("total", v)] for v in values]
            equations.append([(a, "all") for a in rows] + [("total", "all")])
            if gap.unit == "children" and dim != "service_type":
                # A partition (a child has one status, one age band): an area's parts add up
                # to its figure. A family has several children, a child several services.
                equations += [[(a, v) for v in values] + [(a, "all")] for a in rows]
            hidden = [n for n in names if not isinstance(value[n], int)]
            checked_hidden += len(hidden)
            assert not _determined(hidden, value, equations), (gap.slug, dim)
    assert checked_hidden > 0  # the generated graph has small counts to protect


def _determined(hidden: list, value: dict, equations: list[list]) -> list:
    """Hidden cells that the equations (each line's cells add up to its last) and the shown
    cells pin down exactly."""
    matrix = []
    for line in equations:
        coeff = {cell: (-1 if k == len(line) - 1 else 1) for k, cell in enumerate(line)}
        row = [Fraction(coeff.get(h, 0)) for h in hidden]
        if any(row):
            matrix.append(row)
    if not matrix:
        return []
    base = _rank(matrix)
    return [h for j, h in enumerate(hidden)
            if _rank([*matrix, [Fraction(int(k == j)) for k in range(len(hidden))]]) == base]


# -- over HTTP ---------------------------------------------------------------------------------

ANALYST_PAGES = ("/analyst", "/analyst/summary.csv", "/analyst/caseloads", "/analyst/caseloads.csv",
                 "/analyst/analytics", "/analyst/analytics.csv", "/analyst/network")


def _urls(areas: list[str]) -> list[str]:
    on = f"on={REPORT.isoformat()}"
    urls = [f"{p}?{on}" for p in ANALYST_PAGES]
    for g in gaps.GAPS:
        urls += [f"/analyst/gaps/{g.slug}?{on}", f"/analyst/gaps/{g.slug}/export.csv?{on}"]
        for a in areas:
            urls += [f"/analyst/gaps/{g.slug}?{on}&la={a}",
                     f"/analyst/gaps/{g.slug}/export.csv?{on}&la={a}"]
    for a in areas:
        urls += [f"/analyst?{on}&la={a}", f"/analyst/network?{on}&la={a}",
                 f"/analyst/network?{on}&la={a}&plan_status=cp_plan",
                 f"/analyst?{on}&la={a}&age_band=10-15",
                 f"/analyst/gaps/no-gp?{on}&la={a}&focus=plan_status:child_in_need"]
    urls += [f"/analyst?{on}&service_type=health_visiting", f"/analyst/summary.csv?{on}&age_band=0-4"]
    return urls


def _small_counts_in(body: str, path: str) -> list[str]:
    found = re.findall(r'<td class="num">(?:<a [^>]*>)?\s*([1-4])\s*(?:</a>)?</td>', body)
    if path.split("?")[0].endswith(".csv"):
        for row in csv.reader(io.StringIO(body)):
            cells = row[1:]
            if path.startswith("/analyst/gaps/"):
                cells = [c for c in row if False]  # record lists: no counts in their cells
            if path.startswith("/analyst/caseloads.csv") and row and row[0] in (
                    "mean", "median", "p90", "max"):
                cells = [c for c in cells if c.isdigit()]
            if path.startswith("/analyst/analytics.csv"):
                cells = row[4:5]
            found += [c for c in cells if c in ("1", "2", "3", "4")]
    return found


@pytest.mark.slow
def test_an_analyst_session_never_receives_names_dates_of_birth_addresses_or_ids(
        app, graph, loaded, make_user, login_as):
    make_user("ana", ["analyst"])
    client = app.test_client()
    login_as(client, "ana")
    rows = loaded.rows
    dobs = {c["date_of_birth"].isoformat() for c in rows["child"]} - {REPORT.isoformat()}
    # Plan dates would narrow a child down as well: only bands of them are shown.
    dobs |= ({p[k].isoformat() for p in rows["plan"] for k in ("start", "end")}
             | {c["plan_start"].isoformat() for c in rows["child"] if c.get("plan_start")}) \
        - {REPORT.isoformat()}
    addresses = {h["address"] for h in rows["household"] if h.get("address")}
    postcodes = {h["postcode"] for h in rows["household"] if h.get("postcode")}
    child_ids = {c["id"] for c in rows["child"]}
    urls = _urls(gaps.areas(graph))
    for url in urls:
        reply = client.get(url)
        assert reply.status_code == 200, (url, reply.status_code)
        body = reply.get_data(as_text=True)
        assert NAME_MARK.lower() not in body.lower(), url
        assert not [d for d in re.findall(r"\d{4}-\d{2}-\d{2}", body) if d in dobs], url
        assert not [a for a in addresses if a in body], url
        assert not [p for p in postcodes if p in body], url
        ids = set(re.findall(r"(?<![A-Za-z0-9-])C\d{7}(?![0-9])", body))
        assert not ids & child_ids, url
        assert not _small_counts_in(body, url), url
        # A hidden figure is never a link: its list is withheld.
        assert not re.search(r"<a [^>]*>(&lt;5|\*)</a>", body), url
    listed = client.get(f"/analyst/gaps/no-gp?on={REPORT.isoformat()}&la={gaps.areas(graph)[0]}")
    assert "X-" in listed.get_data(as_text=True)  # lists do show pseudonyms
    events = audit.search(graph, action="analyst.", limit=10_000)
    assert len(events) == len(urls) + 1  # and the list fetched just above
    assert {e["action"] for e in events} >= {"analyst.dashboard", "analyst.gap.view",
                                             "analyst.gap.export", "analyst.summary.export",
                                             "analyst.network.view", "analyst.caseloads.export",
                                             "analyst.analytics.export"}


def test_two_focuses_at_once_are_refused(app, graph, make_user, login_as):
    make_user("ana", ["analyst"])
    client = app.test_client()
    login_as(client, "ana")
    for url in ("/analyst?age_band=10-15&plan_status=child_in_need",
                "/analyst/gaps/no-gp?focus=age_band:5-9&service_type=school",
                "/analyst/summary.csv?plan_status=cp_plan&focus=age_band:0-4"):
        reply = client.get(url)
        assert reply.status_code == 400, url
        assert "one of plan status, age band or service type at a time" in reply.get_data(
            as_text=True)
    assert client.get("/analyst?focus=age_band:5-9").status_code == 200
    assert client.get("/analyst?la=Nowhere-Shire").status_code == 404


@pytest.mark.parametrize("role", ["practitioner", "chair", "management", "admin"])
def test_non_analysts_are_refused_every_analyst_route(app, graph, make_user, login_as, role):
    make_user(role, [role], practitioner_id="P-X" if role == "practitioner" else None)
    client = app.test_client()
    login_as(client, role)
    for url in (*ANALYST_PAGES, "/analyst/gaps/no-gp", "/analyst/gaps/no-gp/export.csv"):
        assert client.get(url).status_code == 403, url
    assert audit.search(graph, action="analyst.", limit=100) == []
