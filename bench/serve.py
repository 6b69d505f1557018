"""Throughput benchmark: the app under its production server against the same reads run bare.

1. Starts (or reuses) its own Neo4j (home var/bench-neo4j-serve, Bolt port 7814) and loads a
   generated population of --children (default 200,000; cached in var/bench-data) unless the
   database already holds that many children.
2. Makes accounts for real scopes: chairs (the usernames the generator gave the conferences)
   and practitioners with open involvements, and serves the app with ``explorer serve``
   (gunicorn; --workers, --threads) on --app-port (5014).
3. For each client count (--clients, default 8 and 32): that many clients on loopback, each
   signed in as its own chair or practitioner, loop over a bounded mix for --seconds: ecomap
   data, the child's page, a search (a family name in scope), the household, and for
   practitioners their caseload; every child, household and name is one in the client's own
   scope. Prints req/s, p50/p95/p99 and errors.
4. In the same run, the same reads bare: the same mix called on ``explorer.children`` (the
   named queries and the policy, on the driver) from the same number of threads, with no HTTP,
   no session check and no audit append.

5. With --baseline DIR (another checkout of the app, e.g. ``git archive main | tar -x -C DIR``),
   that app too, served the same way on --app-port + 1 and driven by the same clients at each
   level between this one's level and the bare reads: an A/B of two versions in one run, on a
   machine whose load moves between runs.

    .venv/bin/python bench/serve.py [--children 200000] [--clients 8,32] [--seconds 30]
                                    [--warm-up 10] [--workers 2] [--threads 8] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine, population

from explorer import children as reads
from explorer.accounts import Viewer, users
from explorer.config import Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.live_server import Browser, start_server, stop_server

PASSWORD = "bench serve password 0001"  # noqa: S105 - synthetic bench accounts
KINDS = ("ecomap", "child", "search", "household", "caseload")



@dataclass
class Client:
    viewer: Viewer
    children: list[dict]  # id, family_name, household
    secret: str = ""
    times: list[float] = field(default_factory=list)
    errors: int = 0


def scopes(graph: Graph, count: int, today: date) -> list[Client]:
    """Half chairs, half practitioners (alternating), each with the children in their scope."""
    chairs = graph.run_autocommit(
        "MATCH (k:Conference)-[:ABOUT]->(c:Child) WITH k.chair AS who, collect(DISTINCT c) AS cs "
        "WHERE size(cs) > 0 RETURN who, [c IN cs | c.id][..50] AS ids ORDER BY who LIMIT $n", n=count)
    workers = graph.run_autocommit(
        "MATCH (p:Practitioner)-[i:INVOLVED_WITH]->(c:Child) "
        "WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today) "
        "WITH p.id AS who, collect(DISTINCT c.id) AS ids WHERE size(ids) >= 3 "
        "RETURN who, ids[..50] AS ids ORDER BY size(ids), who LIMIT $n", n=2 * count, today=today)
    clients = []
    for i in range(2 * count):  # enough, once those with no child at home are left out
        if len(clients) == count:
            break
        if i % 2 == 0 and chairs:
            row = chairs[(i // 2) % len(chairs)]
            viewer = Viewer(row["who"], frozenset({"chair"}), None, "bench")
        else:
            row = workers[(i // 2) % len(workers)]
            viewer = Viewer(f"bench-p-{row['who']}".lower(), frozenset({"practitioner"}), row["who"], "bench")
        details = graph.run_autocommit(
            "UNWIND $ids AS id MATCH (c:Child {id: id}) "
            "OPTIONAL MATCH (c)-[l:LIVES_IN]->(h:Household) WHERE l.until IS NULL "
            # A shielded child's household is rightly a 404 outside the management team (its
            # address is withheld): not a request a chair or practitioner would make.
            "WITH c, h WHERE NOT coalesce(c.shielded, false) "
            "RETURN c.id AS id, c.family_name AS family_name, head(collect(h.id)) AS household",
            ids=row["ids"])
        if any(d["household"] for d in details):
            clients.append(Client(viewer, [d for d in details if d["household"]]))
    return clients


def accounts(graph: Graph, clients: list[Client]) -> None:
    """Each client's account, made once (the same users and secrets on the next run)."""
    for client in clients:
        v = client.viewer
        found = graph.run_autocommit("MATCH (u:User {username: $u}) RETURN u.totp_secret AS s",
                                     u=v.username)
        if not found:
            users.create(graph, username=v.username, password=PASSWORD, roles=sorted(v.roles),
                         practitioner_id=v.practitioner_id, family_name="Bench", demo=True)
            found = graph.run_autocommit("MATCH (u:User {username: $u}) RETURN u.totp_secret AS s",
                                         u=v.username)
        client.secret = found[0]["s"]


def next_request(client: Client, rng: random.Random) -> tuple[str, str, dict | None]:
    child = rng.choice(client.children)
    kinds = KINDS if client.viewer.practitioner_id else KINDS[:-1]
    kind = rng.choice(kinds)
    if kind == "ecomap":
        return kind, f"/api/children/{child['id']}/network", None
    if kind == "child":
        return kind, f"/children/{child['id']}", None
    if kind == "search":
        return kind, "/search", {"text": child["family_name"]}
    if kind == "household":
        return kind, f"/households/{child['household']}", None
    return kind, f"/practitioners/{client.viewer.practitioner_id}/caseload", None


def bare(graph: Graph, client: Client, kind: str, child: dict, today: date) -> None:
    v = client.viewer
    if kind in ("ecomap", "child"):
        reads.child_view(graph, v, child["id"], today=today)
    elif kind == "search":
        reads.search_children(graph, v, text=child["family_name"], dob=None, child_id=None,
                              today=today)
    elif kind == "household":
        reads.household_view(graph, v, child["household"], today=today)
    else:
        reads.caseload(graph, v, v.practitioner_id, today=today)


def drive(clients: list[Client], seconds: float, one) -> float:
    """Run ``one(client, rng)`` in a loop in one thread per client for ``seconds``; return the
    wall time."""
    stop = threading.Event()

    def loop(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            started = time.perf_counter()
            ok = one(client, rng)
            client.times.append(time.perf_counter() - started)
            if not ok:
                client.errors += 1

    threads = [threading.Thread(target=loop, args=(c, i), daemon=True) for i, c in enumerate(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return time.perf_counter() - started


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(*roots: int) -> float:
    """CPU time (user + system) used so far by the processes ``roots`` and their children (the
    gunicorn master and its workers; Neo4j's JVM): where a request's time goes when the two
    cores are the limit rather than a lock."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    total, wanted = 0.0, set(roots)
    for pid in used:
        walk = pid
        while walk > 1 and walk not in wanted:
            walk = parents.get(walk, 0)
        if walk in wanted:
            total += used[pid]
    return total


def report(label: str, clients: list[Client], wall: float) -> float:
    times = sorted(t for c in clients for t in c.times)
    errors = sum(c.errors for c in clients)
    q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
    rate = len(times) / wall
    print(f"  {label:34} {rate:8.1f} req/s   p50 {q[49] * 1000:7.1f} ms   p95 {q[94] * 1000:7.1f} ms"
          f"   p99 {q[98] * 1000:7.1f} ms   errors {errors} of {len(times)}", flush=True)
    return rate


def over_http(base: str, clients: list[Client]):
    """One request of the mix over HTTP to the app at ``base``, each client signed in there
    (clients sharing a chair share the session)."""
    while Browser(base).get("/health").status != 200:
        time.sleep(0.5)
    browsers: dict[str, Browser] = {}
    tokens: dict[str, str] = {}
    for client in clients:
        if client.viewer.username in browsers:  # fewer chairs than clients: shared session
            continue
        b = Browser(base)
        b.sign_in(client.viewer.username, PASSWORD, client.secret)
        page = b.get("/search").text
        tokens[client.viewer.username] = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        browsers[client.viewer.username] = b

    def one(client: Client, rng: random.Random) -> bool:
        _kind, path, form = next_request(client, rng)
        b = browsers[client.viewer.username]
        if form is not None:
            reply = b.request("POST", path, {**form, "csrf_token": tokens[client.viewer.username]})
        else:
            reply = b.get(path)
        if reply.status != 200:
            print(f"    {reply.status} from {path}", flush=True)
        return reply.status == 200

    return one


def on_driver(graph: Graph, today: date):
    """The same mix's reads called bare on ``explorer.children``."""
    def one(client: Client, rng: random.Random) -> bool:
        kind, _path, _form = next_request(client, rng)
        child = rng.choice(client.children)
        try:
            bare(graph, client, kind, child, today)
            return True
        except Exception:
            return False

    return one


def levels(ways: dict, clients_all: list[Client], counts: list[int], args, neo4j_pid: int) -> None:
    """Each level of clients driven each way in turn (``ways``: label -> (server pid or 0,
    one request)), printing rates, latencies, CPU per request and the ratios to the bare reads."""
    # Untimed: the first requests of a cold server plan every query (seconds each on a
    # busy machine), which the first level would otherwise carry alone.
    if args.warm_up > 0:
        print(f"warming up ({args.warm_up:.0f} s each way)", flush=True)
        for _pid, one in ways.values():
            drive(clients_all[:min(counts)], args.warm_up, one)
    for count in counts:
        print(f"{count} clients, {args.seconds:.0f} s each:", flush=True)
        rates = {}
        for label, (pid, one) in ways.items():
            for c in clients_all:
                c.times.clear()
                c.errors = 0
            before = (cpu_seconds(pid) if pid else 0.0, cpu_seconds(neo4j_pid), time.process_time())
            wall = drive(clients_all[:count], args.seconds, one)
            after = (cpu_seconds(pid) if pid else 0.0, cpu_seconds(neo4j_pid), time.process_time())
            rates[label] = report(label, clients_all[:count], wall)
            done = sum(len(c.times) for c in clients_all[:count]) or 1
            app_cpu, db_cpu, here_cpu = (1000 * (a - b) / done
                                         for a, b in zip(after, before, strict=True))
            print(f"  {'':34} CPU per request: app server {app_cpu:.1f} ms, Neo4j {db_cpu:.1f} ms,"
                  f" this process (clients or bare reads) {here_cpu:.1f} ms;"
                  f" load average {os.getloadavg()[0]:.1f}", flush=True)
        bare_rate = rates.pop("same reads bare on the driver")
        for label, rate in rates.items():
            print(f"  {label} / bare: {rate / bare_rate:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warm-up", type=float, default=10, help="seconds, untimed, each way")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--bolt-port", type=int, default=7814)
    parser.add_argument("--app-port", type=int, default=5014)
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "var" / "bench-neo4j-serve")
    parser.add_argument("--memory", default="2g", help="Neo4j heap and page cache each")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of the app, served beside this one (A/B)")
    args = parser.parse_args()
    today = date.today()

    local = LocalNeo4j(args.home, bolt_port=args.bolt_port, heap=args.memory, pagecache=args.memory)
    local.start(quiet=True)
    settings = Neo4jSettings(uri=local.uri, username="neo4j", password=None, database="neo4j",
                             local=local)
    graph = Graph(settings)
    held = graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"]
    if held < args.children:
        data = population(args.children, args.seed, today)
        print(f"loading {args.children:,} children", flush=True)
        load(graph, read_seed(data, today=today), source="bench", on=today, progress=False)
        held = graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"]
    counts = [int(n) for n in args.clients.split(",")]
    clients_all = scopes(graph, max(counts), today)
    accounts(graph, clients_all)
    print(f"{held:,} children in the database; {machine()}", flush=True)
    print(f"server: explorer serve --workers {args.workers} --threads {args.threads}", flush=True)

    var = REPO_ROOT / "var" / "bench-serve-app"
    var.mkdir(parents=True, exist_ok=True)
    trees = {"app (HTTP, gunicorn)": None}
    if args.baseline is not None:
        trees["baseline app (--baseline)"] = args.baseline.resolve()
    procs, ways = [], {}
    try:
        for n, (label, source) in enumerate(trees.items()):
            proc = start_server(settings, port=args.app_port + n, var_dir=str(var),
                                workers=args.workers, threads=args.threads,
                                log_path=str(var / f"serve-{n}.log"), source=source)
            procs.append(proc)
            ways[label] = (proc.pid, over_http(f"http://127.0.0.1:{args.app_port + n}",
                                               clients_all))
        ways["same reads bare on the driver"] = (0, on_driver(graph, today))
        neo4j_pid = local.status().pid or 0
        levels(ways, clients_all, counts, args, neo4j_pid)
    finally:
        for proc in procs:
            stop_server(proc)
        graph.close()
    if os.environ.get("BENCH_STOP_NEO4J", "1") == "1":
        local.stop()


if __name__ == "__main__":
    main()
