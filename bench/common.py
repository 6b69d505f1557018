"""What every benchmark shares: the cached synthetic population and the machine line
printed beside the figures. Benchmarks run as scripts (`python bench/NAME.py`), so this
module is imported by its plain name."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import explorer.seed.generate as generate_module
from explorer.localdb import NEO4J_VERSION
from explorer.paths import REPO_ROOT
from explorer.seed.schema import SEED_TYPES


def population(children: int, seed: int, today: date) -> Path:
    """The generated population for (children, seed, today), made once and kept in
    var/bench-data. The date is in the folder's name: the generator's dates follow it and the
    loader checks ages and dates against it, so a population made as of one day (serve.py's
    today) did not load as of another (ecomap.py's fixed date)."""
    out = REPO_ROOT / "var" / "bench-data" / f"{children}-{seed}-{today.isoformat()}"
    marker = out / ".complete"
    # Made again when the generator has changed since (its source's hash is in the marker),
    # so that a figure is always for what the generator makes now.
    made_by = hashlib.sha256(Path(generate_module.__file__).read_bytes()).hexdigest()[:16]
    if (marker.exists() and f"generator {made_by}" in marker.read_text()
            and all((out / t.file).exists() for t in SEED_TYPES)):
        print(f"reusing the population in {out}", flush=True)
        return out
    print(f"generating {children:,} children (seed {seed}) into {out}", flush=True)
    started = time.monotonic()
    if out.exists():
        shutil.rmtree(out)  # an interrupted generation, or an older format: start again
    # In a process of its own, as an admin would run it: generating here left tqdm's monitor
    # thread running (so read_seed would not fork its readers) and this process's memory
    # fragmented, which slowed what the benchmark then measured.
    subprocess.run([sys.executable, "-m", "explorer.cli", "seed", "generate",
                    "--children", str(children), "--seed", str(seed), "--out", str(out),
                    "--today", today.isoformat()], check=True)
    marker.write_text(f"{today.isoformat()}\ngenerator {made_by}\n")
    print(f"generated in {time.monotonic() - started:.1f}s", flush=True)
    return out


def machine() -> str:
    """Cores, CPU model, memory, Java, Neo4j, Python and the load average right now."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    java = subprocess.run(["java", "-version"], capture_output=True, text=True,
                          check=False).stderr.splitlines()[0]
    load1, load5, load15 = os.getloadavg()
    return (f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GB RAM, {java}, "
            f"Neo4j {NEO4J_VERSION} Community, Python {platform.python_version()}; "
            f"load average {load1:.2f} {load5:.2f} {load15:.2f}")
