"""Network views: a child's ecomap (page, JSON data, paths, audited exports), a household and
a practitioner's caseload. Routes parse, call the domain layer (explorer.ecomap and
explorer.children, which apply the policy) and render; every response is audited first."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from explorer import audited, clock, ecomap, policy
from explorer.accounts import current_viewer, require_roles
from explorer.children import caseload, child_view, household_view
from explorer.clock import today
from explorer.graph import graph_of

bp = Blueprint("networks", __name__)

EXPORT_KINDS = ("png", "print", "pack_png")


def _network_params(source) -> dict:
    """as_of (a date, default today), depth (1 or 2), ceased (0 or 1), expand (child ids),
    since (a date), siblings ("open": the group of siblings in other households opened)."""
    raw_date = (source.get("as_of") or "").strip()
    try:
        on = date.fromisoformat(raw_date) if raw_date else today()
    except ValueError:
        abort(400, "as_of must be a date like 2026-05-01.")
    depth = str(source.get("depth") or "1")
    ceased = str(source.get("ceased") if source.get("ceased") is not None else "1")
    if depth not in ("1", "2") or ceased not in ("0", "1"):
        abort(400, "depth is 1 or 2; ceased is 0 or 1.")
    expand = tuple(dict.fromkeys(x.strip()[:64] for x in str(source.get("expand") or "").split(",")
                                 if x.strip()))[:ecomap.MAX_EXPAND]
    raw_since = (source.get("since") or "").strip()
    try:
        since = date.fromisoformat(raw_since) if raw_since else None
    except ValueError:
        abort(400, "since must be a date like 2026-05-01.")
    siblings = str(source.get("siblings") or "grouped")
    if siblings not in ("grouped", "open"):
        abort(400, "siblings is grouped or open.")
    return {"on": on, "depth": int(depth), "ceased": ceased == "1", "expand": expand,
            "since": since, "siblings_open": siblings == "open"}


def _audit_params(child_id: str, params: dict) -> dict:
    return {"child_id": child_id, "as_of": params["on"], "depth": params["depth"],
            "ceased": params["ceased"], "expand": list(params["expand"]),
            "since": params["since"], "siblings_open": params["siblings_open"]}


def _gather(child_id: str, params: dict) -> ecomap.Gathered | None:
    return ecomap.gather(graph_of(current_app), current_viewer(), child_id, today=today(),
                         **params)


def _finish(found: ecomap.Gathered) -> dict:
    return ecomap.finish(graph_of(current_app), current_viewer(), found, today=today())


@bp.get("/children/<child_id>/ecomap")
@require_roles(policy.may_open_children)
def ecomap_page(child_id: str):
    view = child_view(graph_of(current_app), current_viewer(), child_id, today=today())
    if view is None:
        audited.record("child.ecomap", {"child_id": child_id}, [])
        abort(404)
    event = audited.record("child.ecomap", {"child_id": child_id}, [child_id])
    return render_template("children/ecomap.html", child=view["child"], level=view["level"],
                           event_id=event, today=today().isoformat(),
                           kinds=ecomap.KINDS, cap=ecomap.NODE_CAP)


@bp.get("/api/children/<child_id>/network")
@require_roles(policy.may_open_children)
def network_data(child_id: str):
    params = _network_params(request.args)
    found = _gather(child_id, params)
    if found is None:
        audited.record("child.network", _audit_params(child_id, params), [])
        abort(404)
    # Laid out, then the event appended, in this thread. Appending in a thread of its own
    # while the layout ran (audited.record_while, 3 December 2026) made the answer slower:
    # each of the append's round trips then waited for the layout to yield the GIL (up to
    # sys.getswitchinterval(), 5 ms), so 200 nodes took 10 ms to append, not 3 (issue 14).
    network = _finish(found)
    network["event_id"] = audited.record("child.network", _audit_params(child_id, params),
                                         found.child_ids)
    return jsonify(network)


@bp.get("/api/children/<child_id>/path")
@require_roles(policy.may_open_children)
def path(child_id: str):
    params = _network_params(request.args)
    source, target = request.args.get("from", ""), request.args.get("to", "")
    found = _gather(child_id, params)
    asked = {**_audit_params(child_id, params), "from": source, "to": target}
    if found is None:
        audited.record("child.path", asked, [])
        abort(404)
    steps = ecomap.shortest_path(_finish(found), source, target)
    audited.record("child.path", asked, found.child_ids)
    return jsonify({"path": steps})


@bp.post("/api/children/<child_id>/exports")
@require_roles(policy.may_open_children)
def export(child_id: str):
    """Record an export (PNG or print) of the current view before the browser makes it; the
    answer carries the audit event id, the viewer and the time for the export's footer."""
    form = request.get_json(silent=True) or request.form
    kind = form.get("kind")
    if kind not in EXPORT_KINDS:
        abort(400, "kind is png, print or pack_png.")
    # An export shows the siblings in other households as their group, with its count:
    # a printed or saved page is read without the screen's means of opening it.
    params = {**_network_params(form), "siblings_open": False}
    found = _gather(child_id, params)
    if found is None:
        audited.record(f"child.export.{kind}", _audit_params(child_id, params), [])
        abort(404)
    event = audited.record(f"child.export.{kind}", _audit_params(child_id, params), found.child_ids)
    return jsonify({"event_id": event, "viewer": current_viewer().username,
                    "at": clock.now().strftime("%Y-%m-%d %H:%M UTC"),
                    "marking": "OFFICIAL-SENSITIVE"})


@bp.get("/children/<child_id>/pack")
@require_roles(policy.may_open_children)
def pack(child_id: str):
    """The conference pack: one printable page with the map, its legend, the warnings, what
    changed and the tables, for the view in the query string. Recorded in the audit trail
    before it is produced; the record's id, the viewer and the time are printed on it."""
    params = {**_network_params(request.args), "siblings_open": False}  # as in export()
    found = _gather(child_id, params)
    if found is None:
        audited.record("child.export.pack", _audit_params(child_id, params), [])
        abort(404)
    event = audited.record("child.export.pack", _audit_params(child_id, params), found.child_ids)
    network = _finish(found)
    provenance = {"viewer": current_viewer().username, "event_id": event,
                  "at": clock.now().strftime("%Y-%m-%d %H:%M UTC"),
                  "marking": "OFFICIAL-SENSITIVE"}
    return render_template("children/pack.html", network=network, provenance=provenance,
                           params=params, kinds=ecomap.KINDS)


@bp.get("/households/<household_id>")
@require_roles(policy.may_open_children)
def household(household_id: str):
    found = household_view(graph_of(current_app), current_viewer(), household_id,
                           today=today())
    returned = found["child_ids"] if found else []
    event = audited.record("child.household", {"household_id": household_id}, returned)
    if found is None:
        abort(404)
    return render_template("children/household.html", found=found, event_id=event)


@bp.get("/practitioners/<practitioner_id>/caseload")
@require_roles(policy.may_open_children)
def caseload_page(practitioner_id: str):
    found = caseload(graph_of(current_app), current_viewer(), practitioner_id, today=today())
    returned = [e["child"]["id"] for e in found["entries"]] if found else []
    event = audited.record("child.caseload", {"practitioner_id": practitioner_id}, returned)
    if found is None:
        abort(404)
    return render_template("children/caseload.html", found=found, event_id=event)
