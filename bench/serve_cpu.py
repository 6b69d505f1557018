"""CPU per request of bench/serve.py's mix, in one process and one thread: where an app
request's milliseconds go, without HTTP, other threads or the load generator in the figure.

Runs against the Neo4j bench/serve.py left behind (``BENCH_STOP_NEO4J=0``; same --home and
--bolt-port), with the accounts and scopes it made: the app (``create_app``) answers through
Flask's test client, each client signed in with a session of its own (the session row is
made as sign-in makes it; the session check, the reads, the audit append and the rendering
all run as they do under ``explorer serve``). Prints the CPU time and wall time per request
for the mix and for each kind; with --profile, a cProfile of the mix timed in CPU seconds
(the profiler's own cost inflates functions called very often: read shares, not totals).

Run it from another checkout (``cd DIR && python /path/to/bench/serve_cpu.py``) to measure
that checkout's app: it imports the ``explorer`` of the current directory.

    .venv/bin/python bench/serve_cpu.py [--requests 150] [--profile] [--bolt-port 7814]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from datetime import date
from pathlib import Path

# The app of the current directory's checkout, imported before bench/serve.py (which puts
# its own checkout first on the path).
sys.path.insert(0, os.getcwd())
import explorer  # noqa: F401

sys.path.insert(1, str(Path(__file__).resolve().parent))
import serve

from explorer.accounts import SESSION_TOKEN_KEY, sessions
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=150, help="for the mix; a third per kind")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--kind", choices=serve.KINDS, default=None,
                        help="profile this kind of request only (default: the mix)")
    parser.add_argument("--sort", default="cumulative", help="the profile's order, e.g. tottime")
    parser.add_argument("--bolt-port", type=int, default=7814)
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "var" / "bench-neo4j-serve")
    args = parser.parse_args()
    local = LocalNeo4j(args.home, bolt_port=args.bolt_port)
    os.environ.update({"NEO4J_URI": local.uri, "NEO4J_USERNAME": "neo4j",
                       "NEO4J_PASSWORD": local.password, "NEO4J_DATABASE": "neo4j",
                       "EXPLORER_VAR_DIR": str(REPO_ROOT / "var" / "bench-serve-app"),
                       "EXPLORER_LOCAL_HTTP": "1"})
    from explorer import create_app
    from explorer.graph import graph_of

    app = create_app({"WTF_CSRF_ENABLED": False})
    graph = graph_of(app)
    signed_in = []
    for client in serve.scopes(graph, args.clients, date.today()):
        browser = app.test_client()
        with browser.session_transaction() as cookie:
            cookie[SESSION_TOKEN_KEY] = sessions.start(graph, client.viewer.username,
                                                       sessions.STAGE_FULL)
        signed_in.append((client, browser))
    rng = random.Random(1)

    def one(kind: str | None = None) -> None:
        pool = [s for s in signed_in if kind != "caseload" or s[0].viewer.practitioner_id]
        client, browser = rng.choice(pool)
        while True:
            asked, path, form = serve.next_request(client, rng)
            if kind is None or asked == kind:
                break
        reply = browser.post(path, data=form) if form else browser.get(path)
        if reply.status_code != 200:
            raise SystemExit(f"{reply.status_code} from {path}")

    for _ in range(40):  # untimed: query plans, connections, templates
        one()
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    neo4j_pid = local.status().pid or 0
    for kind in (None, *serve.KINDS):
        count = args.requests if kind is None else max(1, args.requests // 3)
        wall, cpu, db = time.perf_counter(), time.process_time(), serve.cpu_seconds(neo4j_pid)
        for _ in range(count):
            one(kind)
        print(f"  {kind or 'mix':10} CPU {1000 * (time.process_time() - cpu) / count:6.2f} ms"
              f"   wall {1000 * (time.perf_counter() - wall) / count:6.2f} ms"
              f"   Neo4j CPU {1000 * (serve.cpu_seconds(neo4j_pid) - db) / count:6.2f} ms per request",
              flush=True)
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.requests):
            one(args.kind)
        profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(80)
    graph.close()


if __name__ == "__main__":
    main()
