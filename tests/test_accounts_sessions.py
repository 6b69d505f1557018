"""Sessions live on the server: rotated at each login step, timed out there, and ended
there by logout or by disabling the account, so an old cookie replayed gets nowhere."""

from __future__ import annotations

import re

import pytest

from explorer import audit
from explorer.accounts import users
from tests.conftest import totp_code_for


def _cookie(client, app) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_the_session_cookie_changes_at_each_login_step(app, client, make_user, login_as):
    _, password, _ = make_user("alice", ["analyst"])
    client.get("/login")
    before = _cookie(client, app)
    client.post("/login", data={"username": "alice", "password": password})
    between = _cookie(client, app)
    assert between and between != before
    login_as(client, "alice")
    after = _cookie(client, app)
    assert after and after not in (before, between)


def test_a_cookie_planted_before_login_is_worthless_after_it(app, make_user, login_as):
    make_user("alice", ["analyst"])
    victim = app.test_client()
    victim.post("/login", data={"username": "alice", "password": "wrong password here"})
    planted = _cookie(victim, app)
    login_as(victim, "alice")
    attacker = app.test_client()
    if planted:
        attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], planted)
    assert not _signed_in(attacker)


def test_idle_for_thirty_minutes_ends_the_session(app, client, make_user, login_as, clock):
    make_user("alice", ["analyst"])
    login_as(client, "alice")
    clock.advance(minutes=29)
    assert _signed_in(client)  # activity resets the idle clock
    clock.advance(minutes=29)
    assert _signed_in(client)
    clock.advance(minutes=31)
    assert not _signed_in(client)


def test_activity_moves_last_seen_at_most_once_a_minute(app, graph, client, make_user, login_as,
                                                       clock):
    """Most requests only read the session (a write per request would cost every page a
    transaction commit); the idle clock still restarts within a minute of activity."""
    make_user("alice", ["analyst"])
    login_as(client, "alice")

    def last_seen():
        return graph.run_autocommit("MATCH (s:Session) RETURN s.last_seen AS t")[0]["t"]

    signed_in_at = last_seen()
    clock.advance(seconds=30)
    assert _signed_in(client)
    assert last_seen() == signed_in_at
    clock.advance(seconds=31)
    assert _signed_in(client)
    assert last_seen() > signed_in_at
    # Idle 30 minutes from that touch: over, even though a request came 30 s after it.
    touched = last_seen()
    clock.advance(seconds=30)
    assert _signed_in(client) and last_seen() == touched
    clock.advance(minutes=30, seconds=-29)
    assert not _signed_in(client)


def test_twelve_hours_ends_even_a_busy_session(app, client, make_user, login_as, clock):
    make_user("alice", ["analyst"])
    login_as(client, "alice")
    for _ in range(11 * 4 + 3):  # active every 15 minutes for 11h45m
        clock.advance(minutes=15)
        assert _signed_in(client)
    clock.advance(minutes=16)
    assert not _signed_in(client)


def test_the_code_step_expires_after_five_minutes(app, client, make_user, clock):
    import pyotp

    _, password, secret = make_user("alice", ["analyst"])
    client.post("/login", data={"username": "alice", "password": password})
    clock.advance(minutes=6)
    reply = client.post("/login/code", data={"code": pyotp.TOTP(secret).at(clock.at)})
    assert reply.status_code == 302 and reply.location.endswith("/login")
    assert not _signed_in(client)


def test_logout_ends_the_session_on_the_server(app, client, make_user, login_as):
    make_user("alice", ["analyst"])
    login_as(client, "alice")
    stolen = _cookie(client, app)
    assert client.post("/logout").status_code == 302
    assert not _signed_in(client)
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    assert not _signed_in(replay)


def test_disabling_an_account_ends_its_live_session(app, graph, client, make_user, login_as):
    make_user("alice", ["analyst"])
    login_as(client, "alice")
    assert _signed_in(client)
    with app.app_context():
        users.set_disabled(graph, "alice", True)
    assert not _signed_in(client)
    assert graph.read("session_with_user", id_hash="x") == []
    # Enabling again does not bring the old session back.
    with app.app_context():
        users.set_disabled(graph, "alice", False)
    assert not _signed_in(client)


def test_a_disabled_account_cannot_sign_in(app, graph, client, make_user):
    _, password, _ = make_user("alice", ["analyst"])
    with app.app_context():
        users.set_disabled(graph, "alice", True)
    reply = client.post("/login", data={"username": "alice", "password": password})
    assert reply.status_code == 200 and "Sign-in failed" in reply.get_data(as_text=True)


def test_the_database_holds_only_a_hash_of_the_token(app, graph, client, make_user, login_as):
    make_user("alice", ["analyst"])
    login_as(client, "alice")
    stored = graph.run_autocommit("MATCH (s:Session) RETURN s {.*} AS s")
    assert len(stored) == 1 and len(stored[0]["s"]["id_hash"]) == 64
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    token = serializer.loads(_cookie(client, app))["t"]
    assert token not in str(stored) and set(serializer.loads(_cookie(client, app))) == {"t"}


def test_the_check_on_every_request_never_reads_the_users_secrets(app, graph, client,
                                                                  make_user, login_as):
    """The session check runs on every signed-in request: it reads who the user is, never
    their password hash or TOTP secret (they are read only to check a password or a code)."""
    make_user("alice", ["analyst"])
    login_as(client, "alice")
    stored = graph.run_autocommit("MATCH (s:Session) RETURN s.id_hash AS h")[0]["h"]
    rows = graph.read("session_with_user", id_hash=stored)
    user = rows[0]["user"]
    assert user["username"] == "alice" and user["roles"] == ["analyst"]
    assert not {"password_hash", "totp_secret", "totp_last_step"} & set(user)
    secret = graph.run_autocommit("MATCH (u:User {username: 'alice'}) RETURN u.totp_secret AS s"
                                  )[0]["s"]
    assert secret and secret not in str(rows)
    assert _signed_in(client)


@pytest.mark.parametrize("path", ["/", "/admin/users", "/audit", "/audit/anomalies", "/admin/seed"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    reply = client.get(path)
    assert reply.status_code == 302 and "/login" in reply.location


@pytest.mark.parametrize("path", ["/login", "/health"])
def test_the_login_page_and_health_check_are_public(client, path):
    assert client.get(path).status_code == 200


USED_CODES: set = set()  # codes go up per secret across a test's sign-ins


def _sign_in(app, client, username, password, secret):
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    reply = client.post("/login/code", data={"code": totp_code_for(app, secret, USED_CODES)})
    assert reply.status_code == 302
    return reply


def test_an_admin_chosen_password_must_be_replaced_before_anything_opens(app, graph, client,
                                                                        make_user, login_as):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    temporary = "a temporary passphrase 5150"
    page = client.post("/admin/users", data={"username": "moe", "password": temporary,
                                             "roles": ["management"], "family_name": "Moe"})
    secret = re.search(r'class="secret">([A-Z2-7]{16,})<', page.get_data(as_text=True)).group(1)
    assert "temporary" in page.get_data(as_text=True)
    moe = app.test_client()
    _sign_in(app, moe, "moe", temporary, secret)
    # The admin knows this password: until moe chooses their own, nothing else opens.
    for path in ("/", "/audit", "/children/C-ANY", "/account"):
        reply = moe.get(path)
        assert reply.status_code == 302 and reply.location.endswith("/account/password"), path
    assert moe.get("/api/children/C-ANY/network").status_code == 403
    form = moe.get("/account/password")
    assert form.status_code == 200 and "set by an administrator" in form.get_data(as_text=True)
    # Wrong current password, a weak one, two that differ, the same one: refused, nothing changes.
    mine = "my own long passphrase 8842"
    for data in ({"current": "not it at all 0000", "new": mine, "again": mine},
                 {"current": temporary, "new": "short", "again": "short"},
                 {"current": temporary, "new": mine, "again": mine + "x"},
                 {"current": temporary, "new": temporary, "again": temporary}):
        assert moe.post("/account/password", data=data).status_code == 400
        assert moe.get("/").location.endswith("/account/password")
    done = moe.post("/account/password", data={"current": temporary, "new": mine, "again": mine})
    assert done.status_code == 200 and "Password changed" in done.get_data(as_text=True)
    assert moe.get("/").status_code == 302 and "/login" in moe.get("/").location  # signed out
    # The admin's password no longer works; moe's does, and every page opens.
    refused = app.test_client().post("/login", data={"username": "moe", "password": temporary})
    assert refused.status_code == 200 and "Sign-in failed" in refused.get_data(as_text=True)
    again = app.test_client()
    _sign_in(app, again, "moe", mine, secret)
    assert again.get("/audit").status_code == 200
    changed = audit.search(graph, action="auth.password_changed")
    assert [e["username"] for e in changed] == ["moe"]


def test_anyone_can_change_their_own_password_from_their_account(app, client, make_user, login_as,
                                                                clock):
    _, password, secret = make_user("cal", ["chair"])
    login_as(client, "cal")
    assert 'href="/account/password"' in client.get("/account").get_data(as_text=True)
    assert client.get("/").status_code == 200  # no change is required of a user-chosen password
    new = "a fresh passphrase of mine 61"
    assert client.post("/account/password", data={"current": password, "new": new,
                                                   "again": new}).status_code == 200
    assert client.get("/account").status_code == 302  # every session ended
    clock.advance(minutes=2)  # past the code step the first sign-in used
    fresh = app.test_client()
    _sign_in(app, fresh, "cal", new, secret)
    assert fresh.get("/account").status_code == 200
