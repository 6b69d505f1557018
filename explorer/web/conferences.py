"""The conference list (a chair's own conferences; the management team's, all): parse the
sort and page from the query string, call explorer.conferences, audit, render."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from explorer import audited, clock, policy, reviews
from explorer.accounts import current_viewer, require_roles
from explorer.conferences import conference_list
from explorer.graph import graph_of

bp = Blueprint("conferences", __name__)


@bp.get("/conferences")
@require_roles(policy.may_list_conferences)
def conferences_page():
    sort = request.args.get("sort") or reviews.DEFAULT_SORT
    order = request.args.get("order") or "asc"
    if sort not in reviews.SORT_KEYS or order not in ("asc", "desc"):
        abort(400, "sort is one of " + ", ".join(reviews.SORT_KEYS) + "; order is asc or desc.")
    try:
        page = int(request.args.get("page") or "1")
    except ValueError:
        abort(400, "page is a number.")
    today = clock.today()
    viewer = current_viewer()
    found = conference_list(graph_of(current_app), viewer, today=today, sort=sort,
                            descending=order == "desc", page=page)
    event = audited.record("conference.list", {"sort": sort, "order": order, "page": found["page"]},
                           [r["child"]["id"] for r in found["rows"]])
    return render_template("conferences/list.html", found=found, today=today, event_id=event,
                           sort_keys=reviews.SORT_KEYS, everyone=policy.sees_every_child(viewer))
