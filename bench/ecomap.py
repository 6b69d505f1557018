"""Ecomap benchmark: the data endpoint against the bare Cypher, and drawing 200 nodes.

1. Generates 100,000 children with ``explorer.seed.generate`` (cached in
   ``var/bench-data/<children>-<seed>-<date>``, shared with the other benchmarks) and loads them into
   its own Neo4j (``LocalNeo4j``, home ``var/bench-neo4j-ecomap``, Bolt port 7777) unless the
   home already holds them. Adds one synthetic child, C-BENCH-200, whose ecomap has 200 nodes.
2. For the child with the most involvements (and C-BENCH-200): p50/p95 of
   ``GET /api/children/<id>/network`` through the Flask app as a signed-in management user
   (policy, layout, pyvis, JSON and the audit write included) against the bare Cypher: the
   same named queries child_view runs, and for each sibling the two that compare social
   workers, in one read transaction on the driver, in the same run. Also against all the
   database work a request does (the session check, those queries and the audit append, each
   in its own transaction): that ratio is what the app's own code adds. Each of these with
   the geometry memo as the app runs (a network drawn before is not laid out again) and
   emptied before every request (every request lays its network out afresh).
3. The same target over the population (--sample children, default 40, drawn at random from
   those on a plan, looked after or in need: the children an ecomap is opened for), each
   round asking for every one of them in turn, interleaved with its database work; the p95s
   are taken over all those requests, as a server answering many chairs sees them.
4. In headless Chromium (Debian's): C-BENCH-200's ecomap page served by the app, from
   navigation until the network has drawn (no physics, so it is then still); and pyvis's stock
   HTML for the same nodes and edges (its CDN links pointed at our vendored vis-network, its
   Bootstrap links removed, so it runs offline) until vis reports the layout stabilised.

    .venv/bin/python bench/ecomap.py [--children 100000] [--repeat 200] [--sample 40]
                                     [--sample-rounds 10] [--keep]
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pyotp
from werkzeug.serving import make_server

from explorer import audit, create_app, ecomap, policy, schema
from explorer.accounts import SESSION_TOKEN_KEY, Viewer, sessions, users
from explorer.children import PARTS
from explorer.config import Config, Neo4jSettings
from explorer.graph import Graph, run_policed
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT
from explorer.seed import read_seed
from explorer.seed.generate import DEFAULT_TODAY
from explorer.seed.loader import load

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, population

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
BIG = "C-BENCH-200"
WARM_UP = 100  # requests and bare runs, alternately, before either is timed
MAKE_BIG = """
MERGE (c:Child {id: $id}) SET c.given_name = 'Bench', c.family_name = 'Twohundred',
  c.date_of_birth = date('2016-01-01'), c.gender = 'not_specified', c.shielded = false,
  c.status = 'cp_plan', c.plan_category = 'neglect', c.plan_start = date('2025-01-01')
MERGE (h:Household {id: 'H-BENCH-200'}) SET h.address = '1 Bench Row', h.postcode = 'BE1 1NC',
  h.local_authority = 'Bench', h.address_status = 'known'
MERGE (c)-[:LIVES_IN {since: date('2016-01-01')}]->(h)
WITH c
UNWIND range(1, 99) AS i
MERGE (s:Service {id: 'S-BENCH-' + i}) SET s.name = 'Bench service ' + i, s.type = 'other',
  s.sensitive = false, s.local_authority = 'Bench'
MERGE (p:Practitioner {id: 'P-BENCH-' + i}) SET p.given_name = 'Worker', p.family_name = toString(i),
  p.profession = 'other', p.phone = '01632 960000'
MERGE (p)-[:WORKS_FOR]->(s)
MERGE (p)-[r:INVOLVED_WITH {id: 'I-BENCH-' + i}]->(c)
SET r.service_id = s.id, r.role = 'bench role ' + i, r.since = date('2025-01-01'),
    r.until = CASE WHEN i % 5 = 0 THEN date('2025-06-01') END, r.lead = (i = 1), r.caf = (i = 2),
    r.consent_to_share = false
"""

def instance(args) -> tuple[LocalNeo4j, Neo4jSettings, Graph]:
    """The benchmark's own Neo4j (started if need be), its settings and a Graph on it."""
    local = LocalNeo4j(args.home, bolt_port=args.bolt_port, heap=args.memory, pagecache=args.memory)
    local.start(quiet=True)
    settings = Neo4jSettings(uri=local.uri, username="neo4j", password=None, database="neo4j",
                             local=local)
    return local, settings, Graph(settings)


def busiest_child(graph: Graph) -> dict:
    """The generated child with the most involvements (id, n), shielded ones left out."""
    return graph.run_autocommit(
        "MATCH (:Practitioner)-[i:INVOLVED_WITH]->(c:Child) WHERE NOT c.id STARTS WITH 'C-BENCH' "
        "AND NOT coalesce(c.shielded, false) RETURN c.id AS id, count(i) AS n "
        "ORDER BY n DESC, id LIMIT 1")[0]


# The children an ecomap is opened for: those on a plan, looked after or in need (a chair's
# conference, a social worker's case), none shielded and none of the benchmark's own.
CASE_CHILDREN = """
MATCH (c:Child) WHERE c.status IN ['cp_plan', 'looked_after', 'child_in_need']
  AND NOT coalesce(c.shielded, false) AND NOT c.id STARTS WITH 'C-BENCH'
RETURN c.id AS id ORDER BY id"""


def case_sample(graph: Graph, size: int, seed: int) -> list[str]:
    """``size`` children an ecomap would be opened for, drawn at random (reproducibly)."""
    ids = [row["id"] for row in graph.run_autocommit(CASE_CHILDREN)]
    return random.Random(seed).sample(ids, min(size, len(ids)))


def population_run(graph: Graph, client, token: str, viewer: Viewer, ids: list[str],
                   rounds: int) -> None:
    """The target read over the population rather than one child: each round asks the endpoint
    for every sampled child in turn, each request followed by that child's database work (the
    session check, the bare queries and the audit append), and the p95s are taken over all of
    them, as a server answering many chairs about many children sees them. The geometry memo
    as the app runs (each network laid out on its first request, which is not timed), then
    emptied before every request."""
    sizes = []
    for child_id in ids:
        sizes.append(len(first_answer(client, f"/api/children/{child_id}/network")["nodes"]))
        every_query(graph, token, viewer, child_id)
    ours, cold, queries = [], [], []
    for _ in range(rounds):
        for child_id in ids:
            url = f"/api/children/{child_id}/network"
            ours.append(timed(lambda u=url: get_ok(client, u)))
            queries.append(timed(lambda c=child_id: every_query(graph, token, viewer, c)))
            cold.append(timed(lambda u=url: (ecomap.memo.MEMO.clear(), get_ok(client, u))))
    print(f"\n{len(ids)} children an ecomap is opened for (on a plan, looked after or in need; "
          f"{min(sizes)}-{max(sizes)} nodes, median {statistics.median(sizes):.0f}), "
          f"{rounds} rounds:")
    print(f"  endpoint p50 {statistics.median(ours):.1f} p95 {pct(ours, 95):.1f}; all the "
          f"request's database work p50 {statistics.median(queries):.1f} p95 "
          f"{pct(queries, 95):.1f}; ratio p95 {pct(ours, 95) / pct(queries, 95):.2f}")
    print(f"  {target(ours, queries)}")
    print(f"  laid out afresh every time: p50 {statistics.median(cold):.1f} p95 "
          f"{pct(cold, 95):.1f}; ratio p95 {pct(cold, 95) / pct(queries, 95):.2f}; "
          f"{target(cold, queries)}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bare(graph: Graph, child_id: str) -> None:
    """The named query child_view runs for the child (child_views, every part), then the one
    the ecomap runs for its siblings to compare social workers (child_views, involvements
    only), in one read transaction."""
    params = {"ids": [child_id], "today": date.today(), "all": True, "practitioner_id": None,
              "username": None, "see_shielded": True, "read_shielded": True,
              "archived_view": False, "siblings_shown": [], "retained": policy.retained(date.today()),
              "parts": list(PARTS)}

    def work(tx):
        rows = run_policed(tx, "child_views", params)
        siblings = sorted({s["sibling"]["id"] for row in rows for s in row["siblings"]})
        if siblings:
            run_policed(tx, "child_views", {**params, "ids": siblings, "parts": ["involvements"]})

    graph.read_tx(work)


def every_query(graph: Graph, token: str, viewer: Viewer, child_id: str) -> None:
    """All the database work one request does, without the app around it: the session check,
    the bare queries, and the audit append, each in its own transaction as the endpoint runs
    them. Against this, the endpoint's ratio is what Flask, the policy, layout and pyvis add."""
    sessions.resolve(graph, token, sessions.STAGE_FULL, sessions.Timeouts())
    bare(graph, child_id)
    audit.record(graph, viewer=viewer, action="bench.every_query", params={"child_id": child_id},
                 returned_ids=[child_id], reason=None, client="127.0.0.1")


def sign_in(app, client, username: str, password: str, secret: str) -> None:
    client.post("/login", data={"username": username, "password": password})
    reply = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert reply.status_code == 302, reply.status_code


def first_answer(client, url: str, tries: int = 20) -> dict:
    """The endpoint's first answer. A Neo4j just started plans every query afresh, which on a
    loaded machine outlasted the request's 10 s of database time: the app answers 503 then,
    by design (issue 14), so the benchmark asks again until the database is warm."""
    for _ in range(tries):
        reply = client.get(url)
        if reply.status_code == 200:
            return reply.get_json()
        print(f"  {url}: {reply.status_code} while Neo4j warms up; asking again", flush=True)
        time.sleep(1)
    raise SystemExit(f"{url} answered {reply.status_code} {tries} times")


def get_ok(client, url: str) -> None:
    """One timed request, which must succeed: a fast 503 would flatter the figures."""
    reply = client.get(url)
    assert reply.status_code == 200, (url, reply.status_code)


def timed(fn) -> float:
    """One call of ``fn``, in milliseconds."""
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def measure(fn, repeat: int) -> list[float]:
    for _ in range(5):
        fn()
    return [timed(fn) for _ in range(repeat)]


def target(endpoint: list[float], work: list[float]) -> str:
    """Issue 14's two halves, judged: the endpoint's p95 at most 1.5 x all of the request's
    own database work (same run), and under 100 ms."""
    ratio = pct(endpoint, 95) <= 1.5 * pct(work, 95)
    return (f"target p95 <= 1.5 x all the request's database work: {'met' if ratio else 'NOT met'}"
            f"; p95 < 100 ms: {'met' if pct(endpoint, 95) < 100 else 'NOT met'}")


def breakdown(graph: Graph, client, app, child_id: str, repeat: int) -> dict[str, list[float]]:
    """Where the endpoint's time goes beyond the bare query, each part timed on its own in the
    same run: the session check every signed-in request makes, the policy-filtered view with
    layout and pyvis (ecomap.build), and the audit event written before the answer."""
    token = None
    with client.session_transaction() as flask_session:
        token = flask_session.get(SESSION_TOKEN_KEY)
    viewer = Viewer(username="bench-manager", roles=frozenset({"management"}),
                    practitioner_id=None, user_id="bench")
    today = date.today()
    with app.app_context():
        return {
            "session check": measure(lambda: sessions.resolve(
                graph, token, sessions.STAGE_FULL, sessions.Timeouts()), repeat),
            "view (policy, layout, pyvis; memo kept)": measure(lambda: ecomap.build(
                graph, viewer, child_id, today=today, on=today, depth=1, ceased=True, expand=()),
                repeat),
            "audit write": measure(lambda: audit.record(
                graph, viewer=viewer, action="bench.audit", params={"child_id": child_id},
                returned_ids=[child_id], reason=None, client="127.0.0.1"), repeat),
        }


def chromium_ours(base: str, username: str, password: str, secret: str, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    seconds = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        time.sleep(31)  # a TOTP code is accepted once per 30 s step; the client used one
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        for _ in range(runs + 1):
            started = time.perf_counter()
            page.goto(f"{base}/children/{BIG}/ecomap")
            page.wait_for_selector("#ecomap[data-ready='1']", timeout=30000)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            seconds.append(time.perf_counter() - started)
            drawn = page.evaluate("() => document.querySelectorAll('#nodes-table tbody tr').length")
        browser.close()
    print(f"  ours drew {drawn} nodes")
    return seconds[1:]


def stock_pyvis_html(network: dict, out: Path) -> Path:
    """pyvis's own write_html for the same nodes and edges, made to run offline."""
    from pyvis.network import Network

    net = Network(height="1000px", width="100%")
    for n in network["nodes"]:
        net.add_node(n["id"], label=n["label"], shape=n["shape"], color=n["color"]["background"])
    for e in network["edges"]:
        net.add_edge(e["from"], e["to"], label=e["label"])
    html = net.generate_html()
    vendor = REPO_ROOT / "explorer" / "static" / "vendor"
    lines = []
    for line in html.splitlines():
        if "bootstrap" in line:
            continue  # Bootstrap styles pyvis's menus, which are off; it would need the network
        if "vis-network.min.js" in line and "cdnjs" in line:
            line = (f'<script src="{(vendor / "vis-data" / "vis-data.min.js").as_uri()}"></script>'
                    f'<script src="{(vendor / "vis-network" / "vis-network.min.js").as_uri()}"></script>')
        elif "vis-network.min.css" in line and "cdnjs" in line:
            css = (vendor / "vis-network" / "vis-network.min.css").as_uri()
            line = f'<link rel="stylesheet" href="{css}">'
        lines.append(line)
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def chromium_stock(page_file: Path, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    seconds = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script("""
          window.__stable = false;
          Object.defineProperty(window, 'network', { configurable: true,
            set(v) { this.__net = v; v.once('stabilized', () => { window.__stable = true; });
                     v.once('stabilizationIterationsDone', () => { window.__stable = true; }); },
            get() { return this.__net; } });
        """)
        for _ in range(runs + 1):
            started = time.perf_counter()
            page.goto(page_file.as_uri())
            page.wait_for_function("() => window.__stable === true", timeout=60000, polling=5)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            seconds.append(time.perf_counter() - started)
        browser.close()
    return seconds[1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bolt-port", type=int, default=7777)
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "var" / "bench-neo4j-ecomap")
    parser.add_argument("--memory", default="2g", help="heap and page cache each")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--browser-runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=40,
                        help="children an ecomap is opened for, measured together (0: none)")
    parser.add_argument("--sample-rounds", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="leave the instance running")
    args = parser.parse_args(argv)
    if args.sample < 0 or args.sample_rounds < 1:
        parser.error("--sample is 0 or more, --sample-rounds 1 or more")
    logging.getLogger("neo4j").setLevel(logging.ERROR)

    print(machine())
    data = population(args.children, args.seed, DEFAULT_TODAY)
    local, settings, graph = instance(args)
    try:
        schema.apply(graph)
        have = graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"]
        if have < args.children:
            started = time.perf_counter()
            load(graph, read_seed(data, today=DEFAULT_TODAY), source="bench", progress=True)
            print(f"loaded in {time.perf_counter() - started:.0f} s")
            have = graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"]
        graph.run_autocommit(MAKE_BIG, id=BIG)
        busiest = busiest_child(graph)
        print(f"children: {have}; busiest child {busiest['id']} ({busiest['n']} involvements)")

        config = Config(neo4j=settings, secret_key="bench-secret-key",  # noqa: S106 - bench only
                        var_dir=REPO_ROOT / "var", pseudonym_key="bench-pseudonym-key")
        app = create_app({"TESTING": True, "EXPLORER_CONFIG": config})
        password = "bench horse staple battery"  # noqa: S105 - a local bench account
        with app.app_context():
            if users.find(graph, "bench-manager") is None:
                enrolment = users.create(graph, username="bench-manager", password=password,
                                         roles=["management"], practitioner_id=None)
                (args.home / "bench-secret").write_text(enrolment.totp_secret)
        secret = (args.home / "bench-secret").read_text().strip()
        client = app.test_client()
        sign_in(app, client, "bench-manager", password, secret)

        with client.session_transaction() as flask_session:
            token = flask_session.get(SESSION_TOKEN_KEY)
        viewer = Viewer(username="bench-manager", roles=frozenset({"management"}),
                        practitioner_id=None, user_id="bench")
        print("\nendpoint vs bare Cypher (ms), same run:")
        for child_id in (busiest["id"], BIG):
            url = f"/api/children/{child_id}/network"
            nodes = len(first_answer(client, url)["nodes"])
            # Both warmed alike first (a Neo4j just started compiles its queries and plans),
            # so that neither figure carries the warm-up.
            for _ in range(WARM_UP):
                get_ok(client, url)
                bare(graph, child_id)
                every_query(graph, token, viewer, child_id)
            # Interleave them so load on the machine hits all alike. "cold": the geometry memo
            # (explorer/ecomap/memo.py) emptied before each request, so every one lays the
            # network out afresh, as the first request for a network does.
            ours, cold, plain, queries = [], [], [], []
            for _ in range(args.repeat // 20):
                ours += measure(lambda u=url: get_ok(client, u), 20)
                cold += measure(lambda u=url: (ecomap.memo.MEMO.clear(), get_ok(client, u)), 20)
                plain += measure(lambda c=child_id: bare(graph, c), 20)
                queries += measure(lambda c=child_id: every_query(graph, token, viewer, c), 20)
            print(f"  {child_id} ({nodes} nodes): endpoint p50 {statistics.median(ours):.1f} "
                  f"p95 {pct(ours, 95):.1f}; bare p50 {statistics.median(plain):.1f} "
                  f"p95 {pct(plain, 95):.1f}; ratio p95 {pct(ours, 95) / pct(plain, 95):.2f}")
            print(f"    against all the request's queries (session check, bare, audit append): "
                  f"p50 {statistics.median(queries):.1f} p95 {pct(queries, 95):.1f}; "
                  f"ratio p95 {pct(ours, 95) / pct(queries, 95):.2f}")
            # The target as decided on issue 14: both guarantees stay (the audit event committed
            # before the answer, the session checked in the database on every request), and the
            # endpoint's p95 is judged against all of the request's own database work.
            print(f"    {target(ours, queries)}")
            print(f"    laid out afresh every time (memo emptied before each request): p50 "
                  f"{statistics.median(cold):.1f} p95 {pct(cold, 95):.1f}; ratio p95 to all the "
                  f"request's database work {pct(cold, 95) / pct(queries, 95):.2f}; "
                  f"{target(cold, queries)}")
            parts = breakdown(graph, client, app, child_id, args.repeat)
            print("    per-request parts, p50 (p95) ms: " + "; ".join(
                f"{name} {statistics.median(v):.2f} ({pct(v, 95):.2f})" for name, v in parts.items()))

        if args.sample:
            population_run(graph, client, token, viewer, case_sample(graph, args.sample, args.seed),
                           args.sample_rounds)

        big = client.get(f"/api/children/{BIG}/network").get_json()
        print(f"\n200-node view: {len(big['nodes'])} nodes, {len(big['edges'])} edges")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            ours = chromium_ours(f"http://127.0.0.1:{server.server_port}", "bench-manager", password,
                                 secret, args.browser_runs)
        finally:
            server.shutdown()
        stock_file = stock_pyvis_html(big, REPO_ROOT / "var" / "bench-ecomap-pyvis-stock.html")
        stock = chromium_stock(stock_file, args.browser_runs)
        print(f"  ours (page + JSON + draw, physics off): median {statistics.median(ours):.3f} s, "
              f"max {max(ours):.3f} s")
        print(f"  pyvis stock HTML (physics until stabilised): median {statistics.median(stock):.3f} s, "
              f"max {max(stock):.3f} s")
    finally:
        graph.close()
        if not args.keep:
            local.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
