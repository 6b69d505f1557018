"""Involvement Explorer: who is involved with which child, from a Neo4j graph.

``create_app`` only loads config, attaches the graph and registers blueprints.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from explorer.config import Config
from explorer.graph import Graph, attach


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    config = (test_config or {}).get("EXPLORER_CONFIG") or Config.from_environment()
    # Static files are package data (explorer/static), found beside the templates in any install.
    app = Flask(__name__, static_url_path="/static")
    app.config.from_mapping(
        SECRET_KEY=config.secret_key,
        EXPLORER_CONFIG=config,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=256 * 1024 * 1024,
    )
    if test_config:
        app.config.update(test_config)

    attach(app, Graph(config.neo4j))
    _bounded_database_time(app, float(app.config.get(
        "EXPLORER_REQUEST_DB_SECONDS", os.environ.get("EXPLORER_REQUEST_DB_SECONDS", "10"))))

    from explorer import accounts, audited
    from explorer.web import (
        admin,
        analyst,
        audit_pages,
        auth,
        causal,
        children,
        conferences,
        errors,
        jsonio,
        networks,
        pages,
        security,
    )

    causal.init_app(app)
    jsonio.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    accounts.init_app(app)
    audited.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(children.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(audit_pages.bp)
    app.register_blueprint(analyst.bp)
    app.register_blueprint(networks.bp)
    app.register_blueprint(conferences.bp)
    _behind_proxies(app, int(app.config.get("EXPLORER_PROXY_HOPS",
                                            os.environ.get("EXPLORER_PROXY_HOPS", "0"))))
    return app


def _bounded_database_time(app: Flask, seconds: float) -> None:
    """Every request's transactions together get at most ``seconds`` (explorer.graph): no page
    waits on the database for ever, whatever state Neo4j is in."""
    from flask import g

    from explorer.graph import end_request_deadline, start_request_deadline

    @app.before_request
    def _start() -> None:
        g.database_deadline = start_request_deadline(seconds)

    @app.teardown_request
    def _end(_exc: BaseException | None) -> None:
        token = g.pop("database_deadline", None)
        if token is not None:
            end_request_deadline(token)


def _behind_proxies(app: Flask, hops: int) -> None:
    """Behind ``hops`` reverse proxies, the client's address (the login throttle's key, the
    audit trail's ``client``) and scheme are the ones the nearest proxies forwarded. Only that
    many are trusted: an X-Forwarded-For a client wrote itself is never believed, and with no
    proxies configured it is ignored altogether."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
