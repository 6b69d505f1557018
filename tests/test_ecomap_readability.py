"""The ecomap's readability (issue 16), in Debian's Chromium and over HTTP: labels drawn at a
readable size at 16 and 200 nodes, services with many practitioners grouped, no hairball of
sibling-to-sibling lines at depth 2, and a legend listing only what is drawn."""

from __future__ import annotations

from datetime import date

import pytest

from explorer.graph import Graph
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.browser import ARGS, CHROMIUM, serving, sign_in
from tests.test_child_views import DEMO

playwright = pytest.importorskip("playwright.sync_api")

# One child with twelve services of fifteen practitioners each (every seventh ceased): with
# the family, about 200 nodes.
MAKE_BIG = """
MATCH (h:Household {id: 'H-OBRIEN'})
CREATE (c:Child {id: 'C-BIG', given_name: 'Sam', family_name: 'Manyservices', gender: 'other',
                 date_of_birth: date('2014-01-01'), shielded: false, status: 'none'})
CREATE (c)-[:LIVES_IN {since: date('2014-01-01')}]->(h)
WITH c
UNWIND range(1, 12) AS i
CREATE (s:Service {id: 'S-BIG-' + i, name: 'Service ' + i, type: 'other', sensitive: false})
WITH c, s, i
UNWIND range(1, 15) AS j
CREATE (p:Practitioner {id: 'P-BIG-' + i + '-' + j, given_name: 'Worker',
                        family_name: i + '.' + j, profession: 'other'})
CREATE (p)-[:WORKS_FOR]->(s)
CREATE (p)-[:INVOLVED_WITH {id: 'I-BIG-' + i + '-' + j, service_id: s.id, role: 'role',
                            since: date('2025-01-01'), lead: false, caf: false,
                            until: CASE WHEN j % 7 = 0 THEN date('2025-06-01') END}]->(c)
"""


def _legend(page) -> list[str]:
    return page.eval_on_selector_all("#legend li", "items => items.map(i => i.dataset.kind)")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_labels_are_readable_at_16_and_200_nodes_and_the_legend_lists_what_is_drawn(
        app, graph: Graph, make_user):
    load(graph, read_seed(DEMO, today=date.today()), source="demo", progress=False)
    graph.run_autocommit(MAKE_BIG)
    app.config["WTF_CSRF_ENABLED"] = True
    _, password, secret = make_user("boss", ["management"])
    with serving(app) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, base, app, "boss", password, secret)
        expect = playwright.expect
        for child, depth, at_least in (("C-ZOE", 1, 14), ("C-ZOE", 2, 20), ("C-BIG", 1, 190)):
            page.goto(f"{base}/children/{child}/ecomap?depth={depth}")
            page.wait_for_selector("#ecomap[data-ready='1']")
            root = page.locator("#ecomap")
            node_px = float(root.get_attribute("data-node-label-px"))
            edge_px = float(root.get_attribute("data-edge-label-px"))
            assert node_px >= 12 and edge_px >= 9, (child, depth, node_px, edge_px)
            rows = page.locator("#nodes-table tbody tr").count()
            if child == "C-BIG":
                # Every practitioner is still in the table, in its service's group.
                assert rows < 40 and "Worker 12.15" in page.inner_text("#nodes-table")
                assert "service_group" in _legend(page)
            else:
                assert rows >= at_least
        # Zoë's map: no group, no CAF, a ceased police officer; the legend says just that.
        page.goto(f"{base}/children/C-ZOE/ecomap")
        page.wait_for_selector("#ecomap[data-ready='1']")
        legend = _legend(page)
        assert "service_group" not in legend and "caf" not in legend
        assert {"child", "sibling", "adult", "household", "practitioner", "service", "universal",
                "line-current", "line-ceased", "line-lead"} <= set(legend)
        page.uncheck("#ceased")
        expect(page.locator("#as-of-text")).to_contain_text("ceased hidden")
        assert "line-ceased" not in _legend(page)
        # What changed since a chosen date: listed beside the map, marked on it, in the legend.
        page.check("#ceased")
        page.fill("#as-of", "2026-06-01")
        page.fill("#since", "2026-01-01")
        page.dispatch_event("#since", "change")
        expect(page.locator("#changes-what")).to_contain_text("From 2026-01-01 (chosen) to 2026-06-01")
        changes = page.inner_text("#changes")
        assert "2026-03-02: started: safeguarding lead GP: Priya Nair" in changes
        assert "2026-04-30: ended: investigating officer" in changes
        assert {"line-new", "line-ended"} <= set(_legend(page))
        assert "since=2026-01-01" in page.url
        browser.close()


def test_big_views_group_services_and_depth_two_draws_no_sibling_hairball(signed_in, demo: Graph):
    demo.run_autocommit(MAKE_BIG)
    # Ten more children of Zoë's father: at depth 2 each one's view names all the others.
    demo.run_autocommit("""
        MATCH (k:Adult {id: 'A-KEVIN'})
        UNWIND range(1, 10) AS i
        CREATE (k)-[:PARENT_OF]->(:Child {id: 'C-HALF-' + i, given_name: 'Half' + i,
                                          family_name: 'Sibling', gender: 'other', shielded: false,
                                          date_of_birth: date('2019-01-01') + duration({days: i})})
        """)
    boss = signed_in("boss", ["management"])
    big = boss.get("/api/children/C-BIG/network").get_json()
    groups = [n for n in big["nodes"] if n["kind"] == "service_group"]
    assert len(groups) == 12 and all("15 practitioners" in n["label"] for n in groups)
    lines = {e["label"] for e in big["edges"] if e["from"].startswith("group:")}
    assert lines == {"15 involvements (2 ceased)"}
    deep = boss.get("/api/children/C-ZOE/network?depth=2").get_json()
    siblings = {n["id"] for n in deep["nodes"] if n["id"].startswith("child:") and n["id"] != "child:C-ZOE"}
    assert len(siblings) >= 12
    between = [e for e in deep["edges"] if e["kind"] == "sibling"
               and e["from"] in siblings and e["to"] in siblings]
    assert between == []  # each is joined to Zoë; the 66 lines between them were the hairball
