"""Analytics benchmark: every gap report and the networkx analytics on a generated graph.

    .venv/bin/python bench/analytics.py --children 100000

What it does:

1. Generates a synthetic population with ``explorer.seed.generate`` (cached in
   ``var/bench-data/<children>-<seed>-<date>``, shared with bench/load.py, reused when present).
2. Starts its own Neo4j (``LocalNeo4j``, home ``var/bench-neo4j-analytics``, Bolt port
   7757 by default, heap and page cache 3g) and loads the population unless the home
   already holds it (``--reload`` to start again from an empty database).
3. Times, each ``--repeat`` times after one warm-up: a baseline (``MATCH (c:Child) RETURN
   count(c)``), every gap's list exactly as its page reads it (query, de-identification,
   filters; networkx for single points of failure) and its counts as the dashboard reads
   them (``counting.groups``, counted in Cypher), the dashboard as it was counted before
   issue 20 (every list read and counted in Python), the dashboard with nothing saved
   (counted in Cypher and saved: the first view after a change) and served from the saved
   counts (``gaps.summary``, issue 20; unfocused and with a focus), counting ahead
   (``explorer analytics count``'s work), the caseload distribution, the analytics page
   (networkx over every open involvement) and the network view of the largest area
   (grouped, and its children in need one by one).
   Prints the median seconds, the ratio to the baseline, and the peak memory of this Python
   process. ``--dashboard-only``: the baseline, the gaps' counts and the dashboard only.
4. Draws the largest ungrouped network view in headless Chromium (Debian's
   ``/usr/bin/chromium`` through Playwright; the page's own SVG partial and CSS) and prints
   how long until it is loaded and painted: no physics runs, so it is then still.

The instance is stopped at the end unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

from common import machine, population

from explorer import schema
from explorer.accounts import Viewer
from explorer.analytics import counting, gaps, network_view, overview, records, saved
from explorer.config import Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT
from explorer.seed import read_seed
from explorer.seed.generate import DEFAULT_TODAY
from explorer.seed.loader import load

KEY = b"bench-pseudonym-key"
# The analytics check their viewer's scope: these calls are an analyst's.
ANALYST = Viewer("analyst", frozenset({"analyst"}), None, "analyst")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    result = fn()  # warm-up: plans cached, pages in memory
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def saved_only(graph: Graph, today: date, baseline: Callable[[], object], repeat: int) -> int:
    """``--saved-only``: counting ahead once (what a nightly ``explorer analytics count``
    does), then the dashboard as analysts open it, from the saved counts. Both run on an app
    clock set to the report date: counts saved for a day before the clock's today (and not a
    month's end) are pruned as soon as they are saved, since no request asks for them."""
    from flask import Flask

    clock = Flask("bench")
    clock.config["EXPLORER_CLOCK"] = lambda: datetime(today.year, today.month, today.day, 12,
                                                      tzinfo=UTC)
    with clock.app_context():
        return _saved_only(graph, today, baseline, repeat)


def _saved_only(graph: Graph, today: date, baseline: Callable[[], object], repeat: int) -> int:
    base, _ = timed(baseline, repeat)
    started = time.perf_counter()
    saved.count_ahead(graph, today)
    ahead = time.perf_counter() - started
    cases = [("dashboard from saved counts (issue 20)",
              lambda: gaps.summary(graph, viewer=ANALYST, key=KEY, on=today)),
             ("dashboard from saved counts, focus age band 5-9",
              lambda: gaps.summary(graph, viewer=ANALYST, key=KEY, on=today,
                                   filters=gaps.Filters(age_band="5-9")))]
    print(f"{'what':<66}{'seconds':>9}{'x baseline':>12}")
    print(f"{'baseline: MATCH (c:Child) RETURN count(c)':<66}{base:>9.3f}{1.0:>12.1f}")
    print(f"{'counting ahead: explorer analytics count (every gap, saved), once':<66}"
          f"{ahead:>9.3f}{ahead / base:>12.1f}", flush=True)
    for name, fn in cases:
        seconds, _ = timed(fn, repeat)
        print(f"{name:<66}{seconds:>9.3f}{seconds / base:>12.1f}", flush=True)
    print(f"\npeak RSS of this Python process: {peak_rss_mb():.0f} MB; load average now "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


def summary_from_lists(graph: Graph, today: date) -> list[gaps.Column]:
    """The dashboard as it was counted before issue 20, kept here to measure against in the
    same run: every gap's de-identified list read (four at a time, as the dashboard did) and
    counted per area in Python."""
    rows = gaps.report_areas(graph)
    with ThreadPoolExecutor(max_workers=saved.WORKERS) as pool:
        found = list(pool.map(lambda g: (g, records.records(graph, g.slug, key=KEY, on=today)),
                              gaps.GAPS))
    return [gaps.column(g, listed, rows, None) for g, listed in found]


def dashboard_counted_live(graph: Graph, today: date) -> gaps.Summary:
    """The dashboard when nothing is saved for the date and data version (the first view after
    a change, had nothing counted ahead): the saved counts are deleted first (milliseconds)."""
    graph.run_autocommit("MATCH (c:GapCounts) DETACH DELETE c")
    return gaps.summary(graph, viewer=ANALYST, key=KEY, on=today)


def others(graph: Graph, today: date, largest: str) -> list[tuple[str, Callable[[], object]]]:
    """The reports beside the dashboard: caseloads, the analytics page, the network views."""
    return [
        ("caseload distribution",
         lambda: gaps.caseload_distribution(graph, viewer=ANALYST, key=KEY, on=today)),
        ("analytics page (networkx: caseloads, SPOF, spanning, centrality)",
         lambda: overview.overview(graph, viewer=ANALYST, on=today)),
        (f"network view of {largest}, all children (grouped)",
         lambda: network_view.network_view(graph, viewer=ANALYST, key=KEY, on=today,
                                           local_authority=largest)),
        (f"network view of {largest}, children in need (one node each)",
         lambda: network_view.network_view(graph, viewer=ANALYST, key=KEY, on=today,
                                           local_authority=largest,
                                           plan_status="child_in_need")),
    ]


def draw_in_chromium(view: network_view.NetworkView, out: Path) -> float:
    """Seconds from navigation to the second animation frame after load, in headless Chromium."""
    import jinja2
    from playwright.sync_api import sync_playwright

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO_ROOT / "explorer" / "templates"),
                             autoescape=True)
    svg = env.get_template("analyst/_network_svg.html").render(
        view=view, size=network_view.SIZE, area=view.local_authority)
    static = REPO_ROOT / "explorer" / "static"
    css = "".join(f'<link rel="stylesheet" href="{(static / "css" / name).as_uri()}">'
                  for name in ("app.css", "analyst.css"))
    out.write_text(f"<!doctype html><html><head><meta charset='utf-8'>{css}</head>"
                   f"<body>{svg}</body></html>", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 1200})
        started = time.perf_counter()
        page.goto(out.as_uri(), wait_until="load")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        seconds = time.perf_counter() - started
        drawn = page.locator("svg.network circle, svg.network rect").count()
        browser.close()
    if drawn != len(view.nodes):
        raise RuntimeError(f"Chromium drew {drawn} of {len(view.nodes)} nodes")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bolt-port", type=int, default=7757)
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "var" / "bench-neo4j-analytics")
    parser.add_argument("--memory", default="3g", help="heap and page cache each")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reload", action="store_true", help="empty the database and load again")
    parser.add_argument("--keep", action="store_true", help="leave the instance running")
    parser.add_argument("--dashboard-only", action="store_true",
                        help="time the baseline, each gap's counts and the dashboard only")
    parser.add_argument("--saved-only", action="store_true",
                        help="the baseline, counting ahead once, and the dashboard from saved "
                             "counts only (at 11 million children a gap's live count takes "
                             "minutes, and repeating each is an hour)")
    args = parser.parse_args(argv)

    logging.getLogger("neo4j").setLevel(logging.ERROR)  # "property key does not exist" notes
    today = DEFAULT_TODAY
    data = population(args.children, args.seed, today)
    local = LocalNeo4j(args.home, bolt_port=args.bolt_port, heap=args.memory,
                       pagecache=args.memory)
    print(f"machine: {machine()}", flush=True)
    local.start(quiet=True)
    graph = Graph(Neo4jSettings(uri=local.uri, username="neo4j", password=None,
                                database="neo4j", local=local))
    try:
        schema.apply(graph)
        have = graph.read("analytics_baseline")[0]["children"]
        if args.reload or have == 0:
            if have:
                graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } "
                                     "IN TRANSACTIONS OF 10000 ROWS")
            started = time.perf_counter()
            report = load(graph, read_seed(data, today=today), source="bench", progress=True)
            print(f"loaded {report.rows} rows in {time.perf_counter() - started:.0f}s", flush=True)
        children = graph.read("analytics_baseline")[0]["children"]
        print(f"{children} children in the graph; report date {today}; median of "
              f"{args.repeat} after a warm-up\n", flush=True)

        cases: list[tuple[str, Callable[[], object]]] = [
            ("baseline: MATCH (c:Child) RETURN count(c)",
             lambda: graph.read("analytics_baseline")),
        ]
        if args.saved_only:
            return saved_only(graph, today, cases[0][1], args.repeat)
        for gap in gaps.GAPS:
            if not args.dashboard_only:
                cases.append((f"gap {gap.slug}: the list", lambda g=gap: gaps.gap_records(
                    graph, g.slug, viewer=ANALYST, key=KEY, on=today)))
            cases.append((f"gap {gap.slug}: counted in Cypher",
                          lambda g=gap: counting.groups(graph, g, today)))
        if not args.dashboard_only:
            cases.append(("dashboard before issue 20 (every list read, de-identified, counted)",
                          lambda: summary_from_lists(graph, today)))
        cases += [
            ("dashboard, nothing saved (counted in Cypher, saved, suppressed)",
             lambda: dashboard_counted_live(graph, today)),
            ("dashboard from saved counts (issue 20)",
             lambda: gaps.summary(graph, viewer=ANALYST, key=KEY, on=today)),
            ("dashboard from saved counts, focus age band 5-9",
             lambda: gaps.summary(graph, viewer=ANALYST, key=KEY, on=today,
                                  filters=gaps.Filters(age_band="5-9"))),
            ("counting ahead: explorer analytics count (every gap, saved)",
             lambda: saved.count_ahead(graph, today)),
        ]
        largest = None if args.dashboard_only else max(gaps.areas(graph), key=lambda a: len(
            graph.read("analytics_network", date=today, la=a, retained=gaps.analysts_retained())))
        if largest is not None:
            cases += others(graph, today, largest)
        baseline = None
        views = []
        print(f"{'what':<66}{'seconds':>9}{'x baseline':>12}{'rows':>8}")
        for name, fn in cases:
            seconds, result = timed(fn, args.repeat)
            if isinstance(result, network_view.NetworkView):
                views.append(result)
            baseline = baseline or seconds
            rows = len(result) if isinstance(result, list) else (
                len(result.nodes) if hasattr(result, "nodes") else "")
            print(f"{name:<66}{seconds:>9.3f}{seconds / baseline:>12.1f}{rows!s:>8}", flush=True)
        print(f"\npeak RSS of this Python process: {peak_rss_mb():.0f} MB; load average now "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        if largest is None:
            return 0
        # A view of exactly 2,000 nodes, one per child: the area's services and the first of
        # its children (in pseudonym order) with their edges.
        full = network_view.network_view(graph, viewer=ANALYST, key=KEY, on=today, local_authority=largest,
                                         max_nodes=10**9)
        services = [n for n in full.nodes if n["kind"] == "service"]
        kids = [n for n in full.nodes if n["kind"] != "service"][:2000 - len(services)]
        keep = {n["id"] for n in services + kids}
        views.append(dataclasses.replace(full, nodes=services + kids,
                                         edges=[e for e in full.edges if e[0] in keep]))
        view = max(views, key=lambda v: (not v.grouped, len(v.nodes)))
        out = REPO_ROOT / "var" / "bench-network-view.html"
        seconds = statistics.median(draw_in_chromium(view, out) for _ in range(args.repeat))
        print(f"headless Chromium: {len(view.nodes)} nodes, {len(view.edges)} edges "
              f"({'grouped' if view.grouped else 'one node per child'}) loaded and painted in "
              f"{seconds:.3f}s")
    finally:
        graph.close()
        if not args.keep:
            local.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
