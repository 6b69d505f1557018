"""Signing in takes both factors, failures say nothing about who exists, and lockout holds."""

from __future__ import annotations

import pyotp
import pytest

from explorer.accounts import passwords
from tests.conftest import csrf_token_in, totp_code_for


def test_passwords_are_stored_as_argon2id_and_verify(graph, make_user):
    _, password, _ = make_user("alice", ["analyst"])
    stored = graph.read("user_by_username", username="alice")[0]["user"]["password_hash"]
    assert stored.startswith("$argon2id$")
    assert password not in stored
    assert passwords.verify_password(stored, password)
    assert not passwords.verify_password(stored, password + "x")


def test_login_with_both_factors_reaches_the_first_page(client, make_user, login_as):
    make_user("alice", ["analyst"])
    reply = login_as(client, "alice")
    assert reply.location == "/"
    assert "alice" in client.get("/account").get_data(as_text=True)
    assert client.get("/account").status_code == 200


def _password_step(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def test_a_password_alone_does_not_sign_in(client, make_user):
    _, password, _ = make_user("alice", ["analyst"])
    assert _password_step(client, "alice", password).location.endswith("/login/code")
    reply = client.get("/account")
    assert reply.status_code == 302 and "/login" in reply.location


def test_a_wrong_code_does_not_sign_in(client, make_user):
    _, password, secret = make_user("alice", ["analyst"])
    _password_step(client, "alice", password)
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    reply = client.post("/login/code", data={"code": wrong})
    assert reply.status_code == 200 and "Sign-in failed" in reply.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_a_code_in_other_digits_is_a_failed_sign_in_not_an_error(client, make_user):
    _, password, _ = make_user("alice", ["analyst"])
    _password_step(client, "alice", password)
    reply = client.post("/login/code", data={"code": "١٢٣٤٥٦"})  # Arabic-Indic digits
    assert reply.status_code == 200 and "Sign-in failed" in reply.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_a_code_cannot_be_used_twice(app, make_user):
    _, password, secret = make_user("alice", ["analyst"])
    code = pyotp.TOTP(secret).now()
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        _password_step(c, "alice", password)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    assert second.post("/login/code", data={"code": code}).status_code == 200
    assert first.get("/account").status_code == 200
    assert second.get("/account").status_code == 302


def test_a_second_sign_in_with_the_same_code_says_it_was_used_and_to_wait(app, make_user, clock):
    """Signing in twice within one 30 s step (a second browser, or after signing out) once got
    the generic failure; the code was right, it was only used already."""
    from explorer.accounts import totp

    _, password, secret = make_user("alice", ["analyst"])
    code = totp.code_at(secret, clock.at)
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        _password_step(c, "alice", password)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    reply = second.post("/login/code", data={"code": code})
    text = reply.get_data(as_text=True)
    assert reply.status_code == 200 and second.get("/account").status_code == 302
    assert "This code was already used. Wait for the next one" in text
    assert "Sign-in failed" not in text
    # A wrong code still gets the answer that says nothing more.
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert "Sign-in failed" in second.post("/login/code", data={"code": wrong}).get_data(as_text=True)
    # The next step's code signs in.
    clock.advance(seconds=30)
    assert second.post("/login/code", data={"code": totp.code_at(secret, clock.at)}).status_code == 302
    assert second.get("/account").status_code == 200


def test_the_code_page_needs_the_password_first(client, make_user):
    _, _, secret = make_user("alice", ["analyst"])
    reply = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert reply.status_code == 302 and reply.location.endswith("/login")
    assert client.get("/account").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make_user):
    make_user("alice", ["analyst"])
    unknown = _password_step(client, "nobody", "some long password 1")
    wrong = _password_step(client, "alice", "some long password 1")
    assert unknown.status_code == wrong.status_code == 200
    # The only difference is the username echoed back into the form.
    assert unknown.get_data(as_text=True).replace("nobody", "alice") == wrong.get_data(as_text=True)


def test_five_failures_lock_the_account_for_fifteen_minutes(app, client, make_user, login_as, clock):
    _, password, _ = make_user("alice", ["analyst"])
    for _ in range(5):
        assert _password_step(client, "alice", "not the password at all").status_code == 200
    # Now even the right password is refused, with the same answer as a wrong one.
    locked = _password_step(client, "alice", password)
    assert locked.status_code == 200 and "Sign-in failed" in locked.get_data(as_text=True)
    clock.advance(minutes=14)
    assert _password_step(client, "alice", password).status_code == 200
    clock.advance(minutes=2)
    login_as(client, "alice")
    assert client.get("/account").status_code == 200


def test_one_client_address_is_throttled_across_usernames(app, make_user, login_as):
    app.config["LOGIN_CLIENT_MAX_FAILURES"] = 6
    make_user("alice", ["analyst"])
    attacker = app.test_client()
    for n in range(6):
        _password_step(attacker, f"guess{n}", "some long password 1")
    assert _password_step(attacker, "alice", "some long password 1").status_code == 429
    # Another address is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    login_as(other, "alice")
    assert other.get("/account").status_code == 200


def test_login_is_audited_without_secrets(graph, client, make_user, login_as):
    _, password, _ = make_user("alice", ["analyst"])
    login_as(client, "alice")
    from explorer import audit

    events = audit.search(graph)
    assert [e["action"] for e in events] == ["auth.login"]
    assert events[0]["username"] == "alice"
    assert password not in str(events)


def _login_with_next(app, client, made_users, username: str, target: str):
    password, secret = made_users[username]
    page = client.get("/login", query_string={"next": target})
    form = {"username": username, "password": password,
            "csrf_token": csrf_token_in(page.get_data(as_text=True))}
    first = client.post("/login", query_string={"next": target}, data=form)
    assert first.location.endswith("/login/code")
    page = client.get("/login/code")
    form = {"code": totp_code_for(app, secret, set()),
            "csrf_token": csrf_token_in(page.get_data(as_text=True))}
    return client.post("/login/code", data=form)


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/\n/evil.example", "/\\evil.example",
                                    "//evil.example", "https://evil.example/", "/ /evil.example",
                                    "/\x00/evil.example"])
def test_signing_in_never_leaves_the_site_whatever_next_says(app, client, make_user, made_users,
                                                             target):
    make_user("alice", ["analyst"])
    reply = _login_with_next(app, client, made_users, "alice", target)
    assert reply.status_code == 302
    assert reply.location == "/", reply.location


def test_signing_in_returns_to_the_page_that_asked_for_it(app, client, make_user, made_users):
    make_user("alice", ["analyst"])
    reply = _login_with_next(app, client, made_users, "alice", "/analyst?la=Northmere")
    assert reply.location == "/analyst?la=Northmere"
