"""Screenshots of the ecomap for docs/ (issue 16: readable at 16, 29 and 200 nodes).

Starts (or reuses) a local Neo4j, loads the demo seed and one synthetic child with a 200-node
network (twelve services of fifteen practitioners each, a household, two parents, siblings),
serves the app on loopback and signs a management account in through Debian's Chromium.
Writes PNGs to docs/img/ and prints, for each view, the node count and the smallest label
drawn on screen (in CSS pixels). Synthetic data only.

    .venv/bin/python scripts/ecomap_screenshots.py [--bolt-port 7816] [--out docs/img]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pyotp
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer import create_app, schema
from explorer.accounts import users
from explorer.config import Config, Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.browser import DRAWN_JS

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
BIG = "C-SHOT-200"
MAKE_BIG = """
MERGE (c:Child {id: $id}) SET c.given_name = 'Sam', c.family_name = 'Manyservices',
  c.date_of_birth = date('2014-01-01'), c.gender = 'not_specified', c.shielded = false,
  c.status = 'cp_plan', c.plan_category = 'multiple', c.plan_start = date('2025-01-01')
MERGE (h:Household {id: 'H-SHOT-200'}) SET h.address = '1 Screenshot Row, Northmere',
  h.postcode = 'NM1 1SS', h.local_authority = 'Northmere', h.address_status = 'known'
MERGE (c)-[:LIVES_IN {since: date('2014-01-01')}]->(h)
WITH c, h
UNWIND range(1, 2) AS a
MERGE (p:Adult {id: 'A-SHOT-' + a}) SET p.given_name = ['Pat', 'Jo'][a - 1], p.family_name = 'Manyservices'
MERGE (p)-[:PARENT_OF {parental_responsibility: true}]->(c)
MERGE (p)-[:LIVES_IN {since: date('2013-01-01')}]->(h)
WITH DISTINCT c, h
UNWIND range(1, 2) AS k
MERGE (s:Child {id: 'C-SHOT-SIB-' + k}) SET s.given_name = ['Alex', 'Robin'][k - 1],
  s.family_name = 'Manyservices', s.date_of_birth = date('2016-0' + k + '-01'), s.gender = 'other',
  s.shielded = false, s.status = 'none'
MERGE (s)-[:LIVES_IN {since: date('2016-0' + k + '-01')}]->(h)
WITH DISTINCT c
UNWIND range(1, 12) AS i
MERGE (s:Service {id: 'S-SHOT-' + i}) SET s.name = 'Service ' + i + ' of Northmere', s.type = 'other',
  s.sensitive = false, s.local_authority = 'Northmere'
WITH c, s, i
UNWIND range(1, 15) AS j
MERGE (p:Practitioner {id: 'P-SHOT-' + i + '-' + j}) SET p.given_name = 'Worker',
  p.family_name = i + '.' + j, p.profession = 'other', p.phone = '01632 960000'
MERGE (p)-[:WORKS_FOR]->(s)
MERGE (p)-[r:INVOLVED_WITH {id: 'I-SHOT-' + i + '-' + j}]->(c)
SET r.service_id = s.id, r.role = 'role ' + i + '.' + j, r.since = date('2025-01-01'),
    r.until = CASE WHEN j % 7 = 0 THEN date('2025-06-01') END, r.lead = (i = 1 AND j = 1),
    r.caf = (j = 2), r.consent_to_share = false
"""
# Eight more children of Zoë's father elsewhere, so that Zoë at depth 2 has 29 nodes with
# eleven siblings: the view the issue found a hairball.
HALF_SIBLINGS = """
MATCH (k:Adult {id: 'A-KEVIN'})
UNWIND range(1, 8) AS i
MERGE (c:Child {id: 'C-SHOT-HALF-' + i})
SET c.given_name = ['Amy', 'Ben', 'Cal', 'Dee', 'Eve', 'Fin', 'Gus', 'Hal'][i - 1],
    c.family_name = 'Price', c.gender = 'other', c.shielded = false, c.status = 'none',
    c.date_of_birth = date('2019-01-01') + duration({days: 40 * i})
MERGE (k)-[:PARENT_OF]->(c)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bolt-port", type=int, default=7816)
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "var" / "neo4j-shots")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    local = LocalNeo4j(args.home, bolt_port=args.bolt_port, heap="512m", pagecache="256m")
    local.start(quiet=True)
    settings = Neo4jSettings(uri=local.uri, username="neo4j", password=None, database="neo4j",
                             local=local)
    graph = Graph(settings)
    schema.apply(graph)
    load(graph, read_seed(REPO_ROOT / "seed" / "demo", today=date.today()), source="demo",
         progress=False)
    graph.run_autocommit(MAKE_BIG, id=BIG)
    graph.run_autocommit("MATCH (c:Child) WHERE c.id STARTS WITH 'C-SHOT-HALF-' DETACH DELETE c")
    config = Config(neo4j=settings, secret_key="screenshot-secret-key",  # noqa: S106 - local only
                    var_dir=REPO_ROOT / "var", pseudonym_key="screenshot-pseudonym-key")
    app = create_app({"TESTING": True, "EXPLORER_CONFIG": config})
    password = "screenshot horse staple battery"  # noqa: S105 - a local, synthetic-data account
    secret_file = args.home / "shots-secret"
    with app.app_context():
        if users.find(graph, "shots-manager") is None:
            enrolment = users.create(graph, username="shots-manager", password=password,
                                     roles=["management"], family_name="Shots")
            secret_file.write_text(enrolment.totp_secret)
    secret = secret_file.read_text().strip()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/login")
        page.fill("#username", "shots-manager")
        page.fill("#password", password)
        page.click("main button[type=submit]")
        code = pyotp.TOTP(secret)
        step = int(time.time()) // 30
        while int(time.time()) // 30 == step:  # a fresh step: the code cannot have been used
            time.sleep(1)
        page.fill("#code", code.now())
        page.click("main button[type=submit]")
        page.wait_for_url(f"{base}/")
        for name, path in (("ecomap-16", "/children/C-ZOE/ecomap?depth=1"),
                           ("ecomap-depth2", "/children/C-ZOE/ecomap?depth=2"),
                           ("ecomap-depth2-open", "/children/C-ZOE/ecomap?depth=2&siblings=open"),
                           ("ecomap-200", f"/children/{BIG}/ecomap?depth=1")):
            if name == "ecomap-depth2":
                graph.run_autocommit(HALF_SIBLINGS)
            page.goto(base + path)
            page.wait_for_selector("#ecomap[data-ready='1']", timeout=60000)
            drawn = page.evaluate(DRAWN_JS)
            sizes = page.evaluate("() => [document.getElementById('ecomap').dataset.nodeLabelPx,"
                                  " document.getElementById('ecomap').dataset.edgeLabelPx]")
            status = page.inner_text("#status")
            page.locator(".ecomap-layout").screenshot(path=str(args.out / f"{name}.png"))
            print(f"{name}: {drawn['nodes']} nodes drawn, {drawn['labels']} labels; labels on screen:"
                  f" nodes {sizes[0]} px, edges {sizes[1]} px; overlapping: {drawn['overlaps']};"
                  f" outside the canvas: {drawn['outside']}; status: {status}")
        graph.run_autocommit("MATCH (c:Child) WHERE c.id STARTS WITH 'C-SHOT-HALF-' DETACH DELETE c")
        page.goto(f"{base}/children/C-ZOE/pack?as_of=2026-06-01&since=2026-01-01")
        page.wait_for_selector("#pack[data-ready='1']", timeout=60000)
        page.screenshot(path=str(args.out / "conference-pack.png"), full_page=True)
        page.goto(f"{base}/conferences")
        page.screenshot(path=str(args.out / "conferences.png"), full_page=True)
        print("conference-pack.png, conferences.png")
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
