"""``explorer analytics count``: count the analysts' dashboard ahead of its viewers (a nightly
cron just after midnight, when the date changes; see docs/analytics.md)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from explorer import audited, clock, policy
from explorer.accounts.cli import cli_viewer
from explorer.analytics import saved
from explorer.graph import graph_of

analytics_cli = AppGroup("analytics", help="The analysts' reports: count the dashboard ahead.")


@analytics_cli.command("count")
@click.option("--on", "on_", type=click.DateTime(["%Y-%m-%d"]),
              help="The report date (default: today). Another date moves to the last day of the "
                   "month before it, as the dashboard moves it; a date after today is refused.")
@click.option("--data-changed", is_flag=True,
              help="First mark the children's data as changed, so that no count saved before "
                   "is served: after writing it other than by `explorer seed load` or "
                   "`explorer retention run` (LOAD CSV, a fix by hand).")
def analytics_count(on_, data_changed: bool) -> None:
    """Count every gap of the analysts' dashboard as of the date and save the counts in the
    database, for every app server to serve until the data or the date changes; delete saved
    counts that no request can be served any more. Audited with its counts of gaps only."""
    today = clock.today()
    try:
        on = policy.analyst_report_date(on_.date() if on_ else None, today)
    except ValueError:
        raise click.ClickException(policy.REPORT_DATE_AFTER_TODAY) from None
    graph = graph_of(current_app)
    if data_changed:
        graph.write_tx(lambda tx: saved.mark_changed(tx, "cli"))
    done = saved.count_ahead(graph, on)
    audited.record("analytics.count", {"on": on.isoformat(), "gaps": done.gaps,
                                       "version": done.version, "data_changed": data_changed,
                                       "seconds": round(done.seconds, 1), "pruned": done.pruned},
                   viewer=cli_viewer(), client=audited.CLI_CLIENT, graph=graph)
    moved = f" (moved from {on_.date().isoformat()})" if on_ and on_.date() != on else ""
    click.echo(f"Counted {done.gaps} gaps as of {on.isoformat()}{moved} in {done.seconds:.1f}s "
               f"(data version {done.version}) and saved them for every app server; "
               f"{done.pruned} saved counts no longer needed were deleted.")
