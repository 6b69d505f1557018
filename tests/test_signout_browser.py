"""Signing out and leaving the code step in Chromium: both are buttons that post (with the
page's CSRF token), each ends the server-side session, and a visit to /login/code (as a link
from another site would make) leaves a signed-in user signed in."""

from __future__ import annotations

import pytest

from tests.browser import ARGS, CHROMIUM, serving, sign_in

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


def _sessions(graph) -> int:
    return graph.run_autocommit("MATCH (s:Session) RETURN count(s) AS n")[0]["n"]


def test_start_again_and_sign_out_are_posted_buttons_that_end_the_session(app, graph, make_user):
    app.config["WTF_CSRF_ENABLED"] = True  # the browser sends real tokens, as in production
    _, password, secret = make_user("alice", ["analyst"])
    with serving(app) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(f"{base}/login")
        page.fill("#username", "alice")
        page.fill("#password", password)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/login/code")
        assert _sessions(graph) == 1
        page.get_by_role("button", name="Start again").click()
        page.wait_for_url(f"{base}/login")
        assert _sessions(graph) == 0  # the half-signed-in session is over, not just forgotten
        sign_in(page, base, app, "alice", password, secret)
        page.goto(f"{base}/login/code")  # a cross-site link to the code step
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/account")
        assert page.url == f"{base}/account" and _sessions(graph) == 1
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{base}/login")
        assert _sessions(graph) == 0
        browser.close()
