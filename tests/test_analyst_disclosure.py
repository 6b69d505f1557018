"""Analysts' data on small hand-made graphs: what each report must never give away.

Each test loads a few children written here (a JSON Lines seed through the real loader into
the real test Neo4j) built to trip one rule, then asks the analytics functions and the
analyst's pages over HTTP. The population test in test_analytics.py checks the counts; these
check the disclosures that a large population hides in its noise.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from explorer import policy
from explorer.accounts import Viewer
from explorer.analytics import gaps, network_view, overview
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.conftest import wipe

KEY = b"test-pseudonym-key"  # conftest's config.pseudonym_key
# The analytics check their viewer's scope: these calls are an analyst's.
ANALYST = Viewer("analyst", frozenset({"analyst"}), None, "analyst")
ON = date(2026, 5, 31)  # a month's end: analysts' reports are as of one (or of today)

SERVICES = [
    ("S-CSC", "Northmere Children's Social Care", "social_care", False),
    ("S-HV", "Northmere Health Visiting", "health_visiting", False),
    ("S-YJ", "Northmere Youth Justice Service", "youth_justice", False),
    ("S-EH", "Northmere Early Help", "early_help", False),
    ("S-CAMHS", "Northmere CAMHS", "camhs", True),
    ("S-SM", "Northmere Substance Misuse Service", "substance_misuse", True),
    ("S-DA", "Northmere Domestic Abuse Service", "other", True),  # marked sensitive by an admin
]
PROFESSION = {"S-CSC": "social_worker", "S-HV": "health_visitor", "S-YJ": "youth_justice_officer",
              "S-EH": "family_support_worker", "S-CAMHS": "camhs_clinician",
              "S-SM": "substance_misuse_worker", "S-DA": "other"}


class Mini:
    """A small synthetic graph: services in Northmere, one practitioner per (service, n)."""

    def __init__(self) -> None:
        self.rows: list[dict] = [
            {"type": "service", "id": sid, "name": name, "service_type": kind, "sensitive": sensitive,
             "local_authority": "Northmere"} for sid, name, kind, sensitive in SERVICES]
        self.practitioners: set[str] = set()
        self.households: set[str] = set()
        self.n = 0

    def child(self, cid: str, *, born: date, household: str | None = "H-1",
              status: str = "child_in_need", shielded: bool = False, la: str = "Northmere",
              **more) -> str:
        self.rows.append({"type": "child", "id": cid, "given_name": "Testchild",
                          "family_name": cid.replace("-", ""), "date_of_birth": born.isoformat(),
                          "gender": "not_specified", "shielded": shielded, "status": status,
                          **{k: (v.isoformat() if isinstance(v, date) else v)
                             for k, v in more.items()}})
        if household:
            if household not in self.households:
                self.households.add(household)
                self.rows.append({"type": "household", "id": household,
                                  "local_authority": la, "address_status": "none"})
            self.rows.append({"type": "lives_in", "person_id": cid, "household_id": household,
                              "since": born.isoformat() if born <= ON else None})
        return cid

    def involve(self, cid: str, service: str, *, worker: int = 1, lead: bool = False,
                consent: bool = False, since: date = date(2025, 1, 6)) -> None:
        pid = f"P-{service[2:]}-{worker}"
        if pid not in self.practitioners:
            self.practitioners.add(pid)
            self.rows.append({"type": "practitioner", "id": pid, "given_name": "Testworker",
                              "family_name": pid.replace("-", ""), "profession": PROFESSION[service]})
            self.rows.append({"type": "works_for", "practitioner_id": pid, "service_id": service,
                              "since": "2020-01-06"})
        self.n += 1
        self.rows.append({"type": "involved_with", "id": f"I-{self.n}", "practitioner_id": pid,
                          "child_id": cid, "service_id": service, "role": f"role {self.n}",
                          "since": since.isoformat(), "lead": lead, "caf": False,
                          "consent_to_share": consent})

    def load(self, graph, tmp_path) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        path = tmp_path / "mini.jsonl"
        lines = []
        for row in self.rows:
            lines.append(json.dumps({k: v for k, v in row.items() if v is not None}))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        load(graph, read_seed(path, today=date.today()), source="test", progress=False)


def reports(graph, on: date = ON) -> dict:
    """Everything the analytics functions give an analyst on ``on``, timings left out."""
    found = {slug: gaps.gap_records(graph, slug, viewer=ANALYST, key=KEY, on=on) for slug in gaps.BY_SLUG}
    found["summary"] = gaps.summary(graph, viewer=ANALYST, key=KEY, on=on)
    found["caseloads"] = gaps.caseload_distribution(graph, viewer=ANALYST, key=KEY, on=on)
    found["overview"] = {k: v for k, v in overview.overview(graph, viewer=ANALYST, on=on).items()
                         if not k.endswith("seconds")}
    found["network"] = network_view.network_view(graph, viewer=ANALYST, key=KEY, on=on,
                                                 local_authority="Northmere")
    return found


def analyst_urls(on: date = ON, area: str = "Northmere") -> list[str]:
    q = f"on={on.isoformat()}"
    urls = [f"/analyst?{q}", f"/analyst/summary.csv?{q}", f"/analyst/caseloads?{q}",
            f"/analyst/caseloads.csv?{q}", f"/analyst/analytics?{q}", f"/analyst/analytics.csv?{q}",
            f"/analyst/network?{q}&la={area}"]
    for slug in gaps.BY_SLUG:
        urls += [f"/analyst/gaps/{slug}?{q}", f"/analyst/gaps/{slug}/export.csv?{q}",
                 f"/analyst/gaps/{slug}?{q}&la={area}", f"/analyst/gaps/{slug}/export.csv?{q}&la={area}"]
    return urls


def _normalised(body: str) -> str:
    body = re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', body)
    body = re.sub(r"computed in [0-9.]+ s", "computed in - s", body)
    body = re.sub(r"Counted (?:at|between) [^<]*</p>", "Counted -</p>", body)  # the dashboard's
    # A CSV's provenance columns name the time and the audit event of that export.
    return re.sub(r",OFFICIAL-SENSITIVE,([^,\r\n]*),[^,\r\n]*,[^,\r\n]*", r",OFFICIAL-SENSITIVE,\1,-,-",
                  body)


@pytest.fixture
def analyst_bodies(app, make_user, login_as):
    """analyst_bodies(username, urls) -> {url: body} as an analyst signed in over HTTP sees them."""

    def fetch(username: str, urls: list[str]) -> dict[str, str]:
        make_user(username, ["analyst"])
        client = app.test_client()
        login_as(client, username)
        bodies = {}
        for url in urls:
            reply = client.get(url)
            assert reply.status_code == 200, (url, reply.status_code)
            bodies[url] = _normalised(reply.get_data(as_text=True))
        return bodies

    return fetch


# -- 1. sensitive services -----------------------------------------------------------------------

def sensitive_world(with_sensitive: bool) -> Mini:
    """Children whose analysts' data must be the same with or without their sensitive
    involvements (CAMHS, substance misuse, and a service an admin marked sensitive)."""
    m = Mini()
    for n in range(5):  # two ordinary services, no lead, and CAMHS (consent on some)
        c = m.child(f"C-TWO{n}", born=date(2012, 1, 10 + n), household=f"H-TWO{n}")
        m.involve(c, "S-HV")
        m.involve(c, "S-YJ")
        if with_sensitive:
            m.involve(c, "S-CAMHS", consent=n % 2 == 0)
    for n in range(5):  # three ordinary services and no lead among them: the gap either way
        c = m.child(f"C-THREE{n}", born=date(2013, 2, 10 + n), household=f"H-THREE{n}")
        for service in ("S-HV", "S-YJ", "S-EH"):
            m.involve(c, service)
        if with_sensitive:  # a sensitive lead must not take the child out of the gap either
            m.involve(c, "S-SM", lead=True, consent=n == 0)
    for n in range(5):  # a family whose only open involvement is with a sensitive service
        c = m.child(f"C-ONLY{n}", born=date(2014, 3, 10 + n), household=f"H-ONLY{n}")
        if with_sensitive:
            m.involve(c, "S-DA" if n % 2 else "S-CAMHS", consent=n == 0)
    for n in range(5):  # one social worker, and a sensitive service beside them
        c = m.child(f"C-PAIR{n}", born=date(2015, 4, 10 + n), household=f"H-PAIR{n}")
        m.involve(c, "S-CSC", worker=n + 1)
        if with_sensitive:
            m.involve(c, "S-CAMHS", worker=n + 1, consent=n % 2 == 1)
    return m


def test_sensitive_involvements_leave_no_trace_in_analysts_data(graph, tmp_path, analyst_bodies):
    assert not policy.in_analysts_data({"type": "camhs", "sensitive": True})
    sensitive_world(with_sensitive=False).load(graph, tmp_path / "without")
    without = reports(graph)
    pages_without = analyst_bodies("ana", analyst_urls())
    wipe(graph)
    sensitive_world(with_sensitive=True).load(graph, tmp_path / "with")
    found = reports(graph)

    # The child with two ordinary services and CAMHS is not "3 or more services".
    no_lead = {r["pseudonym"]: r for r in found["no-lead-professional"]}
    assert set(no_lead) == {policy.pseudonym(KEY, f"C-THREE{n}") for n in range(5)}
    assert all(len(r["service_types"]) == 3 for r in no_lead.values())
    # No family hangs on a sensitive service's worker, and no row hints at one.
    hanging = found["single-point-of-failure"]
    assert {r["family"] for r in hanging} == {policy.family_pseudonym(KEY, f"H-PAIR{n}")
                                             for n in range(5)}
    assert all(r["profession"] == "social_worker" for r in hanging)
    assert "sensitive" not in repr(hanging)
    names = {r["service"] for r in found["overview"]["services"]}
    assert names and not names & {name for _, name, _, sensitive in SERVICES if sensitive}
    # Every report, table and graph is what it would be had the involvements never existed.
    for name in without:
        assert found[name] == without[name], name
    pages = analyst_bodies("ana", analyst_urls())
    for url, body in pages_without.items():
        assert pages[url] == body, url
    for body in pages.values():
        assert "CAMHS" not in body and "camhs" not in body and "Substance" not in body


# -- 2. shielded children in families -----------------------------------------------------------

def shielded_world() -> Mini:
    m = Mini()
    for n in range(5):  # a shielded child and a sibling, both with one social worker
        shielded = m.child(f"C-SHA{n}", born=date(2014, 5, 10 + n), household=f"H-ONE{n}",
                           shielded=True)
        sibling = m.child(f"C-SIBA{n}", born=date(2016, 5, 10 + n), household=f"H-ONE{n}")
        m.involve(shielded, "S-CSC", worker=n + 1)
        m.involve(sibling, "S-CSC", worker=n + 1)
    for n in range(5):  # a shielded child and a sibling with different social workers
        shielded = m.child(f"C-SHB{n}", born=date(2013, 6, 10 + n), household=f"H-TWO{n}",
                           shielded=True)
        sibling = m.child(f"C-SIBB{n}", born=date(2015, 6, 10 + n), household=f"H-TWO{n}")
        m.involve(shielded, "S-CSC", worker=10 + n)
        m.involve(sibling, "S-CSC", worker=20 + n)
        m.involve(sibling, "S-HV")
    return m


def test_a_shielded_child_is_in_no_family_row(graph, tmp_path, analyst_bodies):
    shielded_world().load(graph, tmp_path)
    shielded = {policy.pseudonym(KEY, f"C-SH{x}{n}") for x in "AB" for n in range(5)}
    siblings = {policy.pseudonym(KEY, f"C-SIB{x}{n}") for x in "AB" for n in range(5)}

    hanging = gaps.gap_records(graph, "single-point-of-failure", viewer=ANALYST, key=KEY, on=ON)
    # The families of the first five, with the sibling alone (the shielded child left out).
    assert {r["family"] for r in hanging} == {policy.family_pseudonym(KEY, f"H-ONE{n}")
                                             for n in range(5)}
    for r in hanging:
        assert r["local_authority"] == "Northmere"
        assert not [p for p in shielded if p in r["children"]], r
        assert len([p for p in siblings if p in r["children"]]) == 1, r
    # A shielded child is nobody's sibling, and is listed as having none.
    split = gaps.gap_records(graph, "siblings-split", viewer=ANALYST, key=KEY, on=ON)
    assert not {r["pseudonym"] for r in split} & (shielded | siblings)
    # The analytics' families hold no shielded child.
    G, _services = overview.read_graph(graph, ON, viewer=ANALYST)
    for node in G:
        if node[0] == "family":
            assert not [c for c in G[node] if c[0] == "child" and c[1].startswith("C-SH")], node
    # Over HTTP: no page or export names a shielded child beside anyone, or places one.
    bodies = analyst_bodies("ana", analyst_urls())
    for url, body in bodies.items():
        if "single-point-of-failure" in url or "siblings-split" in url:
            assert not [p for p in shielded if p in body], url
            assert "<td>withheld</td>" not in body and ",withheld," not in body, url
    listed = bodies[f"/analyst/gaps/single-point-of-failure/export.csv?on={ON.isoformat()}"]
    assert len(listed.strip().splitlines()) == 6 and not [p for p in shielded if p in listed]


# -- 3. order ------------------------------------------------------------------------------------

def _in_page_order(body: str, prefix: str) -> list[str]:
    seen: list[str] = []
    for found in re.findall(rf"{prefix}-[0-9A-F]{{10,12}}", body):
        if found not in seen:
            seen.append(found)
    return seen


def test_every_list_an_analyst_receives_is_in_pseudonym_order(graph, tmp_path, analyst_bodies):
    m = Mini()
    ids = [f"C-{letter}" for letter in "ABCDEFGHIJ"]
    for n, cid in enumerate(ids):  # no GP: all ten in one list; two families of five
        m.child(cid, born=date(2012, 1, 10 + n), household=f"H-{n % 2}" if n < 4 else f"H-{cid}")
        m.involve(cid, "S-CSC", worker=n if n >= 4 else 1 + n % 2)
    m.load(graph, tmp_path)
    by_id = [policy.pseudonym(KEY, c) for c in ids]
    assert by_id != sorted(by_id)  # else the test could not tell the two orders apart

    records = gaps.gap_records(graph, "no-gp", viewer=ANALYST, key=KEY, on=ON)
    assert [r["pseudonym"] for r in records] == sorted(by_id)
    families = gaps.gap_records(graph, "single-point-of-failure", viewer=ANALYST, key=KEY, on=ON)
    names = [r["family"] for r in families]
    assert len(names) == 8 and names == sorted(names)
    assert names != [policy.family_pseudonym(KEY, h) for h in sorted(
        [f"H-{n}" for n in range(2)] + [f"H-{c}" for c in ids[4:]])]
    for r in families:
        inside = re.findall(r"X-[0-9A-F]{12}", r["children"])
        assert inside == sorted(inside)
    workers = [r["worker"] for r in gaps.caseload_rows(graph, KEY, ON, viewer=ANALYST)]
    assert workers == sorted(workers)
    view = network_view.network_view(graph, viewer=ANALYST, key=KEY, on=ON, local_authority="Northmere")
    drawn = [n["id"] for n in view.nodes if n["kind"] == "child"]
    assert drawn == sorted(drawn)

    q = f"on={ON.isoformat()}"
    urls = [f"/analyst/gaps/no-gp?{q}", f"/analyst/gaps/no-gp/export.csv?{q}",
            f"/analyst/gaps/single-point-of-failure?{q}",
            f"/analyst/gaps/single-point-of-failure/export.csv?{q}"]
    bodies = analyst_bodies("ana", urls)
    for url in urls[:2]:
        assert _in_page_order(bodies[url], "X") == sorted(by_id), url
    for url in urls[2:]:
        assert _in_page_order(bodies[url], "F") == names, url


# -- 4. the first page ---------------------------------------------------------------------------

def test_an_analysts_first_page_points_to_the_reports_and_lists_no_child(signed_in, demo):
    analyst = signed_in("ana", ["analyst"])
    reply = analyst.get("/")
    assert reply.status_code == 200
    body = reply.get_data(as_text=True)
    assert 'href="/analyst"' in body and 'href="/analyst/network"' in body
    assert not re.findall(r"X-[0-9A-F]{12}", body)  # no pseudonym, so no row to count
    assert "<table" not in body and "C-ZOE" not in body
    # Other roles keep their list of the children they may see.
    manager = signed_in("mo", ["management"]).get("/").get_data(as_text=True)
    assert "Children you may see" in manager and "C-ZOE" in manager
    both = signed_in("mixed", ["analyst", "management"]).get("/").get_data(as_text=True)
    assert "C-ZOE" in both


# -- 5. the network view -------------------------------------------------------------------------

def _drawing_agrees_with_suppression(view) -> None:
    circles = [n for n in view.nodes if n["kind"] == "child"]
    groups = [n for n in view.nodes if n["kind"] == "group"]
    sizes = [re.match(r"(<5|\d+) children", g["label"]).group(1) for g in groups]
    if view.children == policy.SUPPRESSED:
        assert not circles and sizes == [policy.SUPPRESSED], (view.children, len(circles), sizes)
        return
    assert all(s.isdigit() and int(s) >= 5 for s in sizes), sizes
    assert len(circles) + sum(int(s) for s in sizes) == view.children
    # Nor does any service have 1 to 4 children drawn one by one around it.
    for service in (n["id"] for n in view.nodes if n["kind"] == "service"):
        drawn = [a for a, b in view.edges if b == service and a.startswith("X-")]
        assert not 0 < len(drawn) < 5, (service, len(drawn))


def test_the_network_view_draws_no_count_it_suppresses(graph, tmp_path, analyst_bodies):
    m = Mini()
    n = 0

    def children(area: str, count: int, services: tuple[str, ...]) -> None:
        nonlocal n
        for _ in range(count):
            n += 1
            cid = m.child(f"C-{n:03d}", born=date(2014, 1, 1 + n), household=f"H-{n}", la=area)
            for service in services:
                m.involve(cid, service)

    children("Northmere", 3, ("S-HV",))  # 3 in all: "<5", and no child drawn
    children("Southwick", 5, ("S-HV",))  # 7 in all, 2 of them with youth justice
    children("Southwick", 2, ("S-HV", "S-YJ"))
    children("Eastholm", 6, ("S-HV",))  # 12 in all: the 6 drawn, and one other group of 6
    children("Eastholm", 5, ("S-CSC",))
    children("Eastholm", 1, ("S-EH",))
    m.load(graph, tmp_path)

    views = {area: network_view.network_view(graph, viewer=ANALYST, key=KEY, on=ON, local_authority=area)
             for area in ("Northmere", "Southwick", "Eastholm")}
    assert views["Northmere"].children == "<5"
    assert views["Southwick"].children == 7 and views["Eastholm"].children == 12
    assert len([x for x in views["Eastholm"].nodes if x["kind"] == "child"]) == 6
    for view in views.values():
        _drawing_agrees_with_suppression(view)
    for max_nodes in (3, 5, 8):
        _drawing_agrees_with_suppression(network_view.network_view(
            graph, viewer=ANALYST, key=KEY, on=ON, local_authority="Eastholm", max_nodes=max_nodes))

    bodies = analyst_bodies("ana", [f"/analyst/network?on={ON.isoformat()}&la={area}"
                                    for area in views])
    for url, body in bodies.items():
        area = url.rsplit("=", 1)[1]
        assert body.count('class="node-child"') == len(
            [x for x in views[area].nodes if x["kind"] == "child"]), url
    assert 'class="node-child"' not in bodies[f"/analyst/network?on={ON.isoformat()}&la=Northmere"]


# -- 6. the report date ----------------------------------------------------------------------------

def birthday_world() -> Mini:
    m = Mini()
    for n in range(5):  # no GP, no school; tenth birthdays on 12 to 16 June 2026
        m.child(f"C-TEN{n}", born=date(2016, 6, 12 + n), household=f"H-TEN{n}")
    for n in range(5):  # fifth birthdays on 12 to 16 June 2026: school age from then
        m.child(f"C-FIVE{n}", born=date(2021, 6, 12 + n), household=f"H-FIVE{n}")
    for n in range(5):  # plans two years old on 12 to 16 June 2026
        cid = m.child(f"C-PLAN{n}", born=date(2015, 2, 1 + n), household=f"H-PLAN{n}",
                      status="cp_plan", plan_category="neglect", plan_start=date(2024, 6, 12 + n))
        m.involve(cid, "S-CSC")
    cid = m.child("C-LEAVER", born=date(2008, 6, 14), household="H-LEAVER", status="none",
                  care_leaver=True, care_leaver_consent=True)  # eighteen on 14 June 2026
    return m


def test_days_around_a_birthday_or_a_plans_second_year_give_the_same_reports(
        app, graph, tmp_path, analyst_bodies):
    birthday_world().load(graph, tmp_path)
    days = [date(2026, 6, 10) + timedelta(days=n) for n in range(20)]  # 10 to 29 June
    urls = {}
    for day in days:
        q = f"on={day.isoformat()}"
        urls[day] = [f"/analyst?{q}", f"/analyst/summary.csv?{q}", f"/analyst/network?{q}&la=Northmere",
                     *(f"/analyst/gaps/{slug}{end}?{q}" for slug in ("no-gp", "no-school", "long-plans",
                                                                     "care-leavers")
                       for end in ("", "/export.csv"))]
    bodies = analyst_bodies("ana", [u for day in days for u in urls[day]])
    first = [bodies[u] for u in urls[days[0]]]
    for day in days[1:]:
        assert [bodies[u] for u in urls[day]] == first, day
    # All of them are the report as of 31 May, with ages at 31 March, and say so.
    page = first[urls[days[0]].index(f"/analyst/gaps/no-gp?on={days[0].isoformat()}")]
    assert "this report is as of 2026-05-31" in page and "Age band at 31 March 2026" in page
    for n in range(5):  # nine on 31 March: 5-9 whatever the day (four: 0-4)
        assert f"{policy.pseudonym(KEY, f'C-TEN{n}')}</td><td>5-9<" in page
        assert f"{policy.pseudonym(KEY, f'C-FIVE{n}')}</td><td>0-4<" in page
    listed = first[urls[days[0]].index(f"/analyst/gaps/no-gp/export.csv?on={days[0].isoformat()}")]
    assert listed.splitlines()[0].startswith("pseudonym,age band at 31 March 2026,")
    # The pure functions take ages at 31 March as well, for any report date.
    for day in (date(2026, 6, 11), date(2026, 6, 20)):
        bands = {r["pseudonym"]: r["age_band"]
                 for r in gaps.gap_records(graph, "no-gp", viewer=ANALYST, key=KEY, on=day)}
        for n in range(5):
            assert bands[policy.pseudonym(KEY, f"C-TEN{n}")] == "5-9", day
            assert bands[policy.pseudonym(KEY, f"C-FIVE{n}")] == "0-4", day
        school_age = {r["pseudonym"] for r in gaps.gap_records(graph, "no-school", viewer=ANALYST,
                                                               key=KEY, on=day)}
        assert not school_age & {policy.pseudonym(KEY, f"C-FIVE{n}") for n in range(5)}, day
        assert policy.pseudonym(KEY, "C-TEN0") in school_age
        assert gaps.gap_records(graph, "care-leavers", viewer=ANALYST, key=KEY, on=day) == []


def test_future_report_dates_are_refused(app, graph, make_user, login_as):
    from explorer.clock import now

    make_user("ana", ["analyst"])
    client = app.test_client()
    login_as(client, "ana")
    with app.app_context():
        today = now().date()
    for path in ("/analyst", "/analyst/summary.csv", "/analyst/gaps/no-gp",
                 "/analyst/gaps/no-gp/export.csv", "/analyst/caseloads", "/analyst/analytics.csv",
                 "/analyst/network"):
        for day in (today + timedelta(days=1), today + timedelta(days=400)):
            reply = client.get(f"{path}?on={day.isoformat()}")
            assert reply.status_code == 400, (path, day)
            assert "The report date cannot be after today." in reply.get_data(as_text=True)
        kept = client.get(f"{path}?on={today.isoformat()}")
        assert kept.status_code == 200, path
        assert "was moved" not in kept.get_data(as_text=True), path
    moved = client.get(f"/analyst?on={(today.replace(day=1) - timedelta(days=3)).isoformat()}")
    assert "Reports are as of today or the last day of a month" in moved.get_data(as_text=True)
