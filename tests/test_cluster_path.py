"""Several app servers over one Neo4j (issue 20): the path onto a cluster or Aura, tested as far
as a single server allows. The whole suite already reaches Neo4j through a ``neo4j://`` (routing)
URI; here two app instances stand for two app servers behind a load balancer."""

from __future__ import annotations

import base64

import neo4j
import pytest
from itsdangerous import URLSafeSerializer

from explorer import create_app
from explorer.web.causal import BOOKMARKS_COOKIE


@pytest.fixture
def second_server(config, neo4j_settings):
    """Another app server: its own process state and driver, the same keys and database."""
    other = create_app({"TESTING": True, "EXPLORER_CONFIG": config, "EXPLORER_REQUEST_DB_SECONDS": 120})
    yield other
    other.extensions["graph"].close()


def _signer(app) -> URLSafeSerializer:
    return URLSafeSerializer(app.secret_key, salt="database-bookmarks")


def _bookmarks(app, client) -> list[str]:
    cookie = client.get_cookie(BOOKMARKS_COOKIE)
    return _signer(app).loads(cookie.value) if cookie else []


def _carry(app, client, bookmarks: list[str]) -> None:
    client.set_cookie(BOOKMARKS_COOKIE, _signer(app).dumps(bookmarks))


def _same_browser(app, client, other) -> None:
    for name in (app.config["SESSION_COOKIE_NAME"], BOOKMARKS_COOKIE):
        other.set_cookie(name, client.get_cookie(name).value)


def _later_than_anything(bookmark: str) -> str:
    """The same database's bookmark for a transaction it has not reached (Neo4j 5's format:
    a packstream list of the database's id bytes, the transaction id and a list)."""
    raw = base64.b64decode(bookmark.split(":", 1)[1] + "==")
    assert raw[:3] == b"\x91\xcc\x10", "bookmark format changed"
    return "FB:" + base64.b64encode(raw[:19] + b"\xca\x7f\xff\xff\xff" + raw[-1:]).decode().rstrip("=")


def test_a_sign_in_on_one_app_server_is_honoured_by_another(app, second_server, signed_in) -> None:
    client = signed_in("chair.one", ["chair"])
    assert _bookmarks(app, client), "the browser carries the sign-in's bookmarks"
    other = second_server.test_client()
    _same_browser(app, client, other)
    page = other.get("/")
    assert page.status_code == 200
    assert "chair.one" in page.get_data(as_text=True)


def test_a_request_reads_no_earlier_than_the_writes_its_browser_saw(
        app, second_server, signed_in) -> None:
    """A follower that has not caught up makes the request wait (and, past the server's bookmark
    timeout, answer 503), never answer from before the sign-in. Shown with a bookmark no server
    has reached: the request must fail, which it could not if the bookmarks were not sent. (The
    local server waits BOOKMARK_READY_SECONDS for it.)"""
    client = signed_in("chair.two", ["chair"])
    other = second_server.test_client()
    _same_browser(app, client, other)
    real = _bookmarks(app, client)
    _carry(app, other, [_later_than_anything(real[0])])
    assert other.get("/").status_code == 503
    _carry(app, other, real)
    assert other.get("/").status_code == 200


def test_bookmarks_not_signed_by_the_app_are_ignored(app, signed_in) -> None:
    """Neo4j is only ever handed bookmarks it issued: a forged or garbled cookie changes nothing."""
    client = signed_in("chair.three", ["chair"])
    client.set_cookie(BOOKMARKS_COOKIE, "FB:garbage.not-signed")
    assert client.get("/").status_code == 200
    assert _bookmarks(app, client), "a good cookie replaces the bad one"


def test_signing_out_drops_the_bookmarks(app, signed_in) -> None:
    client = signed_in("chair.four", ["chair"])
    assert _bookmarks(app, client)
    assert client.post("/logout").status_code == 302
    assert client.get_cookie(BOOKMARKS_COOKIE) is None


def test_the_suite_reaches_neo4j_through_a_routing_uri(neo4j_settings) -> None:
    """What a cluster or Aura needs (``neo4j://`` or ``neo4j+s://``): routing, reads sent to
    readers. Every test here runs over it, not over a direct ``bolt://`` connection."""
    assert neo4j_settings.uri.startswith("neo4j://")
    driver = neo4j.GraphDatabase.driver(neo4j_settings.uri, auth=(neo4j_settings.username,
                                                                  neo4j_settings.resolve_password()))
    try:
        table = driver.execute_query("CALL dbms.routing.getRoutingTable({}, 'neo4j')",
                                     database_="system").records[0]
        roles = {server["role"] for server in table["servers"]}
        assert {"READ", "WRITE", "ROUTE"} <= roles
    finally:
        driver.close()
