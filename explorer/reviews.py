"""When a child's next child protection conference is due, and how a conference list sorts.

Pure functions of dates (domain.md, "case conference chair"): an initial conference within
15 working days of the strategy discussion, the first review within 3 months of the initial
conference, then a review at most every 6 months for as long as the plan lasts. Working days
are Monday to Friday less England's bank holidays (the ``holidays`` package keeps the list,
substitute days included).

A conference dated before today has been held; one dated today or later is scheduled. The
due date is reckoned from the last conference held, so a conference held late moves the
next one with it, as the rules say ("within 3 months of the initial conference").
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays

INITIAL_WORKING_DAYS = 15
FIRST_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
# The plans a child protection conference reviews; a looked-after child's reviews are
# another process (an independent reviewing officer's), not a conference.
CONFERENCE_PLANS = frozenset({"cp_plan", "unborn_plan"})


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a bank holiday in England.

    >>> [is_working_day(d) for d in (date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26),
    ...                              date(2026, 12, 28), date(2026, 12, 29))]
    [True, False, False, False, True]
    """
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_after(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (the day itself not counted).

    A strategy discussion on Monday 2 March 2026: 15 working days later is Monday 23 March.
    Over Easter (Good Friday 3 April, Easter Monday 6 April 2026) two more days pass:

    >>> working_days_after(date(2026, 3, 2), 15)
    datetime.date(2026, 3, 23)
    >>> working_days_after(date(2026, 3, 30), 15)
    datetime.date(2026, 4, 22)
    >>> working_days_after(date(2026, 3, 6), 0)
    datetime.date(2026, 3, 6)
    """
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def months_after(start: date, months: int) -> date:
    """The same day ``months`` calendar months later, or that month's last day when it is
    shorter (31 August plus 6 months is the end of February).

    >>> months_after(date(2026, 6, 1), 6), months_after(date(2025, 8, 31), 6)
    (datetime.date(2026, 12, 1), datetime.date(2026, 2, 28))
    >>> months_after(date(2023, 11, 30), 3)
    datetime.date(2024, 2, 29)
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_due(conferences: Iterable[dict[str, Any]], today: date, *,
             status: str | None, plan_end: date | None = None) -> dict[str, Any] | None:
    """The next conference due: ``{"kind", "due", "rule"}``, or None when none is due.

    ``conferences`` are the child's (``date``, ``kind`` 'initial' or 'review', and for an
    initial conference optionally ``strategy_discussion``), in any order.

    - None held yet: the initial conference is due 15 working days after the strategy
      discussion (None when no strategy discussion is recorded: nothing to count from).
    - Held, and the child is on a child protection or unborn-child plan that has not ended:
      a review, 3 months after an initial conference or 6 months after a review.
    - Held, and no plan (the conference made none, or it ended): None.

    Zoë's initial conference on 2 March 2026 and review on 1 June: the next review is due
    by 1 December 2026.

    >>> held = [{"date": date(2026, 3, 2), "kind": "initial"},
    ...         {"date": date(2026, 6, 1), "kind": "review"}]
    >>> next_due(held, date(2026, 12, 2), status="cp_plan")
    {'kind': 'review', 'due': datetime.date(2026, 12, 1), 'rule': 'at most 6 months after the last review'}
    >>> next_due(held[:1], date(2026, 4, 1), status="cp_plan")["due"]
    datetime.date(2026, 6, 2)
    >>> next_due(held, date(2026, 12, 2), status="child_in_need") is None
    True
    >>> next_due([{"date": date(2026, 3, 23), "kind": "initial",
    ...            "strategy_discussion": date(2026, 3, 2)}], date(2026, 3, 10), status="none")["due"]
    datetime.date(2026, 3, 23)
    """
    ordered = sorted(conferences, key=lambda k: (k["date"], k.get("kind") != "initial"))
    held = [k for k in ordered if k["date"] < today]
    if not held:
        discussed = [k["strategy_discussion"] for k in ordered
                     if k.get("kind") == "initial" and k.get("strategy_discussion")]
        if not discussed:
            return None
        return {"kind": "initial", "due": working_days_after(min(discussed), INITIAL_WORKING_DAYS),
                "rule": f"within {INITIAL_WORKING_DAYS} working days of the strategy discussion"}
    if status not in CONFERENCE_PLANS or (plan_end is not None and plan_end < today):
        return None
    last = held[-1]
    if last.get("kind") == "initial":
        return {"kind": "review", "due": months_after(last["date"], FIRST_REVIEW_MONTHS),
                "rule": f"within {FIRST_REVIEW_MONTHS} months of the initial conference"}
    return {"kind": "review", "due": months_after(last["date"], LATER_REVIEW_MONTHS),
            "rule": f"at most {LATER_REVIEW_MONTHS} months after the last review"}


def next_scheduled(conferences: Iterable[dict[str, Any]], today: date) -> dict[str, Any] | None:
    """The earliest conference dated today or later, or None.

    >>> next_scheduled([{"date": date(2026, 1, 5), "kind": "initial"},
    ...                 {"date": date(2026, 4, 1), "kind": "review"}], date(2026, 3, 1))["kind"]
    'review'
    """
    coming = [k for k in conferences if k["date"] >= today]
    return min(coming, key=lambda k: k["date"]) if coming else None


def timeliness(due: dict[str, Any] | None, scheduled: dict[str, Any] | None,
               today: date) -> str:
    """'overdue' (the due date has passed with no conference held since), 'late' (the next
    conference is booked after its due date), 'due' (on time), or '' when none is due.

    >>> d = {"due": date(2026, 12, 1)}
    >>> [timeliness(d, None, date(2026, 12, 2)), timeliness(d, {"date": date(2026, 12, 9)},
    ...  date(2026, 11, 2)), timeliness(d, {"date": date(2026, 11, 30)}, date(2026, 11, 2)),
    ...  timeliness(None, None, date(2026, 11, 2))]
    ['overdue', 'late', 'due', '']
    """
    if due is None:
        return ""
    if due["due"] < today:
        return "overdue"
    if scheduled is not None and scheduled["date"] > due["due"]:
        return "late"
    return "due"


def plan_duration(start: date | None, today: date) -> str:
    """How long a plan has lasted, as a chair says it.

    >>> [plan_duration(date(2026, 3, 2), d) for d in (date(2026, 3, 20), date(2026, 12, 2),
    ...                                               date(2028, 4, 1))]
    ['18 days', '9 months', '2 years 0 months']
    >>> plan_duration(None, date(2026, 1, 1)), plan_duration(date(2027, 1, 1), date(2026, 1, 1))
    ('', '')
    """
    if start is None or start > today:
        return ""
    months = (today.year - start.year) * 12 + today.month - start.month - (today.day < start.day)
    if months < 1:
        days = (today - start).days
        return f"{days} day" + ("" if days == 1 else "s")
    if months < 12:
        return f"{months} month" + ("" if months == 1 else "s")
    years = months // 12
    return f"{years} year{'' if years == 1 else 's'} {months % 12} month" + \
        ("" if months % 12 == 1 else "s")


# -- sorting the conference list -------------------------------------------------------------
#
# Sort keys come from this allow-list only (a query string names one); each is a function of
# a row as explorer.conferences builds it. Rows missing the value sort last either way.

SORT_KEYS: dict[str, str] = {
    "due": "Review due", "next": "Next conference", "child": "Child", "plan": "Plan category",
    "duration": "Plan duration", "lead": "Lead professional",
}
DEFAULT_SORT = "due"


def _sort_value(row: dict[str, Any], key: str) -> Any:
    if key == "due":
        return row["due"]["due"] if row.get("due") else None
    if key == "next":
        return row["next"]["date"] if row.get("next") else None
    if key == "child":
        child = row["child"]
        return ((child.get("family_name") or "").casefold(), (child.get("given_name") or "").casefold())
    if key == "plan":
        return row["child"].get("plan_category") or None
    if key == "duration":
        # Longest first when ascending would read oddly; ascending = shortest plan first,
        # i.e. the latest start first.
        start = row["child"].get("plan_start")
        return -start.toordinal() if start else None
    if key == "lead":
        return (row["leads"][0]["name"].casefold()) if row.get("leads") else None
    raise ValueError(f"not a sort key: {key}")


def sort_rows(rows: list[dict[str, Any]], key: str, descending: bool = False) -> list[dict[str, Any]]:
    """Rows sorted by an allowed key, ties by child id; a row without the value comes last.

    >>> rows = [{"child": {"id": "C2"}, "due": {"due": date(2026, 5, 1)}},
    ...         {"child": {"id": "C1"}, "due": None},
    ...         {"child": {"id": "C3"}, "due": {"due": date(2026, 1, 1)}}]
    >>> [r["child"]["id"] for r in sort_rows(rows, "due")]
    ['C3', 'C2', 'C1']
    >>> [r["child"]["id"] for r in sort_rows(rows, "due", descending=True)]
    ['C2', 'C3', 'C1']
    >>> sort_rows(rows, "id; DROP")
    Traceback (most recent call last):
    ...
    ValueError: not a sort key: id; DROP
    """
    if key not in SORT_KEYS:
        raise ValueError(f"not a sort key: {key}")
    by_id = sorted(rows, key=lambda r: r["child"]["id"])
    present = [r for r in by_id if _sort_value(r, key) is not None]
    missing = [r for r in by_id if _sort_value(r, key) is None]
    return sorted(present, key=lambda r: _sort_value(r, key), reverse=descending) + missing
