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
