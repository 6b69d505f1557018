"""Reading a large seed's files in several processes: forked readers that end with the
process that started them, each given whole files, largest first."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from explorer.seed.schema import SeedType

Files = list[tuple[SeedType, Path]]
R = TypeVar("R")


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a seed's rows are built.

    Every container created counts towards the next collection, and every
    full collection walks all the objects built so far: a third of the reading
    time, for nothing, as rows hold no reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """A worker's initializer: it ends when the process that started it does.

    A `kill -9` of `explorer seed load` gives the pool no chance to stop its workers, which
    would read on (holding a seed's child data in memory) for nothing. Linux sends them SIGKILL
    when the parent dies (prctl PR_SET_PDEATHSIG); elsewhere a thread watches the parent's pid.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


def forkable() -> bool:
    """Whether readers may be forked: only while no other thread could hold a lock; and
    "spawn" would run the caller's main module again in each worker (a script without a
    __main__ guard would start workers recursively)."""
    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


def shares(files: Files, workers: int) -> list[Files]:
    """The files dealt to `workers` processes, largest first, each to the least loaded by
    bytes."""
    sizes = {path: path.stat().st_size for _, path in files}
    dealt: list[Files] = [[] for _ in range(workers)]
    loads = [0] * workers
    for stype, path in sorted(files, key=lambda f: -sizes[f[1]]):
        least = loads.index(min(loads))
        dealt[least].append((stype, path))
        loads[least] += sizes[path]
    return dealt


def check_shared(files: Files, check: Callable[..., list[R]], args: tuple[Any, ...],
                 workers: int, from_bytes: int) -> list[R]:
    """`check(share, *args)` of every share of the files, between this process and `workers -
    1` forked others when the files hold at least `from_bytes` bytes (else here alone).

    Each file is read and checked whole by one process, and only its summary comes back
    (pickled). `check` is named by module and name, so a forked worker runs what the module
    holds when it is called.
    """
    workers = min(workers, len(files))
    if workers < 2 or not forkable() or sum(p.stat().st_size for _, p in files) < from_bytes:
        return check(files, *args)
    dealt = shares(files, workers)
    with ProcessPoolExecutor(workers - 1, mp_context=mp.get_context("fork"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        theirs = [pool.submit(check, share, *args) for share in dealt[1:]]
        results = check(dealt[0], *args)
        for future in theirs:
            results.extend(future.result())
    return results
