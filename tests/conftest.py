"""Test fixtures: one real Neo4j per test session, a clean graph for every test.

The session starts its own Neo4j (a fresh home under var/test-neo4j, Bolt on
EXPLORER_TEST_BOLT_PORT, default 7697) so tests never touch the demo database,
and stops it at the end. EXPLORER_TEST_NEO4J_URI (with _USERNAME/_PASSWORD)
points the tests at another server instead; it is wiped between tests, so never
point it at data you want to keep.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from explorer import create_app, schema
from explorer.config import Config, Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import REPO_ROOT, LocalNeo4j

TEST_HOME = REPO_ROOT / "var" / "test-neo4j"


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
    local = LocalNeo4j(TEST_HOME, bolt_port=int(os.environ.get("EXPLORER_TEST_BOLT_PORT", "7697")),
                       heap="1g", pagecache="256m")
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
def graph(session_graph: Graph) -> Graph:
    """The session's database, emptied before the test (schema kept)."""
    wipe(session_graph)
    return session_graph


@pytest.fixture
def config(neo4j_settings: Neo4jSettings, tmp_path: Path) -> Config:
    return Config(neo4j=neo4j_settings, secret_key="test-secret-key-not-for-production",
                  var_dir=tmp_path)


@pytest.fixture
def app(graph: Graph, config: Config):
    app = create_app({"TESTING": True, "EXPLORER_CONFIG": config})
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
