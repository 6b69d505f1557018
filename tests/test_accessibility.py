"""Every page of every role passes axe-core's accessibility rules (WCAG 2 A and AA and axe's
best practices) in headless Chromium, on the demo seed: the ecomap with its tables and side
panel open, the child's record, search results, the household and caseload, the analysts'
pages, the audit trail and the admin pages, and signing in."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from explorer.graph import Graph
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.conftest import totp_code_for
from tests.test_child_views import DEMO

playwright = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

# What each role opens, as (path, what to do there first).
PAGES = {
    "chair": [("/", None), ("/children/C-ZOE", None), ("/children/C-ZOE/ecomap", "details"),
              ("/households/H-OBRIEN", None), ("/search", "search"), ("/lookup", None)],
    "management": [("/practitioners/P-SW1/caseload", None), ("/audit", None),
                   ("/children/C-ZOE/ecomap", None)],
    "analyst": [("/analyst", None), ("/analyst/caseloads", None), ("/analyst/analytics", None),
                ("/analyst/network", None)],
    "admin": [("/admin/users", None), ("/admin/seed", None)],
}


@pytest.fixture
def served(app, graph: Graph, make_user):
    load(graph, read_seed(DEMO, today=date.today()), source="demo", progress=False)
    app.config["WTF_CSRF_ENABLED"] = True
    made = {role: make_user(role, [role])[1:] for role in PAGES}  # "chair" chairs Zoë's conferences
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", made
    finally:
        server.shutdown()
        thread.join(5)


def _problems(axe, page, where: str) -> list[str]:
    found = axe.run(page).response["violations"]
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found]


def test_every_page_of_every_role_passes_axe(served, app):
    base, made = served
    axe = axe_playwright.Axe()
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for role, pages in PAGES.items():
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/login")
            if role == "chair":
                problems += _problems(axe, page, "/login")
            password, secret = made[role]
            page.fill("#username", role)
            page.fill("#password", password)
            page.click("main button[type=submit]")
            if role == "chair":
                problems += _problems(axe, page, "/login/code")
            page.fill("#code", totp_code_for(app, secret, set()))
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base}/")
            for path, then in pages:
                page.goto(base + path)
                if "ecomap" in path:
                    page.wait_for_selector("#ecomap[data-ready='1']")
                if then == "details":  # the side panel open on a node, by keyboard
                    page.focus("#network")
                    page.keyboard.press("ArrowRight")
                    page.keyboard.press("ArrowRight")
                    assert page.is_visible("#details")
                if then == "search":
                    page.fill("#text", "o'brien")
                    page.click("main button[type=submit]")
                    page.wait_for_selector("text=found")
                problems += _problems(axe, page, path + (f" ({then})" if then else ""))
            page.close()
        browser.close()
    assert problems == []
