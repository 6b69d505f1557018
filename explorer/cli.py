"""The ``explorer`` console script, grouped by what an admin does.

``explorer run`` serves the app (Flask's own command); ``explorer db ...``
manages the local Neo4j and the schema; ``explorer seed ...`` validates, loads
and generates seed graphs.
"""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from explorer import create_app, schema
from explorer.config import Config
from explorer.graph import DatabaseUnavailable, Graph
from explorer.localdb import NEO4J_VERSION, LocalDatabaseError, LocalNeo4j, fetch


def _local(config: Config) -> LocalNeo4j:
    if config.neo4j.local is None:
        raise click.ClickException(
            f"NEO4J_URI is set ({config.neo4j.uri}): the app uses that server and runs no Neo4j "
            "of its own. Unset NEO4J_URI to manage the local one."
        )
    return config.neo4j.local


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False,
             help="Involvement Explorer: who is involved with which child.")
def main() -> None:
    pass


@main.group()
def db() -> None:
    """Manage the local Neo4j (fetch, start, stop, status) and the schema."""


@db.command("fetch")
def db_fetch() -> None:
    """Download Neo4j's jars from Maven Central into var/ (once; later calls do nothing)."""
    try:
        lib = fetch()
    except LocalDatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Neo4j {NEO4J_VERSION} is in {lib}")


@db.command("start")
@click.option("--no-schema", is_flag=True, help="Do not apply the schema after starting.")
def db_start(no_schema: bool) -> None:
    """Start the local Neo4j on 127.0.0.1 (fetching it first if needed) and apply the schema.

    Starting a database that is already running says so and changes nothing.
    The data stays in EXPLORER_NEO4J_HOME (default var/neo4j) across restarts.
    """
    config = Config.from_environment()
    local = _local(config)
    try:
        click.echo(local.start())
    except LocalDatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    if not no_schema:
        _apply_schema(config)


@db.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j. The data is kept; `explorer db start` finds it again."""
    try:
        click.echo(_local(Config.from_environment()).stop())
    except LocalDatabaseError as exc:
        raise click.ClickException(str(exc)) from exc


@db.command("status")
def db_status() -> None:
    """Say whether the database answers; exit 1 if it does not."""
    config = Config.from_environment()
    if config.neo4j.local is not None:
        click.echo(config.neo4j.local.status().describe())
    graph = Graph(config.neo4j)
    try:
        graph.ping(timeout=5)
        click.echo(f"{config.neo4j.uri} answers (database {config.neo4j.database!r})")
    except DatabaseUnavailable as exc:
        click.echo(f"{config.neo4j.uri} does not answer: {exc}")
        sys.exit(1)
    finally:
        graph.close()


@db.command("schema")
def db_schema() -> None:
    """Create the constraints and indexes in cypher/schema/ that are missing (idempotent)."""
    _apply_schema(Config.from_environment())


def _apply_schema(config: Config) -> None:
    graph = Graph(config.neo4j)
    try:
        names = schema.apply(graph)
    except DatabaseUnavailable as exc:
        raise click.ClickException(f"cannot apply the schema: {exc}") from exc
    finally:
        graph.close()
    click.echo(f"schema: {len(names)} constraints and indexes in place")
