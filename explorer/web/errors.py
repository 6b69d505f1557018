"""Error pages instead of tracebacks: 4xx as they are, a database outage as a clear
503 that recovers by itself, anything else as a 500 that logs only an error id."""

from __future__ import annotations

import logging
import traceback
import uuid

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from werkzeug.exceptions import Forbidden, HTTPException, NotFound

from explorer import audited
from explorer.errors import DatabaseUnavailable

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/health"


def _page(status: int, title: str, message: str, **extra: str):
    if _wants_json():
        return {"error": title, "message": message, **extra}, status
    return render_template("error.html", status=status, title=title, message=message, **extra), status



def _record_refusal() -> None:
    """Every refusal of a signed-in user goes in the audit trail, whichever check made it
    (ASVS: every authorization decision is logged). What was asked is the method and path:
    ids at most, never a query string."""
    if current_user.is_authenticated:
        audited.record("refused", {"method": request.method, "path": request.path})


def _unavailable(exc: DatabaseUnavailable):
    log.warning("database unavailable on %s: %s", request.path, exc)
    title = "The database is not available"
    message = ("The Involvement Explorer cannot reach its database just now. Nothing was lost; "
               "try again in a minute. If this persists, ask an administrator to check Neo4j "
               "(`explorer db status`).")
    if _wants_json():
        return {"error": title, "message": message}, 503
    # Straight through Jinja, skipping context processors: they look up the signed-in
    # user, which needs the very database that is down.
    page = current_app.jinja_env.get_template("unavailable.html")
    return page.render(title=title, message=message, request=request), 503


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description or ""
        if isinstance(exc, NotFound) and message == NotFound.description:
            # The same words whether the thing is absent or outside what this viewer may see.
            message = "There is nothing at this address that you may see."
        elif isinstance(exc, Forbidden) and message == Forbidden.description:
            message = "The roles on your account do not open this page."
        # Recording a refusal, and the page's menu (who is signed in), need the database: when
        # it is gone, the answer is the outage page, never an error inside the error handler
        # (which Werkzeug would answer with a bare 500 and none of our headers).
        try:
            if isinstance(exc, Forbidden):
                _record_refusal()
            return _page(exc.code or 500, exc.name, message)
        except DatabaseUnavailable as gone:
            return _unavailable(gone)

    @app.errorhandler(DatabaseUnavailable)
    def database_unavailable(exc: DatabaseUnavailable):
        return _unavailable(exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        error_id = uuid.uuid4().hex[:12]
        # The id ties the page to the log line. The log holds the type and where it was raised,
        # never the message: a database error can quote the values it refused (a name).
        where = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
        log.error("unexpected error %s on %s %s: %s.%s\n%s", error_id, request.method,
                  request.path, type(exc).__module__, type(exc).__qualname__, where)
        try:
            return _page(500, "Something went wrong",
                         f"The error has been logged with reference {error_id}.", error_id=error_id)
        except DatabaseUnavailable as gone:
            return _unavailable(gone)
