"""What changed in a child's network between two dates: involvements started and ended,
people who moved in or out, plan changes, school and GP changes.

A pure function of a child's view as ``explorer.children.child_view`` returns it (already
cut by the policy), so a change is only ever about what the viewer may see. Each change names
the ecomap line it is about (the ids ``explorer.ecomap`` gives them), so the map can mark it.
By default a chair compares with the last conference: :func:`default_since`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

STATUS_WORDS = {"cp_plan": "Child protection plan", "looked_after": "Looked after",
                "unborn_plan": "Unborn-child plan"}


def _name(person: dict[str, Any]) -> str:
    return " ".join(p for p in (person.get("given_name"), person.get("family_name")) if p) \
        or str(person.get("id") or "")


def _within(day: date | None, since: date, until: date) -> bool:
    return day is not None and since < day <= until


def default_since(view: dict[str, Any], on: date) -> date | None:
    """The last conference held before ``on`` (what a review conference compares with), or
    None when the view shows no conference (a practitioner's view shows none).

    >>> default_since({"conferences": [{"date": date(2026, 3, 2)}, {"date": date(2026, 6, 1)},
    ...                                {"date": date(2027, 1, 5)}]}, date(2026, 12, 2))
    datetime.date(2026, 6, 1)
    >>> default_since({"conferences": []}, date(2026, 12, 2)) is None
    True
    """
    held = [k["date"] for k in view.get("conferences", []) if k.get("date") and k["date"] < on]
    return max(held) if held else None


def changes(view: dict[str, Any], since: date, until: date) -> list[dict[str, Any]]:
    """Every change after ``since`` up to and including ``until``, oldest first: ``date``,
    ``change`` ('started', 'ended', 'moved in', 'moved out', 'plan started', 'plan ended'),
    ``what`` (in words) and ``edge`` (the ecomap line it marks, or None).

    >>> view = {"child": {"id": "C", "status": "cp_plan", "plan_category": "neglect",
    ...                   "plan_start": date(2026, 3, 2)},
    ...         "involvements": [{"involvement": {"id": "I1", "role": "police officer",
    ...             "since": date(2026, 2, 10), "until": date(2026, 4, 30)},
    ...             "practitioner": {"id": "P1", "given_name": "Sarah", "family_name": "Lowe"},
    ...             "service": {"name": "Police"}}],
    ...         "households": [{"household": {"id": "H1", "address": "14 Winter Road"},
    ...             "since": date(2017, 4, 12), "until": None,
    ...             "members": [{"id": "A1", "label": "Adult", "given_name": "Kevin",
    ...                          "since": date(2016, 6, 1), "until": date(2026, 3, 31)}]}],
    ...         "universal": [], "previous_plans": []}
    >>> for c in changes(view, date(2026, 1, 1), date(2026, 6, 1)):
    ...     print(c["date"], c["change"], c["what"], c["edge"])
    2026-02-10 started police officer: Sarah Lowe (Police) involvement:I1
    2026-03-02 plan started Child protection plan: neglect None
    2026-03-31 moved out Kevin from 14 Winter Road lives:A1:H1
    2026-04-30 ended police officer: Sarah Lowe (Police) involvement:I1
    """
    child = view.get("child", {})
    found: list[dict[str, Any]] = []

    def add(day: date, change: str, what: str, edge: str | None) -> None:
        found.append({"date": day.isoformat(), "change": change, "what": what, "edge": edge})

    for e in view.get("involvements", []):
        inv, prac, svc = e["involvement"], e["practitioner"], e["service"]
        edge = f"involvement:{inv.get('id') or prac['id'] + child.get('id', '')}"
        what = f"{inv.get('role') or 'involvement'}: {_name(prac)} ({svc.get('name') or ''})"
        if _within(inv.get("since"), since, until):
            add(inv["since"], "started", what, edge)
        if _within(inv.get("until"), since, until):
            add(inv["until"], "ended", what, edge)
    for h in view.get("households", []):
        place = h["household"].get("address") or "no known address"
        place = place.split(",")[0]
        edge = f"lives:{child.get('id')}:{h['household']['id']}"
        if _within(h.get("since"), since, until):
            add(h["since"], "moved in", f"{_name(child)} to {place}", edge)
        if _within(h.get("until"), since, until):
            add(h["until"], "moved out", f"{_name(child)} from {place}", edge)
        for m in h.get("members", []):
            edge = f"lives:{m['id']}:{h['household']['id']}"
            if _within(m.get("since"), since, until):
                add(m["since"], "moved in", f"{_name(m)} to {place}", edge)
            if _within(m.get("until"), since, until):
                add(m["until"], "moved out", f"{_name(m)} from {place}", edge)
    for u in view.get("universal", []):
        kind = "school" if u["kind"] == "school" else "GP practice"
        edge = f"{u['kind']}:{child.get('id')}:{u['service']['id']}:" + \
            (u["since"].isoformat() if u.get("since") else "")
        what = f"{kind}: {u['service'].get('name') or ''}"
        if _within(u.get("since"), since, until):
            add(u["since"], "started", what, edge)
        if _within(u.get("until"), since, until):
            add(u["until"], "ended", what, edge)
    status = STATUS_WORDS.get(child.get("status") or "")
    if status:
        plan = status + (f": {child['plan_category']}" if child.get("plan_category") else "")
        if _within(child.get("plan_start"), since, until):
            add(child["plan_start"], "plan started", plan, None)
        if _within(child.get("plan_end"), since, until):
            add(child["plan_end"], "plan ended", plan, None)
    for p in view.get("previous_plans", []):
        plan = "Child protection plan" + (f": {p['category']}" if p.get("category") else "")
        if _within(p.get("start"), since, until):
            add(p["start"], "plan started", plan, None)
        if _within(p.get("end"), since, until):
            add(p["end"], "plan ended", plan, None)
    return sorted(found, key=lambda c: (c["date"], c["change"] in ("ended", "moved out",
                                                                    "plan ended"), c["what"]))
