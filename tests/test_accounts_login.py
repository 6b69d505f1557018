"""Signing in takes both factors, failures say nothing about who exists, and lockout holds."""

from __future__ import annotations

from explorer.accounts import passwords


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
    assert client.get("/").status_code == 200
