"""The first `explorer seed load seed/demo` into a newly started Neo4j, as `make demo` runs it,
against the same command once the server is warm (the baseline, in the same run).

A new user's first load was 22 s for 298 rows, a rerun 2 s: the difference is not the rows but
a cold server, on which every distinct statement is planned by a JVM that has not compiled the
planner yet. Each round starts a fresh Neo4j (its own home, removed first), applies the
schema as `explorer db start` does, then times the command line in a new process (imports
included) three times: the first load (CREATE into empty labels), the second (MERGE, planned
for the first time too) and the third, on a warm server: the baseline.

    .venv/bin/python bench/first_load.py [--rounds 3] [--port 7817]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine

from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT


def timed_load(env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "explorer.cli", "seed", "load", "seed/demo"], env=env,
                   cwd=REPO_ROOT, check=True, capture_output=True)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=int(os.environ.get("EXPLORER_NEO4J_BOLT_PORT", 7817)))
    args = parser.parse_args()
    home = REPO_ROOT / "var" / f"bench-first-load-{args.port}"
    env = dict(os.environ, EXPLORER_NEO4J_BOLT_PORT=str(args.port), EXPLORER_NEO4J_HOME=str(home))
    env.pop("NEO4J_URI", None)
    print(machine(), flush=True)
    firsts, seconds, warms = [], [], []
    for n in range(1, args.rounds + 1):
        shutil.rmtree(home, ignore_errors=True)
        local = LocalNeo4j(home, bolt_port=args.port)
        local.start(quiet=True)
        try:
            subprocess.run([sys.executable, "-m", "explorer.cli", "db", "schema"], env=env,
                           cwd=REPO_ROOT, check=True, capture_output=True)
            first, second, warm = timed_load(env), timed_load(env), timed_load(env)
        finally:
            local.stop()
        firsts.append(first)
        seconds.append(second)
        warms.append(warm)
        print(f"round {n}: first load {first:.1f}s, second {second:.1f}s, warm {warm:.1f}s "
              f"(first {first / warm:.1f}x warm)", flush=True)
    shutil.rmtree(home, ignore_errors=True)
    first, second, warm = (statistics.median(x) for x in (firsts, seconds, warms))
    print(f"median of {args.rounds}: first load {first:.1f}s, second {second:.1f}s, warm {warm:.1f}s; "
          f"first/warm {first / warm:.2f}, second/warm {second / warm:.2f}; "
          f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
