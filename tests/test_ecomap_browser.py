"""The ecomap in headless Chromium (Debian's, driven by Playwright), against the app served on
127.0.0.1 with the test Neo4j and the demo seed: a chair signs in through the real two steps,
opens Zoë's ecomap, sees the people and services, hides ceased involvements, moves the date,
chooses a node without the map moving, exports a PNG; a name with markup stays text; no request
leaves 127.0.0.1; no CSP violation, page error or console error."""

from __future__ import annotations

import struct
from datetime import date

import pytest

from explorer.graph import Graph
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.browser import ARGS, CHROMIUM, serving, sign_in
from tests.test_child_views import DEMO

playwright = pytest.importorskip("playwright.sync_api")
MARKUP = "<img src=x onerror=alert(1)>"
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


@pytest.fixture
def served(app, graph: Graph, make_user):
    load(graph, read_seed(DEMO, today=date.today()), source="demo", progress=False)
    graph.run_autocommit("MATCH (c:Child {id: 'C-ZOE'}) SET c.given_name = $n", n=MARKUP)
    app.config["WTF_CSRF_ENABLED"] = True  # the browser sends real tokens, as in production
    _, password, secret = make_user("chair", ["chair"])
    with serving(app) as base:
        yield {"base": base, "password": password, "secret": secret}


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_chair_uses_the_ecomap_in_chromium(served, app, graph: Graph, tmp_path):
    base = served["base"]
    requests, console_errors, dialogs = [], [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
        context.add_init_script(RECORD_VIOLATIONS)
        # The print dialog cannot be driven headless: stand in for it, noting it was asked for.
        context.add_init_script("window.print = function () { window.__printed = true; };")
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        sign_in(page, base, app, "chair", served["password"], served["secret"])

        expect = playwright.expect  # polls without eval: the page's CSP forbids it
        page.goto(f"{base}/children/C-ZOE/ecomap")
        page.wait_for_selector("#ecomap[data-ready='1']")
        assert page.locator("#network canvas").count() == 1
        # Nothing runs off the side of a laptop's screen (long names in the path choices did).
        page.set_viewport_size({"width": 1280, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.set_viewport_size({"width": 1400, "height": 1000})
        # The name with markup is text: in the heading, the tables and the canvas, never an element.
        assert MARKUP in page.inner_text("h1")
        assert page.locator("main img").count() == 0
        tables = page.inner_text(".ecomap-tables")
        for expected in ("Kevin O'Brien", "Siobhán O'Brien", "Liam O'Brien", "Amara Okafor",
                         "Oakfield Primary School", "High Street Medical Centre",
                         "Northmere Children's Social Care", "investigating officer"):
            assert expected in tables, expected
        assert "Child protection plan: neglect" in page.inner_text("#plan-badge")
        assert "lead professional" in tables

        # Choosing a node (from the table here; a click on the map calls the same code) opens
        # its details without moving the map: closed again, the picture is what it was.
        canvas = page.locator("#network canvas")
        before = canvas.screenshot()
        page.click("#nodes-table button:has-text('Oakfield Primary School')")
        expect(page.locator("#details")).to_contain_text("Oakfield Primary School")
        assert canvas.screenshot() != before  # the school is drawn selected
        page.click("#details-close")
        assert canvas.screenshot() == before

        # Keyboard: focus the map, move to a node, the side panel opens.
        page.focus("#network")
        page.keyboard.press("ArrowRight")
        assert page.is_visible("#details")

        # Hide ceased involvements: the police officer (ended 2026-04-30) goes.
        page.uncheck("#ceased")
        expect(page.locator("#as-of-text")).to_contain_text("ceased hidden")
        assert "investigating officer" not in page.inner_text("#edges-table")

        # Move the date to before the plan: the police officer is current again, the GP not yet.
        page.fill("#as-of", "2026-03-01")
        expect(page.locator("#as-of-text")).to_contain_text("2026-03-01")
        edges = page.inner_text("#edges-table")
        assert "investigating officer" in edges and "safeguarding lead GP" not in edges
        assert page.is_hidden("#plan-badge")

        # The view's settings are in the page's address: a reload opens the same view.
        page.select_option("#depth", "2")
        expect(page.locator("#status")).to_contain_text("as of 2026-03-01")
        assert "as_of=2026-03-01" in page.url and "depth=2" in page.url and "ceased=0" in page.url
        page.reload()
        page.wait_for_selector("#ecomap[data-ready='1']")
        expect(page.locator("#as-of-text")).to_contain_text("As of 2026-03-01, ceased hidden")
        assert page.input_value("#depth") == "2" and not page.is_checked("#ceased")
        assert "investigating officer" in page.inner_text("#edges-table")

        # Export a PNG: recorded first, then drawn with its footer and downloaded.
        with page.expect_download() as download:
            page.click("#export-png")
        saved = tmp_path / "ecomap.png"
        download.value.save_as(saved)
        data = saved.read_bytes()
        width, height = _png_size(data)
        canvas = page.evaluate("(() => { const c = document.querySelector('#network canvas');"
                               " return [c.width, c.height]; })()")
        assert (width, height) == (canvas[0], canvas[1] + 56)
        assert len(data) > 5000
        expect(page.locator("#status")).to_contain_text("audit event")

        # The canvas's own "Save image as…" menu is not offered: exports go through the button.
        page.click("#network canvas", button="right")
        expect(page.locator("#status")).to_contain_text("use Export PNG")

        # Printing from the browser's own menu prints no child's details, only how to print.
        page.emulate_media(media="print")
        assert page.is_visible(".print-refused") and not page.is_visible("#nodes-table")
        page.emulate_media(media="screen")
        # The Print button records the print, then every printed page carries the footer.
        page.click("#export-print")
        expect(page.locator("#status")).to_contain_text("Print recorded as audit event")
        assert page.evaluate("window.__printed") is True
        page.emulate_media(media="print")
        assert page.is_visible("#nodes-table") and not page.is_visible(".print-refused")
        footer = page.inner_text("#print-footer")
        event_id = footer.rsplit("audit event ", 1)[1].strip()
        assert footer.startswith("OFFICIAL-SENSITIVE") and "exported by chair" in footer
        page.emulate_media(media="screen")

        violations = page.evaluate("window.__csp")
        browser.close()

    printed = graph.run_autocommit("MATCH (e:AuditEvent {id: $id}) RETURN e.action AS action, "
                                   "e.username AS username", id=event_id)
    assert printed == [{"action": "child.export.print", "username": "chair"}]
    assert violations == [], violations
    assert console_errors == [], console_errors
    assert dialogs == [], "markup in a name ran as script"
    outside = [u for u in requests if not u.startswith((base + "/", "data:", "blob:"))]
    assert outside == [], outside
