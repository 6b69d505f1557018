"""Child pages: a child's record and network, search within one's scope, look-up outside it
with a reason, and a one-view shield override. Routes only parse, call explorer.children
(which applies the policy) and render; every response is audited first."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request

from explorer import audited, policy
from explorer.accounts import current_viewer, require_roles
from explorer.children import (
    archive_notice,
    child_view,
    look_up,
    search_children,
    shown_ids,
    sibling_view,
)
from explorer.clock import today
from explorer.ecomap import STATUS_NAMES
from explorer.graph import graph_of

bp = Blueprint("children", __name__)

MAX_REASON = 500


@bp.app_template_filter("status_name")
def status_name(status: str | None) -> str:
    """A status code as people say it: cp_plan is "Child protection plan"; none is nothing.

    >>> [status_name(s) for s in ("cp_plan", "none", None, "new_kind")]
    ['Child protection plan', '', '', 'new kind']
    """
    if not status or status == "none":
        return ""
    return STATUS_NAMES.get(status, status.replace("_", " "))


def _date(field: str) -> date | None:
    raw = (request.form.get(field) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, f"{field.replace('_', ' ').capitalize()} must be a date like 2015-03-14.")


def _reason() -> str:
    reason = " ".join((request.form.get("reason") or "").split())
    if len(reason) < 10:
        abort(400, "Give a reason for access (at least a few words); it is recorded.")
    return reason[:MAX_REASON]


@bp.get("/children/<child_id>")
@require_roles(policy.may_open_children)
def child(child_id: str):
    viewer = current_viewer()
    view = child_view(graph_of(current_app), viewer, child_id, today=today())
    if view is None:
        # An archived record: the management team are told when and why, and may open it
        # with a reason; to anyone else it is a child that does not exist.
        notice = archive_notice(graph_of(current_app), viewer, child_id, today=today())
        audited.record("child.view", {"child_id": child_id, **({"archived": True} if notice else {})}, [])
        if notice is None:
            abort(404)
        return render_template("children/archived.html", notice=notice)
    event = audited.record("child.view", {"child_id": child_id}, shown_ids(view))
    return render_template("children/child.html", view=view, event_id=event,
                           may_override=policy.may_override_shield(viewer))


@bp.post("/children/<child_id>/archived")
@require_roles(policy.may_view_archived)
def archived(child_id: str):
    """The management team's read-only view of an archived record, with a reason, audited."""
    reason = _reason()
    view = child_view(graph_of(current_app), current_viewer(), child_id, today=today(),
                      archived=True)
    if view is None or "archive" not in view:
        audited.record("child.view_archived", {"child_id": child_id}, [], reason=reason)
        abort(404)
    event = audited.record("child.view_archived", {"child_id": child_id}, shown_ids(view), reason=reason)
    return render_template("children/child.html", view=view, event_id=event, may_override=False)


@bp.get("/children/<child_id>/siblings/<sibling_id>")
@require_roles(policy.may_open_children)
def sibling(child_id: str, sibling_id: str):
    """A sibling as seen through a child's whole network (policy: "siblings of a chaired
    child"); 404 when the viewer does not see that network or it holds no such sibling."""
    viewer = current_viewer()
    graph = graph_of(current_app)
    found = sibling_view(graph, viewer, child_id, sibling_id, today=today())
    params = {"child_id": child_id, "sibling_id": sibling_id}
    if found is None:
        audited.record("child.sibling", params, [])
        abort(404)
    named = [sibling_id] + [m["id"] for h in found["households"] for m in h["members"]
                            if m.get("label") == "Child"]
    event = audited.record("child.sibling", params, list(dict.fromkeys(named)))
    # Their own page too, when the viewer may open it in its own right (read, not shown here).
    own = child_view(graph, viewer, sibling_id, today=today()) is not None
    return render_template("children/sibling.html", view=found, event_id=event, own_page=own)


@bp.post("/children/<child_id>/override")
@require_roles(policy.may_open_children)
def override(child_id: str):
    viewer = current_viewer()
    if not policy.may_override_shield(viewer):
        abort(403)
    reason = _reason()
    view = child_view(graph_of(current_app), viewer, child_id, today=today(), override=True)
    if view is None:
        audited.record("shield.override", {"child_id": child_id}, [], reason=reason, flagged=True)
        abort(404)
    # Flagged for the management team's review; the override is this response and no more.
    event = audited.record("shield.override", {"child_id": child_id}, shown_ids(view), reason=reason,
                    flagged=True)
    return render_template("children/child.html", view=view, event_id=event, overridden=True,
                           may_override=False)


@bp.route("/search", methods=["GET", "POST"])
@require_roles(policy.may_open_children)
def search():
    # POST, so that names typed into the search never land in URLs or access logs.
    if request.method == "GET":
        audited.nothing_shown()
        return render_template("children/search.html", results=None, asked={})
    text = " ".join((request.form.get("text") or "").split())[:100] or None
    child_id = (request.form.get("child_id") or "").strip()[:64] or None
    dob = _date("date_of_birth")
    page = page_number(request.form.get("page"))
    if not (text or child_id or dob):
        abort(400, "Search by name, date of birth or id.")
    results = search_children(graph_of(current_app), current_viewer(), text=text, dob=dob,
                              child_id=child_id, today=today(), page=page)
    audited.record("search", {"text": text, "date_of_birth": dob, "child_id": child_id,
                       "page": results.page, "total": results.total,
                       "more_than": results.more_than},
            [c["id"] for c in results])
    # The terms go back into the form (the page, never a URL), so the user sees what was asked,
    # and into the buttons that fetch the previous and next pages.
    return render_template("children/search.html", results=results,
                           asked={"text": text, "date_of_birth": dob, "child_id": child_id},
                           may_look_up=policy.may_look_up(current_viewer()))


def page_number(raw: str | None) -> int:
    """A page number from a form or query string: 1 when absent, a 400 when not a number."""
    if not raw:
        return 1
    if not raw.isdigit() or len(raw) > 6:
        abort(400, "The page must be a number.")
    return max(1, int(raw))


@bp.route("/lookup", methods=["GET", "POST"])
@require_roles(policy.may_look_up)
def lookup():
    if request.method == "GET":
        audited.nothing_shown()
        return render_template("children/lookup.html", results=None)
    reason = _reason()
    child_id = (request.form.get("child_id") or "").strip()[:64] or None
    family_name = (request.form.get("family_name") or "").strip()[:100] or None
    dob = _date("date_of_birth")
    if not child_id and not (family_name and dob):
        abort(400, "Look up by id, or by exact family name and date of birth.")
    results = look_up(graph_of(current_app), current_viewer(), child_id=child_id,
                      family_name=family_name, dob=dob, today=today())
    audited.record("lookup", {"child_id": child_id, "family_name": family_name, "date_of_birth": dob},
            [r["child"]["id"] for r in results], reason=reason)
    return render_template("children/lookup.html", results=results)
