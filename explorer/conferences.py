"""The conference list: a chair's children (the management team's: every child with a
conference) with the next conference, when one is due and whether it is overdue, the plan,
the lead professional and the ecomap's warnings count.

Rows are read through ``explorer.children`` (which applies the policy); due dates come from
the pure rules in ``explorer.reviews``; warnings from ``explorer.ecomap.view_warnings`` on
views read through the policy, so the count is the one the child's ecomap shows today. The
list is sorted on the server by a key from ``reviews.SORT_KEYS`` and paged; warnings are
counted for the page shown only (each needs the child's whole view).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from explorer import reviews
from explorer.children import child_views, conference_rows, sibling_views
from explorer.ecomap import view_warnings

PAGE_SIZE = 50


def _name(person: dict[str, Any]) -> str:
    return " ".join(p for p in (person.get("given_name"), person.get("family_name")) if p) \
        or str(person.get("id") or "")


def describe(row: dict[str, Any], today: date) -> dict[str, Any]:
    """A row of ``children.conference_rows`` with what the list shows worked out: ``next``
    (the next scheduled conference), ``due`` (``reviews.next_due``), ``timeliness``,
    ``duration`` (of the current plan) and each lead's ``name``.

    >>> row = {"child": {"id": "C1", "status": "cp_plan", "plan_start": date(2026, 3, 2)},
    ...        "conferences": [{"date": date(2026, 3, 2), "kind": "initial"},
    ...                        {"date": date(2026, 6, 1), "kind": "review"}], "leads": []}
    >>> d = describe(row, date(2026, 12, 2))
    >>> d["due"]["due"], d["timeliness"], d["duration"], d["next"]
    (datetime.date(2026, 12, 1), 'overdue', '9 months', None)
    """
    child, conferences = row["child"], row["conferences"]
    if child.get("shielded") and not conferences:
        # Withheld by the policy (or none on record): nothing to reckon from.
        due = None
    else:
        due = reviews.next_due(conferences, today, status=child.get("status"),
                               plan_end=child.get("plan_end"))
    scheduled = reviews.next_scheduled(conferences, today)
    plan_on = child.get("status") in reviews.CONFERENCE_PLANS | {"looked_after"} and not (
        child.get("plan_end") and child["plan_end"] < today)
    return {**row, "next": scheduled, "due": due,
            "timeliness": reviews.timeliness(due, scheduled, today),
            "duration": reviews.plan_duration(child.get("plan_start"), today) if plan_on else "",
            "leads": [{**lead, "name": _name(lead["practitioner"])} for lead in row["leads"]]}


def conference_list(graph: Any, viewer: Any, *, today: date, sort: str = reviews.DEFAULT_SORT,
                    descending: bool = False, page: int = 1,
                    page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of the viewer's conference list, sorted by an allowed key (ValueError
    otherwise), with ``total``, ``pages``, ``overdue`` (over the whole list) and each row's
    ``warnings`` (a count, or None for a shielded child whose view the viewer may not open)."""
    rows = [describe(r, today) for r in conference_rows(graph, viewer, today=today)]
    ordered = reviews.sort_rows(rows, sort, descending)
    pages = max(1, -(-len(ordered) // page_size))
    page = min(max(page, 1), pages)
    shown = ordered[(page - 1) * page_size: page * page_size]
    views = child_views(graph, viewer, [r["child"]["id"] for r in shown], today=today)
    sibling_ids = sorted({s["sibling"]["id"] for v in views.values() for s in v["siblings"]}
                         - set(views))
    siblings = child_views(graph, viewer, sibling_ids, today=today, parts=("involvements",)) \
        if sibling_ids else {}
    known = {**siblings, **views}
    for view in views.values():
        # Siblings the viewer may not open in their own right are compared as the child's
        # ecomap compares them: as its network shows them.
        rest = [s["sibling"]["id"] for s in view["siblings"] if s["sibling"]["id"] not in known]
        if rest:
            known.update(sibling_views(graph, viewer, view, rest, today=today))
    for row in shown:
        drawn = views.get(row["child"]["id"])
        if drawn is None or drawn.get("level") == "shielded":
            row["warnings"] = None
            continue
        found, _ = view_warnings(drawn, today, known)
        row["warnings"] = len(found)
    return {"rows": shown, "total": len(ordered), "page": page, "pages": pages,
            "sort": sort, "descending": descending,
            "overdue": sum(1 for r in ordered if r["timeliness"] == "overdue")}
