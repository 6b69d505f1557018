"""Does the audit append serialise concurrent requests? Its throughput against other writes.

Against a running Neo4j (default: bench/serve.py's, Bolt 7814, home var/bench-neo4j-serve),
from --processes processes of --threads threads each (gunicorn's workers and threads), for
--seconds each, in one run and alternating:

- ``audit``: :func:`explorer.audit.record`, the append every answer waits for;
- ``write``: a write transaction of the same shape that takes no shared lock (each thread
  moves a node of its own), i.e. what an append would cost were it not chained;
- ``session``: the session check every request makes (``sessions.resolve``), a read.

Prints operations per second and p50/p95 per kind, and the chain's state afterwards
(``audit.verify``). If appends stop scaling with threads while the unchained write does, the
chain's head lock is the serialisation.

    .venv/bin/python bench/audit_contention.py [--threads 1,4,8] [--processes 1,2] [--seconds 5]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine
from serve import cpu_seconds

from explorer import audit
from explorer.accounts import sessions
from explorer.config import Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT

KINDS = ("audit", "write", "session")


class _Viewer:
    username = "bench-contention"
    roles = frozenset({"chair"})


def _one(kind: str, graph: Graph, worker: str, token: str) -> None:
    if kind == "audit":
        audit.record(graph, viewer=_Viewer(), action="bench.contention",  # type: ignore[arg-type]
                     params={"worker": worker}, returned_ids=["C0000001"], reason=None,
                     client="127.0.0.1")
    elif kind == "write":
        graph.write_tx(lambda tx: tx.run(
            "MERGE (n:BenchContention {id: $w}) SET n.at = datetime(), n.count = "
            "coalesce(n.count, 0) + 1 RETURN n.count AS c", w=worker).consume())
    else:
        sessions.resolve(graph, token, sessions.STAGE_FULL, sessions.Timeouts())


def _process(settings: Neo4jSettings, kind: str, threads: int, seconds: float, name: str,
             token: str, out: multiprocessing.Queue) -> None:
    graph = Graph(settings)
    _one(kind, graph, name, token)  # a connection and a warm plan before the clock starts
    stop = threading.Event()
    times: list[list[float]] = [[] for _ in range(threads)]

    def loop(i: int) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            _one(kind, graph, f"{name}-{i}", token)
            times[i].append(time.perf_counter() - started)

    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in pool:
        t.join()
    graph.close()
    out.put([t for ts in times for t in ts])


def run(settings: Neo4jSettings, kind: str, processes: int, threads: int, seconds: float,
        token: str, neo4j_pid: int) -> tuple[float, float, float, float]:
    out: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process, args=(settings, kind, threads, seconds, f"p{p}", token, out))
             for p in range(processes)]
    for p in procs:
        p.start()
    # Neo4j's CPU over the whole run, start-up and warm-up included: a bound, compared alike.
    cpu_before = cpu_seconds(neo4j_pid)
    times = [t for _ in procs for t in out.get()]
    cpu = cpu_seconds(neo4j_pid) - cpu_before
    for p in procs:
        p.join()
    q = statistics.quantiles(times, n=20)
    return len(times) / seconds, q[9] * 1000, q[18] * 1000, 1000 * cpu / len(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,4,8")
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--bolt-port", type=int, default=7814)
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "var" / "bench-neo4j-serve")
    args = parser.parse_args()
    local = LocalNeo4j(args.home, bolt_port=args.bolt_port)
    if not local.status().running:
        raise SystemExit(f"no Neo4j running in {args.home}: run bench/serve.py with BENCH_STOP_NEO4J=0")
    settings = Neo4jSettings(uri=local.uri, username="neo4j", password=None, database="neo4j",
                             local=local)
    graph = Graph(settings)
    token = "bench-contention-token"  # noqa: S105 - a synthetic session for the read
    graph.run_autocommit(
        "MERGE (u:User {username: 'bench-contention'}) ON CREATE SET u.id = 'bench-contention', "
        "u.roles = ['chair'] "
        "MERGE (s:Session {id_hash: $h}) SET s.username = 'bench-contention', s.stage = 'full', "
        "s.created = datetime(), s.last_seen = datetime()", h=sessions.id_hash(token))
    print(machine(), flush=True)
    neo4j_pid = local.status().pid or 0
    for processes in (int(p) for p in args.processes.split(",")):
        for threads in (int(t) for t in args.threads.split(",")):
            for kind in KINDS:
                rate, p50, p95, cpu = run(settings, kind, processes, threads, args.seconds,
                                          token, neo4j_pid)
                print(f"{processes} proc x {threads:2} threads  {kind:8} {rate:7.1f} /s"
                      f"   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   Neo4j CPU {cpu:5.2f} ms/op",
                      flush=True)
    check = audit.verify(graph)
    print(f"chain: {check.events} events, intact: {check.intact}"
          f"{'' if check.intact else ' - ' + str(check.problem)}", flush=True)
    graph.run_autocommit("MATCH (n:BenchContention) DELETE n")
    graph.close()


if __name__ == "__main__":
    main()
