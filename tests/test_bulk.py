"""The first load by Neo4j's offline importer (explorer.seed.bulk): the same graph as the
online loader, property for property, and refused, changing nothing, where it would replace
anything (a database that holds a node) or cannot reach the store (not the local database)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from explorer.config import Neo4jSettings
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from explorer.paths import REPO_ROOT
from explorer.seed import read_seed
from explorer.seed.bulk import BulkImportRefused, initial_import
from explorer.seed.generate import generate
from explorer.seed.loader import load
from tests.conftest import TEST_PORT
from tests.test_loader import DEMO, TODAY

BULK_PORT = TEST_PORT + 11


@pytest.fixture(scope="module")
def bulk_db() -> Iterator[tuple[LocalNeo4j, Graph]]:
    home = REPO_ROOT / "var" / f"test-neo4j-bulk-{BULK_PORT}"
    shutil.rmtree(home, ignore_errors=True)
    local = LocalNeo4j(home, bolt_port=BULK_PORT, heap="512m", pagecache="64m")
    local.start(quiet=True)
    graph = Graph(Neo4jSettings(uri=local.uri, username="neo4j", password=None,
                                database="neo4j", local=local))
    yield local, graph
    graph.close()
    local.stop()
    shutil.rmtree(home, ignore_errors=True)


def _everything(graph: Graph) -> tuple[list, list]:
    """Every seed node and relationship with all its properties, in a stable order (not the
    marks for the analysts' saved counts, nor the audit trail: the two loaders write those
    at different moments)."""
    nodes = graph.run_autocommit(
        "MATCH (n) WHERE NOT n:DataChange AND NOT n:AuditEvent AND NOT n:AuditHead "
        "RETURN labels(n) AS labels, properties(n) AS props ORDER BY labels(n)[0], n.id")
    rels = graph.run_autocommit(
        "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS la, a.id AS a, type(r) AS type, "
        "labels(b)[0] AS lb, b.id AS b, properties(r) AS props "
        "ORDER BY la, a, type, lb, b, r.key")
    return nodes, rels


def _empty(graph: Graph) -> None:
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS")


@pytest.mark.parametrize("which", ["demo", "generated"])
def test_the_import_makes_the_graph_the_online_loader_makes(bulk_db, graph: Graph, which,
                                                              tmp_path):
    local, bulk = bulk_db
    if which == "demo":
        path = DEMO
    else:  # every column the generator fills: dates, booleans, former names, care leavers
        path = tmp_path / "generated"
        generate(path, children=300, seed=7, today=TODAY)
    _empty(bulk)
    report = initial_import(bulk, local, read_seed(path, today=TODAY), source="feed",
                            staging=tmp_path / "staging")
    load(graph, read_seed(path, today=TODAY), source="feed", on=TODAY, progress=False)

    imported, online = _everything(bulk), _everything(graph)
    assert imported[0] == online[0], "the nodes differ"
    assert imported[1] == online[1], "the relationships differ"
    # Every row of the seed, and the conferences' and plans' relationships to their child.
    derived = report.relationships.get("ABOUT", 0) + report.relationships.get("HAD_PLAN", 0)
    assert report.rows + derived == len(online[0]) + len(online[1])
    assert not (tmp_path / "staging").exists()  # the importer's files are removed
    # The schema is built on the imported graph: the constraints hold, the indexes serve.
    constraints = {r["name"] for r in bulk.run_autocommit("SHOW CONSTRAINTS YIELD name")}
    assert {"child_id", "adult_id", "household_id"} <= constraints
    states = {r["state"] for r in bulk.run_autocommit("SHOW INDEXES YIELD state")}
    assert states == {"ONLINE"}
    # The analysts' saved counts are marked stale, as after any load.
    assert bulk.run_autocommit("MATCH (m:DataChange) RETURN count(m) AS n")[0]["n"] >= 1


def test_a_database_that_holds_anything_is_refused_and_kept(bulk_db, tmp_path):
    local, bulk = bulk_db
    _empty(bulk)
    bulk.run_autocommit("CREATE (:User {username: 'first-admin'})")  # an account, say
    with pytest.raises(BulkImportRefused, match="not empty"):
        initial_import(bulk, local, read_seed(DEMO, today=TODAY), source="demo",
                       staging=tmp_path / "staging")
    assert bulk.run_autocommit("MATCH (n) RETURN collect(labels(n)[0]) AS l")[0]["l"] == ["User"]
    assert local.status().running


def test_a_database_this_app_does_not_run_is_refused(graph: Graph, tmp_path):
    before = graph.run_autocommit("MATCH (n) RETURN count(n) AS n")[0]["n"]
    with pytest.raises(BulkImportRefused, match="local database"):
        initial_import(graph, None, read_seed(DEMO, today=TODAY), source="demo",
                       staging=tmp_path / "staging")
    assert graph.run_autocommit("MATCH (n) RETURN count(n) AS n")[0]["n"] == before


def test_the_command_line_imports_into_the_empty_local_database_and_refuses_otherwise(
        bulk_db, graph: Graph, neo4j_settings, tmp_path):
    from click.testing import CliRunner

    from explorer import cli
    from tests.test_loader import _cli_env

    local, bulk = bulk_db
    _empty(bulk)
    env = {**_cli_env(neo4j_settings), "EXPLORER_NEO4J_HOME": str(local.home),
           "EXPLORER_NEO4J_BOLT_PORT": str(local.bolt_port), "EXPLORER_VAR_DIR": str(tmp_path)}
    del env["NEO4J_URI"]
    args = ["seed", "load", str(DEMO), "--initial", "--today", TODAY.isoformat()]
    result = CliRunner().invoke(cli.main, args, env=env)
    bulk.replaced()
    assert result.exit_code == 0, result.output
    assert "imported" in result.output and "Child" in result.output
    assert bulk.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"] == 24
    # Recorded like any load, in the new database's audit trail.
    events = bulk.run_autocommit("MATCH (e:AuditEvent {action: 'admin.seed.load'}) RETURN e.params AS p")
    assert len(events) == 1 and '"mode": "initial"' in events[0]["p"]

    again = CliRunner().invoke(cli.main, args, env=env)  # now it holds data and an audit trail
    assert again.exit_code == 1 and "not empty" in again.output
    elsewhere = CliRunner().invoke(cli.main, args, env=_cli_env(neo4j_settings))
    assert elsewhere.exit_code == 1 and "local database" in elsewhere.output
    assert bulk.run_autocommit("MATCH (c:Child) RETURN count(c) AS n")[0]["n"] == 24
