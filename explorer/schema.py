"""Applies the schema in ``cypher/schema/`` (constraints and indexes), idempotently.

Every statement there uses ``IF NOT EXISTS``, so applying twice changes nothing.
A bulk load into empty labels may drop the plain (non-constraint) indexes on
them first and apply the schema again afterwards, as ``neo4j-admin import``
builds its indexes at the end: populating an index once is much cheaper than
maintaining it on every commit.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from explorer import queries
from explorer.graph import Graph

# A plain index of cypher/schema (range or full-text): its name and the node label or
# relationship type it is on. Constraints (CREATE CONSTRAINT) never match: loads rely on them.
_PLAIN_INDEX = re.compile(
    r"CREATE (?:FULLTEXT )?INDEX (?P<name>[A-Za-z_][A-Za-z0-9_]*) IF NOT EXISTS "
    r"FOR (?:\(\w*:(?P<label>\w+)\)|\(\)-\[\w*:(?P<type>\w+)\]-\(\))")


_SCHEMA_NAME = re.compile(r"CREATE (?:CONSTRAINT|INDEX) (?P<name>[A-Za-z_][A-Za-z0-9_]*) IF NOT EXISTS")


def _in_place(graph: Graph) -> bool:
    """Whether every constraint and index of cypher/schema exists and is online: two
    statements, where applying the schema again (as every load does) sends 31 and waits, each
    planned by a cold JVM on a server just started (seconds of a first load)."""
    wanted = {m["name"] for st in queries.schema_statements() if (m := _SCHEMA_NAME.search(st.text))}
    indexes = graph.run_autocommit("SHOW INDEXES YIELD name, state RETURN name, state")
    constraints = graph.run_autocommit("SHOW CONSTRAINTS YIELD name RETURN name")
    online = {row["name"] for row in indexes if row["state"] == "ONLINE"}
    return bool(wanted) and wanted <= online | {row["name"] for row in constraints} \
        and all(row["state"] == "ONLINE" for row in indexes if row["name"] in wanted)


def apply(graph: Graph, *, wait_seconds: int = 300, wait: bool = True) -> list[str]:
    """Create missing constraints and indexes, wait until they are online; return their names.

    With ``wait=False``, return as soon as they are created (Neo4j populates them
    in the background). When all are in place and online already, nothing is sent.
    """
    if _in_place(graph):
        return [statement.name for statement in queries.schema_statements()]
    applied = []
    for statement in queries.schema_statements():
        graph.run_autocommit(statement.text)
        applied.append(statement.name)
    if wait:
        graph.run_autocommit(f"CALL db.awaitIndexes({int(wait_seconds)})")
    return applied


def plain_indexes() -> dict[str, str]:
    """The schema's indexes that back no constraint: name -> label or relationship type."""
    found = {}
    for statement in queries.schema_statements():
        match = _PLAIN_INDEX.search(statement.text)
        if match:
            found[match["name"]] = match["label"] or match["type"]
    return found


def drop_plain_indexes(graph: Graph, on: Collection[str]) -> list[str]:
    """Drop the schema's plain indexes on these labels and types; return their names.

    `apply` creates them again. Only names from cypher/schema are ever dropped.
    """
    dropped = []
    for name, label in plain_indexes().items():
        if label in on:
            graph.run_autocommit(f"DROP INDEX {name} IF EXISTS")
            dropped.append(name)
    return dropped
