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
4. In the same run, bare, from the same number of threads: the same mix called on
   ``explorer.children`` (the named queries and the policy, on the driver), with no HTTP, no
   session check and no audit append; and all of each request's database work (the session
   check, those reads and the audit append, as the app makes them), with no HTTP, Flask,
   rendering or layout. The app's rate is printed as a ratio to each.

Clients keep their connection open between requests, as browsers do (--new-connections also
drives the app with a new connection per request, as runs before 4 December 2026 did). At each
level the ways take turns (--rounds, default 4, slices of --seconds each), so that a change in
the machine's speed during the level falls on every way alike.

5. With --baseline DIR (another checkout of the app, e.g. ``git archive main | tar -x -C DIR``),
   that app too, served the same way on --app-port + 1 and driven by the same clients at each
   level between this one's level and the bare reads: an A/B of two versions in one run, on a
   machine whose load moves between runs.

    .venv/bin/python bench/serve.py [--children 200000] [--clients 8,32] [--seconds 30]
                                    [--warm-up 10] [--workers 2] [--threads 8] [--baseline DIR]
                                    [--new-connections]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine, population

from explorer import audit, ecomap
from explorer import children as reads
from explorer.accounts import Viewer, sessions, users
from explorer.config import Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT
from explorer.seed import read_seed
from explorer.seed.loader import load
from tests.live_server import Browser, start_server, stop_server

PASSWORD = "bench serve password 0001"  # noqa: S105 - synthetic bench accounts
KINDS = ("ecomap", "child", "search", "household", "caseload")
BARE = "bare:"
READS = f"{BARE} the same reads on the driver"
ALL_WORK = f"{BARE} all the request's database work"



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


def bare(graph: Graph, client: Client, kind: str, child: dict, today: date) -> tuple[str, list[str]]:
    """The reads the app's page of ``kind`` makes, through ``explorer.children`` (and, for the
    ecomap, the sibling comparison its warnings read), without HTTP, Flask, rendering or layout;
    returns the audit action and the child ids that page records, so that the baseline with
    the guarantees appends the same event the app does."""
    v = client.viewer
    if kind in ("ecomap", "child"):
        view = reads.child_view(graph, v, child["id"], today=today)
        if view is None:
            return f"child.{kind}", []
        if kind == "ecomap":
            # The ecomap's reads beyond the child's view: its siblings' views, for the warnings.
            ecomap.sibling_comparison(graph, v, view, today, today=today)
        return f"child.{kind}", reads.shown_ids(view)
    if kind == "search":
        found = reads.search_children(graph, v, text=child["family_name"], dob=None,
                                      child_id=None, today=today)
        return "search", [c["id"] for c in found]
    if kind == "household":
        house = reads.household_view(graph, v, child["household"], today=today)
        return "child.household", house["child_ids"] if house else []
    load = reads.caseload(graph, v, v.practitioner_id, today=today)
    return "child.caseload", [e["child"]["id"] for e in load["entries"]] if load else []


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


def report(label: str, times: list[float], errors: int, wall: float) -> float:
    times = sorted(times)
    q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
    rate = len(times) / wall
    print(f"  {label:34} {rate:8.1f} req/s   p50 {q[49] * 1000:7.1f} ms   p95 {q[94] * 1000:7.1f} ms"
          f"   p99 {q[98] * 1000:7.1f} ms   errors {errors} of {len(times)}", flush=True)
    return rate


class KeepAlive:
    """A browser's connection to the app kept open between its requests (HTTP/1.1
    keep-alive, as browsers and reverse proxies keep theirs), with the cookies of a
    :class:`Browser` that signed in; a Set-Cookie in an answer updates them (the app sets
    its bookmarks cookie on most answers). One per client thread; clients sharing a session
    share its cookies."""

    def __init__(self, base: str, cookies: dict[str, str]) -> None:
        address = urllib.parse.urlsplit(base)
        self.base = base
        self.cookies = cookies
        self.connection = http.client.HTTPConnection(address.hostname or "127.0.0.1",
                                                     address.port, timeout=30)

    def request(self, method: str, path: str, form: dict | None = None) -> int:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Referer": self.base + "/"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # the server may close an idle connection: open it again once
            try:
                self.connection.request(method, path, body=body, headers=headers)
                answer = self.connection.getresponse()
                answer.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                if attempt == 2:
                    raise
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value, _, attributes = rest.partition(";")
            if "max-age=0" in attributes.lower() or "1970" in attributes:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return answer.status


def over_http(base: str, clients: list[Client], keep_alive: bool = True):
    """One request of the mix over HTTP to the app at ``base``, each client signed in there
    (clients sharing a chair share the session): over a connection each client keeps open
    (``keep_alive``), or a new connection per request."""
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
    jars = {name: {c.name: c.value or "" for c in b.jar} for name, b in browsers.items()}
    connections = {id(c): KeepAlive(base, jars[c.viewer.username]) for c in clients}

    def one(client: Client, rng: random.Random) -> bool:
        _kind, path, form = next_request(client, rng)
        if form is not None:
            form = {**form, "csrf_token": tokens[client.viewer.username]}
        if keep_alive:
            status = connections[id(client)].request("POST" if form else "GET", path, form)
        else:
            b = browsers[client.viewer.username]
            status = (b.request("POST", path, form) if form is not None else b.get(path)).status
        if status != 200:
            print(f"    {status} from {path}", flush=True)
        return status == 200

    return one


def on_driver(graph: Graph, today: date, clients: list[Client], guarantees: bool = False):
    """The same mix's reads called bare on ``explorer.children``; with ``guarantees``, each
    between the session check and the audit append, as the app makes them (``sessions.resolve``
    on a live session of the client's own, ``audit.record`` with its group commit): all of a
    request's database work, without HTTP, Flask, rendering or layout."""
    tokens = {}
    if guarantees:
        tokens = {c.viewer.username: sessions.start(graph, c.viewer.username, sessions.STAGE_FULL)
                  for c in {c.viewer.username: c for c in clients}.values()}

    def one(client: Client, rng: random.Random) -> bool:
        kind, _path, _form = next_request(client, rng)
        child = rng.choice(client.children)
        try:
            if guarantees and sessions.resolve(graph, tokens[client.viewer.username],
                                               sessions.STAGE_FULL, sessions.Timeouts()) is None:
                return False
            action, returned = bare(graph, client, kind, child, today)
            if guarantees:
                audit.record(graph, viewer=client.viewer, action=action,
                             params={"kind": kind, "child_id": child["id"]},
                             returned_ids=returned, reason=None, client="127.0.0.1")
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
        print(f"{count} clients, {args.seconds:.0f} s each, in {args.rounds} turns:", flush=True)
        # Each way runs in turns (--rounds slices of --seconds, round robin), not in one block:
        # in an A/B run of 3 December 2026, the app measured first was charged 1.7 times the
        # Neo4j CPU per request of a near-identical app measured after it, and its whole block
        # carried whatever the machine was doing then.
        got = {label: {"times": [], "errors": 0, "wall": 0.0, "cpu": [0.0, 0.0, 0.0]}
               for label in ways}
        for _turn in range(args.rounds):
            for label, (pid, one) in ways.items():
                for c in clients_all:
                    c.times.clear()
                    c.errors = 0
                before = (cpu_seconds(pid) if pid else 0.0, cpu_seconds(neo4j_pid),
                          time.process_time())
                wall = drive(clients_all[:count], args.seconds / args.rounds, one)
                after = (cpu_seconds(pid) if pid else 0.0, cpu_seconds(neo4j_pid),
                         time.process_time())
                acc = got[label]
                acc["wall"] += wall
                acc["times"] += [t for c in clients_all[:count] for t in c.times]
                acc["errors"] += sum(c.errors for c in clients_all[:count])
                acc["cpu"] = [u + a - b for u, a, b in zip(acc["cpu"], after, before, strict=True)]
        rates = {}
        for label, acc in got.items():
            rates[label] = report(label, acc["times"], acc["errors"], acc["wall"])
            done = len(acc["times"]) or 1
            app_cpu, db_cpu, here_cpu = (1000 * used / done for used in acc["cpu"])
            print(f"  {'':34} CPU per request: app server {app_cpu:.1f} ms, Neo4j {db_cpu:.1f} ms,"
                  f" this process (clients or bare reads) {here_cpu:.1f} ms;"
                  f" load average {os.getloadavg()[0]:.1f}", flush=True)
        bare_rates = {label: rates.pop(label) for label in list(rates) if label.startswith(BARE)}
        for label, rate in rates.items():
            for bare_label, bare_rate in bare_rates.items():
                print(f"  {label} / {bare_label}: {rate / bare_rate:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warm-up", type=float, default=10, help="seconds, untimed, each way")
    parser.add_argument("--rounds", type=int, default=4,
                        help="turns each way takes at each level (--seconds split between them)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--bolt-port", type=int, default=7814)
    parser.add_argument("--app-port", type=int, default=5014)
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "var" / "bench-neo4j-serve")
    parser.add_argument("--memory", default="2g", help="Neo4j heap and page cache each")
    parser.add_argument("--new-connections", action="store_true",
                        help="also drive the app with a new connection per request (no keep-alive)")
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
            base = f"http://127.0.0.1:{args.app_port + n}"
            ways[label] = (proc.pid, over_http(base, clients_all))
            if args.new_connections:
                ways[f"{label}, a connection per request"] = (
                    proc.pid, over_http(base, clients_all, keep_alive=False))
        ways[READS] = (0, on_driver(graph, today, clients_all))
        ways[ALL_WORK] = (0, on_driver(graph, today, clients_all, guarantees=True))
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
