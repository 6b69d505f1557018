"""The management team's view of the audit trail: filtered events, CSV export, anomalies.

Looking at the trail is itself recorded, and so is every export.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from explorer import audit, audit_watch, audited, policy
from explorer.accounts import current_viewer, require_roles
from explorer.clock import now
from explorer.graph import graph_of
from explorer.web import spreadsheet

bp = Blueprint("audit_pages", __name__, url_prefix="/audit")

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
CSV_COLUMNS = ("seq", "at", "username", "roles", "action", "params", "returned_ids", "reason", "client",
               "flagged", "id")


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    user = StringField("User", validators=[Optional(), Length(max=64)])
    action = StringField("Action (starts with)", validators=[Optional(), Length(max=64)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    flagged = SelectField("Flagged", choices=[SelectChoice("", "any"), SelectChoice("yes", "flagged only"),
                                                SelectChoice("no", "not flagged")],
                          validators=[Optional()])


def _filters(form: FilterForm) -> dict:
    return {
        "username": (form.user.data or "").strip() or None,
        "action": (form.action.data or "").strip() or None,
        "date_from": form.date_from.data,
        "date_to": form.date_to.data,
        "flagged": {"yes": True, "no": False}.get(form.flagged.data or ""),
    }


@bp.get("")
@require_roles(policy.may_read_audit_trail)
def events():
    graph = graph_of(current_app)
    form = FilterForm(request.args)
    valid = form.validate()
    filters = _filters(form) if valid else {}
    # The chain is checked a bounded step at a time on each load (see explorer/audit_watch.py).
    chain = audit_watch.check(graph, current_app.config["EXPLORER_CONFIG"].var_dir,
                              window=int(current_app.config.get("AUDIT_VERIFY_WINDOW",
                                                                audit_watch.DEFAULT_WINDOW)))
    total = audit.count(graph, **filters)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    rows = audit.search(graph, limit=PAGE_SIZE, skip=(page - 1) * PAGE_SIZE, **filters)
    audited.record("audit.view", dict(_printable(filters), page=page), [r["id"] for r in rows])
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "audit/events.html", form=form, rows=rows, total=total, page=page, pages=pages,
        first=(page - 1) * PAGE_SIZE + 1, chain=chain,
        invalid=None if valid else "; ".join(f"{form[name].label.text}: {errors[0]}"
                                             for name, errors in form.errors.items()),
        page_url=lambda n: url_for("audit_pages.events", **args, page=n),
        query=request.query_string.decode("ascii", "replace"))


@bp.get("/export.csv")
@require_roles(policy.may_read_audit_trail)
def export():
    form = FilterForm(request.args)
    filters = _filters(form) if form.validate() else {}
    rows = audit.search(graph_of(current_app), limit=EXPORT_LIMIT, **filters)
    # Recorded before the file leaves: who exported which events.
    event = audited.record("audit.export", _printable(filters), [r["id"] for r in rows])
    return spreadsheet.download("audit", CSV_COLUMNS, ([row.get(c) for c in CSV_COLUMNS]
                                                       for row in rows),
                                viewer=current_viewer().username, event_id=event)


@bp.get("/anomalies")
@require_roles(policy.may_read_audit_trail)
def anomalies():
    form = FilterForm(request.args)
    form.validate()
    today = now().date()
    date_to = form.date_to.data or today
    date_from = form.date_from.data or date_to - timedelta(days=30)
    threshold = int(current_app.config.get("ANOMALY_CHILDREN_PER_DAY",
                                           audit.ANOMALY_CHILDREN_PER_DAY))
    found = audit.anomalies(graph_of(current_app), date_from=date_from, date_to=date_to, threshold=threshold)
    audited.record("audit.anomalies", {"date_from": date_from, "date_to": date_to, "threshold": threshold},
            [r["id"] for r in found.own_family_name])
    return render_template("audit/anomalies.html", form=form, found=found, threshold=threshold,
                           date_from=date_from, date_to=date_to)


def _printable(filters: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in filters.items() if v is not None}
