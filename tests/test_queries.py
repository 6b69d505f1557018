"""Every named query parses on the real database, and none looks a key up by scanning."""

from __future__ import annotations

import itertools

import pytest

from explorer import queries
from explorer.errors import QueryFailed
from explorer.graph import Graph

# Operators that read every node of a label (or every node, or relationship) instead
# of using an index: fine for a report over the whole graph, a bug in a lookup by key.
SCANS = ("AllNodesScan", "NodeByLabelScan", "RelationshipTypeScan", "AllRelationshipsScan")

ALL_QUERIES = sorted(queries.load_all())


def _variants() -> list[tuple[str, dict[str, str]]]:
    """Every query with every allow-listed filling of its placeholders."""
    cases = []
    for name in ALL_QUERIES:
        allowed = queries.load_all()[name].variants
        keys = sorted(allowed)
        for values in itertools.product(*(allowed[k] for k in keys)):
            cases.append((name, dict(zip(keys, values, strict=True))))
    return cases


def _operators(plan: dict) -> list[str]:
    found = [plan["operatorType"].split("@")[0]]
    for child in plan.get("children", []):
        found.extend(_operators(child))
    return found


def _plan(graph: Graph, text: str) -> dict:
    def work(tx):
        summary = tx.run("EXPLAIN " + text).consume()
        return summary.plan

    return graph.read_tx(work)


def test_there_are_queries_and_each_has_a_header():
    assert ALL_QUERIES, "cypher/ holds no queries"
    for name in ALL_QUERIES:
        header = queries.load_all()[name].header
        assert header, f"{name}.cypher has no header saying what it returns"


@pytest.mark.parametrize(("name", "vary"), _variants(),
                         ids=lambda v: "-".join(v.values()) if isinstance(v, dict) else v)
def test_query_parses_and_plans_no_undeclared_scan(session_graph: Graph, name: str, vary: dict):
    query = queries.get(name, vary)
    plan = _plan(session_graph, query.text)
    scans = [op for op in _operators(plan) if any(s in op for s in SCANS)]
    if not query.scan_allowed:
        assert not scans, f"{name} plans {scans}; add an index or declare '// scan: why'"


def test_a_scan_in_a_key_lookup_is_caught(session_graph: Graph):
    # The check above must be able to fail: a lookup on an unindexed property scans.
    plan = _plan(session_graph, "MATCH (c:Child {unindexed_property: $x}) RETURN c")
    assert any("NodeByLabelScan" in op for op in _operators(plan))


def test_a_variant_outside_the_allow_list_is_refused():
    with pytest.raises(queries.UnknownQuery, match="allow-list"):
        queries.get("seed_upsert_node", {"LABEL": "Child) DETACH DELETE (x"})
    with pytest.raises(queries.UnknownQuery, match="unfilled"):
        queries.get("seed_upsert_node")


def test_unknown_query_name_fails_loudly():
    with pytest.raises(queries.UnknownQuery, match="no_such_query"):
        queries.get("no_such_query")


def test_a_query_the_server_refuses_becomes_query_failed(session_graph: Graph):
    with pytest.raises(QueryFailed):
        session_graph.run_autocommit("MATCH (n RETURN n")


# The retention rule (explorer.policy, "retention") is applied in Cypher by every query that
# finds children. A query here reads a child without it only for a reason named below; a new
# query that finds children and forgets the rule fails this test.
RETENTION_LINE = ("$retained.archived OR {v}.archived_at IS NULL AND ({v}.date_of_birth IS NULL"
                  " OR {v}.date_of_birth > $retained.born_after"
                  " OR coalesce({v}.care_leaver AND {v}.care_leaver_consent, false)"
                  " AND {v}.date_of_birth > $retained.leaver_born_after)")
NO_RETENTION_RULE = {
    # The parts of one child's view, read by id only after child_in_scope (which applies it).
    "child_by_id": "a test's read-back of a stored record (tests/test_localdb.py)",
    "child_carers": "a part of one child's view, read after child_in_scope",
    "child_conferences": "a part of one child's view, read after child_in_scope",
    "child_contacts": "a part of one looked-up child's view, read after child_lookup_*",
    "child_involvements": "a part of one child's view, read after child_in_scope",
    "child_previous_plans": "a part of one child's view, read after child_in_scope",
    "child_universal_services": "a part of one child's view, read after child_in_scope",
    "analytics_baseline": "a count for the benchmark's baseline, no child returned",
    "audit_children_outside_involvement": "the management team's audit of past views",
}


def test_every_query_that_finds_children_applies_the_retention_rule():
    missing = []
    for name in ALL_QUERIES:
        if name.startswith(("seed_", "retention_")) or name in NO_RETENTION_RULE:
            continue  # loading and retention itself must see every record
        text = queries.load_all()[name].text
        if ":Child" not in text:
            continue
        if "$retained" not in text or not any(RETENTION_LINE.format(v=v) in text
                                              for v in "cspm"):
            missing.append(name)
    assert not missing, f"these queries find children without the retention rule: {missing}"

