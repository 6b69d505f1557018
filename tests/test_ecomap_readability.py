"""The ecomap's readability (issue 16), in Debian's Chromium and over HTTP: labels drawn at a
readable size at 16 and 200 nodes and clear of each other at 16, 29 and 200, the 200-node map
in its canvas without panning, services with many practitioners grouped, siblings in other
households grouped (opened on demand, collapsed in exports), no hairball of sibling-to-sibling
lines at depth 2, and a legend listing only what is drawn."""

from __future__ import annotations

from datetime import date

import pytest

from explorer import ecomap
from explorer.graph import Graph
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.browser import ARGS, CHROMIUM, DRAWN_JS, serving, sign_in
from tests.test_child_views import DEMO

playwright = pytest.importorskip("playwright.sync_api")

# One child with twelve services of fifteen practitioners each (every seventh ceased), in a
# household of its own (in Zoë's, it would be a sibling of hers): about 200 nodes.
MAKE_BIG = """
CREATE (h:Household {id: 'H-BIG', address: '1 Test Row, Northmere', postcode: 'NM1 1TT',
                     local_authority: 'Northmere', address_status: 'known'})
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


# Eight more children of Zoë's father, elsewhere: Zoë's depth-2 view then has eleven siblings
# and 29 nodes with its group of siblings opened (the view the issue found a hairball).
HALF_SIBLINGS = """
MATCH (k:Adult {id: 'A-KEVIN'})
UNWIND range(1, 8) AS i
CREATE (k)-[:PARENT_OF]->(:Child {id: 'C-HALF-' + i, given_name: ['Amy', 'Ben', 'Cal', 'Dee',
                                  'Eve', 'Fin', 'Gus', 'Hal'][i - 1], family_name: 'Price',
                                  gender: 'other', shielded: false, status: 'none',
                                  date_of_birth: date('2019-01-01') + duration({days: 40 * i})})
"""
VIEWS = (("C-ZOE", "depth=1"), ("C-ZOE", "depth=2"), ("C-ZOE", "depth=2&siblings=open"),
         ("C-BIG", "depth=1"))


def _served_overlaps(net: dict) -> list[tuple[str, str]]:
    """Which boxes of the served layout touch: each node with its label (or a group's box),
    and each edge label the server chose to draw, placed where vis-network draws it."""
    at = {n["id"]: (n["x"], n["y"]) for n in net["nodes"]}
    boxes = [(n["id"], b) for n in net["nodes"] for b in ecomap.node_boxes(n)]
    boxes += [(e["id"], ecomap.edge_label_box(e, at[e["from"]], at[e["to"]], e["canvas_label"]))
              for e in net["edges"] if e["canvas_label"]]
    return [(a, b) for i, (a, p) in enumerate(boxes) for b, q in boxes[i + 1:]
            if a != b and p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]


def test_the_served_layout_places_labels_without_overlaps_at_16_29_and_200_nodes(signed_in, demo):
    demo.run_autocommit(MAKE_BIG)
    demo.run_autocommit(HALF_SIBLINGS)
    boss = signed_in("boss", ["management"])
    drawn = {}
    for child, query in VIEWS:
        net = boss.get(f"/api/children/{child}/network?{query}").get_json()
        drawn[child, query] = net
        assert _served_overlaps(net) == [], (child, query)
        # Every edge keeps its full label for the tables; what is drawn is it, or shorter.
        for e in net["edges"]:
            assert e["canvas_label"].split("\n")[0] in e["label"]
    assert 14 <= len(drawn["C-ZOE", "depth=1"]["nodes"]) <= 16
    assert len(drawn["C-ZOE", "depth=2&siblings=open"]["nodes"]) >= 29
    assert len(drawn["C-BIG", "depth=1"]["nodes"]) < 40  # 200 in the view, its services grouped
    # Most labels are drawn in full (on the demo: 8 of 14 at Zoë's depth 1, 15 of 21 at 200
    # nodes; at depth 2, which is panned, 14 of 27 grouped and 33 of 43 opened): a map of
    # blank lines would pass the test above. The status line counts the ones left off.
    for (child, query), net in drawn.items():
        labelled = sum(1 for e in net["edges"] if e["label"])
        full = sum(1 for e in net["edges"] if e["label"] and e["canvas_label"] == e["label"])
        assert full >= (0.5 if query == "depth=1" else 0.4) * labelled, (child, query, full, labelled)
        assert net["labels_not_drawn"] == sum(1 for e in net["edges"] if e["label"] and not e["canvas_label"])


def test_siblings_in_other_households_are_grouped_opened_on_request_and_collapsed_in_exports(
        signed_in, demo):
    demo.run_autocommit(HALF_SIBLINGS)
    boss = signed_in("boss", ["management"])
    grouped = boss.get("/api/children/C-ZOE/network?depth=2").get_json()
    group = [n for n in grouped["nodes"] if n["kind"] == "sibling_group"]
    # Ava and the eight elsewhere; Liam lives with Zoë and stays drawn on his own.
    assert len(group) == 1 and group[0]["label"].startswith("9 siblings") and grouped["sibling_group"] == 9
    assert {"Ava O'Brien", "Amy Price", "Hal Price"} <= set(group[0]["details"])
    ids = {n["id"] for n in grouped["nodes"]}
    assert "child:C-LIAM" in ids and not ids & {"child:C-AVA", "child:C-HALF-1"}
    assert "sibling_group" in [item["kind"] for item in grouped["legend"]]
    lines = {e["label"] for e in grouped["edges"] if "group:siblings" in (e["from"], e["to"])}
    assert "sibling (9)" in lines
    opened = boss.get("/api/children/C-ZOE/network?depth=2&siblings=open").get_json()
    ids = {n["id"] for n in opened["nodes"]}
    assert {"child:C-AVA", "child:C-HALF-1", "child:C-HALF-8"} <= ids and "group:siblings" not in ids
    assert "sibling_group" not in [item["kind"] for item in opened["legend"]]
    # Depth 1 without the eight: Ava alone elsewhere, nothing to group.
    assert boss.get("/api/children/C-LIAM/network").get_json()["sibling_group"] in (0, 9)
    # The pack shows the group collapsed with its count, whatever the screen had open.
    pack = boss.get("/children/C-ZOE/pack?depth=2&siblings=open").get_data(as_text=True)
    assert "9 siblings" in pack and "Hal Price" in pack
    assert boss.get("/api/children/C-ZOE/network?siblings=all").status_code == 400


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_a_chair_reads_every_label_without_zooming_or_panning(app, graph: Graph, make_user):
    """What a chair would check, measured from the map Chromium drew: every label at 12 px or
    more at the zoom the page opens at; no label over another or over a node at 16, 29 and
    200 nodes; the 16- and 200-node maps whole in the canvas (nothing to pan to); the group
    of siblings opened from the keyboard; the marks of what changed still drawn."""
    load(graph, read_seed(DEMO, today=date.today()), source="demo", progress=False)
    graph.run_autocommit(MAKE_BIG)
    graph.run_autocommit(HALF_SIBLINGS)
    _, password, secret = make_user("boss", ["management"])
    with serving(app) as base, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(page, base, app, "boss", password, secret)
        for child, query in VIEWS:
            page.goto(f"{base}/children/{child}/ecomap?{query}")
            page.wait_for_selector("#ecomap[data-ready='1']", timeout=60000)
            drawn = page.evaluate(DRAWN_JS)
            assert drawn["overlaps"] == [], (child, query)
            assert drawn["nodePx"] >= 12 and drawn["edgePx"] >= 9.5, (child, query, drawn["scale"])
            if query == "depth=1":
                assert drawn["outside"] == [], (child, drawn["outside"])
                assert "drag the map" not in page.inner_text("#status")
        # The 200-node map: its twelve groups and the family, every one in the canvas.
        assert drawn["nodes"] < 40 and "Worker 12.15" in page.inner_text("#nodes-table")
        # The siblings' group, from the keyboard: arrow keys to it, Enter, Tab to its button.
        page.goto(f"{base}/children/C-ZOE/ecomap?depth=2")
        page.wait_for_selector("#ecomap[data-ready='1']", timeout=60000)
        assert "sibling_group" in _legend(page)
        before = page.locator("#nodes-table tbody tr").count()
        page.focus("#network")
        for _ in range(before):
            page.keyboard.press("ArrowRight")
            if "in other households" in page.inner_text("#status"):
                break
        page.keyboard.press("Enter")
        button = page.get_by_role("button", name="Show each of the 9 siblings")
        playwright.expect(button).to_be_visible()
        button.focus()
        page.keyboard.press("Enter")
        playwright.expect(page.locator("#nodes-table tbody tr")).to_have_count(before + 8, timeout=60000)
        assert "siblings=open" in page.url and not page.is_checked("#group-siblings")
        assert "sibling_group" not in _legend(page) and "Hal Price" in page.inner_text("#nodes-table")
        # As of a past day, with what changed since: the marks are drawn on the map.
        page.goto(f"{base}/children/C-ZOE/ecomap?as_of=2026-06-01&since=2026-01-01")
        page.wait_for_selector("#ecomap[data-ready='1']", timeout=60000)
        drawn = page.evaluate(DRAWN_JS)
        assert drawn["overlaps"] == []
        assert any(label.startswith("▲ NEW") for label in drawn["edgeLabels"])
        assert any(label.startswith("▼ ENDED") for label in drawn["edgeLabels"])
        browser.close()


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
    deep = boss.get("/api/children/C-ZOE/network?depth=2&siblings=open").get_json()
    siblings = {n["id"] for n in deep["nodes"] if n["id"].startswith("child:") and n["id"] != "child:C-ZOE"}
    assert len(siblings) >= 12
    between = [e for e in deep["edges"] if e["kind"] == "sibling"
               and e["from"] in siblings and e["to"] in siblings]
    assert between == []  # each is joined to Zoë; the 66 lines between them were the hairball
