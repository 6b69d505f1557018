"""The first page (the children the viewer may see; for an analyst, their reports) and the
health endpoint."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template, request

from explorer import audited
from explorer.accounts import current_viewer
from explorer.children import list_children
from explorer.clock import today
from explorer.errors import DatabaseUnavailable
from explorer.graph import graph_of
from explorer.web.children import page_number

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)


@bp.get("/")
def index():
    viewer = current_viewer()
    graph = graph_of(current_app)
    kind, children = list_children(graph, viewer, today=today(),
                                   page=page_number(request.args.get("page")))
    if kind == "identified":
        audited.record("list_children", {"kind": kind, "page": children.page,
                                         "total": children.total}, [c["id"] for c in children])
    return render_template("index.html", kind=kind, children=children)


@bp.get("/health")
def health():
    try:
        graph_of(current_app).ping(timeout=2.0)
    except DatabaseUnavailable as exc:
        # The reason (refused credentials, no answer) is for the log: the check is public.
        log.warning("health check: %s", exc)
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "reachable"}
