"""Test fixtures: one real Neo4j per test session, a clean graph for every test.

The session starts its own Neo4j (a fresh home under var/test-neo4j-PORT, Bolt on
EXPLORER_TEST_BOLT_PORT, default 7697) so tests never touch the demo database,
and stops it at the end. EXPLORER_TEST_NEO4J_URI (with _USERNAME/_PASSWORD)
points the tests at another server instead; it is wiped between tests, so never
point it at data you want to keep.

Hypothesis runs under a profile (docs/testing.md): ``dev`` (few examples) unless
HYPOTHESIS_PROFILE or CI says ``ci`` (1,000); `make test`, which CI runs, asks for ``ci``.
HYPOTHESIS_EXAMPLES, when set, overrides the profile's number of examples.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings

from explorer import create_app, schema
from explorer.config import Config, Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT

TEST_PORT = int(os.environ.get("EXPLORER_TEST_BOLT_PORT", "7697"))
# One home per port, so two test sessions on different ports never share a database.
TEST_HOME = REPO_ROOT / "var" / f"test-neo4j-{TEST_PORT}"

# The property tests take their number of examples from the profile (a test that names its own
# keeps it). CI is where the 1,000 run; while working, a few find most slips in seconds.
settings.register_profile("ci", max_examples=1000, print_blob=True)
settings.register_profile("dev", max_examples=50)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
if os.environ.get("HYPOTHESIS_EXAMPLES"):
    settings.register_profile(f"{HYPOTHESIS_PROFILE}+examples", settings.get_profile(HYPOTHESIS_PROFILE),
                              max_examples=int(os.environ["HYPOTHESIS_EXAMPLES"]))
    HYPOTHESIS_PROFILE += "+examples"
settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header() -> str:
    return f"hypothesis profile: {HYPOTHESIS_PROFILE} ({settings.default.max_examples} examples)"


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jSettings]:
    if os.environ.get("EXPLORER_TEST_NEO4J_URI"):
        yield Neo4jSettings(
            uri=os.environ["EXPLORER_TEST_NEO4J_URI"],
            username=os.environ.get("EXPLORER_TEST_NEO4J_USERNAME", "neo4j"),
            password=os.environ.get("EXPLORER_TEST_NEO4J_PASSWORD", ""),
            database=os.environ.get("EXPLORER_TEST_NEO4J_DATABASE", "neo4j"),
            local=None,
        )
        return
    shutil.rmtree(TEST_HOME, ignore_errors=True)
    local = LocalNeo4j(TEST_HOME, bolt_port=TEST_PORT, heap="1g", pagecache="256m")
    local.start(quiet=True)
    try:
        yield Neo4jSettings(uri=local.uri, username="neo4j", password=None, database="neo4j",
                            local=local)
    finally:
        local.stop()


@pytest.fixture(scope="session")
def session_graph(neo4j_settings: Neo4jSettings) -> Iterator[Graph]:
    graph = Graph(neo4j_settings)
    schema.apply(graph)
    yield graph
    graph.close()


def wipe(graph: Graph) -> None:
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")


@pytest.fixture
def graph(session_graph: Graph, shared_graph: SharedGraph) -> Graph:
    """The session's database, emptied before the test (schema kept)."""
    shared_graph.forget()
    wipe(session_graph)
    return session_graph


def _counts(graph: Graph) -> tuple[int, int]:
    """Nodes and relationships (read from Neo4j's count store, so instant at any size); the
    analysts' saved counts, which a dashboard view writes, are derived from the graph, not
    part of it."""
    row = graph.run_autocommit("CALL () { MATCH (n) RETURN count(n) AS every } "
                               "CALL () { MATCH (s:GapCounts) RETURN count(s) AS saved } "
                               "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
                               "RETURN every - saved AS nodes, relationships")[0]
    return row["nodes"], row["relationships"]


class SharedGraph:
    """The session's database holding one graph that several tests only read, loaded once
    for all of them instead of once per test (test_analytics' 3,000 children, the policy
    property test's worlds).

    ``holding(key, load)`` loads afresh whenever the database may hold anything else: another
    graph, or whatever a test using ``graph`` (which empties it) left. So the order tests run in
    changes how often a load happens, never what a test sees. ``check_unchanged()``, called
    after each reading test, fails a test that created or deleted anything in the shared graph
    (it counts nodes and relationships; a test that writes must take ``graph`` and load its own).
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._holds: object = None
        self._counts: tuple[int, int] | None = None

    def holding(self, key: object, load) -> Graph:
        if self._holds != key or self._counts != _counts(self.graph):
            self.forget()
            wipe(self.graph)
            load(self.graph)
            self._holds, self._counts = key, _counts(self.graph)
        return self.graph

    def forget(self) -> None:
        self._holds = self._counts = None

    def check_unchanged(self) -> None:
        if self._holds is not None and _counts(self.graph) != self._counts:
            self.forget()
            pytest.fail("a test wrote to a graph shared by tests that only read it: "
                        "give it the `graph` fixture and a load of its own")


@pytest.fixture(scope="session")
def shared_graph(session_graph: Graph) -> SharedGraph:
    return SharedGraph(session_graph)


@pytest.fixture
def config(neo4j_settings: Neo4jSettings, tmp_path: Path) -> Config:
    return Config(neo4j=neo4j_settings, secret_key="test-secret-key-not-for-production",
                  var_dir=tmp_path, pseudonym_key="test-pseudonym-key")


@pytest.fixture
def app(graph: Graph, config: Config):
    # The app's 10 s of database time per request guards a deployment against hangs (its own
    # server and budget are tested in test_outages.py). Here a Neo4j planning a query for the
    # first time on a loaded CI machine can take longer than that (a CI run at load average
    # 20 turned the pack's first request into a 503), which is not what these tests test.
    # EXPLORER_REQUIRE_AUDIT: a child-data or analyst page answering 200 without recording
    # an audit event fails the request, so every test that opens one checks the trail.
    app = create_app({"TESTING": True, "EXPLORER_CONFIG": config,
                      "EXPLORER_REQUEST_DB_SECONDS": 120, "EXPLORER_REQUIRE_AUDIT": True})
    yield app
    app.extensions["graph"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def local_neo4j(neo4j_settings: Neo4jSettings) -> LocalNeo4j:
    if neo4j_settings.local is None:
        pytest.fail("this test needs the project's own local Neo4j; unset EXPLORER_TEST_NEO4J_URI")
    return neo4j_settings.local


def settings_with(neo4j_settings: Neo4jSettings, **changes) -> Neo4jSettings:
    return replace(neo4j_settings, **changes)


# -- accounts: make users of any role and sign in as them through the real two steps -----

@pytest.fixture
def made_users() -> dict:
    """username -> (password, totp_secret) of the users make_user created in this test."""
    return {}


@pytest.fixture
def make_user(app, graph: Graph, made_users: dict):
    """make_user(username, roles, practitioner_id=None, **more) -> (user, password, totp_secret)."""
    from explorer.accounts import users

    def make(username: str, roles, practitioner_id: str | None = None, **more):
        if isinstance(roles, str):
            roles = [roles]
        if "practitioner" in roles and practitioner_id is None:
            practitioner_id = f"P-{username}"
        # Digits only after the words: random hex once spelled a username ("...fbea" for bea),
        # which the strength rule rightly refuses.
        password = f"correct horse staple {secrets.randbelow(10**8):08d}"
        with app.app_context():
            enrolment = users.create(graph, username=username, password=password, roles=list(roles),
                                     practitioner_id=practitioner_id, **more)
            user = users.find(graph, username)
        made_users[user.username] = (password, enrolment.totp_secret)
        return user, password, enrolment.totp_secret

    return make


def csrf_token_in(page_text: str) -> str | None:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_text)
    return match.group(1) if match else None


def totp_code_for(app, secret: str, used: set) -> str:
    """A code the server will accept now.

    The server allows one step of drift and only steps later than the last one it accepted,
    so codes go up per secret. The previous step is offered only early in the current one:
    near a boundary the clock could move on before the code is checked, leaving it two steps
    behind. With the real clock, when no step is left, wait for the next one.
    """
    import time

    import pyotp

    from explorer.clock import now

    for _attempt in range(2):
        with app.app_context():
            at = now()
        totp = pyotp.TOTP(secret)
        step, into = totp.timecode(at), at.timestamp() % totp.interval
        last = max((s for (known, s) in used if known == secret), default=None)
        candidates = ([step - 1] if into < 20 else []) + [step, step + 1]
        for candidate in candidates:
            if last is None or candidate > last:
                used.add((secret, candidate))
                return totp.generate_otp(candidate)
        if app.config.get("EXPLORER_CLOCK"):
            break  # a test's own clock: waiting would not move it
        time.sleep(totp.interval - into + 0.5)
    raise AssertionError("no unused code in this 30 s step: move EXPLORER_CLOCK on")


@pytest.fixture
def login_as(app, made_users: dict):
    """login_as(client, username): password, then TOTP code, as a browser would; returns the reply."""
    used: set = set()

    def login(client, username: str):
        password, secret = made_users[username]
        page = client.get("/login")
        form = {"username": username, "password": password}
        token = csrf_token_in(page.get_data(as_text=True))
        if token:
            form["csrf_token"] = token
        first = client.post("/login", data=form)
        assert first.status_code == 302 and first.location.endswith("/login/code"), first.status_code
        page = client.get("/login/code")
        form = {"code": totp_code_for(app, secret, used)}
        token = csrf_token_in(page.get_data(as_text=True))
        if token:
            form["csrf_token"] = token
        second = client.post("/login/code", data=form)
        assert second.status_code == 302, second.get_data(as_text=True)[:500]
        return second

    return login


class Clock:
    """A settable clock for EXPLORER_CLOCK: timeouts and codes without sleeping."""

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.at = datetime.now(UTC)

    def __call__(self):
        return self.at

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.at += timedelta(**delta)


@pytest.fixture
def clock(app) -> Clock:
    """Installs a controllable clock on the app (session timeouts, lockout, TOTP)."""
    app.config["EXPLORER_CLOCK"] = the_clock = Clock()
    return the_clock


# -- the demo seed, and clients signed in as anyone on it --------------------------------------

DEMO_SEED = REPO_ROOT / "seed" / "demo"


@pytest.fixture
def demo(graph: Graph) -> Graph:
    """The graph holding the hand-made demo seed (seed/demo/README.md tells its stories)."""
    from datetime import date

    from explorer.seed import read_seed
    from explorer.seed.loader import load

    load(graph, read_seed(DEMO_SEED, today=date.today()), source="demo", progress=False)
    return graph


@pytest.fixture
def signed_in(app, demo, make_user, login_as):
    """signed_in(username, roles, practitioner_id=None) -> a client signed in as that user."""

    def sign_in(username: str, roles, practitioner_id: str | None = None):
        make_user(username, roles, practitioner_id=practitioner_id)
        client = app.test_client()
        login_as(client, username)
        return client

    return sign_in
