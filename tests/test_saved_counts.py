"""The analysts' dashboard served from saved counts (issue 20): counted once, saved in the
database for every app server, and counted again only when the data or the date changes.

Each test loads a small hand-made world (a JSON Lines seed through the real loader into the
real test Neo4j). To see which counts a page shows, the saved counts are overwritten in the
database with a figure no count gives (42): a page showing 42 was served from what was saved,
a page showing the true count was counted again.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from explorer import audit, retention
from explorer.analytics import counting, gaps, saved
from explorer.cli import main
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.test_analyst_disclosure import ANALYST, KEY, Mini
from tests.test_audit_pages import wait_for_job
from tests.test_seed_jobs import _demo_zip, _upload

TAMPERED = 42


def no_gp_world(children: int = 6) -> Mini:
    """Children in Northmere with no GP (and no school): the no-GP figure is ``children``."""
    m = Mini()
    for n in range(children):
        m.child(f"C-NOGP{n}", born=date(2015, 1, 10 + n), household=f"H-NOGP{n}")
    return m


def _load(graph, rows: list[dict], path, today: date | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps({k: v for k, v in r.items() if v is not None})
                              for r in rows) + "\n", encoding="utf-8")
    load(graph, read_seed(path, today=today or date.today()), source="test", progress=False)


def _version(graph) -> int:
    return graph.read("gap_counts_saved", keys=[])[0]["version"]


def _tamper(graph, on: date, slug: str = "no-gp") -> int:
    """Overwrite the saved counts of ``slug`` on ``on`` with one group of TAMPERED children."""
    groups = saved.encode([({"local_authority": "Northmere", "status": "none", "age_band": "10-15",
                             "service_types": []}, TAMPERED)])
    return graph.run_autocommit("MATCH (c:GapCounts {gap: $gap}) WHERE c.on = $on "
                                "SET c.groups = $groups RETURN count(c) AS n",
                                gap=slug, on=on, groups=groups)[0]["n"]


def _no_gp_total(graph, on: date) -> int | str:
    found = gaps.summary(graph, viewer=ANALYST, key=KEY, on=on)
    return next(c.total for c in found.columns if c.gap.slug == "no-gp")


@pytest.fixture
def analyst(app, make_user, login_as):
    make_user("ana", ["analyst"])
    client = app.test_client()
    login_as(client, "ana")
    return client


def _csv_total(client, query: str = "") -> str:
    reply = client.get(f"/analyst/summary.csv{query}")
    assert reply.status_code == 200
    rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True))))
    total = next(r for r in rows if r[0] == "total")
    return total[rows[0].index("no-gp")]


def test_the_second_view_is_served_from_saved_counts_and_a_load_counts_again(
        app, graph, tmp_path, analyst):
    no_gp_world().load(graph, tmp_path / "first")
    today = date.today()
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    page = analyst.get("/analyst").get_data(as_text=True)
    after = datetime.now(UTC)
    # The page says when its counts were counted: now, as nothing was saved.
    said = re.search(r"Counted at (\d\d:\d\d) UTC on (\d{1,2} \w+ \d{4})", page)
    assert said, page
    counted = datetime.strptime(" ".join(said.groups()), "%H:%M %d %B %Y").replace(tzinfo=UTC)
    assert before <= counted <= after
    assert _csv_total(analyst) == "6"
    # Every gap was saved for today, at the data version now, for every app server.
    stored = graph.read("gap_counts_saved", keys=[saved.key(g, today) for g in gaps.GAPS])[0]
    assert {s["gap"] for s in stored["saved"]} == set(gaps.BY_SLUG)
    assert all(saved.current(s, stored["version"], saved.retention_date())
               for s in stored["saved"])

    # The next view is the saved counts (overwritten here to show it).
    assert _tamper(graph, today) == 1
    assert _csv_total(analyst) == str(TAMPERED)
    # Loading the same world again changes nothing: the saved counts are still served.
    no_gp_world().load(graph, tmp_path / "again")
    assert _csv_total(analyst) == str(TAMPERED)
    # A load that changes the data: the next view counts again and shows the new count.
    _load(graph, no_gp_world(7).rows, tmp_path / "more.jsonl")
    assert _csv_total(analyst) == "7"
    assert "Counted at" in analyst.get("/analyst").get_data(as_text=True)
    events = audit.search(graph, action="analyst.", limit=100)
    assert [e["action"] for e in events].count("analyst.dashboard") == 2


def test_saved_counts_of_another_date_or_retention_month_are_not_served(app, graph, tmp_path):
    no_gp_world().load(graph, tmp_path)
    month_end = date.today().replace(day=1) - timedelta(days=1)
    with app.app_context():
        assert _no_gp_total(graph, month_end) == 6  # counted, and saved for that date
        assert _tamper(graph, month_end) == 1
        assert _no_gp_total(graph, month_end) == TAMPERED  # served from what was saved
        assert _no_gp_total(graph, date.today()) == 6  # another date: its own count
        # Next month, an archived child leaves past reports too: counted again.
        this_month = saved.retention_date()
        app.config["EXPLORER_CLOCK"] = lambda: datetime.now(UTC) + timedelta(days=40)
        assert saved.retention_date() > this_month
        assert _no_gp_total(graph, month_end) == 6


def test_a_load_stopped_part_way_marks_what_it_wrote(app, graph, tmp_path):
    no_gp_world().load(graph, tmp_path / "first")
    with app.app_context():
        assert _no_gp_total(graph, date.today()) == 6
    assert _tamper(graph, date.today()) == 1
    before = _version(graph)

    class Stop(Exception):
        pass

    def stop(done: int) -> None:
        raise Stop

    m = no_gp_world(20)
    path = tmp_path / "stopped.jsonl"
    path.write_text("\n".join(json.dumps({k: v for k, v in r.items() if v is not None})
                              for r in m.rows) + "\n", encoding="utf-8")
    with pytest.raises(Stop):
        load(graph, read_seed(path, today=date.today()), source="test", progress=False,
             after_batch=stop, batch_size=100)
    # The first batch committed with its mark: nothing saved before it is served after it.
    assert _version(graph) > before
    stored = graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"]  # none has a GP
    with app.app_context():
        assert _no_gp_total(graph, date.today()) == stored


def test_the_retention_run_marks_the_data_changed_when_it_archives(app, graph, tmp_path):
    m = no_gp_world()
    m.child("C-EIGHTEEN", born=date(2008, 6, 1), household="H-EIGHTEEN")
    m.child("C-LATER", born=date(2012, 3, 1), household="H-LATER")  # 18 in 2030
    _load(graph, m.rows, tmp_path / "world.jsonl", today=date(2026, 5, 1))
    before = _version(graph)
    at = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)
    nothing = retention.run(graph, today=date(2026, 5, 2), now=at)
    assert nothing.counts["archived"] == 0 and _version(graph) == before
    done = retention.run(graph, today=date(2026, 6, 2), now=at)
    assert done.counts["archived"] == 1 and _version(graph) > before
    dry = _version(graph)
    would = retention.run(graph, today=date(2031, 1, 1), now=at, dry_run=True)
    assert would.counts["archived"] == 1 and _version(graph) == dry  # rolled back, marks too


def _refuse_live_counting(monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("counted live: the saved counts were not served")
    monkeypatch.setattr(counting, "groups", refuse)


def test_explorer_analytics_count_saves_every_gap_ahead_and_is_audited(
        app, graph, tmp_path, monkeypatch):
    no_gp_world().load(graph, tmp_path)
    runner = app.test_cli_runner()
    stale = date.today().replace(day=1) - timedelta(days=20)  # a past mid-month day
    graph.run_autocommit("CREATE (:GapCounts {key: 'old', gap: 'no-gp', on: $on, version: 0, "
                         "retained_on: $on})", on=stale)
    result = runner.invoke(main, ["analytics", "count"])
    assert result.exit_code == 0, result.output
    assert f"Counted 10 gaps as of {date.today().isoformat()}" in result.output
    assert "1 saved counts no longer needed were deleted" in result.output
    event = audit.search(graph, action="analytics.count")[0]
    assert event["username"].startswith("cli:") and event["returned_ids"] == []
    assert json.loads(event["params"])["gaps"] == 10
    _refuse_live_counting(monkeypatch)
    with app.app_context():
        assert _no_gp_total(graph, date.today()) == 6  # served from what the command saved

    monkeypatch.undo()

    moved = runner.invoke(main, ["analytics", "count", "--on", stale.isoformat()])
    month_end = stale.replace(day=1) - timedelta(days=1)
    assert moved.exit_code == 0 and f"as of {month_end.isoformat()} (moved from" in moved.output
    future = runner.invoke(main, ["analytics", "count", "--on",
                                  (date.today() + timedelta(days=1)).isoformat()])
    assert future.exit_code != 0 and "cannot be after today" in future.output
    # --data-changed (after writing the data some other way): nothing saved before is served,
    # for any date, not only the one counted.
    assert _tamper(graph, month_end) == 1
    with app.app_context():
        assert _no_gp_total(graph, month_end) == TAMPERED
    again = runner.invoke(main, ["analytics", "count", "--data-changed"])
    assert again.exit_code == 0
    with app.app_context():
        assert _no_gp_total(graph, month_end) == 6


def test_the_admins_seed_load_counts_todays_dashboard_after_loading(
        client, make_user, login_as, graph, monkeypatch):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    upload_id = _upload(client, _demo_zip())
    started = client.post(f"/admin/seed/{upload_id}/load", data={"source": "demo",
                                                                  "mode": "incremental"})
    state = wait_for_job(client, started.location)
    assert state["status"] == "done"
    stored = graph.read("gap_counts_saved",
                        keys=[saved.key(g, date.today()) for g in gaps.GAPS])[0]
    assert {s["gap"] for s in stored["saved"]} == set(gaps.BY_SLUG)
    assert all(saved.current(s, stored["version"], saved.retention_date())
               for s in stored["saved"])
    _refuse_live_counting(monkeypatch)
    found = gaps.summary(graph, viewer=ANALYST, key=KEY, on=date.today())
    assert len(found.columns) == len(gaps.GAPS) and found.counted.startswith("Counted at")


# Writes that are not children's data: the audit trail, accounts, sessions, the sign-in
# throttle, and the saved counts themselves.
NOT_CHILDRENS_DATA = ("audit_", "session", "user_", "login_throttle_", "gap_counts_",
                      "data_change_mark")
MARKING_MODULES = {"seed/loader.py", "seed/bulk.py", "retention.py"}


def test_every_write_of_childrens_data_is_run_by_a_module_that_marks_it():
    """A new write path (an admin edit, a repair job) that changes what a gap counts must mark
    the data changed, or the dashboard would serve counts saved before it."""
    from explorer import queries
    from tests.test_queries import PACKAGE, _named_in_package

    def body(q: queries.Query) -> str:
        return "\n".join(line for line in q.text.splitlines() if not line.startswith("//"))

    writes = [name for name, q in queries.load_all().items()
              if re.search(r"\b(CREATE|MERGE|SET|DELETE|REMOVE)\b", body(q))
              and not name.startswith(NOT_CHILDRENS_DATA)]
    assert {"retention_mark", "retention_purge_children", "seed_upsert_child",
            "seed_end_relationships"} <= set(writes)
    for name in writes:
        named = set(_named_in_package(name))
        assert named and named <= MARKING_MODULES, (name, named)
    for module in MARKING_MODULES:
        assert "mark_changed(tx" in (PACKAGE / module).read_text(encoding="utf-8"), module


def test_the_dashboard_says_when_its_counts_were_counted_in_chromium(
        app, graph, tmp_path, make_user, clock):
    """The time is said on the page an analyst sees, and is when the counts were counted (on
    the app's clock), not when the page was drawn."""
    playwright = pytest.importorskip("playwright.sync_api")
    from tests.browser import ARGS, CHROMIUM, serving, sign_in

    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium")
    app.config["WTF_CSRF_ENABLED"] = True
    no_gp_world().load(graph, tmp_path)
    clock.at = datetime(2026, 12, 3, 6, 2, 30, tzinfo=UTC)
    with app.app_context():
        saved.counts(graph, clock.at.date())  # counted ahead at 06:02
    clock.at = datetime(2026, 12, 3, 9, 41, tzinfo=UTC)
    _, password, secret = make_user("ana", ["analyst"])
    with serving(app) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, app, "ana", password, secret)
        page.goto(f"{base}/analyst")
        said = page.locator("#counted-at")
        assert said.is_visible()
        assert said.inner_text().startswith("Counted at 06:02 UTC on 3 December 2026")
        page.screenshot(path=str(tmp_path / "dashboard-counted-at.png"), full_page=False)
        browser.close()


def test_views_arriving_while_a_date_is_counted_wait_for_that_count(graph, tmp_path, monkeypatch):
    """Five first views at once (after a load, nothing counted ahead) count each gap once in
    the process, not five times side by side."""
    import threading
    import time
    from collections import Counter

    no_gp_world().load(graph, tmp_path)
    counted: Counter[str] = Counter()
    real = counting.groups

    def slow(graph, gap, on):
        counted[gap.slug] += 1
        time.sleep(0.3)  # long enough for every view to arrive while it counts
        return real(graph, gap, on)
    monkeypatch.setattr(counting, "groups", slow)
    totals: list = []
    views = [threading.Thread(target=lambda: totals.append(_no_gp_total(graph, date.today())))
             for _ in range(5)]
    for view in views:
        view.start()
    for view in views:
        view.join(60)
    assert totals == [6] * 5
    assert counted == Counter(list(gaps.BY_SLUG))  # every gap once
