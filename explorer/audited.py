"""The one audit path: every search, view and export (and every admin action, sign-in and
refusal) is recorded by :func:`record`, before the answer is sent.

``record`` takes who and from where from the request (the signed-in viewer, the client's
address), or from its caller where there is no request (the command line, a background
seed load), writes the event through ``explorer.audit.record`` (the chain) and notes it on
the request. A route that shows nothing (an empty search form) says so with
:func:`nothing_shown`.

With ``EXPLORER_REQUIRE_AUDIT`` set (tests/conftest.py's app fixture sets it),
:func:`init_app` fails any request to a page that opens child data (identified or
de-identified: ``policy.opens_child_data`` of the question guarding it) answered 200 without
an event or a ``nothing_shown``: a new route that forgets the trail fails every test that
opens it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request

from explorer import audit
from explorer.graph import Graph, graph_of
from explorer.policy import Viewer

log = logging.getLogger(__name__)

CLI_CLIENT = "cli"
_UNSET: Any = object()


def record(action: str, params: dict[str, Any], returned_ids: Iterable[str] = (), *,
           reason: str | None = None, flagged: bool = False, viewer: Viewer | None = _UNSET,
           client: str | None = None, graph: Graph | None = None) -> str:
    """Record one event in the audit trail and return its id; raises if it cannot be written.

    ``viewer`` defaults to the signed-in user (None records an anonymous actor), ``client``
    to the request's address (``cli`` outside a request), ``graph`` to the app's.
    """
    from explorer.accounts import client_address, current_viewer

    if viewer is _UNSET:
        viewer = current_viewer()
    if client is None:
        client = client_address() if has_request_context() else CLI_CLIENT
    event = audit.record(graph if graph is not None else graph_of(current_app), viewer=viewer, action=action,
                         params=params, returned_ids=returned_ids, reason=reason, client=client,
                         flagged=flagged)
    if has_request_context():
        g.setdefault("audit_events", []).append(event)
    return event


def nothing_shown() -> None:
    """Say that this answer shows no child data (a blank form), so it has nothing to record."""
    g.audit_nothing_shown = True


def _check(response: Response) -> Response:
    """Fail a 200 from a child-data page that recorded nothing (see the module's docstring)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if (response.status_code != 200 or not getattr(view, "opens_child_data", False)
            or g.get("audit_events") or g.get("audit_nothing_shown")):
        return response
    log.error("%s answered 200 without an audit event", request.endpoint)
    return Response(f"{request.endpoint} answered without recording an audit event\n",
                    status=500, mimetype="text/plain")


def init_app(app: Flask) -> None:
    if app.config.get("EXPLORER_REQUIRE_AUDIT"):
        app.after_request(_check)
