"""Seed loads from the web page run as background jobs: progress over HTTP, one at a time, a dry
run that writes nothing and says per file what would change, a history, and the audit trail."""

from __future__ import annotations

import io
import subprocess
import threading
import zipfile

from explorer import audit
from explorer.paths import REPO_ROOT
from explorer.seed import jobs
from tests.test_audit_pages import wait_for_job

DEMO = REPO_ROOT / "seed" / "demo"


def _demo_zip() -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for p in DEMO.glob("*.csv"):
            zf.writestr(f"demo/{p.name}", p.read_text(encoding="utf-8"))
    buffer.seek(0)
    return buffer


def _upload(client, archive: io.BytesIO | None = None) -> str:
    text = client.post("/admin/seed", data={"archive": (archive or _demo_zip(), "demo.zip")},
                       content_type="multipart/form-data").get_data(as_text=True)
    return text.split("/admin/seed/")[1].split("/load")[0]


def _children(graph) -> int:
    return graph.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"]


def test_a_load_runs_as_a_job_and_the_history_says_who_which_file_and_how_it_ended(
        client, make_user, login_as, graph, config):
    import hashlib

    make_user("ada", ["admin"])
    login_as(client, "ada")
    archive = _demo_zip()
    sha = hashlib.sha256(archive.getvalue()).hexdigest()
    upload_id = _upload(client, archive)
    started = client.post(f"/admin/seed/{upload_id}/load", data={"source": "demo", "mode": "incremental"})
    assert started.status_code == 303 and "/admin/seed/jobs/" in started.location
    page = client.get(started.location).get_data(as_text=True)
    assert 'src="/static/js/seed-job.js"' in page and "<script>" not in page
    state = wait_for_job(client, started.location)
    assert state["status"] == "done" and state["rows_done"] == state["rows_total"] == 298
    assert _children(graph) > 0
    assert not (config.var_dir / "uploads" / upload_id).exists()  # deleted once loaded
    done = client.get(started.location).get_data(as_text=True)
    assert "What the load changed, per file" in done
    assert "<th scope=\"row\">children.csv</th><td>" in done
    history = client.get("/admin/seed").get_data(as_text=True).split('id="load-history"')[1]
    assert "ada" in history and sha in history and ">done</a>" in history and "298" in history
    event = audit.search(graph, action="admin.seed.load")[0]
    assert event["username"] == "ada" and sha in event["params"] and '"outcome": "done"' in event["params"]


def test_a_dry_run_writes_nothing_and_shows_per_file_counts_and_first_rows(app, client, make_user,
                                                                          login_as, graph):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    upload_id = _upload(client)
    started = client.post(f"/admin/seed/{upload_id}/load",
                          data={"source": "demo", "mode": "incremental", "dry_run": "y"})
    assert wait_for_job(client, started.location)["status"] == "done"
    assert _children(graph) == 0
    page = client.get(started.location).get_data(as_text=True)
    assert "What a load would change, per file" in page
    outcomes = page.split('id="job-outcomes"')[1].split("</table>")[0]
    children = sum(1 for _ in (DEMO / "children.csv").open(encoding="utf-8")) - 1
    assert f'<th scope="row">children.csv</th><td>{children}</td><td>0</td><td>0</td><td>0</td>' in outcomes
    preview = page.split("The first rows of each file")[1]
    assert "<summary>children.csv</summary>" in preview and "Zoë" in preview
    # The upload stays for the real load, offered on the same page.
    assert f'action="/admin/seed/{upload_id}/load"' in page
    assert audit.search(graph, action="admin.seed.dry_run")[0]["username"] == "ada"
    assert audit.search(graph, action="admin.seed.preview")[0]["username"] == "ada"
    assert audit.search(graph, action="admin.seed.load") == []
    # Another admin sees the counts, never the rows of a file they did not upload.
    make_user("bo", ["admin"])
    other = app.test_client()
    login_as(other, "bo")
    theirs = other.get(started.location).get_data(as_text=True)
    assert "What a load would change, per file" in theirs
    assert "The first rows of each file" not in theirs and "Zoë" not in theirs


def test_progress_over_http_and_one_load_at_a_time(app, client, make_user, login_as, graph, config):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    release = threading.Event()

    def slow(job, update):  # a load part-way: 40 of 100 rows written
        update(phase="writing", rows_total=100, rows_done=40, started=job_started, force=True)
        release.wait(30)
        return update(status="done", rows_done=100, force=True)

    import time
    job_started = time.time() - 4  # 40 rows in 4 s: 10 rows/s, 6 s left
    runner = jobs.Jobs(config.var_dir / "seed-jobs")
    job = runner.start(kind="load", username="ada", upload="x" * 32, sha256="0" * 64,
                       source="feed", mode="incremental", work=slow)
    try:
        for _ in range(50):
            state = client.get(f"/admin/seed/jobs/{job.id}.json").get_json()
            if state["rows_done"] == 40:
                break
            time.sleep(0.1)
        assert state["active"] and state["phase"] == "writing" and state["rows_total"] == 100
        assert 8 <= state["rate"] <= 10 and 5 <= state["seconds_left"] <= 8
        # A second load is refused while this one runs, and the page links to it.
        upload_id = _upload(client)
        refused = client.post(f"/admin/seed/{upload_id}/load", data={"source": "demo", "mode": "incremental"})
        assert refused.status_code == 409
        assert f"/admin/seed/jobs/{job.id}" in refused.get_data(as_text=True)
        assert _children(graph) == 0
    finally:
        release.set()
    assert wait_for_job(client, f"/admin/seed/jobs/{job.id}")["status"] == "done"
    started = client.post(f"/admin/seed/{upload_id}/load", data={"source": "demo", "mode": "incremental"})
    assert started.status_code == 303


def test_a_job_whose_process_died_is_shown_interrupted_and_frees_the_lock(client, make_user,
                                                                         login_as, config):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    gone = subprocess.Popen(["true"])
    gone.wait()  # its pid now names no process: the app that ran the job has gone
    runner = jobs.Jobs(config.var_dir / "seed-jobs")
    job = jobs.Job(id="ab" * 8, kind="load", username="ada", upload="x" * 32, sha256="0" * 64,
                   source="feed", mode="incremental", created="2026-01-01T00:00:00+00:00",
                   pid=gone.pid, status="running", phase="writing", rows_done=10, rows_total=20)
    runner.save(job)
    runner.lock_path.write_text(job.id, encoding="ascii")
    state = client.get(f"/admin/seed/jobs/{job.id}.json").get_json()
    assert state["status"] == "interrupted" and "load the same file again" in state["error"]
    assert runner.running() is None and not runner.lock_path.exists()
