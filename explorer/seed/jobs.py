"""Seed loads from the web page as background jobs: one at a time, their state on disk.

A load of 168,000 rows takes about a minute, longer than a request should (a proxy cuts it,
and the admin saw nothing until it ended). A job is a thread of the app process that runs
the same validation and `loader.load` as the command line, and writes its state (phase,
rows done, outcome) to ``var/seed-jobs/JOB.json`` as it goes. The page polls that state
through a JSON endpoint, so any app process (behind a server with several workers) can
answer, and a reload of the page finds the job again.

- **One at a time**: a job takes ``var/seed-jobs/running`` (created exclusively) before it
  starts and gives it back when it ends; a second load is refused while it is held. A holder
  whose process has gone (the app restarted mid-load) is stale, and its job is marked
  *interrupted*: loads are idempotent, so loading the same upload again completes it.
- **No child data at rest here**: a job's file holds counts, the file's sha256, who and when;
  never rows. Validation problems (which quote values) are kept only in a count and the
  first few, as the upload page already showed them to the same admin.
- Threads, not processes: the work is waiting on Neo4j, and a thread shares the app's driver.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
JOB_ID_LENGTH = 16
PROBLEMS_KEPT = 20
WRITE_EVERY_SECONDS = 0.5  # progress reaches the disk at most this often


@dataclass(frozen=True)
class Job:
    id: str
    kind: str  # "load" or "dry-run"
    username: str
    upload: str
    sha256: str
    source: str
    mode: str
    created: str  # ISO time, UTC
    pid: int
    status: str = "queued"  # queued, running, done, failed, invalid, interrupted
    phase: str = "waiting"  # validating, writing, building indexes, finished
    rows_done: int = 0
    rows_total: int = 0
    started: float | None = None  # time.time() when writing began, for the rate
    finished: str | None = None
    report: str | None = None  # the load's table, as the command line prints it
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # file -> counts
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    error: str | None = None

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    def progress(self, at: float | None = None) -> dict[str, Any]:
        """What the page shows: rows, rate and time left, from the state on disk."""
        at = time.time() if at is None else at
        elapsed = (at - self.started) if self.started and self.active else None
        rate = self.rows_done / elapsed if elapsed and self.rows_done else None
        left = (self.rows_total - self.rows_done) / rate if rate else None
        return {"id": self.id, "kind": self.kind, "status": self.status, "phase": self.phase,
                "rows_done": self.rows_done, "rows_total": self.rows_total,
                "rate": round(rate, 1) if rate else None,
                "seconds_left": round(left) if left is not None else None,
                "active": self.active, "error": self.error}


class LoadRunning(RuntimeError):
    """Another load holds the lock; ``job_id`` names it."""

    def __init__(self, job_id: str | None) -> None:
        super().__init__(f"a seed load is already running (job {job_id})")
        self.job_id = job_id


class Jobs:
    """The job files in one folder, and the lock that lets one job run at a time."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.lock_path = folder / "running"

    # -- state on disk ---------------------------------------------------------------

    def _path(self, job_id: str) -> Path:
        if len(job_id) != JOB_ID_LENGTH or not job_id.isalnum():
            raise KeyError(job_id)
        return self.folder / f"{job_id}.json"

    def save(self, job: Job) -> None:
        path = self._path(job.id)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(job), fh)
        os.replace(tmp, path)  # a reader sees the old state or the new, never half

    def get(self, job_id: str) -> Job | None:
        try:
            data = json.loads(self._path(job_id).read_text(encoding="utf-8"))
        except (KeyError, FileNotFoundError, ValueError):
            return None
        job = Job(**data)
        if job.active and not _alive(job.pid):
            # Its process has gone (the app restarted): it will never finish by itself.
            job = replace(job, status="interrupted", phase="interrupted", finished=_now(),
                          error="the app stopped during the load; load the same file again "
                                "to complete it (loads are idempotent)")
            self.save(job)
            self._release(job.id)
        return job

    def history(self, limit: int = 50) -> list[Job]:
        """The newest jobs first."""
        files = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        jobs = [self.get(p.stem) for p in files[:limit]]
        return sorted((j for j in jobs if j is not None), key=lambda j: j.created, reverse=True)

    def running(self) -> Job | None:
        holder = self._holder()
        job = self.get(holder) if holder else None
        if holder and (job is None or not job.active):
            self._release(holder)  # a lock left by a job that ended or vanished
            return None
        return job

    # -- the lock -------------------------------------------------------------------

    def _holder(self) -> str | None:
        try:
            return self.lock_path.read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def _take(self, job_id: str) -> None:
        for _attempt in range(2):
            try:
                fd = os.open(self.lock_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                if self.running() is not None:
                    raise LoadRunning(self._holder()) from None
                continue  # running() released a stale lock: try once more
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(job_id)
            return
        raise LoadRunning(self._holder())

    def _release(self, job_id: str) -> None:
        if self._holder() == job_id:
            with contextlib.suppress(FileNotFoundError):
                self.lock_path.unlink()

    # -- running ----------------------------------------------------------------------

    def start(self, *, kind: str, username: str, upload: str, sha256: str, source: str, mode: str,
              work: Callable[[Job, Callable[..., Job]], Job]) -> Job:
        """Start ``work(job, update)`` in a thread, once no other job runs; return the job.

        ``work`` calls ``update(**changes)`` to record progress (saved at most every half
        second unless ``force=True``; not saved with ``hold=True``, for an end state that must
        not show before the work has finished, audit event included) and returns the finished
        job. Raises LoadRunning.
        """
        job = Job(id=secrets.token_hex(JOB_ID_LENGTH // 2), kind=kind, username=username,
                  upload=upload, sha256=sha256, source=source, mode=mode, created=_now(),
                  pid=os.getpid())
        self._take(job.id)
        self.save(job)
        state: dict[str, Any] = {"job": job, "saved": 0.0}

        def update(force: bool = False, hold: bool = False, **changes: Any) -> Job:
            state["job"] = replace(state["job"], **changes)
            if hold:  # an end state: published by run() only once the work is all done
                return state["job"]
            if force or time.monotonic() - state["saved"] >= WRITE_EVERY_SECONDS:
                self.save(state["job"])
                state["saved"] = time.monotonic()
            return state["job"]

        def run() -> None:
            try:
                finished = work(update(status="running", force=True), update)
            except Exception as exc:
                # The job's file must say it failed. The type only, here and in the log: a
                # driver's message can quote the values it refused.
                log.error("seed job %s failed: %s", job.id, type(exc).__name__)
                finished = replace(state["job"], status="failed", error=type(exc).__name__)
            self.save(replace(finished, finished=_now(),
                              phase="finished" if finished.status == "done" else finished.phase))
            self._release(job.id)

        threading.Thread(target=run, name=f"seed-job-{job.id}", daemon=True).start()
        return job


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def load_work(graph, seed_path: Path, *, today, record: Callable[[Job, Any, Any], None],
              on_loaded: Callable[[], None] = lambda: None) -> Callable[[Job, Callable[..., Job]], Job]:
    """The work of one job: validate the upload again (the database may have changed since it
    was checked), then load it, or rehearse the load for a dry run, updating the job as it goes.

    ``record(job, seed, report)`` writes the audit event (``seed`` None when invalid, ``report``
    None then too); ``on_loaded`` runs after a real load (the upload is deleted).
    """
    from explorer.seed import SeedInvalid, read_seed
    from explorer.seed.loader import known_ids, load
    from explorer.seed.schema import SEED_TYPES

    def work(job: Job, update: Callable[..., Job]) -> Job:
        update(phase="validating", force=True)
        try:
            seed = read_seed(seed_path, today=today, known_ids=known_ids(graph))
        except SeedInvalid as exc:
            problems = [str(p) for p in exc.problems]
            job = update(status="invalid", phase="validating", problems=problems[:PROBLEMS_KEPT],
                         problem_count=len(problems), hold=True)
            record(job, None, None)
            return job
        total = sum(seed.summary().values())
        update(phase="writing", rows_total=total, started=time.time(), force=True)

        def on_rows(done: int) -> None:
            update(rows_done=done, phase="writing" if done < total else "finishing")

        try:
            report = load(graph, seed, source=job.source, mode=job.mode, on=today,
                          dry_run=job.kind == "dry-run", progress=False, on_rows=on_rows)
        except Exception as exc:
            # Recorded like a finished load: who wrote what part of which file, and that it failed.
            record(update(status="failed", error=type(exc).__name__, hold=True), seed, None)
            raise
        outcomes = {}
        for stype in SEED_TYPES:
            counts: dict[str, int] = report.outcomes.get(stype.name) or {}
            ended = report.ended.get(stype.label, 0) if not stype.is_node else 0
            if sum(counts.values()) or ended:
                outcomes[stype.file] = {k: int(counts.get(k, 0)) for k in ("created", "updated",
                                                                           "unchanged")}
                outcomes[stype.file]["ended"] = int(ended)
        job = update(status="done", rows_done=total, report=report.table(), outcomes=outcomes,
                     hold=True)
        record(job, seed, report)
        if job.kind == "load":
            on_loaded()
            # Still running (one load at a time) until today's dashboard is counted.
            update(status="running", phase="counting the analysts' dashboard", force=True)
            _count_ahead(graph, today)
            job = update(status="done", phase=job.phase, hold=True)
        return job

    return work


def _count_ahead(graph, today) -> None:
    """After a load (done and audited): count today's dashboard and save it, so the first
    analyst after the load does not wait for it. The load has succeeded whatever happens here:
    should counting fail, the dashboard counts when it is first viewed."""
    from explorer.analytics import saved

    try:
        saved.count_ahead(graph, today)
    except Exception as exc:
        log.warning("the dashboard was not counted after the load: %s", type(exc).__name__)
