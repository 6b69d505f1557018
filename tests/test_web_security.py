"""CSRF, cookies, no state change on GET, and role checks, on the running app over HTTP."""

from __future__ import annotations

import pytest

from explorer import create_app
from tests.conftest import csrf_token_in


@pytest.fixture
def csrf_app(graph, config):
    app = create_app({"TESTING": True, "EXPLORER_CONFIG": config, "WTF_CSRF_ENABLED": True,
                      "EXPLORER_SECURE_COOKIES": True})
    yield app
    app.extensions["graph"].close()


@pytest.fixture
def csrf_users(csrf_app, graph):
    from explorer.accounts import users

    made = {}
    for name, roles in (("ada", ["admin"]), ("bea", ["analyst"])):
        password = "a long test passphrase " + str(len(name) * 7919)
        with csrf_app.app_context():
            made[name] = (password, users.create(graph, username=name, password=password,
                                                 roles=roles).totp_secret)
    return made


# Referrer-Policy values under which a browser sends a same-origin request's Referer (its
# origin at least): Flask-WTF refuses a form posted over https without one.
SENDS_SAME_ORIGIN_REFERER = {"same-origin", "origin", "strict-origin", "origin-when-cross-origin",
                             "strict-origin-when-cross-origin", "no-referrer-when-downgrade",
                             "unsafe-url"}


def _https_client(app):
    # A browser on https (the test client takes its scheme from this setting: a scheme put in
    # environ_base is overwritten), sending a Referer only if the page's policy lets it.
    app.config["PREFERRED_URL_SCHEME"] = "https"
    client = app.test_client()
    assert client.get("/health").request.scheme == "https"
    policy = client.get("/health").headers["Referrer-Policy"]
    if policy in SENDS_SAME_ORIGIN_REFERER:
        client.environ_base["HTTP_REFERER"] = "https://localhost/"
    return client


def _login(app, client, password, secret, username):
    import pyotp

    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}).status_code == 302
    token = csrf_token_in(client.get("/login/code").get_data(as_text=True))
    reply = client.post("/login/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert reply.status_code == 302


def test_login_without_a_csrf_token_is_refused(csrf_app, csrf_users):
    client = _https_client(csrf_app)
    password, _ = csrf_users["ada"]
    reply = client.post("/login", data={"username": "ada", "password": password})
    assert reply.status_code == 400
    assert client.get("/account").status_code == 302


def test_state_changes_without_a_token_are_refused_and_change_nothing(csrf_app, csrf_users, graph):
    client = _https_client(csrf_app)
    _login(csrf_app, client, *csrf_users["ada"], "ada")
    assert client.post("/admin/users/bea/disable").status_code == 400
    assert client.post("/admin/users/bea/disable", data={"csrf_token": "forged"}).status_code == 400
    assert graph.read("user_by_username", username="bea")[0]["user"]["disabled"] is False
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
    # With the page's token it works.
    token = csrf_token_in(client.get("/admin/users").get_data(as_text=True))
    assert client.post("/admin/users/bea/disable", data={"csrf_token": token}).status_code == 302
    assert graph.read("user_by_username", username="bea")[0]["user"]["disabled"] is True


def test_session_cookie_is_secure_httponly_samesite_and_host_bound(csrf_app, csrf_users):
    client = _https_client(csrf_app)
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    reply = client.post("/login", data={"username": "bea", "password": csrf_users["bea"][0],
                                         "csrf_token": token})
    header = next(h for h in reply.headers.getlist("Set-Cookie") if h.startswith("__Host-explorer="))
    flags = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"secure", "httponly", "samesite", "path"} <= flags and "domain" not in flags
    assert "SameSite=Lax" in header


def test_cookies_are_not_secure_only_on_plain_local_http(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False  # TESTING: plain http test client
    secure = create_app({"EXPLORER_CONFIG": app.config["EXPLORER_CONFIG"]})
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    assert secure.config["WTF_CSRF_ENABLED"] is True


@pytest.mark.parametrize("path", ["/logout", "/admin/users/bea/disable", "/admin/users/bea/enable",
                                  "/admin/users/bea/reset-2fa", "/admin/seed/" + "x" * 32 + "/load"])
def test_state_changing_endpoints_refuse_get(client, make_user, login_as, graph, path):
    make_user("ada", ["admin"])
    make_user("bea", ["analyst"])
    login_as(client, "ada")
    before = graph.read("user_by_username", username="bea")[0]["user"]
    assert client.get(path).status_code == 405
    assert graph.read("user_by_username", username="bea")[0]["user"] == before
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(("role", "path", "status"), [
    ("analyst", "/admin/users", 403), ("management", "/admin/users", 403), ("admin", "/admin/users", 200),
    ("analyst", "/admin/seed", 403), ("admin", "/admin/seed", 200),
    ("admin", "/audit", 403), ("practitioner", "/audit", 403), ("management", "/audit", 200),
    ("chair", "/audit/anomalies", 403), ("management", "/audit/anomalies", 200),
    ("analyst", "/audit/export.csv", 403), ("management", "/audit/export.csv", 200),
])
def test_pages_need_their_role(client, make_user, login_as, role, path, status):
    make_user("someone", [role])
    login_as(client, "someone")
    assert client.get(path).status_code == status


def test_pages_carry_security_headers_and_no_inline_script(client, make_user, login_as):
    make_user("ada", ["admin"])
    login_as(client, "ada")
    for path in ("/login", "/admin/users", "/account"):
        reply = client.get(path)
        assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
        assert reply.headers["X-Frame-Options"] == "DENY"
        text = reply.get_data(as_text=True)
        assert "<script>" not in text and "style=" not in text and "onclick" not in text
