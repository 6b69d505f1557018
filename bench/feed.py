"""Feed benchmark: validating a small daily feed against a database that already holds a
population, asking the database about the feed's ids (`explorer.seed.loader.known_ids`, issue
20) beside reading every stored id first (what `known_ids` did before, kept here as it was, as
the baseline), on the same database and feed in the same run.

    .venv/bin/python bench/feed.py --children 100000 [--feed-rows 1000] [--bolt-port 7842]

1. The population (``common.population``: generated once, kept in var/bench-data).
2. Its own Neo4j (home var/bench-neo4j-feed-<port>, kept between runs), loaded with the
   population unless it already holds its children (``--home`` names one loaded elsewhere,
   e.g. at 11 million; nothing is then loaded if it holds as many children as asked for).
3. A feed of ``--feed-rows`` rows made from the population, as a local authority's daily
   feed is: 40% involvements sent again unchanged (stored ids, same ends), 20% new
   involvements between stored practitioners and children, 20% new children and 20% their
   lives_in rows into stored households.
4. Each measure in a fresh Python process of its own (its peak RSS is then its own),
   alternating baseline and ours ``--repeat`` times: seconds from the lookup's construction
   to a validated seed, the process's peak RSS (VmHWM) and its growth over the RSS before
   validation (the interpreter, numpy and the driver: the same for both), and the rows the
   database returned. Prints the medians and the ratios baseline / ours.

The baseline validates with ``read_seed(known_ids=<dict of everything>)``: today's validation
over the mapping (``explorer.seed.stored.InMemory``), so the difference measured is reading
everything against asking about the feed's ids.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from common import machine, population

from explorer import policy
from explorer.config import Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT
from explorer.seed import read_seed
from explorer.seed.generate import DEFAULT_TODAY
from explorer.seed.loader import known_ids, load

# The queries known_ids ran before issue 20 (cypher/seed_ids, seed_service_types,
# seed_involvement_ends, seed_archived_children, seed_purged_hashes), as they were.
READ_EVERYTHING = {
    "ids": "MATCH (n:{label}) RETURN n.id AS id",
    "services": "MATCH (s:Service) RETURN s.id AS id, s.type AS type",
    "involvements": "MATCH (p:Practitioner)-[r:INVOLVED_WITH]->(c:Child) "
                    "RETURN r.id AS id, p.id AS practitioner_id, c.id AS child_id",
    "archived": "MATCH (c:Child) WHERE NOT (" + policy.retention.CYPHER.format(v="c") + ") "
                "RETURN c.id AS id, c.archived_at AS archived_at, "
                "c.archived_reason AS archived_reason, c.date_of_birth AS date_of_birth, "
                "c.care_leaver AS care_leaver, c.care_leaver_consent AS care_leaver_consent",
    "purged": "MATCH (t:PurgedChild) RETURN t.id_hash AS id_hash",
}


class Counted:
    """Rows the database returned to this process."""

    rows = 0


class CountingGraph(Graph):
    def read(self, name: str, *, vary: Any = None, **params: Any) -> list[dict[str, Any]]:
        found = super().read(name, vary=vary, **params)
        Counted.rows += len(found)
        return found

    def run_autocommit(self, text: str, **params: Any) -> list[dict[str, Any]]:
        found = super().run_autocommit(text, **params)
        Counted.rows += len(found)
        return found


def read_every_stored_id(graph: Graph, today: date) -> dict[str, Any]:
    """`known_ids` before issue 20: every stored id of every label read into Python."""
    counts = graph.read("seed_type_counts")[0]
    known: dict[str, Any] = {
        label: ({row["id"] for row in graph.run_autocommit(
            READ_EVERYTHING["ids"].format(label=label))} if counts[label] else set())
        for label in ("Child", "Adult", "Household", "Practitioner")}
    known["Service"] = ({row["id"]: row["type"] for row in graph.run_autocommit(
        READ_EVERYTHING["services"])} if counts["Service"] else {})
    known["INVOLVED_WITH"] = ({row["id"]: (row["practitioner_id"], row["child_id"])
                               for row in graph.run_autocommit(READ_EVERYTHING["involvements"])}
                              if counts["INVOLVED_WITH"] else {})
    known["ARCHIVED_CHILD"] = ({row["id"]: policy.archive_state(row, today)
                                for row in graph.run_autocommit(
                                    READ_EVERYTHING["archived"], retained=policy.retained(today))}
                               if counts["Child"] else {})
    known["PURGED_CHILD"] = ({row["id_hash"] for row in graph.run_autocommit(
        READ_EVERYTHING["purged"])} if counts["PurgedChild"] else set())
    return known


def status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(args: argparse.Namespace) -> None:
    """One measure, in this (fresh) process: prints one line of JSON."""
    local = LocalNeo4j(args.home, bolt_port=args.bolt_port)
    graph = CountingGraph(Neo4jSettings(uri=local.uri, username="neo4j", database="neo4j",
                                        password=local.password, local=None))
    graph.read("seed_type_counts")  # the driver connected and warm, outside the measure
    Counted.rows = 0
    before = status_mb("VmRSS")
    started = time.perf_counter()
    if args.measure == "baseline":
        known: Any = read_every_stored_id(graph, args.today)
    else:
        known = known_ids(graph, args.today)
    seed = read_seed(args.feed, today=args.today, known_ids=known)
    seconds = time.perf_counter() - started
    peak = status_mb("VmHWM")
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "growth_mb": peak - before,
                      "db_rows": Counted.rows, "rows": sum(seed.summary().values())}))
    graph.close()


def _rows(path: Path, n: int, skip: int = 0) -> tuple[list[str], list[dict[str, str]]]:
    """The header and `n` rows after the first `skip` of a CSV file, read no further."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = []
        for i, row in enumerate(reader):
            if i >= skip + n:
                break
            if i >= skip:
                rows.append(row)
        return list(reader.fieldnames or []), rows


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(rows)


def make_feed(data: Path, out: Path, rows: int) -> Path:
    """A daily feed of `rows` rows naming the population's ids (see the module's help)."""
    out.mkdir(parents=True, exist_ok=True)
    again, new, children = rows * 2 // 5, rows // 5, rows // 5
    header, sent = _rows(data / "involved_with.csv", again)
    _, fresh = _rows(data / "involved_with.csv", new, skip=again)
    for i, row in enumerate(fresh):
        row["id"] = f"I-FEED-{i}"
    _write(out / "involved_with.csv", header, sent + fresh)
    child_header, born = _rows(data / "children.csv", children)
    lives_header, homes = _rows(data / "lives_in.csv", children)
    lives = []
    for i, (child, home) in enumerate(zip(born, homes, strict=True)):
        child.update(id=f"C-FEED-{i}", nhs_number="")
        lives.append({**{k: "" for k in lives_header}, "person_id": child["id"],
                      "household_id": home["household_id"], "since": child["date_of_birth"]})
    _write(out / "children.csv", child_header, born)
    _write(out / "lives_in.csv", lives_header, lives)
    return out


def _loaded(args: argparse.Namespace, data: Path) -> None:
    """The population in the database, loaded unless it holds as many children already."""
    local = LocalNeo4j(args.home, bolt_port=args.bolt_port, heap=args.heap,
                       pagecache=args.pagecache)
    print("Neo4j:", local.start(quiet=True), flush=True)
    graph = Graph(Neo4jSettings(uri=local.uri, username="neo4j", database="neo4j",
                                password=local.password, local=None, max_retry_time=30.0))
    held = graph.read("seed_type_counts")[0]["Child"]
    if held < args.children:
        print(f"loading {args.children:,} children (the database holds {held:,})", flush=True)
        started = time.monotonic()
        seed = read_seed(data, today=args.today, known_ids=known_ids(graph, args.today))
        report = load(graph, seed, source="bench-feed", progress=False)
        print(f"loaded {report.rows:,} rows in {time.monotonic() - started:.0f}s", flush=True)
    graph.close()


def _run_one(args: argparse.Namespace, which: str, feed: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", which, "--feed", str(feed),
               "--home", str(args.home), "--bolt-port", str(args.bolt_port),
               "--today", args.today.isoformat()]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feed-rows", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bolt-port", type=int, default=7842)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="1g")
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY)
    parser.add_argument("--no-baseline", action="store_true",
                        help="ours alone (reading everything at 11 million takes gigabytes)")
    parser.add_argument("--measure", choices=("baseline", "ours"), help=argparse.SUPPRESS)
    parser.add_argument("--feed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.home = args.home or REPO_ROOT / "var" / f"bench-neo4j-feed-{args.bolt_port}"
    if args.measure:
        measure(args)
        return
    data = population(args.children, args.seed, args.today)
    _loaded(args, data)
    feed = make_feed(data, REPO_ROOT / "var" / "bench-data" / f"feed-{args.feed_rows}-of-{data.name}",
                     args.feed_rows)
    try:
        runs: dict[str, list[dict[str, float]]] = {"baseline": [], "ours": []}
        for _ in range(args.repeat):
            for which in runs if not args.no_baseline else ("ours",):
                runs[which].append(_run_one(args, which, feed))
                print(which, runs[which][-1], flush=True)
        report(args, runs)
    finally:
        print("stopping Neo4j:", LocalNeo4j(args.home, bolt_port=args.bolt_port).stop())


def report(args: argparse.Namespace, runs: dict[str, list[dict[str, float]]]) -> None:
    print(f"\nValidating a feed of {args.feed_rows:,} rows against {args.children:,} stored "
          f"children (median of {args.repeat}, each in a fresh process)")
    print(f"{'':<10}{'seconds':>10}{'peak RSS MB':>14}{'growth MB':>12}{'db rows':>12}")
    for which, found in runs.items():
        if found:
            print(f"{which:<10}{_median(found, 'seconds'):>10.2f}{_median(found, 'peak_mb'):>14.0f}"
                  f"{_median(found, 'growth_mb'):>12.0f}{_median(found, 'db_rows'):>12,.0f}")
    if runs["baseline"] and runs["ours"]:
        base, ours = runs["baseline"], runs["ours"]
        time_ratio = _median(base, "seconds") / _median(ours, "seconds")
        growth_ratio = _median(base, "growth_mb") / max(_median(ours, "growth_mb"), 1)
        print(f"baseline / ours: {time_ratio:.1f}x the time, {growth_ratio:.1f}x the memory growth")
    print(machine())
    print(f"(load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
