"""Dates and badges: a child's view as it stood on a day (:func:`as_of`), the plan badge,
and the names and periods the map's labels are written with."""

from __future__ import annotations

from datetime import date
from typing import Any

from explorer import coordination

# A child's status as people say it (the seed's values are codes).
STATUS_NAMES = {"cp_plan": "Child protection plan", "looked_after": "Looked after",
                "unborn_plan": "Unborn-child plan", "child_in_need": "Child in need"}


def full_name(person: dict[str, Any]) -> str:
    return " ".join(p for p in (person.get("given_name"), person.get("family_name")) if p) \
        or str(person.get("id") or "")


def iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def span(since: date | None, until: date | None) -> str:
    if not since and not until:
        return ""
    return f"{iso(since)} to {iso(until)}".strip() if until else f"since {iso(since)}"


def _kept(since: date | None, until: date | None, on: date, ceased: bool) -> tuple[bool, bool]:
    """Whether a record is drawn on the day, and whether it had ended by then."""
    started = since is None or since <= on
    ended = until is not None and until < on
    return started and (ceased or not ended), ended


def _born(person: dict[str, Any], on: date) -> bool:
    return person.get("date_of_birth") is None or person["date_of_birth"] <= on


def _households_on(view: dict[str, Any], on: date, ceased: bool) -> list[dict[str, Any]]:
    households = []
    for h in view.get("households", []):
        shown, ended = _kept(h.get("since"), h.get("until"), on, ceased)
        if not shown:
            continue
        members = []
        for m in h["members"]:
            m_shown, m_ended = _kept(m.get("since"), m.get("until"), on, ceased)
            if m_shown and _born(m, on):
                members.append({**m, "ceased": m_ended})
        households.append({**h, "members": members, "ceased": ended})
    return households


def _dated_on(records: list[dict[str, Any]], period: Any, on: date,
              ceased: bool) -> list[dict[str, Any]]:
    """The records drawn on the day, each marked ``ceased`` or not; ``period`` gives the
    part of a record holding its since and until."""
    kept = []
    for r in records:
        shown, ended = _kept(period(r).get("since"), period(r).get("until"), on, ceased)
        if shown:
            kept.append({**r, "ceased": ended})
    return kept


def _siblings_on(view: dict[str, Any], on: date) -> list[dict[str, Any]]:
    """A sibling is drawn from the day it was born; one who is a sibling only by living with
    the child, from the first day they lived together (a member's stay and the child's)."""
    together: dict[str, list[date | None]] = {}
    for h in view.get("households", []):
        for m in h["members"]:
            starts = [d for d in (h.get("since"), m.get("since")) if d is not None]
            together.setdefault(m["id"], []).append(max(starts) if starts else None)

    def sibling_then(s: dict[str, Any]) -> bool:
        if not _born(s["sibling"], on):
            return False
        if "parent" in (s.get("via") or []):
            return True
        return any(start is None or start <= on for start in together.get(s["sibling"]["id"], [None]))

    return [s for s in view.get("siblings", []) if sibling_then(s)]


def as_of(view: dict[str, Any], on: date, *, ceased: bool = True) -> dict[str, Any]:
    """The view as it stood on a day: records not yet started are dropped; records ended
    before it are kept marked ``ceased`` (or dropped with ``ceased=False``).

    >>> v = {"level": "network", "child": {"id": "C"}, "households": [], "carers": [],
    ...      "siblings": [], "conferences": [], "universal": [],
    ...      "involvements": [{"involvement": {"since": date(2026, 1, 1), "until": date(2026, 4, 30)}}]}
    >>> as_of(v, date(2026, 5, 1))["involvements"][0]["ceased"]
    True
    >>> as_of(v, date(2026, 5, 1), ceased=False)["involvements"], as_of(v, date(2025, 1, 1))["involvements"]
    ([], [])
    """
    out = dict(view)
    out["households"] = _households_on(view, on, ceased)
    out["involvements"] = _dated_on(view.get("involvements", []), lambda e: e["involvement"], on, ceased)
    out["universal"] = _dated_on(view.get("universal", []), lambda u: u, on, ceased)
    out["siblings"] = _siblings_on(view, on)
    return out


def plan_badge(child: dict[str, Any], on: date,
               previous: list[dict[str, Any]] | tuple = ()) -> dict[str, Any] | None:
    """The plan in force on the day as the badge shows it: the current plan, or an earlier
    one (``previous``: ended child protection plans) when the day falls in it. A plan that
    follows earlier ones says how many: a repeat plan is a warning sign in its own right.

    >>> plan_badge({"status": "cp_plan", "plan_category": "neglect", "plan_start": date(2026, 3, 2)},
    ...            date(2026, 5, 1))["text"]
    'Child protection plan: neglect (since 2026-03-02)'
    >>> plan_badge({"status": "cp_plan", "plan_start": date(2026, 3, 2)}, date(2026, 1, 1))
    >>> earlier = [{"category": "physical", "start": date(2023, 1, 9), "end": date(2024, 2, 1)}]
    >>> plan_badge({"status": "cp_plan", "plan_category": "neglect", "plan_start": date(2026, 3, 2)},
    ...            date(2026, 5, 1), earlier)["text"]
    'Child protection plan: neglect (since 2026-03-02), repeat plan: 1 earlier'
    >>> plan_badge({"status": "cp_plan", "plan_start": date(2026, 3, 2)}, date(2023, 6, 1),
    ...            earlier)["text"]
    'Child protection plan: physical (2023-01-09 to 2024-02-01)'
    """
    plan = coordination.plan_in_force(child, on, previous)
    if plan is None:
        return None
    status, category, start, end = plan["status"], plan["category"], plan["start"], plan["end"]
    if plan["current"]:
        period = f" (since {start.isoformat()})" if start else ""
    else:
        period = f" ({start.isoformat()} to {end.isoformat()})"
    text = STATUS_NAMES[status] + (f": {category}" if category else "") + period
    earlier = sum(1 for p in previous if start and p["end"] < start)
    if earlier:
        text += f", repeat plan: {earlier} earlier"
    return {"status": status, "category": category, "start": iso(start), "end": iso(end),
            "earlier_plans": earlier, "text": text}
