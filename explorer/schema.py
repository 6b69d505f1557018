"""Applies the schema in ``cypher/schema/`` (constraints and indexes), idempotently.

Every statement there uses ``IF NOT EXISTS``, so applying twice changes nothing.
"""

from __future__ import annotations

from explorer import queries
from explorer.graph import Graph


def apply(graph: Graph, *, wait_seconds: int = 300) -> list[str]:
    """Create missing constraints and indexes, wait until they are online; return their names."""
    applied = []
    for statement in queries.schema_statements():
        graph.run_autocommit(statement.text)
        applied.append(statement.name)
    graph.run_autocommit(f"CALL db.awaitIndexes({int(wait_seconds)})")
    return applied
