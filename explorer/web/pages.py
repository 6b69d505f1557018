"""The first page and the health endpoint."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from explorer import graph_of
from explorer.graph import DatabaseUnavailable

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    children = graph_of(current_app).read("children_list", limit=500)
    return render_template("index.html", children=children)


@bp.get("/health")
def health():
    try:
        graph_of(current_app).ping(timeout=2.0)
    except DatabaseUnavailable as exc:
        return {"status": "unavailable", "database": str(exc)}, 503
    return {"status": "ok", "database": "reachable"}
