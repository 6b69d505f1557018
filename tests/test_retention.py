"""Retention over HTTP and on the graph: archived at 18 (25 for a care leaver who consented)
from the day it is due, with no job run; the management team's read-only view; the
retention run's marks and purge; a feed that names an archived or purged child.

The app's clock (EXPLORER_CLOCK) is set to the day before the birthdays, then moved on a
day: the records were loaded while the children were 17 (and 24), as the issue found them.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from explorer import audit, policy, retention
from explorer.accounts import Viewer
from explorer.analytics import gaps
from explorer.graph import Graph
from explorer.seed import SeedInvalid, read_seed
from explorer.seed.loader import known_ids, load

EVE = date(2026, 5, 17)  # C-TEEN is 17 years 364 days old; C-LEAVER 24 years 364 days
BIRTHDAY = EVE + timedelta(days=1)  # C-TEEN is 18 today; C-LEAVER 25
REASON = {"reason": "Subject access request received from the former child"}
KEY = b"test-pseudonym-key"  # conftest's config.pseudonym_key


def _rows() -> list[dict]:
    rows = [
        {"type": "household", "id": "H-HOME", "address": "HOMEADDRESS 1 Mill Lane",
         "postcode": "NM1 4XY", "local_authority": "Northmere", "address_status": "known"},
        {"type": "household", "id": "H-FLAT", "address": "FLATADDRESS 9 Quay Street",
         "postcode": "NM2 1AB", "local_authority": "Northmere", "address_status": "known"},
        {"type": "household", "id": "H-DAD", "address": "DADADDRESS 3 Hill Road",
         "local_authority": "Northmere", "address_status": "known"},
        {"type": "service", "id": "S-CSC", "name": "Northmere Children's Social Care",
         "service_type": "social_care", "sensitive": False, "local_authority": "Northmere"},
        {"type": "service", "id": "S-LC", "name": "Northmere Leaving Care",
         "service_type": "leaving_care", "sensitive": False, "local_authority": "Northmere"},
        {"type": "practitioner", "id": "P-SW1", "given_name": "Amara", "family_name": "Okafor",
         "profession": "social_worker"},
        {"type": "practitioner", "id": "P-PA1", "given_name": "Dev", "family_name": "Rao",
         "profession": "personal_adviser"},
        {"type": "works_for", "practitioner_id": "P-SW1", "service_id": "S-CSC"},
        {"type": "works_for", "practitioner_id": "P-PA1", "service_id": "S-LC"},
        # Teen turns 18 on BIRTHDAY; Sib, 10, is the sibling who stays.
        {"type": "child", "id": "C-TEEN", "given_name": "Tegan", "family_name": "Marsh",
         "date_of_birth": "2008-05-18", "gender": "female", "status": "child_in_need"},
        {"type": "child", "id": "C-SIB", "given_name": "Sam", "family_name": "Marsh",
         "date_of_birth": "2016-02-01", "gender": "male", "status": "cp_plan",
         "plan_category": "neglect", "plan_start": "2026-01-05"},
        # A care leaver who consented: kept until 25, which is on BIRTHDAY.
        {"type": "child", "id": "C-LEAVER", "given_name": "Kofi", "family_name": "Asante",
         "date_of_birth": "2001-05-18", "gender": "male", "care_leaver": True,
         "care_leaver_consent": True},
        # A care leaver who consented and is 24 on BIRTHDAY: still visible.
        {"type": "child", "id": "C-STAYS", "given_name": "Nia", "family_name": "Evans",
         "date_of_birth": "2002-01-10", "gender": "female", "care_leaver": True,
         "care_leaver_consent": True},
        {"type": "plan", "id": "PL-LEAVER", "child_id": "C-LEAVER", "category": "physical",
         "start": "2010-01-04", "end": "2011-06-30"},
        {"type": "adult", "id": "A-MUM", "given_name": "Jo", "family_name": "Marsh"},
        {"type": "adult", "id": "A-DAD", "given_name": "Lee", "family_name": "Parry"},
        {"type": "parent_of", "adult_id": "A-MUM", "child_id": "C-TEEN"},
        {"type": "parent_of", "adult_id": "A-MUM", "child_id": "C-SIB"},
        {"type": "parent_of", "adult_id": "A-DAD", "child_id": "C-TEEN"},  # Teen's alone
        {"type": "lives_in", "person_id": "C-TEEN", "household_id": "H-HOME", "since": "2008-05-18"},
        {"type": "lives_in", "person_id": "C-SIB", "household_id": "H-HOME", "since": "2016-02-01"},
        {"type": "lives_in", "person_id": "A-MUM", "household_id": "H-HOME"},
        {"type": "lives_in", "person_id": "A-DAD", "household_id": "H-DAD"},
        {"type": "lives_in", "person_id": "C-LEAVER", "household_id": "H-FLAT", "since": "2019-06-01"},
        {"type": "lives_in", "person_id": "C-STAYS", "household_id": "H-FLAT", "since": "2020-03-01",
         "until": "2021-03-01"},
        {"type": "conference", "id": "K-SIB", "child_id": "C-SIB", "date": "2026-01-05",
         "kind": "initial", "chair": "chair"},
    ]
    for n, (cid, pid, sid) in enumerate((("C-TEEN", "P-SW1", "S-CSC"), ("C-SIB", "P-SW1", "S-CSC"),
                                         ("C-LEAVER", "P-PA1", "S-LC"),
                                         ("C-STAYS", "P-PA1", "S-LC"))):
        rows.append({"type": "involved_with", "id": f"I-{n}", "practitioner_id": pid,
                     "child_id": cid, "service_id": sid, "role": "allocated worker",
                     "since": "2025-01-06", "lead": True})
    return rows


def _write(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def family(graph: Graph, tmp_path: Path) -> Graph:
    """The rows above, loaded the day before the birthdays (when every record was valid)."""
    load(graph, read_seed(_write(tmp_path / "family.jsonl", _rows()), today=EVE), source="test",
         progress=False)
    return graph


def _at(clock, day: date) -> None:
    clock.at = datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


@pytest.fixture
def users(app, family, clock, make_user, login_as):
    """sign_in(role) -> a client signed in (through the real login) on the clock's day."""
    _at(clock, EVE)
    make_user("practitioner", ["practitioner"], practitioner_id="P-SW1")
    make_user("adviser", ["practitioner"], practitioner_id="P-PA1")
    make_user("chair", ["chair"])
    make_user("management", ["management"])

    def sign_in(username: str):
        client = app.test_client()
        login_as(client, username)
        return client

    return sign_in


def _text(reply) -> str:
    return reply.get_data(as_text=True)


def _search(client, **form) -> str:
    reply = client.post("/search", data=form)
    assert reply.status_code == 200
    return _text(reply)


def _lookup(client, child_id: str) -> str:
    reply = client.post("/lookup", data={"child_id": child_id, **REASON})
    assert reply.status_code == 200
    return _text(reply)


TOKEN = re.compile(r'name="csrf_token" value="[^"]+"')


def test_a_child_of_17_years_364_days_is_seen_and_at_18_is_gone_for_all_but_management(
        users, clock):
    worker, chair = users("practitioner"), users("chair")
    # The eve of the 18th birthday: everywhere a practitioner and a chair look.
    assert "Tegan" in _text(worker.get("/"))
    assert worker.get("/children/C-TEEN").status_code == 200
    assert worker.get("/children/C-TEEN/ecomap").status_code == 200
    assert "C-TEEN" in _search(worker, text="tegan")
    assert "C-TEEN" in _lookup(worker, "C-TEEN")
    assert "Tegan" in _text(worker.get("/practitioners/P-SW1/caseload"))
    assert "Tegan" in _text(worker.get("/households/H-HOME"))
    assert "C-TEEN" in _text(chair.get("/children/C-SIB"))  # a sibling on the chair's page
    assert "C-TEEN" in _text(chair.get("/api/children/C-SIB/network?depth=2"))

    _at(clock, BIRTHDAY)  # no retention run between: the rule alone hides the record
    worker, chair = users("practitioner"), users("chair")
    assert "Tegan" not in _text(worker.get("/"))
    hidden, missing = worker.get("/children/C-TEEN"), worker.get("/children/C-NO-SUCH")
    assert hidden.status_code == missing.status_code == 404
    assert TOKEN.sub("", _text(hidden)) == TOKEN.sub("", _text(missing))  # no hint
    assert worker.get("/children/C-TEEN/ecomap").status_code == 404
    assert worker.get("/api/children/C-TEEN/network").status_code == 404
    assert "C-TEEN" not in _search(worker, text="tegan")
    assert "0 found" in _search(worker, child_id="C-TEEN")
    assert "C-TEEN" not in _lookup(worker, "C-TEEN") and "0 found" in _lookup(worker, "C-TEEN")
    caseload = _text(worker.get("/practitioners/P-SW1/caseload"))
    assert "Sam" in caseload and "Tegan" not in caseload
    home = _text(worker.get("/households/H-HOME"))
    assert "Sam" in home and "Tegan" not in home
    for page in (_text(chair.get("/children/C-SIB")),
                 _text(chair.get("/api/children/C-SIB/network?depth=2"))):
        assert "C-SIB" in page and "C-TEEN" not in page and "Tegan" not in page
    # The management team's list and network views leave it out too: it opens only with a reason.
    manager = users("management")
    assert "Tegan" not in _text(manager.get("/"))
    assert "Tegan" not in _text(manager.get("/households/H-HOME"))


def test_management_see_an_archived_record_read_only_with_a_reason_audited(users, clock, graph):
    _at(clock, BIRTHDAY)
    manager = users("management")
    notice = manager.get("/children/C-TEEN")
    assert notice.status_code == 200
    page = _text(notice)
    assert "archived on 2026-05-18 (aged 18" in page and "not yet recorded by the retention run" in page
    assert "Tegan" not in page and "HOMEADDRESS" not in page  # nothing of it before a reason
    # Found by search, marked archived, with no ecomap link.
    found = _search(manager, text="tegan")
    assert "C-TEEN" in found and "Archived 2026-05-18 (aged 18)" in found
    assert "/children/C-TEEN/ecomap" not in found
    assert manager.post("/children/C-TEEN/archived", data={"reason": "x"}).status_code == 400
    opened = manager.post("/children/C-TEEN/archived", data=REASON)
    assert opened.status_code == 200
    page = _text(opened)
    assert "Tegan" in page and "HOMEADDRESS" in page and "Archived record, read-only" in page
    assert "Open the ecomap" not in page and "/override" not in page
    events = audit.search(graph, action="child.view_archived")
    assert len(events) == 1 and events[0]["reason"] == REASON["reason"]
    assert "C-TEEN" in events[0]["returned_ids"]
    # A live record is not "archived": the same form gives nothing for it.
    assert manager.post("/children/C-SIB/archived", data=REASON).status_code == 404
    # Anyone else: the form is refused whatever the id, and the page is a missing child's.
    worker = users("practitioner")
    assert worker.post("/children/C-TEEN/archived", data=REASON).status_code == 403
    assert worker.get("/children/C-TEEN").status_code == 404


def test_a_consenting_care_leaver_is_seen_at_24_and_archived_at_25(users, clock):
    adviser = users("adviser")
    assert adviser.get("/children/C-LEAVER").status_code == 200  # 24 years 364 days
    assert adviser.get("/children/C-STAYS").status_code == 200
    _at(clock, BIRTHDAY)
    adviser = users("adviser")
    assert adviser.get("/children/C-LEAVER").status_code == 404  # 25 today
    assert adviser.get("/children/C-STAYS").status_code == 200  # 24
    listed = _text(adviser.get("/"))
    assert "Nia" in listed and "Kofi" not in listed
    manager = users("management")
    assert "care leaver aged 25" in _text(manager.get("/children/C-LEAVER"))


def test_analysts_lose_an_archived_child_from_the_month_of_the_birthday(app, family, clock):
    """Analysts' data applies the rule at the month's end, so no report changes on the day."""
    def no_gp(day: date) -> set[str]:
        _at(clock, day)
        with app.app_context():
            analyst = Viewer("analyst", frozenset({"analyst"}), None, "analyst")
            return {r["pseudonym"] for r in gaps.gap_records(family, "no-gp", viewer=analyst, key=KEY,
                                                             on=date(2026, 3, 31))}

    teen = policy.pseudonym(KEY, "C-TEEN")
    assert teen in no_gp(date(2026, 4, 30))
    assert teen not in no_gp(date(2026, 5, 1))  # 17 still, but 18 within the month
    assert teen not in no_gp(BIRTHDAY)


# -- the retention run and the purge ---------------------------------------------------------

def _counts(graph: Graph) -> dict[str, int]:
    # The marks of changes (explorer.analytics.saved) are the data's version, not the data.
    rows = graph.run_autocommit("MATCH (n) WHERE NOT n:DataChange "
                                "RETURN labels(n)[0] AS label, count(*) AS n")
    return {r["label"]: r["n"] for r in rows}


def _ids(graph: Graph, label: str) -> set[str]:
    return {r["id"] for r in graph.run_autocommit(f"MATCH (n:{label}) RETURN n.id AS id")}


def test_the_run_records_archiving_then_purges_when_the_period_ends(family, graph):
    now = datetime(2026, 5, 18, 3, 0, tzinfo=UTC)
    audit.record(graph, viewer=None, action="test.before", params={}, returned_ids=["C-TEEN"],
                 reason=None, client="test")
    before = _counts(graph)
    dry = retention.run(graph, today=BIRTHDAY, now=now, dry_run=True)
    assert (dry.counts["archived"], dry.counts["purged"]) == (2, 0)
    assert _counts(graph) == before  # a dry run writes nothing
    report = retention.run(graph, today=BIRTHDAY, now=now)
    assert (report.counts["archived"], report.counts["purged"]) == (2, 0)
    marks = {r["id"]: (r["on"], r["why"]) for r in graph.run_autocommit(
        "MATCH (c:Child) WHERE c.archived_at IS NOT NULL "
        "RETURN c.id AS id, c.archived_at AS on, c.archived_reason AS why")}
    assert marks == {"C-TEEN": (BIRTHDAY, "aged 18"), "C-LEAVER": (BIRTHDAY, "care leaver aged 25")}
    again = retention.run(graph, today=BIRTHDAY, now=now)
    assert (again.counts["archived"], again.counts["purged"]) == (0, 0)

    # Six years on, the day before the archive period ends: nothing purged.
    assert retention.run(graph, today=date(2032, 5, 17), now=now).counts["purged"] == 0
    assert _ids(graph, "Child") == {"C-TEEN", "C-SIB", "C-LEAVER", "C-STAYS"}
    dry = retention.run(graph, today=date(2032, 5, 18), now=now, dry_run=True)
    report = retention.run(graph, today=date(2032, 5, 18), now=now)
    assert dict(dry.counts) == dict(report.counts)  # the dry run counted exactly this
    assert report.counts["purged"] == 2 and report.counts["plans"] == 1
    # C-STAYS turned 25 in 2027 and is archived by this run; the two purged are gone with
    # their involvements, plan, and the adult and household left with no child.
    assert _ids(graph, "Child") == {"C-SIB", "C-STAYS"}
    assert {r["id"] for r in graph.run_autocommit(
        "MATCH ()-[:INVOLVED_WITH]->(c:Child) RETURN DISTINCT c.id AS id")} == {"C-SIB", "C-STAYS"}
    assert _ids(graph, "Plan") == set()
    assert _ids(graph, "Adult") == {"A-MUM"}  # Dad was Teen's parent alone, and lived alone
    assert _ids(graph, "Household") == {"H-HOME", "H-FLAT"}  # H-FLAT: C-STAYS lived there
    assert _ids(graph, "Conference") == {"K-SIB"}
    assert _ids(graph, "Practitioner") == {"P-SW1", "P-PA1"}
    assert graph.run_autocommit("MATCH (t:PurgedChild) RETURN count(t) AS n")[0]["n"] == 2
    # The audit trail is untouched and still verifies; its events still carry the ids.
    assert _counts(graph)["AuditEvent"] == before["AuditEvent"]
    assert audit.verify(graph).problem is None
    assert audit.search(graph, action="test.before")[0]["returned_ids"] == ["C-TEEN"]


def test_the_archive_period_is_configurable(family, graph):
    now = datetime(2026, 5, 18, tzinfo=UTC)
    retention.run(graph, today=BIRTHDAY, now=now)
    assert retention.run(graph, today=date(2027, 5, 17), now=now, archive_years=1).counts["purged"] == 0
    assert retention.run(graph, today=date(2027, 5, 18), now=now, archive_years=1).counts["purged"] == 2


# -- a feed naming an archived or purged child -----------------------------------------------

def _problems(graph: Graph, path: Path, today: date) -> list[str]:
    with pytest.raises(SeedInvalid) as found:
        read_seed(path, today=today, known_ids=known_ids(graph, today))
    return [str(p) for p in found.value.problems]


def test_a_feed_cannot_change_or_bring_back_an_archived_or_purged_child(family, graph, tmp_path):
    retention.run(graph, today=BIRTHDAY, now=datetime(2026, 5, 18, tzinfo=UTC))
    feed = _write(tmp_path / "a.jsonl", [
        {"type": "involved_with", "id": "I-NEW", "practitioner_id": "P-SW1", "child_id": "C-TEEN",
         "service_id": "S-CSC", "role": "allocated worker", "since": "2026-05-18"}])
    assert _problems(graph, feed, BIRTHDAY) == [
        "a.jsonl:1:child_id: child 'C-TEEN' is archived; a feed cannot add to or change an "
        "archived record"]
    # Even as a care leaver who now consents: the archived record stays archived.
    back = _write(tmp_path / "b.jsonl", [
        {"type": "child", "id": "C-TEEN", "given_name": "Tegan", "family_name": "Marsh",
         "date_of_birth": "2008-05-18", "gender": "female", "care_leaver": True,
         "care_leaver_consent": True}])
    assert _problems(graph, back, BIRTHDAY) == [
        "b.jsonl:1:id: child 'C-TEEN' is archived (since 2026-05-18, aged 18); an archived "
        "record is not changed or brought back by a feed"]

    retention.run(graph, today=date(2032, 5, 18), now=datetime(2032, 5, 18, tzinfo=UTC))
    # Purged: the id is gone from the graph, but a feed with it (here as a new-born) is refused.
    reborn = _write(tmp_path / "c.jsonl", [
        {"type": "child", "id": "C-TEEN", "given_name": "Tegan", "family_name": "Marsh",
         "date_of_birth": "2032-01-01", "gender": "female"}])
    assert _problems(graph, reborn, date(2032, 5, 18)) == [
        "c.jsonl:1:id: child 'C-TEEN' was purged under the retention rules; a purged record "
        "is never loaded again"]
    assert "C-TEEN" not in _ids(graph, "Child")


# -- the command: kill -9, then run again ------------------------------------------------------

def _cli_env(neo4j_settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(NEO4J_URI=neo4j_settings.uri, NEO4J_USERNAME=neo4j_settings.username,
               NEO4J_PASSWORD=neo4j_settings.resolve_password(),
               NEO4J_DATABASE=neo4j_settings.database)
    return env


def _population(graph: Graph, n: int) -> None:
    """n archived children long ago, each with a household, a parent and an involvement."""
    graph.run_autocommit(
        "MERGE (p:Practitioner {id: 'P-1'}) WITH p "
        "UNWIND range(1, $n) AS i "
        "CREATE (c:Child {id: 'C-' + i, given_name: 'G', family_name: 'F', "
        "  date_of_birth: date('2000-01-01'), archived_at: date('2018-01-01'), "
        "  archived_reason: 'aged 18'})"
        "-[:LIVES_IN {since: date('2000-01-01')}]->(:Household {id: 'H-' + i}), "
        "(:Adult {id: 'A-' + i})-[:PARENT_OF]->(c), "
        "(p)-[:INVOLVED_WITH {id: 'I-' + i, since: date('2010-01-01')}]->(c)", n=n)


def _data(graph: Graph) -> tuple[dict, list]:
    tombstones = sorted(r["h"] for r in graph.run_autocommit(
        "MATCH (t:PurgedChild) RETURN t.id_hash AS h"))
    return _counts(graph), tombstones


@pytest.mark.slow
def test_kill_9_mid_purge_then_run_again_finishes_the_same(graph, neo4j_settings):
    n = 3000
    _population(graph, n)
    env = _cli_env(neo4j_settings)
    cmd = [sys.executable, "-m", "explorer.cli", "retention", "run", "--today", "2026-05-18",
           "--batch-size", "20"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if graph.run_autocommit("MATCH (t:PurgedChild) RETURN count(t) AS n")[0]["n"] > 0:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"]
    assert 0 < left < n, "the run finished before it could be killed; make the population larger"
    # Every batch is whole: each purged child took its household and parent with it.
    counts = _counts(graph)
    assert counts["Household"] == counts["Adult"] == left
    assert counts["PurgedChild"] == n - left

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert rerun.returncode == 0, rerun.stderr
    resumed = _data(graph)
    assert resumed[0] == {"Practitioner": 1, "PurgedChild": n, "AuditEvent": 1, "AuditHead": 1}
    runs = audit.search(graph, action="retention.run")
    assert len(runs) == 1 and runs[0]["username"].startswith("cli:")
    params = json.loads(runs[0]["params"])
    assert params["purged"] == left and params["households"] == left
    assert "C-1" not in runs[0]["params"] and "returned_ids" not in params  # counts only
    assert runs[0]["returned_ids"] == []
    assert audit.verify(graph).problem is None

    # The same population purged in one go ends in the same place.
    graph.run_autocommit("MATCH (n) DETACH DELETE n")
    _population(graph, n)
    clean = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert clean.returncode == 0, clean.stderr
    assert _data(graph) == resumed


def test_the_queries_date_cut_off_agrees_with_birthdays_across_leap_years():
    """The queries compare a date of birth with policy.born_on_or_before; the pages say the
    record was archived on policy.anniversary. Both must agree on every day, 29 February too."""
    births = [date(2008, 2, 27) + timedelta(days=n) for n in range(5)] + [date(2007, 12, 31)]
    for day in (date(2026, 2, 27) + timedelta(days=n) for n in range(800)):
        cut = policy.born_on_or_before(day, 18)
        for born in births:
            assert (born <= cut) == (policy.anniversary(born, 18) <= day), (born, day)
