"""The ``explorer`` console script, grouped by what an admin does.

``explorer serve`` serves the app under gunicorn (production); ``explorer run`` is Flask's
development server; ``explorer db ...``
manages the local Neo4j and the schema; ``explorer seed ...`` validates, loads
and generates seed graphs; ``explorer analytics count`` counts the analysts' dashboard ahead.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import click
from flask.cli import FlaskGroup

from explorer import audited, clock, create_app, schema
from explorer.accounts.cli import cli_viewer, users_cli
from explorer.analytics_cli import analytics_cli
from explorer.audit_cli import audit_cli
from explorer.config import Config
from explorer.errors import DatabaseUnavailable
from explorer.graph import Graph
from explorer.localdb import NEO4J_VERSION, LocalDatabaseError, LocalNeo4j, fetch
from explorer.retention_cli import retention_cli
from explorer.seed.loader import MODES
from explorer.serve import DEFAULT_THREADS, DEFAULT_WORKERS


def _local(config: Config) -> LocalNeo4j:
    if config.neo4j.local is None:
        raise click.ClickException(
            f"NEO4J_URI is set ({config.neo4j.uri}): the app uses that server and runs no Neo4j "
            "of its own. Unset NEO4J_URI to manage the local one."
        )
    return config.neo4j.local


class ExplorerGroup(FlaskGroup):
    """Flask's command group, where any command that finds the database gone says so in one
    line and exits 1, instead of ending in the driver's traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DatabaseUnavailable as exc:
            raise click.ClickException(
                f"the database is not available ({exc}). Start the local one with "
                "`explorer db start`, or check NEO4J_URI; nothing was changed."
            ) from exc


@click.group(cls=ExplorerGroup, create_app=create_app, add_version_option=False,
             help="Involvement Explorer: who is involved with which child.")
def main() -> None:
    pass


main.add_command(users_cli)
main.add_command(audit_cli)
main.add_command(retention_cli)
main.add_command(analytics_cli)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="EXPLORER_HOST",
              help="Address to listen on (EXPLORER_HOST); behind a reverse proxy, keep loopback.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True,
              envvar="EXPLORER_PORT", help="Port (EXPLORER_PORT).")
@click.option("--workers", type=click.IntRange(1, 64), default=DEFAULT_WORKERS, show_default=True,
              envvar="EXPLORER_WORKERS", help="Worker processes (EXPLORER_WORKERS): about one per core.")
@click.option("--threads", type=click.IntRange(1, 256), default=DEFAULT_THREADS, show_default=True,
              envvar="EXPLORER_THREADS", help="Threads per worker (EXPLORER_THREADS).")
@click.option("--timeout", type=click.IntRange(5, 3600), default=30, show_default=True,
              help="Restart a worker whose request has run this many seconds.")
@click.option("--access-log", is_flag=True, help="Log each request (method, path, status) to stdout.")
def serve_command(host: str, port: int, workers: int, threads: int, timeout: int,
                  access_log: bool) -> None:
    """Serve the app with gunicorn, the production server (`explorer run` is for development).

    Each worker process opens its own connections to Neo4j. See the README for running it
    behind a reverse proxy (EXPLORER_PROXY_HOPS).
    """
    from explorer.serve import ServeOptions, serve

    serve(ServeOptions(host=host, port=port, workers=workers, threads=threads, timeout=timeout,
                       access_log=access_log))


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


@main.group()
def seed() -> None:
    """Validate, load and generate seed graphs (format: docs/seed-format.md)."""


def _read(path: str, graph: Graph | None, today: date):
    from explorer.seed import SeedInvalid, read_seed
    from explorer.seed.loader import known_ids

    try:
        known = known_ids(graph, today) if graph is not None else None
        return read_seed(path, today=today, known_ids=known)
    except SeedInvalid as exc:
        click.echo(exc.report(), err=True)
        click.echo("Nothing was written.", err=True)
        sys.exit(2)


@seed.command("validate")
@click.argument("path", type=click.Path(exists=True))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge ages as of this date.")
def seed_validate(path: str, today) -> None:
    """Check a seed (a folder of CSV files or one .jsonl file) without a database.

    Every problem is listed with file, line and column; exit status 2 if any.
    References to nodes already in the database are not checked here: use
    `explorer seed load --dry-run` for that.
    """
    result = _read(path, None, today.date() if today else clock.today())
    click.echo("valid: " + ", ".join(f"{n} {k}" for k, n in result.summary().items() if n))


@seed.command("load")
@click.argument("path", type=click.Path(exists=True))
@click.option("--mode", type=click.Choice(MODES), default="incremental", show_default=True,
              help="incremental: create and update only; snapshot: also end the dated "
                   "relationships this source loaded before and no longer holds.")
@click.option("--source", help="Name of the feed (default: the seed's folder or file name).")
@click.option("--dry-run", is_flag=True,
              help="Validate and say what a load would create, update, end and leave unchanged; "
                   "write nothing.")
@click.option("--batch-size", type=click.IntRange(100, 100_000), default=10_000, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="The load date (ages, and the end date a snapshot sets).")
@click.option("--initial", is_flag=True,
              help="A first load into the empty local database by Neo4j's offline importer "
                   "(minutes, not an hour, for millions of children): Neo4j is stopped while "
                   "it runs. Refused unless the database holds nothing at all, not even an "
                   "account, and is the local one this app runs.")
def seed_load(path: str, mode: str, source: str | None, dry_run: bool, batch_size: int,
              today, initial: bool) -> None:
    """Validate a seed, then load it into Neo4j (schema first, then batches).

    Nothing is written if any problem is found. Loading the same seed twice
    changes nothing; a load that was interrupted completes when run again.
    A child's shield is never removed by a load.
    """
    from explorer.seed.bulk import BulkImportRefused, initial_import, refuse_unless_empty
    from explorer.seed.loader import load
    from explorer.seed.model import SeedChanged

    if initial and dry_run:
        raise click.UsageError("--initial writes a new database: it has no --dry-run")
    config = Config.from_environment()
    on = today.date() if today else clock.today()
    graph = Graph(replace(config.neo4j, max_retry_time=30.0))
    try:
        if initial:  # refused before the seed is read: nothing to validate for
            if config.neo4j.local is None:
                raise click.ClickException(
                    "--initial needs the local database this app runs (NEO4J_URI points "
                    "elsewhere): load without --initial")
            refuse_unless_empty(graph)
        result = _read(path, graph, on)
        if initial:
            imported = initial_import(graph, config.neo4j.local, result,
                                      source=source or Path(path).resolve().stem,
                                      staging=config.var_dir / "import-staging")
            audited.record("admin.seed.load",
                           {"path": Path(path).name, "source": source or Path(path).resolve().stem,
                            "mode": "initial", "rows": imported.rows, "created": imported.rows,
                            "updated": 0, "chairs": result.chairs()[:50]},
                           viewer=cli_viewer(), client=audited.CLI_CLIENT, graph=graph)
            click.echo(f"imported {imported.rows:,} rows in {imported.seconds:.1f} s (files "
                       f"{imported.write_seconds:.1f} s, import {imported.import_seconds:.1f} s, "
                       f"schema {imported.schema_seconds:.1f} s)")
            for name, n in {**imported.nodes, **imported.relationships}.items():
                click.echo(f"  {name:<16} {n:>12,}")
            return
        report = load(graph, result, source=source or Path(path).resolve().stem, mode=mode,
                      on=on, batch_size=batch_size, dry_run=dry_run)
        if not dry_run:  # a load from the command line is recorded like one from the page
            audited.record("admin.seed.load",
                           {"path": Path(path).name, "source": source or Path(path).resolve().stem,
                            "mode": mode, "rows": report.rows, "created": report.total("created"),
                            "updated": report.total("updated"), "chairs": result.chairs()[:50]},
                           viewer=cli_viewer(), client=audited.CLI_CLIENT, graph=graph)
    except DatabaseUnavailable as exc:
        raise click.ClickException(f"{exc}; nothing further was written") from exc
    except (SeedChanged, BulkImportRefused) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        graph.close()
    click.echo(report.table())


@seed.command("generate")
@click.option("--children", type=click.IntRange(1, 15_000_000), required=True)
@click.option("--seed", "seed_value", type=int, default=1, show_default=True,
              help="The random seed: the same seed and --today give byte-identical files.")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder to write.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="Reference date for ages, plans and involvements (default: today's date, "
                   "so the seed loads today). Give it to make the same files again later.")
def seed_generate(children: int, seed_value: int, out: str, today) -> None:
    """Write a synthetic population in the seed format (synthetic data only).

    The same --seed and --today always give the same bytes. The population is
    as of --today: loaded later, its oldest children may have turned 18, which
    validation refuses, so load it with `explorer seed load --today` the same date
    (or generate again).
    """
    from explorer.seed.generate import generate

    on = today.date() if today else clock.today()
    counts = generate(out, children=children, seed=seed_value, today=on, progress=True)
    click.echo(", ".join(f"{n} {k}" for k, n in counts.items()))
    click.echo(f"as of {on.isoformat()} (reproduce with --seed {seed_value} --today {on.isoformat()})")


if __name__ == "__main__":
    main()
