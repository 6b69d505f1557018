"""The first page (the children the viewer may see; for an analyst, their reports) and the
health endpoint."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template

from explorer import audit, graph_of, policy
from explorer.accounts import client_address, current_viewer
from explorer.children import list_children
from explorer.graph import DatabaseUnavailable

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    viewer = current_viewer()
    if policy.sees_children_deidentified_only(viewer):
        return render_template("index.html", kind="analyst", children=[])
    graph = graph_of(current_app)
    config = current_app.config["EXPLORER_CONFIG"]
    kind, children = list_children(graph, viewer, pseudonym_key=config.pseudonym_key.encode(),
                                   today=date.today())
    if kind != "none":
        audit.record(graph, viewer=viewer, action="list_children", params={"kind": kind},
                     returned_ids=[c.get("id") or c["pseudonym"] for c in children],
                     reason=None, client=client_address())
    return render_template("index.html", kind=kind, children=children)


@bp.get("/health")
def health():
    try:
        graph_of(current_app).ping(timeout=2.0)
    except DatabaseUnavailable as exc:
        return {"status": "unavailable", "database": str(exc)}, 503
    return {"status": "ok", "database": "reachable"}
