"""Neo4j stopped, killed and restarted under the production server (``explorer serve``):
every page, signing in included, answers a 503 page with its security headers within 2 s;
no request hangs while Neo4j restarts; /health says 503 until queries really succeed; a query
in flight when Neo4j goes gets "database not available", never a 500; and the same server
process answers again once Neo4j is back, without being restarted.

These tests run their own Neo4j (port EXPLORER_TEST_BOLT_PORT + 10, e.g. 7724), since they
stop and kill it: the session's database stays untouched for the other tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from explorer import create_app, schema
from explorer.accounts import users
from explorer.config import Config, Neo4jSettings
from explorer.errors import DatabaseUnavailable
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT
from tests.conftest import TEST_PORT
from tests.live_server import Browser, free_port, start_server, stop_server

# A second Neo4j of its own, stopped, killed and restarted under a served app.
pytestmark = pytest.mark.slow

OUTAGE_PORT = TEST_PORT + 10
PASSWORD = "correct horse outage 20261202"
BOUND = 2.0  # seconds: the longest a page may take to say the database is not available


@pytest.fixture(scope="module")
def outage_db() -> Iterator[tuple[LocalNeo4j, Neo4jSettings]]:
    home = REPO_ROOT / "var" / f"test-neo4j-outage-{OUTAGE_PORT}"
    shutil.rmtree(home, ignore_errors=True)
    local = LocalNeo4j(home, bolt_port=OUTAGE_PORT, heap="512m", pagecache="64m")
    local.start(quiet=True)
    settings = Neo4jSettings(uri=local.uri, username="neo4j", password=None, database="neo4j",
                             local=local)
    graph = Graph(settings)
    try:
        schema.apply(graph)
        graph.run_autocommit("CREATE (:Child {id: 'C-OUT-1', given_name: 'Ada', family_name: 'Byron',"
                             " date_of_birth: date('2015-12-10'), gender: 'female', shielded: false})")
        app = create_app({"TESTING": True, "EXPLORER_CONFIG": Config(
            neo4j=settings, secret_key="unused", var_dir=home / "app", pseudonym_key="k")})
        with app.app_context():
            enrolment = users.create(graph, username="overseer", password=PASSWORD,
                                     roles=["management"], family_name="Overseer")
        local.totp_secret = enrolment.totp_secret  # type: ignore[attr-defined]
    finally:
        graph.close()
    yield local, settings
    local.stop()


@pytest.fixture(scope="module")
def server(outage_db, tmp_path_factory) -> Iterator[str]:
    _, settings = outage_db
    port = free_port()
    var = tmp_path_factory.mktemp("serve")
    proc = start_server(settings, port=port, var_dir=str(var), workers=2, threads=4,
                        log_path=str(var / "serve.log"))
    base = f"http://127.0.0.1:{port}"
    _wait_healthy(base)
    yield base
    stop_server(proc)


@pytest.fixture
def running(outage_db, server) -> LocalNeo4j:
    """Neo4j up and the app answering, whatever the previous test left."""
    local, _ = outage_db
    local.start(quiet=True)
    _wait_healthy(server)
    return local


def _wait_healthy(base: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while Browser(base).get("/health").status != 200:
        assert time.monotonic() < deadline, "the app did not answer 200 on /health"
        time.sleep(0.3)


def _signed_in(base: str, local: LocalNeo4j) -> Browser:
    browser = Browser(base)
    browser.sign_in("overseer", PASSWORD, local.totp_secret)  # type: ignore[attr-defined]
    assert browser.get("/").status == 200
    return browser


def _kill(local: LocalNeo4j) -> None:
    pid = local.status().pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    local.stop()  # reaps it and forgets the pid file; nothing left to stop


def _every_page_is_a_quick_503(base: str, browser: Browser) -> None:
    answers = {
        "GET /": browser.get("/"),
        "GET /children/C-OUT-1": browser.get("/children/C-OUT-1"),
        "GET /api/children/C-OUT-1/network": browser.get("/api/children/C-OUT-1/network"),
        "POST /search": browser.request("POST", "/search", {"text": "byron"}),
        # A 4xx for a signed-in browser (the page's menu needs the user): still the outage page.
        "GET /no-such-page": browser.get("/no-such-page"),
        "GET /health": Browser(base).get("/health"),
        # Signing in: the form itself needs no database (it shows), the password check does.
        "POST /login": Browser(base).post("/login", {"username": "overseer", "password": PASSWORD}),
    }
    for what, reply in answers.items():
        assert reply.status == 503, f"{what}: {reply.status}"
        assert reply.seconds < BOUND, f"{what} took {reply.seconds:.2f}s"
        assert "Traceback" not in reply.text
        if not what.startswith(("GET /api", "GET /health")):
            assert "database is not available" in reply.text, what
        # The app's own answer, never Werkzeug's bare one: our headers are on it.
        assert "default-src 'none'" in reply.headers.get("Content-Security-Policy", ""), what
        assert reply.headers.get("Cache-Control") == "no-store", what


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_neo4j_gone_every_page_is_a_503_within_2s_and_the_app_recovers(server, running, how):
    browser = _signed_in(server, running)
    if how == "stopped":
        running.stop()
    else:
        _kill(running)
    try:
        _every_page_is_a_quick_503(server, browser)
    finally:
        running.start(quiet=True)
    # The same server, never restarted: the same browser's session (kept in Neo4j) works again.
    # (The first pages may still be 503s: a just-started Neo4j on a busy machine can take more
    # than a request's 10 s of database time while it plans every query afresh.)
    _wait_healthy(server)
    deadline = time.monotonic() + 60
    while (page := browser.get("/")).status != 200:
        assert page.status == 503 and time.monotonic() < deadline, page.status
        time.sleep(0.5)
    assert "Byron" in page.text


def test_while_neo4j_restarts_no_request_hangs_and_health_waits_for_real_queries(outage_db, server,
                                                                                   running):
    _, settings = outage_db
    browser = _signed_in(server, running)
    replies: list[tuple[str, int, float]] = []
    failures: list[str] = []
    stop = threading.Event()

    def hammer(path: str) -> None:
        # No answer within 30 s is a request that hung (issue 14 counted those). A page may be
        # slow just after the restart: Neo4j's JVM is cold and plans every query afresh.
        me = Browser(server, timeout=30.0)
        me.jar = browser.jar  # the signed-in browser's cookies
        me.opener = browser.opener
        while not stop.is_set():
            try:
                reply = me.get(path)
            except OSError as exc:  # a timeout: a request that hung
                failures.append(f"{path}: {exc!r} at {time.monotonic() - t0:.1f}s ({phases})")
                continue
            replies.append((path, reply.status, reply.seconds))

    t0 = time.monotonic()
    phases: dict[str, float] = {}
    threads = [threading.Thread(target=hammer, args=(path,), daemon=True)
               for path in ("/", "/children/C-OUT-1", "/api/children/C-OUT-1/network", "/")]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        phases["stop"] = round(time.monotonic() - t0, 1)
        running.stop()
        phases["stopped"] = round(time.monotonic() - t0, 1)
        time.sleep(1)
        running.start(quiet=True)
        phases["started"] = round(time.monotonic() - t0, 1)
        # /health says 200 only once queries on the database succeed (not merely when the port
        # opens): the first 200 is followed by a query that works.
        deadline = time.monotonic() + 60
        while Browser(server).get("/health").status != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        phases["healthy"] = round(time.monotonic() - t0, 1)
        probe = Graph(settings)
        try:
            assert probe.read_tx(lambda tx: tx.run("MATCH (c:Child) RETURN count(c) AS n").single()["n"]) == 1
        finally:
            probe.close()
        # And the pages come back, the server never restarted. (Just after a restart a page can
        # still be a 503: a cold Neo4j can take longer than a request's 10 s of database time.)
        while browser.get("/").status != 200:
            assert time.monotonic() < deadline, "the pages did not come back"
            time.sleep(0.5)
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not failures, f"requests with no answer: {failures[:5]}"
    statuses = {status for _, status, _ in replies}
    assert statuses <= {200, 503}, f"answers other than 200 and 503: {statuses}"
    assert 503 in statuses and 200 in statuses
    # Every answer within a request's 10 s of database time (explorer.graph) and a little: a
    # request in flight when the stop begins waits for Neo4j's shutdown, and one just after the
    # restart for a cold server, but none waits without end. (Within 2 s once Neo4j is down:
    # the test above.)
    slow = [(p, s, round(t, 2)) for p, s, t in replies if t >= 15]
    assert not slow, f"answers slower than 15 s: {slow[:5]}"


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_a_query_in_flight_when_neo4j_goes_is_database_unavailable(outage_db, running, how):
    _, settings = outage_db
    graph = Graph(settings)
    outcome: list[BaseException | str] = []
    started = threading.Event()

    def long_read() -> None:
        def work(tx):
            started.set()
            # Seconds of work on the server, so that it is still running when Neo4j goes.
            return tx.run("UNWIND range(1, 400000000) AS x RETURN count(x) AS n").single()["n"]
        try:
            graph.read_tx(work)
            outcome.append("finished")
        except Exception as exc:
            outcome.append(exc)

    reader = threading.Thread(target=long_read, daemon=True)
    reader.start()
    assert started.wait(30)
    time.sleep(0.5)
    try:
        if how == "stopped":
            running.stop()
        else:
            _kill(running)
        reader.join(timeout=60)
        assert not reader.is_alive(), "the query in flight never ended"
    finally:
        graph.close()
        running.start(quiet=True)
    assert outcome and isinstance(outcome[0], DatabaseUnavailable), repr(outcome)


def test_the_first_query_after_a_fork_gets_its_own_driver(outage_db, running):
    """A worker forked from a process that already used the graph (a preloaded app) must not
    use the parent's driver: its connections belong to the parent."""
    _, settings = outage_db
    graph = Graph(settings)
    parent_driver = graph.driver()
    assert graph.read_tx(lambda tx: tx.run("RETURN 1 AS x").single()["x"]) == 1
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer over the pipe, then leave without running pytest's exit
        ok = False
        try:
            fresh = graph.driver() is not parent_driver
            ok = fresh and graph.read_tx(lambda tx: tx.run("RETURN 2 AS x").single()["x"]) == 2
        finally:
            os.write(write_end, b"1" if ok else b"0")
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 1)
    os.waitpid(pid, 0)
    os.close(read_end)
    # The parent's driver still works after the child came and went.
    assert graph.read_tx(lambda tx: tx.run("RETURN 3 AS x").single()["x"]) == 3
    graph.close()
    assert answer == b"1", "the forked process used its parent's driver"

