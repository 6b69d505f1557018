"""``explorer users ...``: accounts from the command line. Every change is audited."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup

from explorer import audited
from explorer.accounts import Viewer, totp, users
from explorer.clock import now
from explorer.graph import graph_of

users_cli = AppGroup("users", help="Manage accounts: add, disable, enable, reset-2fa, list, demo.")

DEMO_USERS = (
    # username, roles, practitioner_id, display name
    ("practitioner", ["practitioner"], "P-SW1", "Demo practitioner (social worker P-SW1)"),
    ("chair", ["chair"], None, "Demo conference chair"),
    ("analyst", ["analyst"], None, "Demo analyst"),
    ("management", ["management"], None, "Demo management team"),
    ("admin", ["admin"], None, "Demo admin"),
)


def demo_password(role: str) -> str:
    return f"demo-{role}-password"


def cli_viewer() -> Viewer:
    """Who the audit trail names for a command-line change: the operating-system account."""
    who = getpass.getuser()
    return Viewer(username=f"cli:{who}", roles=frozenset({"admin"}), practitioner_id=None, user_id="cli")


def _audit(action: str, *, flagged: bool = False, **params: object) -> None:
    audited.record(action, params, flagged=flagged, viewer=cli_viewer(), client=audited.CLI_CLIENT)


def _enrolment(enrolment: users.Enrolment) -> None:
    click.echo(f"TOTP secret for {enrolment.username}: {enrolment.totp_secret}")
    click.echo(f"otpauth URI (add it to an authenticator app): {enrolment.otpauth_uri}")


@users_cli.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(users.ROLES),
              help="A role; repeat for several.")
@click.option("--practitioner-id", help="The Practitioner id this account is (practitioner role).")
@click.option("--display-name", default="", help="Name shown on pages.")
@click.option("--family-name", default="", help="The user's own family name (the anomaly report "
                                                 "flags searches for it).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(username: str, roles: tuple[str, ...], practitioner_id: str | None, display_name: str,
              family_name: str, password_stdin: bool) -> None:
    """Create an account and print its TOTP secret once. Writes a User; audited."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        enrolment = users.create_for_someone_else(
            graph_of(current_app), username=username, password=password, roles=list(roles),
            practitioner_id=practitioner_id, display_name=display_name, family_name=family_name)
    except users.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    _audit("admin.user.add", username=enrolment.username, roles=sorted(roles),
           practitioner_id=practitioner_id, flagged=users.grants_child_data(roles))
    click.echo(f"created {enrolment.username} ({', '.join(sorted(roles))}); the password is "
               "temporary: it must be changed at first sign-in")
    _enrolment(enrolment)


def _set_disabled(username: str, disabled: bool) -> None:
    try:
        users.set_disabled(graph_of(current_app), username, disabled)
    except users.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    _audit("admin.user.disable" if disabled else "admin.user.enable", username=username)


@users_cli.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account and end its sessions at once (it can be enabled again)."""
    _set_disabled(username, True)
    click.echo(f"{username} is disabled; its sessions have ended")


@users_cli.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled account."""
    _set_disabled(username, False)
    click.echo(f"{username} is enabled")


@users_cli.command("reset-2fa")
@click.argument("username")
def users_reset_2fa(username: str) -> None:
    """Give an account a new TOTP secret (the old codes stop working; sessions end; unlocks)."""
    try:
        enrolment = users.reset_second_factor(graph_of(current_app), username)
    except users.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    _audit("admin.user.reset_2fa", username=enrolment.username)
    _enrolment(enrolment)


@users_cli.command("list")
def users_list() -> None:
    """List accounts: username, roles, practitioner id, state. Changes nothing."""
    at = now()
    rows = [("username", "roles", "practitioner", "state")]
    for user in users.all_users(graph_of(current_app)):
        state = "disabled" if user.disabled else "locked" if user.locked(at) else "active"
        rows.append((user.username, ",".join(sorted(user.roles)), user.practitioner_id or "-",
                     state + (" (demo)" if user.demo else "")))
    _table(rows)


def _table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _refuse_unless_loopback(command: str) -> None:
    """Demo accounts (published passwords, codes printed on request) belong to a demo on this
    machine: refused against a Neo4j elsewhere, where real data and real users would be."""
    host = urlsplit(current_app.config["EXPLORER_CONFIG"].neo4j.uri).hostname
    if host not in LOOPBACK:
        raise click.ClickException(
            f"`explorer {command}` works only with a Neo4j on this machine (NEO4J_URI is on "
            f"{host}): demo accounts have published passwords and must never reach a server "
            "holding real data.")


@users_cli.command("demo")
def users_demo() -> None:
    """Create one demo account per role (idempotent) and say how to sign in as each.

    Demo accounts have fixed, published passwords: for a demo on synthetic data only, so they
    are made only in a Neo4j on this machine.
    """
    _refuse_unless_loopback("users demo")
    graph = graph_of(current_app)
    rows = [("username", "password", "TOTP secret", "current code")]
    for username, roles, practitioner_id, display in DEMO_USERS:
        row = users.find_row(graph, username)
        if row is None:
            users.create(graph, username=username, password=demo_password(username), roles=roles,
                         practitioner_id=practitioner_id, display_name=display, demo=True)
            _audit("admin.user.add", username=username, roles=roles, demo=True,
                   flagged=users.grants_child_data(roles))
            row = users.find_row(graph, username)
        elif not row.get("demo"):
            click.echo(f"{username}: a real account has this name; left alone", err=True)
            continue
        assert row is not None
        rows.append((username, demo_password(username), row["totp_secret"],
                     totp.code_at(row["totp_secret"], now())))
    _table(rows)
    click.echo("\nSign in at /login with the username and password, then the code from an "
               "authenticator app holding the secret, or from `explorer users totp USERNAME`.")


@users_cli.command("totp")
@click.argument("username")
def users_totp(username: str) -> None:
    """Print the current code of a DEMO account (refused for any other account)."""
    _refuse_unless_loopback("users totp")
    row = users.find_row(graph_of(current_app), username)
    if row is None or not row.get("demo"):
        raise click.ClickException("codes are printed for demo accounts only")
    click.echo(totp.code_at(row["totp_secret"], now()))
