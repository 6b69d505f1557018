"""Browser -> Flask -> Neo4j: the first page reads children from the real database,
errors are pages not tracebacks, and a database outage is a clear 503 that recovers."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import pytest

from explorer import create_app
from explorer.graph import Graph
from explorer.localdb import LocalNeo4j
from tests.conftest import settings_with


@pytest.fixture
def manager(client, make_user, login_as):
    """A client signed in as the management team, who may list every child."""
    make_user("manager", ["management"])
    login_as(client, "manager")
    return client


def test_first_page_asks_for_login(client):
    reply = client.get("/")
    assert reply.status_code == 302 and "/login" in reply.location


def test_first_page_lists_children_read_from_neo4j(manager, graph: Graph):
    client = manager
    graph.run_autocommit(
        "CREATE (:Child {id: 'C-1', given_name: 'Zoë', family_name: \"O'Brien\"}),"
        "       (:Child {id: 'C-2', given_name: 'Amir', family_name: 'Khan'})"
    )
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Zoë" in text and "O&#39;Brien" in text and "Khan" in text


def test_names_are_text_never_markup(manager, graph: Graph):
    client = manager
    graph.run_autocommit("CREATE (:Child {id: 'C-3', given_name: '<script>x()</script>', family_name: 'T'})")
    text = client.get("/").get_data(as_text=True)
    assert "<script>x()</script>" not in text
    assert "&lt;script&gt;x()&lt;/script&gt;" in text


def test_health_is_ok_when_the_database_answers(client):
    reply = client.get("/health")
    assert reply.status_code == 200
    assert reply.json["status"] == "ok"


@pytest.mark.parametrize("path", ["/no-such-page", "/static/no-such-file.css"])
def test_missing_pages_are_404_pages(client, path):
    reply = client.get(path)
    assert reply.status_code == 404
    assert "Traceback" not in reply.get_data(as_text=True)


def test_pages_carry_a_strict_content_security_policy(manager):
    reply = manager.get("/")
    csp = reply.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_unreachable_database_is_a_503_within_two_seconds(config, neo4j_settings):
    # A server address where nothing listens: the same code path as a stopped Neo4j.
    dead = settings_with(neo4j_settings, uri="neo4j://127.0.0.1:1", password="x")
    app = create_app({"TESTING": True, "EXPLORER_CONFIG": replace(config, neo4j=dead)})
    client = app.test_client()
    started = time.monotonic()
    reply = client.get("/health")
    assert time.monotonic() - started < 2.0
    assert reply.status_code == 503
    assert reply.get_json() == {"status": "unavailable", "database": "unreachable"}  # public
    # Signing in needs the database: the page says so instead of failing obscurely.
    page = client.post("/login", data={"username": "someone", "password": "a password here"})
    assert page.status_code == 503
    assert "database is not available" in page.get_data(as_text=True)


def test_stopping_neo4j_gives_503_and_the_app_recovers_when_it_is_back(
    manager, graph: Graph, local_neo4j: LocalNeo4j
):
    client = manager
    graph.run_autocommit("CREATE (:Child {id: 'C-9', given_name: 'Ada', family_name: 'Lovelace'})")
    assert client.get("/").status_code == 200
    local_neo4j.stop()
    try:
        started = time.monotonic()
        health = client.get("/health")
        assert time.monotonic() - started < 2.0
        assert health.status_code == 503
        page = client.get("/")
        assert page.status_code == 503
        assert "Traceback" not in page.get_data(as_text=True)
    finally:
        local_neo4j.start(quiet=True)
    # The same app, not restarted, answers again, and the data survived the restart.
    deadline = time.monotonic() + 30
    while client.get("/health").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert client.get("/health").status_code == 200
    # A just-started Neo4j can still be too slow for a request's 10 s of database time (a 503):
    # the pages come back by themselves.
    while (page := client.get("/")).status_code != 200 and time.monotonic() < deadline:
        assert page.status_code == 503
        time.sleep(0.5)
    assert "Lovelace" in page.get_data(as_text=True)


def test_child_data_is_never_cached_but_static_assets_may_be(manager):
    assert manager.get("/").headers["Cache-Control"] == "no-store"
    assert manager.get("/health").headers["Cache-Control"] == "no-store"
    assert manager.get("/static/css/app.css").headers.get("Cache-Control") != "no-store"


def test_json_answers_are_stable_bytes_with_iso_dates_and_unescaped_text(app):
    """The same data gives the same bytes (sorted keys: a network opened twice is
    identical), dates are ISO dates, and names keep their letters."""
    with app.app_context():
        data = {"name": "Zoë O'Brien <b>", "on": date(2026, 11, 24), "ids": frozenset({"b", "a"}),
                "nested": {"z": 1, "a": 2}}
        body = app.json.response(data).get_data(as_text=True)
        assert body == ('{"ids":["a","b"],"name":"Zoë O\'Brien <b>","nested":{"a":2,"z":1},'
                        '"on":"2026-11-24"}')
        assert app.json.loads(body)["name"] == "Zoë O'Brien <b>"


def test_an_unexpected_error_is_a_500_page_and_its_log_holds_no_child_details(
    app, make_user, login_as, caplog
):
    refused = "Zoë O'Brien"

    def boom():
        raise ValueError(f"property given_name = {refused!r} refused")

    app.add_url_rule("/boom", "boom", boom)
    make_user("mgr", ["management"])
    client = app.test_client()
    login_as(client, "mgr")
    reply = client.get("/boom")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 500 and "Something went wrong" in page
    error_id = page.split("reference ")[1][:12]
    logged = caplog.text
    assert error_id in logged and "ValueError" in logged and "boom" in logged  # where it was
    assert "Zoë" not in logged and "Brien" not in logged
    assert "Traceback" not in page and "Zoë" not in page


@pytest.mark.parametrize("hops, recorded", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_comes_from_the_proxy_only_when_one_is_configured(
    graph, config, make_user, made_users, hops, recorded
):
    from explorer import audit
    from tests.conftest import csrf_token_in, totp_code_for

    app = create_app({"TESTING": True, "EXPLORER_CONFIG": config, "EXPLORER_PROXY_HOPS": hops})
    make_user("mgr", ["management"])
    password, secret = made_users["mgr"]
    client = app.test_client()
    forwarded = {"X-Forwarded-For": "203.0.113.9"}  # a proxy's, or a client's own invention
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "mgr", "password": password,
                                "csrf_token": csrf_token_in(page) or ""}, headers=forwarded)
    client.post("/login/code", data={"code": totp_code_for(app, secret, set())}, headers=forwarded)
    login = audit.search(graph, action="auth.login")[0]
    assert login["client"] == recorded
