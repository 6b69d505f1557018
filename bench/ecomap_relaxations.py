"""What each relaxation the ecomap's 1.5x target would need buys, measured in one run.

The endpoint's fixed work per request (the server-side session check and the audit event
committed before the answer) is what keeps it above 1.5 x the bare Cypher. This script puts
figures on the product decision: the same requests as ``bench/ecomap.py``, interleaved with
the bare queries, in three modes, all in this process only (nothing in the app changes):

- as built;
- no audit write (the event stubbed out: what an audit written after the answer would cost
  the request, at best);
- no audit write and the session check cached (what a session cache would cost, at best).

Needs the instance ``bench/ecomap.py`` loads (run it first, once):

    .venv/bin/python bench/ecomap_relaxations.py [--repeat 400]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

from explorer import create_app
from explorer.accounts import sessions
from explorer.config import Config
from explorer.paths import REPO_ROOT
from explorer.web import networks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine
from ecomap import BIG, WARM_UP, bare, busiest_child, instance, pct, sign_in

PASSWORD = "bench horse staple battery"  # noqa: S105 - the local bench account bench/ecomap.py makes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bolt-port", type=int, default=7777)
    parser.add_argument("--home", type=Path, default=REPO_ROOT / "var" / "bench-neo4j-ecomap")
    parser.add_argument("--memory", default="2g", help="heap and page cache each")
    parser.add_argument("--repeat", type=int, default=400)
    args = parser.parse_args(argv)
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    if not (args.home / "bench-secret").exists():
        print(f"no bench instance in {args.home}: run bench/ecomap.py first", file=sys.stderr)
        return 2

    print(machine())
    local, settings, graph = instance(args)
    try:
        busiest = busiest_child(graph)["id"]
        config = Config(neo4j=settings, secret_key="bench-secret-key",  # noqa: S106 - bench only
                        var_dir=REPO_ROOT / "var", pseudonym_key="bench-pseudonym-key")
        app = create_app({"TESTING": True, "EXPLORER_CONFIG": config})
        client = app.test_client()
        sign_in(app, client, "bench-manager", PASSWORD, (args.home / "bench-secret").read_text().strip())

        record, resolve = networks._record, sessions.resolve
        remembered: dict = {}

        def cached(graph, token, stage, timeouts):
            if token not in remembered:
                remembered[token] = resolve(graph, token, stage, timeouts)
            return remembered[token]

        modes = {"as built": (record, resolve),
                 "no audit write": (lambda *_: "not recorded", resolve),
                 "no audit write, session cached": (lambda *_: "not recorded", cached)}
        print("\nendpoint p50 / p95 (ms) and each as a ratio of the bare Cypher, same run:")
        try:
            for child_id in (busiest, BIG):
                url = f"/api/children/{child_id}/network"
                times: dict[str, list[float]] = {name: [] for name in [*modes, "bare"]}
                for _ in range(WARM_UP + args.repeat):
                    for name, (networks._record, sessions.resolve) in modes.items():
                        started = time.perf_counter()
                        assert client.get(url).status_code == 200
                        times[name].append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    bare(graph, child_id)
                    times["bare"].append((time.perf_counter() - started) * 1000)
                times = {name: t[WARM_UP:] for name, t in times.items()}
                b50, b95 = statistics.median(times["bare"]), pct(times["bare"], 95)
                for name, t in times.items():
                    print(f"  {child_id:12} {name:32} p50 {statistics.median(t):5.1f} "
                          f"p95 {pct(t, 95):5.1f}   ratio p50 {statistics.median(t) / b50:.2f} "
                          f"p95 {pct(t, 95) / b95:.2f}")
        finally:
            networks._record, sessions.resolve = record, resolve
    finally:
        graph.close()
        local.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
