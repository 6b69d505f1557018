"""``explorer retention run``: record archived records and purge those whose archive period ended."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

from explorer import audited, clock, policy, retention
from explorer.accounts.cli import cli_viewer
from explorer.graph import graph_of

retention_cli = AppGroup("retention", help="Archive records at 18 (25 for consenting care "
                                           "leavers) and purge them when the archive period ends.")


def _archive_years() -> int:
    raw = os.environ.get("EXPLORER_ARCHIVE_YEARS", str(policy.ARCHIVE_YEARS))
    try:
        years = int(raw)
    except ValueError:
        raise click.ClickException(f"EXPLORER_ARCHIVE_YEARS must be a whole number of years, "
                                   f"got {raw!r}") from None
    if years < 1:
        raise click.ClickException("EXPLORER_ARCHIVE_YEARS must be at least 1")
    return years


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True,
              help="Count what a run would archive and purge (in a transaction rolled back); "
                   "change nothing.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="The date the rule is applied at (default: today).")
@click.option("--archive-years", type=click.IntRange(1, 100), default=None,
              help=f"Years an archived record is kept before it is purged (default: "
                   f"EXPLORER_ARCHIVE_YEARS, else {policy.ARCHIVE_YEARS}).")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=retention.BATCH,
              show_default=True, help="Children per transaction.")
def retention_run(dry_run: bool, today, archive_years: int | None, batch_size: int) -> None:
    """Mark every record the rule archives (at 18, or 25 for a care leaver who consented) with
    when and why, then purge every record archived longer ago than the archive period: the
    child, their involvements, plans and conferences, and any adult or household left with no
    child; a tombstone (hashed id) stops a feed bringing a purged child back.

    Reads already hide archived records from the day they are due, so this run only records
    and purges. Idempotent; a stopped run (even kill -9) is finished by the next. The run is
    audited with its counts only; the audit trail itself is never changed.
    """
    on = today.date() if today else clock.today()
    years = archive_years or _archive_years()
    graph = graph_of(current_app)

    def progress(step: str, count: int) -> None:
        click.echo(f"{step}: {count}", err=True)

    report = retention.run(graph, today=on, now=clock.now(), archive_years=years,
                           dry_run=dry_run, batch=batch_size, progress=progress)
    audited.record("retention.dry_run" if dry_run else "retention.run", report.as_params(),
                   viewer=cli_viewer(), client=audited.CLI_CLIENT, graph=graph)
    click.echo(report.table())
