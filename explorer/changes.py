"""What changed in a child's network between two dates: involvements started and ended,
people who moved in or out, plan changes, school and GP changes.

A pure function of a child's view as ``explorer.children.child_view`` returns it (already
cut by the policy), so a change is only ever about what the viewer may see. Each change names
the ecomap line it is about (the ids ``explorer.ecomap`` gives them), so the map can mark it.
By default a chair compares with the last conference: :func:`default_since`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

STATUS_WORDS = {"cp_plan": "Child protection plan", "looked_after": "Looked after",
                "unborn_plan": "Unborn-child plan"}


def _name(person: dict[str, Any]) -> str:
    return " ".join(p for p in (person.get("given_name"), person.get("family_name")) if p) \
        or str(person.get("id") or "")


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
    found = [*_involvement_changes(view, child), *_household_changes(view, child),
             *_universal_changes(view, child), *_plan_changes(view, child)]
    kept = [{"date": day.isoformat(), "change": change, "what": what, "edge": edge}
            for day, change, what, edge in found if day is not None and since < day <= until]
    return sorted(kept, key=lambda c: (c["date"], c["change"] in ("ended", "moved out", "plan ended"),
                                       c["what"]))


# A change that may fall in the period: its day (None when not recorded), what kind, what
# (in words) and the ecomap line it marks.
_Candidate = tuple[date | None, str, str, str | None]


def _change(day: date | None, change: str, what: str, edge: str | None) -> _Candidate:
    return day, change, what, edge


def _involvement_changes(view: dict[str, Any], child: dict[str, Any]) -> Iterator[_Candidate]:
    for e in view.get("involvements", []):
        inv, prac, svc = e["involvement"], e["practitioner"], e["service"]
        edge = f"involvement:{inv.get('id') or prac['id'] + child.get('id', '')}"
        what = f"{inv.get('role') or 'involvement'}: {_name(prac)} ({svc.get('name') or ''})"
        yield _change(inv.get("since"), "started", what, edge)
        yield _change(inv.get("until"), "ended", what, edge)


def _household_changes(view: dict[str, Any], child: dict[str, Any]) -> Iterator[_Candidate]:
    """The child's moves, and each member's, in and out of the child's households."""
    for h in view.get("households", []):
        place = h["household"].get("address") or "no known address"
        place = place.split(",")[0]
        edge = f"lives:{child.get('id')}:{h['household']['id']}"
        yield _change(h.get("since"), "moved in", f"{_name(child)} to {place}", edge)
        yield _change(h.get("until"), "moved out", f"{_name(child)} from {place}", edge)
        for m in h.get("members", []):
            edge = f"lives:{m['id']}:{h['household']['id']}"
            yield _change(m.get("since"), "moved in", f"{_name(m)} to {place}", edge)
            yield _change(m.get("until"), "moved out", f"{_name(m)} from {place}", edge)


def _universal_changes(view: dict[str, Any], child: dict[str, Any]) -> Iterator[_Candidate]:
    for u in view.get("universal", []):
        kind = "school" if u["kind"] == "school" else "GP practice"
        edge = f"{u['kind']}:{child.get('id')}:{u['service']['id']}:" + \
            (u["since"].isoformat() if u.get("since") else "")
        what = f"{kind}: {u['service'].get('name') or ''}"
        yield _change(u.get("since"), "started", what, edge)
        yield _change(u.get("until"), "ended", what, edge)


def _plan_changes(view: dict[str, Any], child: dict[str, Any]) -> Iterator[_Candidate]:
    """The current plan's start and end, and each earlier child protection plan's."""
    status = STATUS_WORDS.get(child.get("status") or "")
    if status:
        plan = status + (f": {child['plan_category']}" if child.get("plan_category") else "")
        yield _change(child.get("plan_start"), "plan started", plan, None)
        yield _change(child.get("plan_end"), "plan ended", plan, None)
    for p in view.get("previous_plans", []):
        plan = "Child protection plan" + (f": {p['category']}" if p.get("category") else "")
        yield _change(p.get("start"), "plan started", plan, None)
        yield _change(p.get("end"), "plan ended", plan, None)
