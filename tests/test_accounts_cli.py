"""`explorer users ...` and `explorer audit verify` on the real database, as an admin types them."""

from __future__ import annotations

import re
from dataclasses import replace

import pyotp
import pytest

from explorer import audit, create_app
from explorer.accounts import users
from explorer.cli import main
from tests.conftest import settings_with


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input)

    return invoke


def test_users_add_reads_the_password_from_stdin_and_prints_a_working_secret(run, graph, app):
    result = run("users", "add", "dora", "--role", "chair", "--role", "analyst", "--family-name", "Marsh",
                 "--display-name", "Dora M", "--password-stdin", input="a long enough secret 42\n")
    assert result.exit_code == 0, result.output
    secret = re.search(r"TOTP secret for dora: ([A-Z2-7]+)", result.output).group(1)
    assert "otpauth://totp/" in result.output
    with app.app_context():
        user = users.find(graph, "dora")
    assert user.roles == {"chair", "analyst"} and user.display_name == "Dora M"
    stored = graph.read("user_by_username", username="dora")[0]["user"]
    assert stored["totp_secret"] == secret
    assert "a long enough secret 42" not in str(stored)
    assert pyotp.TOTP(secret).now().isdigit()
    # The change is on the audit trail, without the password.
    events = audit.search(graph, action="admin.user.add")
    assert [e["username"].startswith("cli:") for e in events] == [True]
    assert "a long enough secret" not in events[0]["params"]


@pytest.mark.parametrize("password", ["short", "password1234", "aaaaaaaaaaaaaaaa", "dora-is-my-password"])
def test_users_add_refuses_weak_passwords(run, graph, password):
    result = run("users", "add", "dora", "--role", "analyst", "--family-name", "Marsh",
                 "--password-stdin", input=password + "\n")
    assert result.exit_code != 0 and "password" in result.output.lower()
    assert graph.read("user_by_username", username="dora") == []


def test_a_practitioner_account_must_name_its_practitioner(run, graph):
    result = run("users", "add", "pat", "--role", "practitioner", "--family-name", "Okafor",
                 "--password-stdin", input="a long enough secret 42\n")
    assert result.exit_code != 0 and "practitioner-id" in result.output


def test_disable_enable_reset_and_list(run, graph, make_user, app):
    make_user("erin", ["analyst"])
    assert run("users", "disable", "erin").exit_code == 0
    assert "disabled" in run("users", "list").output.split("erin", 1)[1].splitlines()[0]
    assert run("users", "enable", "erin").exit_code == 0
    assert "active" in run("users", "list").output.split("erin", 1)[1].splitlines()[0]
    old = graph.read("user_by_username", username="erin")[0]["user"]["totp_secret"]
    reset = run("users", "reset-2fa", "erin")
    assert reset.exit_code == 0
    new = graph.read("user_by_username", username="erin")[0]["user"]["totp_secret"]
    assert new != old and new in reset.output
    assert run("users", "disable", "nobody").exit_code != 0
    actions = [e["action"] for e in audit.search(graph, action="admin.user.")]
    assert actions == ["admin.user.reset_2fa", "admin.user.enable", "admin.user.disable"]


def test_demo_creates_one_account_per_role_idempotently_and_they_can_sign_in(run, graph, app):
    first = run("users", "demo")
    assert first.exit_code == 0, first.output
    second = run("users", "demo")
    assert second.exit_code == 0
    # The same accounts and secrets both times.
    def first_row(output: str) -> list[str]:
        return output.split("current code")[1].split()[:3]

    assert first_row(first.output) == first_row(second.output)
    listed = run("users", "list").output
    for role in users.ROLES:
        assert re.search(rf"^{role}\s+{role}\s", listed, re.MULTILINE), listed
    assert "P-SW1" in listed
    # The printed details sign in.
    row = re.search(r"^management\s+(\S+)\s+(\S+)\s+(\d{6})", first.output, re.MULTILINE)
    password, code = row.group(1), run("users", "totp", "management").output.strip()
    client = app.test_client()
    assert client.post("/login", data={"username": "management", "password": password}).status_code == 302
    assert client.post("/login/code", data={"code": code}).status_code == 302
    assert client.get("/account").status_code == 200


def test_totp_command_refuses_real_accounts(run, make_user):
    make_user("frank", ["admin"])
    result = run("users", "totp", "frank")
    assert result.exit_code != 0 and "demo accounts only" in result.output


@pytest.mark.parametrize("args", [("users", "totp", "admin"), ("users", "disable", "dora"),
                                  ("audit", "verify")])
def test_a_command_with_the_database_gone_says_so_in_one_line(config, neo4j_settings, args):
    # A server address where nothing listens: the same code path as a stopped Neo4j.
    dead = settings_with(neo4j_settings, uri="neo4j://127.0.0.1:1", password="x")
    app = create_app({"TESTING": True, "EXPLORER_CONFIG": replace(config, neo4j=dead)})
    result = app.test_cli_runner().invoke(main, list(args))
    assert result.exit_code == 1
    assert "the database is not available" in result.output and "explorer db start" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_demo_accounts_are_refused_against_a_neo4j_on_another_machine(config, graph):
    elsewhere = replace(config, neo4j=settings_with(config.neo4j, uri="neo4j://db.example.org:7687"))
    app = create_app({"TESTING": True, "EXPLORER_CONFIG": elsewhere})
    runner = app.test_cli_runner()
    for command in (["users", "demo"], ["users", "totp", "chair"]):
        result = runner.invoke(main, command)
        assert result.exit_code != 0 and "only with a Neo4j on this machine" in result.output
    assert graph.read("user_by_username", username="chair") == []  # nothing was made
