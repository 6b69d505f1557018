"""Search benchmark: the paged, scope-first and indexed search against the scanning search it
replaced (kept here, as it was, as the baseline), on the same database in the same run.

For a chair, a practitioner with the largest caseload and the management team, times
``explorer.children.search_children`` (policy included) for a family name, a fragment, a date
of birth and an id, and the former query (``MATCH (c:Child)`` then the scope per candidate,
LIMIT 100) for the same terms, each bare through the driver. Prints p50 per search and the ratio.

Needs a loaded population: by default the one bench/serve.py loads (home
var/bench-neo4j-serve, Bolt port 7814), e.g. after
``explorer seed generate --children 100000 --seed 1 --today DATE --out DIR`` and
``explorer seed load DIR``.

    .venv/bin/python bench/search.py [--bolt-port 7814] [--home var/bench-neo4j-serve] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from explorer import policy
from explorer.accounts import Viewer
from explorer.children import search_children
from explorer.config import Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine

# cypher/children_search.cypher before issue 14: every child read, the scope tested per candidate.
SCANNING_SEARCH = """
MATCH (c:Child)
WHERE ($id IS NULL OR c.id = $id)
  AND ($dob IS NULL OR c.date_of_birth = $dob)
  AND ($text IS NULL
       OR toLower(c.given_name + ' ' + c.family_name) CONTAINS $text
       OR ((NOT coalesce(c.shielded, false) OR $see_shielded)
           AND any(n IN coalesce(c.former_names, []) WHERE toLower(n) CONTAINS $text)))
  AND ($all
       OR EXISTS { MATCH (:Practitioner {id: $practitioner_id})-[i:INVOLVED_WITH]->(c)
                   WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today) }
       OR EXISTS { MATCH (:Conference {chair: $username})-[:ABOUT]->(c) })
RETURN properties(c) AS child
ORDER BY c.family_name, c.given_name, c.id
LIMIT 100
"""



def timed(work, repeat: int) -> tuple[float, float]:
    """p50 and p95 in ms of `repeat` runs after a warm-up run (plan cached, pages in memory);
    (nan, nan) for none."""
    if repeat < 1:
        return float("nan"), float("nan")
    work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times) * 1000, times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bolt-port", type=int, default=7814)
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "var" / "bench-neo4j-serve")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--scan-repeat", type=int, default=None,
                        help="runs of the scanning baseline (default --repeat; 0 skips it: at 11 "
                             "million children one scan takes many seconds)")
    args = parser.parse_args()
    local = LocalNeo4j(args.home, bolt_port=args.bolt_port)
    local.start(quiet=True)
    graph = Graph(Neo4jSettings(uri=local.uri, username="neo4j", password=None, database="neo4j",
                                local=local))
    today = date.today()
    children = graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"]
    chair = graph.run_autocommit(
        "MATCH (k:Conference)-[:ABOUT]->(c:Child) WITH k.chair AS chair, count(DISTINCT c) AS n "
        "RETURN chair, n ORDER BY n DESC LIMIT 1")[0]
    worker = graph.run_autocommit(
        "MATCH (p:Practitioner)-[i:INVOLVED_WITH]->(c:Child) WHERE i.until IS NULL "
        "RETURN p.id AS id, count(DISTINCT c) AS n ORDER BY n DESC LIMIT 1")[0]
    sample = graph.run_autocommit(
        "MATCH (:Practitioner {id: $p})-[i:INVOLVED_WITH]->(c:Child) WHERE i.until IS NULL "
        "RETURN c.id AS id, c.family_name AS family, c.date_of_birth AS dob LIMIT 1", p=worker["id"])[0]
    viewers = {
        f"chair ({chair['n']} children)": Viewer(chair["chair"], frozenset({"chair"}), None, "bench"),
        f"practitioner ({worker['n']} children)": Viewer("p", frozenset({"practitioner"}),
                                                         worker["id"], "bench"),
        f"management ({children:,} children)": Viewer("m", frozenset({"management"}), None, "bench"),
    }
    searches = {
        "family name": {"text": sample["family"], "dob": None, "child_id": None},
        "fragment 'son'": {"text": "son", "dob": None, "child_id": None},
        "date of birth": {"text": None, "dob": sample["dob"], "child_id": None},
        "id": {"text": None, "dob": None, "child_id": sample["id"]},
    }
    print(f"{children:,} children; {machine()}")
    scans = args.repeat if args.scan_repeat is None else args.scan_repeat
    print(f"{'viewer':32} {'search':16} {'scan p50':>9} {'now p50':>8} {'now p95':>8} "
          f"{'ratio p50':>9} {'found':>9}  (ms)")
    for label, viewer in viewers.items():
        params = policy.scope_params(viewer, today)
        for what, terms in searches.items():
            text = terms["text"].lower() if terms["text"] else None

            def before(params=params, terms=terms, text=text) -> None:
                graph.read_tx(lambda tx: tx.run(SCANNING_SEARCH, text=text, dob=terms["dob"],
                                                id=terms["child_id"], **params).consume())

            def after(viewer=viewer, terms=terms) -> None:
                search_children(graph, viewer, today=today, **terms)

            answer = search_children(graph, viewer, today=today, **terms)
            found = f">{answer.more_than:,}" if answer.more_than else f"{answer.total:,}"
            (old, _), (new, new95) = timed(before, scans), timed(after, args.repeat)
            print(f"{label:32} {what:16} {old:9.1f} {new:8.1f} {new95:8.1f} {old / new:8.1f}x "
                  f"{found:>9}", flush=True)
    graph.close()


if __name__ == "__main__":
    main()
