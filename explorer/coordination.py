"""Coordination warnings beside a child's ecomap: what is missing or has just changed.

Pure functions over a child's view as ``explorer.children.child_view`` returns it (already
cut by the policy), so a warning can only be about what the viewer may see. Each check
returns a warning dict (``code``, ``message``) or None; :func:`warnings` runs them all.
Dates are compared with ``on`` (the ecomap's "as of" date): a record is open on a day when
it started on or before it and ended on or after it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

PLAN_STATUSES = frozenset({"cp_plan", "looked_after", "unborn_plan"})
SCHOOL_AGE = (5, 15)
RECENT_DAYS = 30
SERVICES_NEEDING_A_LEAD = 3

Warning = dict[str, str]


def is_open(record: dict[str, Any], on: date) -> bool:
    """
    >>> is_open({"since": date(2026, 1, 1), "until": None}, date(2026, 5, 1))
    True
    >>> is_open({"since": date(2026, 1, 1), "until": date(2026, 4, 30)}, date(2026, 5, 1))
    False
    """
    since, until = record.get("since"), record.get("until")
    return (since is None or since <= on) and (until is None or until >= on)


def is_social_worker(entry: dict[str, Any]) -> bool:
    """An involvement entry (involvement, practitioner, service) of a social worker.

    >>> is_social_worker({"involvement": {"role": "allocated social worker"}, "practitioner": {}})
    True
    >>> is_social_worker({"involvement": {"role": "teacher"}, "practitioner": {"profession": "teacher"}})
    False
    """
    return (entry.get("practitioner") or {}).get("profession") == "social_worker" \
        or "social worker" in ((entry.get("involvement") or {}).get("role") or "").lower()


def _open_involvements(view: dict[str, Any], on: date) -> list[dict[str, Any]]:
    return [e for e in view.get("involvements", []) if is_open(e["involvement"], on)]


def _age(date_of_birth: date | None, on: date) -> int | None:
    if date_of_birth is None:
        return None
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month,
                                                                 date_of_birth.day))


def no_lead_professional(view: dict[str, Any], on: date) -> Warning | None:
    """Three or more services involved (practitioners' services, school, GP) and no lead.

    >>> inv = lambda s, lead=False: {"involvement": {"since": None, "until": None, "lead": lead},
    ...                              "service": {"id": s}, "practitioner": {}}
    >>> no_lead_professional({"involvements": [inv("A"), inv("B"), inv("C")]}, date(2026, 1, 1))["code"]
    'no-lead-professional'
    >>> no_lead_professional({"involvements": [inv("A", True), inv("B"), inv("C")]}, date(2026, 1, 1))
    """
    involved = _open_involvements(view, on)
    services = {e["service"].get("id") for e in involved}
    services |= {u["service"].get("id") for u in view.get("universal", []) if is_open(u, on)}
    services.discard(None)
    if len(services) < SERVICES_NEEDING_A_LEAD or any(e["involvement"].get("lead")
                                                       for e in involved):
        return None
    return {"code": "no-lead-professional",
            "message": f"{len(services)} services are involved and nobody is the lead professional."}


def no_gp(view: dict[str, Any], on: date) -> Warning | None:
    """
    >>> no_gp({"universal": []}, date(2026, 1, 1))["code"]
    'no-gp'
    """
    if any(u["kind"] == "gp_practice" and is_open(u, on) for u in view.get("universal", [])):
        return None
    return {"code": "no-gp", "message": "No GP practice on record."}


def no_school(view: dict[str, Any], on: date) -> Warning | None:
    """A child of school age (5 to 15) with no school on record.

    >>> no_school({"child": {"date_of_birth": date(2015, 1, 1)}, "universal": []}, date(2026, 1, 1))["code"]
    'no-school'
    >>> no_school({"child": {"date_of_birth": date(2023, 1, 1)}, "universal": []}, date(2026, 1, 1))
    """
    age = _age(view["child"].get("date_of_birth"), on)
    if age is None or not SCHOOL_AGE[0] <= age <= SCHOOL_AGE[1]:
        return None
    if any(u["kind"] == "school" and is_open(u, on) for u in view.get("universal", [])):
        return None
    return {"code": "no-school", "message": f"School age ({age}) and no school on record."}


def siblings_with_different_social_workers(view: dict[str, Any], sibling_views: dict[str, dict],
                                           on: date) -> Warning | None:
    """Siblings (whose own views the viewer may see) with a social worker other than this
    child's. Siblings whose records the viewer may not open are not compared.

    >>> sw = lambda p: {"involvement": {"role": "social worker", "since": None, "until": None},
    ...                 "practitioner": {"id": p, "given_name": p, "family_name": ""}}
    >>> me = {"involvements": [sw("P1")]}
    >>> siblings_with_different_social_workers(me, {"C2": {"child": {"id": "C2", "given_name": "B",
    ...     "family_name": "X"}, "involvements": [sw("P2")]}}, date(2026, 1, 1))["code"]
    'siblings-different-social-workers'
    >>> siblings_with_different_social_workers(
    ...     me, {"C2": {"child": {"id": "C2"}, "involvements": [sw("P1")]}}, date(2026, 1, 1))
    """
    mine = {e["practitioner"].get("id") for e in _open_involvements(view, on) if is_social_worker(e)}
    differing = []
    for sibling_id in sorted(sibling_views):
        theirs = {e["practitioner"].get("id") for e in _open_involvements(sibling_views[sibling_id], on)
                  if is_social_worker(e)}
        if theirs and theirs != mine:
            child = sibling_views[sibling_id]["child"]
            differing.append(f"{child.get('given_name') or ''} {child.get('family_name') or ''}".strip()
                             or sibling_id)
    if not differing:
        return None
    return {"code": "siblings-different-social-workers",
            "message": "Siblings with a different social worker: " + ", ".join(differing) + "."}


def recently_ended(view: dict[str, Any], on: date) -> Warning | None:
    """An involvement that ended in the last 30 days (before ``on``).

    >>> e = {"involvement": {"role": "police", "since": None, "until": date(2026, 4, 30)},
    ...      "practitioner": {}, "service": {"name": "Police"}}
    >>> recently_ended({"involvements": [e]}, date(2026, 5, 10))["code"]
    'recently-ended'
    >>> recently_ended({"involvements": [e]}, date(2026, 6, 30))
    """
    ended = [e for e in view.get("involvements", [])
             if e["involvement"].get("until") is not None
             and on - timedelta(days=RECENT_DAYS) <= e["involvement"]["until"] < on]
    if not ended:
        return None
    names = [f"{e['involvement'].get('role') or 'involvement'} ({e['service'].get('name') or ''}, "
             f"ended {e['involvement']['until'].isoformat()})" for e in ended]
    return {"code": "recently-ended",
            "message": f"Ended in the last {RECENT_DAYS} days: " + "; ".join(names) + "."}


def plan_in_force(child: dict[str, Any], on: date,
                  previous: list[dict[str, Any]] | tuple = ()) -> dict[str, Any] | None:
    """The plan in force on a day: the child's current plan (``status``, ``plan_category``,
    ``plan_start``, ``plan_end``) when the day falls in it, else an earlier, ended child
    protection plan (``previous``) that covers the day, else None. The ecomap's plan badge
    and the plan warning both ask this, so they cannot disagree.

    >>> child = {"status": "cp_plan", "plan_category": "neglect", "plan_start": date(2026, 3, 2)}
    >>> plan_in_force(child, date(2026, 5, 1))["status"], plan_in_force(child, date(2021, 1, 1))
    ('cp_plan', None)
    >>> plan_in_force(child, date(2021, 7, 1), [{"category": "physical", "start": date(2021, 6, 14),
    ...                                         "end": date(2022, 9, 26)}])["category"]
    'physical'
    """
    status, start, end = child.get("status"), child.get("plan_start"), child.get("plan_end")
    if status in PLAN_STATUSES and not (start and start > on) and not (end and end < on):
        return {"status": status, "category": child.get("plan_category"), "start": start,
                "end": end, "current": True}
    plan = next((p for p in previous if p["start"] <= on <= p["end"]), None)
    if plan is None:
        return None
    return {"status": "cp_plan", "category": plan.get("category"), "start": plan["start"],
            "end": plan["end"], "current": False}


def plan_without_social_worker(view: dict[str, Any], on: date) -> Warning | None:
    """A child protection plan, looked-after status or unborn-child plan in force on the day
    (``plan_in_force``: the plan the badge shows) and no social worker.

    >>> plan_without_social_worker({"child": {"status": "cp_plan"}, "involvements": []},
    ...                            date(2026, 1, 1))["code"]
    'plan-no-social-worker'
    >>> plan_without_social_worker({"child": {"status": "cp_plan", "plan_start": date(2026, 3, 2)},
    ...                             "involvements": []}, date(2021, 1, 1))
    """
    plan = plan_in_force(view["child"], on, view.get("previous_plans") or ())
    if plan is None:
        return None
    if any(is_social_worker(e) for e in _open_involvements(view, on)):
        return None
    return {"code": "plan-no-social-worker",
            "message": f"{plan['status'].replace('_', ' ')} and no social worker allocated."}


def warnings(view: dict[str, Any], on: date,
             sibling_views: dict[str, dict] | None = None) -> list[Warning]:
    """Every warning for a child's view on a day, in a fixed order; none for a shielded view
    (the viewer sees too little to judge, and an absence must not hint at what is hidden).

    >>> warnings({"level": "shielded", "child": {}}, date(2026, 1, 1))
    []
    """
    if view.get("level") == "shielded":
        return []
    found = [no_lead_professional(view, on), no_gp(view, on), no_school(view, on),
             siblings_with_different_social_workers(view, sibling_views or {}, on),
             recently_ended(view, on), plan_without_social_worker(view, on)]
    return [w for w in found if w is not None]
