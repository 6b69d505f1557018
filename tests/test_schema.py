"""The schema is applied idempotently and every node key is unique."""

from __future__ import annotations

import pytest

from explorer import schema
from explorer.errors import QueryFailed
from explorer.graph import Graph

KEYED_LABELS = ["Child", "Adult", "Household", "Practitioner", "Service", "Conference", "Plan"]


def _constraints(graph: Graph) -> set[tuple[str, str]]:
    rows = graph.run_autocommit(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type "
        "WHERE type ENDS WITH 'UNIQUENESS' RETURN labelsOrTypes, properties"
    )
    return {(row["labelsOrTypes"][0], row["properties"][0]) for row in rows}


def test_every_node_key_has_a_uniqueness_constraint(graph: Graph):
    constraints = _constraints(graph)
    for label in KEYED_LABELS:
        assert (label, "id") in constraints
    assert ("INVOLVED_WITH", "id") in constraints


def test_applying_twice_changes_nothing(graph: Graph):
    before = graph.run_autocommit("SHOW INDEXES YIELD name RETURN collect(name) AS names")[0]["names"]
    schema.apply(graph)
    after = graph.run_autocommit("SHOW INDEXES YIELD name RETURN collect(name) AS names")[0]["names"]
    assert sorted(before) == sorted(after)


@pytest.mark.parametrize("label", KEYED_LABELS)
def test_duplicate_ids_are_refused(graph: Graph, label: str):
    graph.run_autocommit(f"CREATE (:{label} {{id: 'dup-1'}})")
    with pytest.raises(QueryFailed, match="already exists"):
        graph.run_autocommit(f"CREATE (:{label} {{id: 'dup-1'}})")
