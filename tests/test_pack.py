"""The conference pack: one printable page (and a PNG at twice the map's size) with the map,
legend, warnings, what changed, the tables and the provenance, recorded in the audit trail
before it is produced. Over HTTP and in Debian's Chromium, on the demo seed."""

from __future__ import annotations

import json
import re
import struct
from datetime import date

import pytest

from explorer import audit
from explorer.graph import Graph
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.browser import ARGS, CHROMIUM, serving, sign_in
from tests.test_child_views import DEMO

playwright = pytest.importorskip("playwright.sync_api")


def _text(reply) -> str:
    return reply.get_data(as_text=True)


def test_the_pack_is_recorded_before_it_is_produced_and_carries_the_record(signed_in, graph):
    chair = signed_in("chair", ["chair"])
    reply = chair.get("/children/C-ZOE/pack?as_of=2026-06-01&since=2026-01-01")
    assert reply.status_code == 200
    page = _text(reply)
    event = audit.search(graph, action="child.export.pack", limit=1)[0]
    # The record names what the pack shows, and the pack names the record, its viewer and time.
    assert {"C-ZOE", "C-LIAM", "C-AVA"} <= set(event["returned_ids"])
    assert json.loads(event["params"])["since"] == "2026-01-01"
    stamp = re.search(r'<p class="pack-footer">([^<]+)</p>', page).group(1)
    assert stamp.startswith("OFFICIAL-SENSITIVE") and f"audit event {event['id']}" in stamp
    assert "produced for chair at " in stamp
    assert f'data-text="OFFICIAL-SENSITIVE · chair · {event["id"]}"' in page  # the watermark
    # The map's data, legend, warnings, changes and tables are on the one page.
    assert 'id="pack-network"' in page and "Sarah Lowe" in page
    assert "2026-03-02: started: safeguarding lead GP: Priya Nair" in page
    assert 'data-kind="line-ended"' in page and 'data-kind="service_group"' not in page
    assert "Amara Okafor" in page.split('id="pack-nodes"')[1]
    # Out of scope: the same 404 as anything absent, and still recorded.
    assert chair.get("/children/C-DANIEL/pack").status_code == 404
    refused = audit.search(graph, action="child.export.pack", limit=1)[0]
    assert json.loads(refused["params"])["child_id"] == "C-DANIEL" and refused["returned_ids"] == []


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_the_pack_in_chromium_prints_and_exports_a_png_at_twice_the_size(app, graph: Graph,
                                                                          make_user, tmp_path):
    load(graph, read_seed(DEMO, today=date.today()), source="demo", progress=False)
    app.config["WTF_CSRF_ENABLED"] = True
    _, password, secret = make_user("chair", ["chair"])
    errors, requests = [], []
    with serving(app) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
        context.add_init_script("window.print = function () { window.__printed = true; };")
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        sign_in(page, base, app, "chair", password, secret)
        # From the ecomap's button, for the view on screen.
        page.goto(f"{base}/children/C-ZOE/ecomap?as_of=2026-06-01&since=2026-01-01")
        page.wait_for_selector("#ecomap[data-ready='1']")
        page.click("#export-pack")
        page.wait_for_selector("#pack[data-ready='1']")
        assert "as_of=2026-06-01" in page.url and "since=2026-01-01" in page.url
        assert page.locator("#pack-map canvas").count() == 1
        pack_event = page.inner_text("#pack-event")
        # The PNG: recorded first, then drawn at twice the map's size, legend and all under it.
        map_box = page.locator("#pack-map").bounding_box()
        with page.expect_download() as download:
            page.click("#pack-png")
        saved = tmp_path / "pack.png"
        download.value.save_as(saved)
        width, height = _png_size(saved.read_bytes())
        assert width >= 2 * int(map_box["width"]) - 2 and height > 2 * map_box["height"]
        playwright.expect(page.locator("#pack-status")).to_contain_text("audit event")
        png_event = page.inner_text("#pack-status").rsplit("audit event ", 1)[1].rstrip(".")
        # Printed: the provenance on the page, the watermark, no navigation.
        page.click("#pack-print")
        assert page.evaluate("window.__printed") is True
        page.emulate_media(media="print")
        assert page.is_visible(".pack-footer") and page.is_hidden(".masthead nav")
        assert pack_event in page.inner_text(".pack-footer")
        watermark = page.evaluate("getComputedStyle(document.querySelector('.watermark'), "
                                  "'::before').content")
        assert "OFFICIAL-SENSITIVE" in watermark and pack_event in watermark
        browser.close()
    recorded = {e["id"]: e["action"] for e in audit.search(graph, action="child.export", limit=10)}
    assert recorded[pack_event] == "child.export.pack" and recorded[png_event] == "child.export.pack_png"
    assert errors == [], errors
    assert [u for u in requests if not u.startswith((base + "/", "data:", "blob:"))] == []


def test_csv_exports_carry_the_same_provenance(signed_in, graph):
    import csv
    import io

    boss = signed_in("boss", ["management"])
    boss.get("/children/C-ZOE")
    reply = boss.get("/audit/export.csv")
    rows = list(csv.DictReader(io.StringIO(_text(reply))))
    event = audit.search(graph, action="audit.export", limit=1)[0]
    assert rows and {(r["marking"], r["exported_by"], r["audit_event"]) for r in rows} == {
        ("OFFICIAL-SENSITIVE", "boss", event["id"])}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", rows[0]["exported_at"])
    ana = signed_in("ana", ["analyst"])
    for path, action in (("/analyst/summary.csv", "analyst.summary.export"),
                         ("/analyst/caseloads.csv", "analyst.caseloads.export"),
                         ("/analyst/analytics.csv", "analyst.analytics.export"),
                         ("/analyst/gaps/no-gp/export.csv", "analyst.gap.export")):
        rows = list(csv.DictReader(io.StringIO(_text(ana.get(path)))))
        event = audit.search(graph, action=action, limit=1)[0]
        assert rows and all(r["audit_event"] == event["id"] and r["exported_by"] == "ana"
                            and r["marking"] == "OFFICIAL-SENSITIVE" for r in rows), path
