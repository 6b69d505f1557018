"""The project's own Neo4j: loopback only, auth on, idempotent start/stop, data kept."""

from __future__ import annotations

import re
import stat

import pytest

from explorer import localdb
from explorer.localdb import LocalNeo4j, initial_password


def test_pom_and_code_pin_the_same_neo4j_version():
    pom = localdb.POM.read_text()
    assert f"<neo4j.version>{localdb.NEO4J_VERSION}</neo4j.version>" in pom


def test_it_runs_the_pinned_community_edition(session_graph):
    rows = session_graph.run_autocommit("CALL dbms.components() YIELD versions, edition RETURN *")
    assert rows[0]["edition"] == "community"
    assert rows[0]["versions"] == [localdb.NEO4J_VERSION]


def test_listens_on_loopback_only_with_auth(local_neo4j: LocalNeo4j):
    conf = (local_neo4j.home / "conf" / "neo4j.conf").read_text()
    listen = re.findall(r"^server\.[a-z.]*listen_address=(.*)$", conf, re.M)
    assert listen and all(addr.startswith("127.0.0.1") for addr in listen)
    assert "dbms.security.auth_enabled=true" in conf
    assert "server.http.enabled=false" in conf


def test_password_is_generated_and_readable_by_the_owner_only(local_neo4j: LocalNeo4j):
    mode = stat.S_IMODE(local_neo4j.password_file.stat().st_mode)
    assert mode == 0o600
    assert len(local_neo4j.password) >= 24


def test_wrong_password_is_refused(local_neo4j: LocalNeo4j):
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    with GraphDatabase.driver(local_neo4j.uri, auth=("neo4j", "wrong-password")) as driver:
        try:
            driver.verify_connectivity()
        except AuthError:
            return
    raise AssertionError("Neo4j accepted a wrong password")


def test_start_on_a_running_database_says_so(local_neo4j: LocalNeo4j):
    pid = local_neo4j.status().pid
    assert local_neo4j.start().startswith("already running")
    assert local_neo4j.status().pid == pid


@pytest.mark.slow
def test_stop_keeps_the_data_and_start_finds_it(graph, local_neo4j: LocalNeo4j):
    graph.run_autocommit("CREATE (:Child {id: 'C-keep', given_name: 'Kept', family_name: 'Safe'})")
    assert local_neo4j.stop().startswith("stopped")
    assert not local_neo4j.status().running
    assert local_neo4j.stop() == "not running"
    local_neo4j.start(quiet=True)
    rows = graph.read("child_by_id", id="C-keep")
    assert [r["family_name"] for r in rows] == ["Safe"]
    assert (local_neo4j.home / "logs" / "neo4j.log").stat().st_size > 0


def test_a_generated_password_never_looks_like_an_option_to_neo4j_admin():
    # token_urlsafe started one in 64 passwords with "-": set-initial-password exited 64.
    drawn = [initial_password() for _ in range(2000)]
    assert not [p for p in drawn if p.startswith("-")]
    assert all(len(p) >= 32 for p in drawn) and len(set(drawn)) == len(drawn)
