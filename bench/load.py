"""Loading benchmark: our seed loader beside Neo4j's own LOAD CSV, on the same files, in one run.

    .venv/bin/python bench/load.py --children 100000

What it does:

1. Generates a synthetic population with ``explorer.seed.generate`` (cached in
   ``var/bench-data/<children>-<seed>-<date>`` and reused when present).
2. Starts its own Neo4j (``LocalNeo4j`` in ``var/bench-neo4j-<port>``, wiped
   first, Bolt port 7717 by default) for each method, so both load into an
   empty database with the schema applied, and each JVM's peak RSS (VmHWM)
   belongs to that method alone.
3. Baseline: the statements in ``bench/load_csv/*.cypher`` (``LOAD CSV WITH
   HEADERS ... CALL (row) { MERGE ... } IN TRANSACTIONS OF N ROWS``), run in
   file order over the CSV files linked into the instance's import directory.
4. Ours: ``read_seed`` (reading and validating everything) and ``load()``,
   exactly what ``explorer seed load`` does.
5. Prints rows, seconds, rows/s and peak memory for both and the throughput
   ratio ours / LOAD CSV; verifies that both produced the same nodes and
   relationships (counts, property counts and a 10% sample of full property
   maps) and exits 1 if not.

The baseline runs first so that the Python peak RSS reported for it (from
``resource.getrusage``, a high-water mark over the process's life) is not our
loader's. The instance is always stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from common import machine, population

from explorer import schema
from explorer.config import Neo4jSettings
from explorer.graph import Graph, plain
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT
from explorer.seed import NODE_TYPES, REL_TYPES, read_seed
from explorer.seed.bulk import initial_import
from explorer.seed.generate import DEFAULT_TODAY
from explorer.seed.loader import load

BENCH_DIR = Path(__file__).resolve().parent
LOAD_CSV_DIR = BENCH_DIR / "load_csv"
SOURCE = "bench"
SAMPLE_SUFFIX = "7"  # the sample compared property by property: ids ending in 7 (about 10%)


@dataclass
class Result:
    method: str
    rows: int
    seconds: float
    python_peak_mb: float
    neo4j_peak_mb: float
    detail: dict[str, float] = field(default_factory=dict)
    fingerprint: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- data -------------------------------------------------------------------------
def csv_rows(data: Path) -> dict[str, int]:
    """Data rows per seed file (records, not lines: the generator writes no embedded newlines)."""
    counts = {}
    for stype in (*NODE_TYPES, *REL_TYPES):
        path = data / stype.file
        if path.exists():
            with path.open("rb") as fh:
                counts[stype.file] = max(sum(1 for line in fh if line.strip()) - 1, 0)
    return counts


# -- the instance -----------------------------------------------------------------
def fresh_instance(args: argparse.Namespace) -> LocalNeo4j:
    """A wiped home and a started Neo4j on it: an empty database."""
    home = REPO_ROOT / "var" / f"bench-neo4j-{args.bolt_port}"
    db = LocalNeo4j(home, bolt_port=args.bolt_port, heap=args.heap, pagecache=args.pagecache)
    db.stop()
    if home.exists():
        shutil.rmtree(home)
    log(f"starting Neo4j in {home} (heap {args.heap}, page cache {args.pagecache}): "
        + db.start(quiet=True))
    return db


def graph_for(db: LocalNeo4j) -> Graph:
    return Graph(Neo4jSettings(uri=db.uri, username="neo4j", database="neo4j",
                               password=db.password, local=None, max_retry_time=30.0))


def vm_hwm_mb(pid: int | str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int | str) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def python_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workers_peak_mb() -> float:
    """The largest peak RSS of the reader processes `read_seed` forked (and any other child
    process this one has waited for), which `python_peak_mb` does not count."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# -- what both loads must agree on -----------------------------------------------
def fingerprint(graph: Graph, *, compared: bool = True) -> dict[str, Any]:
    """Counts and property counts per label and type, and a sample of full property maps;
    with nothing to compare against (one method), the counts alone, from the count store: at
    11 million children the sample (ids ending in 7) is millions of property maps, which
    took this process to 5.4 GB and many minutes after the load was done."""
    if not compared:
        fp: dict[str, Any] = {}
        for t in NODE_TYPES:
            fp[f"node {t.label}"] = (graph.run_autocommit(
                f"MATCH (n:{t.label}) RETURN count(n) AS n")[0]["n"], None)
        for rel in sorted({*(t.label for t in REL_TYPES), "ABOUT", "HAD_PLAN"}):
            fp[f"rel {rel}"] = (graph.run_autocommit(
                f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n")[0]["n"], None)
        return fp
    fp = {}
    # The seed's labels only: our loader also marks each batch that changed children's data
    # with a (:DataChange) node (the analysts' saved counts' version), which is no data.
    for row in graph.run_autocommit(
            "MATCH (n) UNWIND labels(n) AS label WITH n, label WHERE label IN $labels "
            "RETURN label, count(*) AS n, sum(size(keys(n))) AS props ORDER BY label",
            labels=[t.label for t in NODE_TYPES]):
        fp[f"node {row['label']}"] = (row["n"], row["props"])
    for row in graph.run_autocommit(
            "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n, sum(size(keys(r))) AS props "
            "ORDER BY type"):
        fp[f"rel {row['type']}"] = (row["n"], row["props"])
    for stype in NODE_TYPES:
        rows = graph.run_autocommit(
            f"MATCH (n:{stype.label}) WHERE n.id ENDS WITH $suffix "
            "RETURN n.id AS id, properties(n) AS props ORDER BY id", suffix=SAMPLE_SUFFIX)
        fp[f"sample {stype.label}"] = [(r["id"], sorted(r["props"].items())) for r in rows]
    # ABOUT and HAD_PLAN are made with the conference and plan nodes, not from a file of their own.
    for rel in (*(t.label for t in REL_TYPES), "ABOUT", "HAD_PLAN"):
        rows = graph.run_autocommit(
            f"MATCH (a)-[r:{rel}]->(b) WHERE a.id ENDS WITH $suffix "
            "RETURN a.id AS a, b.id AS b, properties(r) AS props", suffix=SAMPLE_SUFFIX)
        fp[f"sample {rel}"] = sorted(((r["a"], r["b"], sorted(plain(r["props"]).items())) for r in rows),
                                     key=repr)
    return fp


def counts_only(fp: dict[str, Any]) -> dict[str, int]:
    return {k: v[0] for k, v in fp.items() if not k.startswith("sample")}


# -- the two methods --------------------------------------------------------------
def run_load_csv(args: argparse.Namespace, data: Path, rows: int) -> Result:
    db = fresh_instance(args)
    try:
        graph = graph_for(db)
        for stype in (*NODE_TYPES, *REL_TYPES):
            src = data / stype.file
            target = db.import_dir / stype.file
            try:
                os.link(src, target)
            except OSError:
                shutil.copyfile(src, target)
        statements = sorted(LOAD_CSV_DIR.glob("*.cypher"))
        detail: dict[str, float] = {}
        log(f"LOAD CSV ... IN TRANSACTIONS OF {args.csv_batch} ROWS: {len(statements)} statements")
        pid = db.status().pid
        cpu0 = cpu_seconds(pid), time.process_time()
        started = time.monotonic()
        t = time.monotonic()
        schema.apply(graph)
        detail["schema"] = time.monotonic() - t
        for path in statements:
            file = path.stem.split("_", 1)[1] + ".csv"
            t = time.monotonic()
            graph.run_autocommit(path.read_text(encoding="utf-8"), url=f"file:///{file}",
                                 batch=args.csv_batch, source=SOURCE)
            detail[file] = time.monotonic() - t
            log(f"  {file}: {detail[file]:.1f}s")
        seconds = time.monotonic() - started
        detail = {"neo4j cpu": cpu_seconds(pid) - cpu0[0], "python cpu": time.process_time() - cpu0[1],
                  **detail}
        neo4j_peak = vm_hwm_mb(pid)
        fp = fingerprint(graph, compared=args.compared)
        graph.close()
        return Result("LOAD CSV", rows, seconds, python_peak_mb(), neo4j_peak, detail, fp)
    finally:
        log("stopping Neo4j: " + db.stop())


def run_ours(args: argparse.Namespace, data: Path, rows: int) -> Result:
    db = fresh_instance(args)
    try:
        graph = graph_for(db)
        log(f"explorer.seed: read_seed + load(batch_size={args.batch_size}, workers={args.workers})")
        pid = db.status().pid
        started = time.monotonic()
        seed = read_seed(data, today=args.today)
        read_seconds = time.monotonic() - started
        validated_peak = python_peak_mb()
        # read_seed shares the files between processes only when no other thread runs here.
        log(f"  read and validated in {read_seconds:.1f}s "
            f"({'alone' if threading.active_count() > 1 else 'in parallel'}: "
            f"{threading.active_count()} thread(s) in this process)")
        cpu0 = cpu_seconds(pid), time.process_time()
        report = load(graph, seed, source=SOURCE, mode="incremental", batch_size=args.batch_size,
                      progress=args.progress, workers=args.workers,
                      defer_indexes=False if args.keep_indexes else None)
        seconds = time.monotonic() - started
        write_cpu = {"neo4j cpu (write)": cpu_seconds(pid) - cpu0[0],
                     "python cpu (write)": time.process_time() - cpu0[1]}
        del seed
        neo4j_peak = vm_hwm_mb(pid)
        if report.rows != rows:
            raise SystemExit(f"our loader read {report.rows} rows, the CSV files hold {rows}")
        if report.total("created") != rows:
            raise SystemExit(f"into an empty database our loader reported {report.total('created')} "
                             f"created, not {rows}:\n{report.table()}")
        detail = {"read+validate": read_seconds, "write": report.seconds, **write_cpu,
                  "validated rows/s": rows / read_seconds,
                  "python peak after validation (MB)": validated_peak,
                  "reader processes' peak (MB)": workers_peak_mb(),
                  **{f"{name}": secs for name, secs in report.type_seconds.items()},
                  "deferred indexes": report.index_seconds}
        log(f"  written in {report.seconds:.1f}s")
        fp = fingerprint(graph, compared=args.compared)
        graph.close()
        return Result("ours", rows, seconds, python_peak_mb(), neo4j_peak, detail, fp)
    finally:
        log("stopping Neo4j: " + db.stop())


def run_initial(args: argparse.Namespace, data: Path, rows: int) -> Result:
    """``explorer seed load --initial``: read_seed, then the offline importer into the empty
    database (Neo4j stopped while it runs, started again, the schema built)."""
    db = fresh_instance(args)
    try:
        graph = graph_for(db)
        log("explorer.seed: read_seed + initial_import (neo4j-admin database import full)")
        started = time.monotonic()
        seed = read_seed(data, today=args.today)
        read_seconds = time.monotonic() - started
        validated_peak = python_peak_mb()
        log(f"  read and validated in {read_seconds:.1f}s")
        cpu0 = time.process_time()
        children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        report = initial_import(graph, db, seed, source=SOURCE,
                                staging=db.home / "import-staging")
        children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds = time.monotonic() - started
        del seed
        if report.rows != rows:
            raise SystemExit(f"the importer wrote {report.rows} rows, the CSV files hold {rows}")
        detail = {"read+validate": read_seconds, "write files": report.write_seconds,
                  "stop, import, start": report.import_seconds,
                  "schema": report.schema_seconds,
                  "python cpu (after validation)": time.process_time() - cpu0,
                  "importer cpu": (children1.ru_utime + children1.ru_stime
                                   - children0.ru_utime - children0.ru_stime),
                  "python peak after validation (MB)": validated_peak,
                  "importer's peak (MB)": workers_peak_mb()}
        log(f"  imported in {seconds - read_seconds:.1f}s")
        neo4j_peak = vm_hwm_mb(db.status().pid)
        fp = fingerprint(graph, compared=args.compared)
        graph.close()
        return Result("initial", rows, seconds, python_peak_mb(), neo4j_peak, detail, fp)
    finally:
        log("stopping Neo4j: " + db.stop())


def run_validate_only(args: argparse.Namespace, data: Path, rows: int) -> Result:
    """``read_seed``, then every batch the load would send, prepared but not sent: the
    Python side of a load alone (its memory, and its rows/s), with no Neo4j to wait on."""
    from explorer.seed.loader import _steps

    log("explorer.seed: read_seed, then every batch load() would send, without a database")
    started = time.monotonic()
    seed = read_seed(data, today=args.today)
    read_seconds = time.monotonic() - started
    validated_peak = python_peak_mb()
    sent = sum(len(batch) for _, _, _, batch, _ in
               _steps(seed, SOURCE, args.batch_size, lambda stype: True))
    seconds = time.monotonic() - started
    if sent != rows:
        raise SystemExit(f"the batches held {sent} rows, the CSV files {rows}")
    detail = {"read+validate": read_seconds, "batches prepared": seconds - read_seconds,
              "validated rows/s": rows / read_seconds,
              "python peak after validation (MB)": validated_peak,
              "reader processes' peak (MB)": workers_peak_mb()}
    return Result("no writes", rows, seconds, python_peak_mb(), 0.0, detail, {})


# -- report -----------------------------------------------------------------------
def table(results: list[Result]) -> str:
    lines = [f"{'method':<10}{'rows':>11}{'seconds':>10}{'rows/s':>10}"
             f"{'python peak':>13}{'neo4j peak':>12}"]
    for r in results:
        lines.append(f"{r.method:<10}{r.rows:>11,}{r.seconds:>10.1f}{r.rate:>10,.0f}"
                     f"{r.python_peak_mb:>10,.0f} MB{r.neo4j_peak_mb:>9,.0f} MB")
    return "\n".join(lines)


def compare(results: list[Result]) -> bool:
    """Print counts side by side; True if every count and sampled property map agree."""
    a, b = results
    ca, cb = counts_only(a.fingerprint), counts_only(b.fingerprint)
    print(f"\n{'label / type':<24}{a.method:>12}{b.method:>12}")
    ok = True
    for key in sorted(set(ca) | set(cb)):
        mark = "" if ca.get(key) == cb.get(key) else "   <-- DIFFERENT"
        ok = ok and not mark
        print(f"{key:<24}{ca.get(key, 0):>12,}{cb.get(key, 0):>12,}{mark}")
    for key in sorted(set(a.fingerprint) | set(b.fingerprint)):
        va, vb = a.fingerprint.get(key), b.fingerprint.get(key)
        if va != vb:
            ok = False
            if key.startswith("sample"):
                diff = [x for x, y in zip(va or [], vb or [], strict=False) if x != y][:1]
                print(f"{key}: property maps differ, e.g. {a.method}: {diff}")
            elif va and vb and va[0] == vb[0]:
                print(f"{key}: property counts differ: {va} vs {vb}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY,
                        help="the generator's and validator's today")
    parser.add_argument("--bolt-port", type=int, default=7717)
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="4g")
    parser.add_argument("--batch-size", type=int, default=10_000, help="our loader's UNWIND batch")
    parser.add_argument("--workers", type=int, default=None,
                        help="our loader's concurrent batches (default: the loader's)")
    parser.add_argument("--keep-indexes", action="store_true",
                        help="our loader maintains every index while writing instead of "
                             "building the plain ones at the end")
    parser.add_argument("--csv-batch", type=int, default=10_000, help="LOAD CSV rows per transaction")
    parser.add_argument("--only", default="both",
                        choices=("both", "ours", "load-csv", "validate", "initial", "csv-initial",
                                 "all"),
                        help="both: LOAD CSV and ours (the online loader); initial: ours by "
                             "the offline importer (explorer seed load --initial); csv-initial: "
                             "LOAD CSV and that; all: the three; validate: read_seed and the "
                             "batches load() would send, without a database (the Python "
                             "side's memory and rows/s alone)")
    parser.add_argument("--progress", action="store_true", help="show our loader's progress bar")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    data = population(args.children, args.seed, args.today)
    per_file = csv_rows(data)
    rows = sum(per_file.values())
    print(f"population: {args.children:,} children, {rows:,} rows in {len(per_file)} files ({data})")
    results = []
    args.compared = args.only in ("both", "csv-initial", "all")
    if args.only in ("both", "load-csv", "csv-initial", "all"):
        results.append(run_load_csv(args, data, rows))
    if args.only in ("both", "ours", "all"):
        results.append(run_ours(args, data, rows))
    if args.only in ("initial", "csv-initial", "all"):
        results.append(run_initial(args, data, rows))
    if args.only == "validate":
        results.append(run_validate_only(args, data, rows))

    print()
    print(table(results))
    for r in results:
        print(f"  {r.method}: " + ", ".join(f"{k} {v:,.1f}" + ("" if "/s" in k or "MB" in k else "s")
                                            for k, v in r.detail.items()))
    if len(results) < 2:
        for key, n in counts_only(results[0].fingerprint).items():  # none without writes
            print(f"{key:<24}{n:>12,}")
        return 0
    csv_result, *ours = results
    for other in ours:
        print(f"\nthroughput ratio {other.method} / LOAD CSV: {other.rate / csv_result.rate:.2f}"
              " (target >= 1.2)")
    failed = [other.method for other in ours if not compare([csv_result, other])]
    if failed:
        print(f"\nFAIL: {', '.join(failed)} did not produce LOAD CSV's graph", file=sys.stderr)
        return 1
    print("\nevery load produced the same nodes, relationships and sampled properties")
    return 0


if __name__ == "__main__":
    sys.exit(main())
