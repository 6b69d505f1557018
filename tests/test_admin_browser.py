"""Admins' pages in headless Chromium (Debian's, driven by Playwright), through the real forms
with real CSRF tokens: what a browser refuses or allows is what an admin meets, which posting
the form from the test client cannot show (every role box once carried `required`, so Chromium
refused to add an account unless all five were ticked)."""

from __future__ import annotations

import pytest

from explorer import audit
from explorer.graph import Graph
from tests.browser import ARGS, CHROMIUM, serving, sign_in

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


@pytest.fixture
def admin_browser(app, graph: Graph, make_user):
    """(page, base): Chromium signed in as the admin 'ada', the app served on loopback."""
    app.config["WTF_CSRF_ENABLED"] = True  # the browser sends real tokens, as in production
    _, password, secret = make_user("ada", ["admin"])
    with serving(app) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        sign_in(page, base, app, "ada", password, secret)
        yield page, base
        browser.close()


def test_admin_adds_an_account_with_one_role_in_chromium(admin_browser, graph: Graph):
    page, base = admin_browser
    page.goto(f"{base}/admin/users")
    page.fill("#username", "newchair")
    page.fill("#family_name", "Okafor")
    page.check("input[name=roles][value=chair]")
    page.fill("#password", "a long temporary passphrase 4821")
    page.click("text=Add account")
    page.wait_for_selector("#enrol")
    assert "Second factor for newchair" in page.inner_text("#enrol")
    stored = graph.read("user_by_username", username="newchair")[0]["user"]
    assert stored["roles"] == ["chair"]
    assert audit.search(graph, action="admin.user.add")[0]["username"] == "ada"


def test_no_role_ticked_is_refused_by_the_server_with_a_clear_message(admin_browser, graph: Graph):
    page, base = admin_browser
    page.goto(f"{base}/admin/users")
    # No box is required on its own: HTML can only require every box of a group.
    assert page.locator("input[name=roles][required]").count() == 0
    page.fill("#username", "noroles")
    page.fill("#password", "a long temporary passphrase 4821")
    page.click("text=Add account")
    page.wait_for_selector(".error-message")
    assert "Choose at least one role." in page.inner_text(".error-message")
    assert page.input_value("#username") == "noroles"  # what was typed is kept
    assert graph.read("user_by_username", username="noroles") == []


RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def test_admin_dry_runs_then_loads_a_seed_and_the_page_follows_the_job(app, graph: Graph, make_user,
                                                                       tmp_path):
    """Upload, dry run, load, in Chromium: the job pages are brought up to date by their script
    (served from static/, under the CSP) without the admin reloading anything."""
    from tests.test_seed_jobs import _demo_zip

    app.config["WTF_CSRF_ENABLED"] = True
    _, password, secret = make_user("ada", ["admin"])
    archive = tmp_path / "demo.zip"
    archive.write_bytes(_demo_zip().getvalue())
    errors: list[str] = []
    with serving(app) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context()
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 800})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base, app, "ada", password, secret)
        page.goto(f"{base}/admin/seed")
        page.set_input_files("#archive", str(archive))
        page.click("text=Upload and validate")
        page.wait_for_selector("text=The seed is valid")
        page.click("text=Dry run: show what would change")
        page.wait_for_url(f"{base}/admin/seed/jobs/*")
        # The script reloads the page when the job ends: the outcome appears by itself.
        page.wait_for_selector("#job-outcomes", timeout=60_000)
        assert "What a load would change" in page.inner_text("main")
        page.click("summary:text-is(\"children.csv\")")
        assert page.locator("details.preview[open] td", has_text="Zoë").count() == 1
        # The pages a seed load adds pass axe and fit a laptop, the widest file opened.
        axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
        assert axe.run(page).response["violations"] == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"] == 0
        page.click("text=Load into the database")
        page.wait_for_selector("text=What the load changed", timeout=60_000)
        assert graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"] > 0
        page.goto(f"{base}/admin/seed")
        history = page.inner_text("#load-history")
        assert history.count("ada") == 2 and "dry-run" in history and "load" in history
        assert axe.run(page).response["violations"] == []
        assert page.evaluate("window.__csp") == []
        browser.close()
    assert errors == []
