"""Analysts' pages: the service-gap dashboard, the de-identified lists behind its counts,
caseloads, network analytics, the network view of an area, and CSV exports of each.

Routes parse the request, call ``explorer.analytics`` (which de-identifies and suppresses),
record the view or export in the audit trail, then render. Analysts only.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, g, render_template, request

from explorer import audited, policy
from explorer.accounts import current_viewer, require_roles
from explorer.analytics import gaps, network_view, overview
from explorer.analytics.gaps import BY_SLUG, FilterError, Filters
from explorer.clock import now
from explorer.graph import graph_of
from explorer.web import spreadsheet

bp = Blueprint("analyst", __name__, url_prefix="/analyst")

LIST_COLUMNS = {
    "caseloads": ("worker", "local_authority", "caseload"),
    "single-point-of-failure": ("family", "local_authority", "children", "worker", "profession",
                                "service_types"),
    "long-plans": ("pseudonym", "age_band", "local_authority", "status", "plan_category",
                   "plan_length", "service_types"),
    "repeat-plans": ("pseudonym", "age_band", "local_authority", "status", "plan_category",
                     "previous_plans", "since_previous_plan", "service_types"),
}
CHILD_COLUMNS = ("pseudonym", "age_band", "local_authority", "status", "plan_category",
                 "service_types")


def _key() -> bytes:
    return current_app.config["EXPLORER_CONFIG"].pseudonym_key.encode("utf-8")


def _requested() -> date | None:
    raw = (request.args.get("on") or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, "The report date must be a date like 2026-01-01.")


def _on() -> date:
    """The report date: today, or the last day of an earlier month (policy.analyst_report_date)."""
    try:
        return policy.analyst_report_date(_requested(), now().date())
    except ValueError:
        abort(400, policy.REPORT_DATE_AFTER_TODAY)


def _dates(on: date) -> dict:
    """What the pages say about their dates: the date ages are taken at, and whether the
    date asked for was moved to today or a month's end."""
    requested = _requested()
    return {"age_on": policy.analyst_age_date(on), "moved": requested is not None and requested != on}


def _filters() -> Filters:
    """The request's filters: 400 for two focuses at once, 404 for an area with no households."""
    try:
        filters = Filters.parse(request.args)
    except FilterError as exc:
        abort(400, str(exc))
    if filters.local_authority and filters.local_authority not in gaps.report_areas(
            graph_of(current_app), _known()):
        abort(404)
    return filters


def _known() -> list[str]:
    """The local authorities, read once per request however many pieces of the page ask."""
    if "analyst_areas" not in g:
        g.analyst_areas = gaps.areas(graph_of(current_app))
    return g.analyst_areas


def _provenance(event_id: str) -> dict:
    return {"viewer": current_viewer().username, "event_id": event_id}


def _params(filters: Filters, on: date, **more: object) -> dict:
    return {"on": on.isoformat(), **filters.args(), **more}


def _header(column: str, on: date) -> str:
    """A list's column name, saying when ages are taken for the columns that show one."""
    at = f"31 March {policy.analyst_age_date(on).year}"
    return {"age_band": f"age band at {at}",
            "children": f"children (pseudonym and age band at {at})"}.get(column, column)


def _choices() -> dict:
    return {"areas": _known(), "statuses": gaps.STATUSES,
            "age_bands": gaps.AGE_BANDS, "service_types": gaps.FILTER_SERVICE_TYPES}


@bp.get("")
@require_roles(policy.may_use_analyst_reports)
def dashboard():
    filters, on = _filters(), _on()
    found = gaps.summary(graph_of(current_app), viewer=current_viewer(), key=_key(), on=on,
                         filters=filters, known=_known())
    audited.record("analyst.dashboard", _params(filters, on), [])
    return render_template("analyst/dashboard.html", summary=found, filters=filters, on=on,
                           args=_params(filters, on), **_choices(), **_dates(on))


@bp.get("/summary.csv")
@require_roles(policy.may_use_analyst_reports)
def summary_export():
    filters, on = _filters(), _on()
    found = gaps.summary(graph_of(current_app), viewer=current_viewer(), key=_key(), on=on,
                         filters=filters, known=_known())
    event = audited.record("analyst.summary.export", _params(filters, on), [])
    header = ["local_authority", *(c.gap.slug for c in found.columns)]
    rows = [[area, *(c.cells[area] for c in found.columns)] for area in found.areas]
    rows.append(["total", *(c.total for c in found.columns)])
    return spreadsheet.download("gap-summary", header, rows, **_provenance(event))


def _gap_list(slug: str) -> tuple:
    gap = BY_SLUG.get(slug) or abort(404)
    filters, on = _filters(), _on()
    # The list is shown only where its length (and its area column) gives away no count that
    # the table suppresses: the cell must be shown in the dashboard's table of the same focus.
    column, in_focus = gaps.gap_column(graph_of(current_app), slug, viewer=current_viewer(),
                                       key=_key(), on=on, filters=filters, known=_known())
    records = [r for r in in_focus if not filters.local_authority
               or r["local_authority"] == filters.local_authority]
    allowed = column.list_allowed(filters.local_authority)
    return gap, filters, on, records if allowed else None, column


def _returned(gap_slug: str, records: list[dict]) -> list[str]:
    key = {"caseloads": "worker", "single-point-of-failure": "family"}.get(gap_slug, "pseudonym")
    return [r[key] for r in records]


@bp.get("/gaps/<slug>")
@require_roles(policy.may_use_analyst_reports)
def gap_list(slug: str):
    gap, filters, on, records, column = _gap_list(slug)
    audited.record("analyst.gap.view", _params(filters, on, gap=slug),
            _returned(slug, records) if records else [])
    shown = column.cells.get(filters.local_authority) if filters.local_authority else column.total
    return render_template("analyst/gap.html", gap=gap, filters=filters, on=on, records=records,
                           shown=shown, columns=LIST_COLUMNS.get(slug, CHILD_COLUMNS),
                           args=_params(filters, on), **_choices(), **_dates(on))


@bp.get("/gaps/<slug>/export.csv")
@require_roles(policy.may_use_analyst_reports)
def gap_export(slug: str):
    _gap, filters, on, records, _column = _gap_list(slug)
    event = audited.record("analyst.gap.export", _params(filters, on, gap=slug),
                    _returned(slug, records) if records else [])
    columns = LIST_COLUMNS.get(slug, CHILD_COLUMNS)
    if records is None:
        return spreadsheet.download(f"gap-{slug}", ["withheld"],
                    [["fewer than 5 (or a count that would reveal one): list withheld"]],
                    **_provenance(event))
    return spreadsheet.download(f"gap-{slug}", [_header(c, on) for c in columns],
                [[r.get(c) for c in columns] for r in records], **_provenance(event))


@bp.get("/caseloads")
@require_roles(policy.may_use_analyst_reports)
def caseloads():
    on = _on()
    found = gaps.caseload_distribution(graph_of(current_app), viewer=current_viewer(), key=_key(), on=on)
    audited.record("analyst.caseloads.view", {"on": on.isoformat()}, [])
    return render_template("analyst/caseloads.html", found=found, on=on, **_dates(on))


@bp.get("/caseloads.csv")
@require_roles(policy.may_use_analyst_reports)
def caseloads_export():
    on = _on()
    found = gaps.caseload_distribution(graph_of(current_app), viewer=current_viewer(), key=_key(), on=on)
    event = audited.record("analyst.caseloads.export", {"on": on.isoformat()}, [])
    rows = [[bucket, *found["table"][i]] for i, bucket in enumerate(found["buckets"])]
    rows.append(["social workers", *found["table"][-1]])
    for stat in ("mean", "median", "p90", "max"):
        rows.append([stat, *(found["stats"][a][stat] for a in found["areas"]),
                     found["stats"]["all"][stat]])
    return spreadsheet.download("caseloads", ["open caseload", *found["areas"], "all"], rows,
                                **_provenance(event))


@bp.get("/analytics")
@require_roles(policy.may_use_analyst_reports)
def analytics():
    on = _on()
    found = overview.overview(graph_of(current_app), viewer=current_viewer(), on=on)
    audited.record("analyst.analytics.view", {"on": on.isoformat()}, [])
    return render_template("analyst/analytics.html", found=found, on=on, **_dates(on))


@bp.get("/analytics.csv")
@require_roles(policy.may_use_analyst_reports)
def analytics_export():
    on = _on()
    found = overview.overview(graph_of(current_app), viewer=current_viewer(), on=on)
    event = audited.record("analyst.analytics.export", {"on": on.isoformat()}, [])
    rows: list[list[object]] = []
    for r in found["professions"]:
        rows.append(["caseload by profession", r["profession"], "", "", r["practitioners"],
                     f"mean {r['mean']} median {r['median']} p90 {r['p90']} max {r['max']}"])
    for r in found["services"]:
        rows.append(["children per service", r["service"], r["type"], r["local_authority"],
                     r["children"], ""])
    for r in found["spanning"]:
        rows.append(["families spanning areas", r["local_authorities"], "", "", r["families"], ""])
    for r in found["centrality"]:
        rows.append(["service betweenness", r["service"], r["type"], r["local_authority"], "",
                     r["betweenness"]])
    return spreadsheet.download("analytics", ["table", "name", "type", "local_authority", "count",
                                              "value"], rows, **_provenance(event))


@bp.get("/network")
@require_roles(policy.may_use_analyst_reports)
def network():
    on = _on()
    known = _known()
    area = request.args.get("la") or (known[0] if known else None)
    if area is not None and area not in known:
        abort(404)
    status = _filters().plan_status
    view = None
    if area is not None:
        view = network_view.network_view(graph_of(current_app), viewer=current_viewer(), key=_key(), on=on,
                                         local_authority=area, plan_status=status)
    audited.record("analyst.network.view", {"on": on.isoformat(), "la": area, "plan_status": status},
            [n["id"] for n in view.nodes if n["kind"] == "child"] if view else [])
    return render_template("analyst/network.html", view=view, areas=known, area=area, on=on,
                           statuses=gaps.STATUSES, status=status, size=network_view.SIZE,
                           **_dates(on))

