"""Every page of every role passes axe-core's accessibility rules (WCAG 2 A and AA and axe's
best practices) in headless Chromium, and fits a 1280-pixel screen without scrolling sideways,
on the demo seed: the ecomap with its tables and side panel open, the child's record, search
results, the household and caseload, the analysts' pages, the audit trail and the admin pages,
and signing in."""

from __future__ import annotations

from datetime import date

import pytest

from explorer.graph import Graph
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.browser import ARGS, CHROMIUM, serving, sign_in
from tests.test_child_views import DEMO

playwright = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

# What each role opens, as (path, what to do there first).
PAGES = {
    "chair": [("/", None), ("/conferences", None), ("/children/C-ZOE", None),
              ("/children/C-ZOE/siblings/C-AVA", None), ("/children/C-ZOE/ecomap", "details"),
              ("/households/H-OBRIEN", None), ("/search", "search"), ("/lookup", None)],
    "management": [("/conferences?sort=lead&order=desc", None),
                   ("/practitioners/P-SW1/caseload", None), ("/audit", None),
                   ("/audit/anomalies", None), ("/children/C-ZOE/ecomap", None),
                   ("/children/C-ZOE/pack?since=2026-01-01", None),
                   ("/children/C-JAY", None), ("/children/C-JAY", "open archived")],
    "analyst": [("/analyst", None), ("/analyst/gaps/no-gp", None), ("/analyst/caseloads", None),
                ("/analyst/analytics", None), ("/analyst/network", None)],
    "admin": [("/", None), ("/admin/users", None), ("/admin/seed", None), ("/account/password", None)],
}


@pytest.fixture
def served(app, graph: Graph, make_user):
    load(graph, read_seed(DEMO, today=date.today()), source="demo", progress=False)
    # An archived record, as the retention run leaves one: its notice and its read-only view.
    graph.run_autocommit("MATCH (c:Child {id: 'C-JAY'}) SET c.archived_at = date('2026-01-01'), "
                         "c.archived_reason = 'aged 18'")
    app.config["WTF_CSRF_ENABLED"] = True
    made = {role: make_user(role, [role])[1:] for role in PAGES}  # "chair" chairs Zoë's conferences
    with serving(app) as base:
        yield base, made


def _problems(axe, page, where: str) -> list[str]:
    found = axe.run(page).response["violations"]
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found]


@pytest.mark.slow
def test_every_page_of_every_role_passes_axe_and_fits_a_laptop_screen(served, app):
    base, made = served
    axe = axe_playwright.Axe()
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for role, pages in PAGES.items():
            page = browser.new_page(viewport={"width": 1280, "height": 800})  # a laptop
            # The two sign-in pages are checked once, on the chair's way in.
            check = ((lambda step, page=page: problems.extend(_problems(axe, page, step)))
                     if role == "chair" else (lambda step: None))
            sign_in(page, base, app, role, *made[role], at_each_step=check)
            for path, then in pages:
                assert page.goto(base + path).status == 200, path
                if "ecomap" in path:
                    page.wait_for_selector("#ecomap[data-ready='1']")
                if "/pack" in path:
                    page.wait_for_selector("#pack[data-ready='1']")
                if then == "details":  # the side panel open on a node, by keyboard
                    page.focus("#network")
                    page.keyboard.press("ArrowRight")
                    page.keyboard.press("ArrowRight")
                    assert page.is_visible("#details")
                if then == "open archived":
                    page.fill("#reason", "Subject access request from the former child")
                    page.click("main button[type=submit]")
                    page.wait_for_selector("text=Archived record, read-only")
                if then == "search":
                    page.fill("#text", "o'brien")
                    page.click("main button[type=submit]")
                    page.wait_for_selector("text=found")
                where = path + (f" ({then})" if then else "")
                problems.extend(_problems(axe, page, where))
                if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
                    problems.append(f"{where}: wider than the screen, it scrolls sideways")
            page.close()
        browser.close()
    assert problems == []
