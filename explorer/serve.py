"""The production server: the app under gunicorn, a pre-forking WSGI server.

``explorer serve`` runs it; ``explorer run`` (Werkzeug's development server) is for
development only. Each worker process builds its own app, and so its own Neo4j driver,
after the fork (``preload_app`` is off, and :class:`explorer.graph.Graph` also refuses to use
a driver made in another process): a driver's sockets and locks must never be shared
between processes.

Workers are processes (one per core: Python runs one thread at a time per process) and
each runs a pool of threads, since a request spends most of its time waiting for Neo4j.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication

# Measured on the reference machine's 2 cores, shared with Neo4j (docs/serve-benchmarks.md): 2 x 8
# did twice the requests of 4 x 4, since audit appends are group-committed per process.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 8


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = DEFAULT_WORKERS
    threads: int = DEFAULT_THREADS
    # A request stuck longer than this (seconds) has its worker restarted by gunicorn: a last
    # resort, since every database call gives up within about 2 s (explorer/graph.py).
    timeout: int = 30
    access_log: bool = False

    def gunicorn_settings(self) -> dict[str, Any]:
        return {
            "bind": f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}",
            "workers": self.workers,
            "threads": self.threads,
            "worker_class": "gthread",
            "timeout": self.timeout,
            "graceful_timeout": 10,
            "keepalive": 5,
            # Every process makes its own driver: never build the app before the fork.
            "preload_app": False,
            # gunicorn would otherwise believe X-Forwarded-Proto from 127.0.0.1 by itself;
            # EXPLORER_PROXY_HOPS (werkzeug's ProxyFix, in create_app) is the one place that
            # decides which forwarded headers are trusted.
            "forwarded_allow_ips": "",
            # Off by default; when on, it logs paths (ids at most: names are only ever POSTed).
            "accesslog": "-" if self.access_log else None,
            "errorlog": "-",
            "proc_name": "involvement-explorer",
            "post_worker_init": freeze_start_up,
        }


def freeze_start_up(_worker: Any = None) -> None:
    """Once a worker has built its app: move every object made so far (the modules, Flask,
    the driver, the policy's tables) out of the garbage collector's reach. They live as long
    as the worker, yet each full collection walked all of them: 56-62 ms with every thread of
    the worker stopped, about once in a hundred 200-node ecomaps, against 0.6-1.4 ms frozen
    (docs/serve-benchmarks.md). Objects made later are collected as before."""
    gc.freeze()


class ExplorerServer(BaseApplication):
    """gunicorn, configured from :class:`ServeOptions` rather than its command line."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.gunicorn_settings().items():
            self.cfg.set(key, value)

    def load(self):
        from explorer import create_app

        return create_app()


def serve(options: ServeOptions) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM stop the workers gracefully)."""
    # gunicorn reads GUNICORN_CMD_ARGS too; ours are the only settings, so nothing surprises.
    os.environ.pop("GUNICORN_CMD_ARGS", None)
    ExplorerServer(options).run()
