"""``explorer audit ...``: check the audit trail from the command line."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from explorer import audit
from explorer.graph import graph_of

audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; name the first edited, inserted or deleted event. Exit 1 if broken.

    Changes nothing. Keep the printed head hash elsewhere: a later run that
    prints the same hash at that seq proves nothing before it was rewritten.
    """
    result = audit.verify(graph_of(current_app))
    if result.problem is not None:
        click.echo(f"BROKEN after checking {result.events} event(s): {result.problem}")
        sys.exit(1)
    click.echo(f"intact: {result.events} event(s); head seq {result.head_seq} hash {result.head_hash or '-'}")
