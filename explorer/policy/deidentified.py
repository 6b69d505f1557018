"""De-identified rules: what analysts see instead of a child (pseudonyms, age bands), the
dates their reports are as of, and who takes part in family-level rows.

Analysts' data (each rule stated once):

- every involvement with a sensitive service is left out of analysts' reports and
  analytics, consented or not (``in_analysts_data``, in ``explorer.policy.sensitive``);
- a shielded child takes no part in families or sibling groups (``in_family_groupings``);
- reports are as of today or the last day of an earlier month (``analyst_report_date``),
  and ages are taken at 31 March on or before that date (``analyst_age_date``).

Each rule is enforced where the data is fetched (the analysts' queries,
cypher/gap_*.cypher and cypher/analytics_*.cypher), so the analysts' code never receives
what a rule leaves out; the functions here state the rules and are what the tests check the
queries against.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta
from typing import Any

from explorer.policy.sensitive import in_analysts_data

__all__ = ["AGE_BANDS", "REPORT_DATE_AFTER_TODAY", "age_band", "analyst_age_date",
           "analyst_report_date", "analyst_school_year_date", "deidentified_record",
           "family_pseudonym", "in_analysts_data", "in_family_groupings", "pseudonym",
           "staff_pseudonym"]

AGE_BANDS = ((0, 4, "0-4"), (5, 9, "5-9"), (10, 15, "10-15"), (16, 17, "16-17"), (18, 25, "18-25"))


def pseudonym(key: bytes, child_id: str) -> str:
    """A stable keyed pseudonym: the same child always gets the same one, and without
    the deployment's key it cannot be linked back to the id.

    >>> pseudonym(b"k", "C1") == pseudonym(b"k", "C1") != pseudonym(b"other", "C1")
    True
    >>> pseudonym(b"k", "C1").startswith("X-")
    True
    """
    digest = hmac.new(key, child_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return "X-" + digest[:12].upper()


def age_band(date_of_birth: date | None, today: date) -> str:
    """The age band analysts see instead of a date of birth.

    >>> age_band(date(2020, 6, 1), date(2026, 5, 31))
    '5-9'
    >>> age_band(date(2027, 1, 1), date(2026, 5, 31))
    'unborn'
    """
    if date_of_birth is None:
        return "unknown"
    if date_of_birth > today:
        return "unborn"
    age = today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month,
                                                                          date_of_birth.day))
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "26+"


def deidentified_record(key: bytes, child: dict[str, Any], today: date) -> dict[str, Any]:
    """What an analyst sees of a child: pseudonym, age band, local authority, status.

    ``today`` is the date the age is taken at: for analysts' reports, ``analyst_age_date``.

    Built from an allow-list, so a field added to children later stays hidden. A
    shielded child's local authority is withheld too: it narrows where they are.
    """
    return {
        "pseudonym": pseudonym(key, child["id"]),
        "age_band": age_band(child.get("date_of_birth"), today),
        "local_authority": "withheld" if child.get("shielded") else child.get("local_authority"),
        "status": child.get("status"),
        "plan_category": child.get("plan_category"),
    }





def in_family_groupings(child: dict[str, Any]) -> bool:
    """May this child appear in a family-level analysts' row (a family, a household, a sibling
    group), or make one?

    Not a shielded child. Its shield hides its household and everyone it lives with; a family
    row that named it beside a sibling whose area is shown elsewhere (or a sibling listed
    because of it) would place it. Shielded children still appear in child-level lists, one
    row each, with their area "withheld".

    >>> in_family_groupings({"id": "C1", "shielded": False}), in_family_groupings({"id": "C2"})
    (True, True)
    >>> in_family_groupings({"id": "C3", "shielded": True})
    False
    """
    return not child.get("shielded")


REPORT_DATE_AFTER_TODAY = "The report date cannot be after today."


def analyst_report_date(requested: date | None, today: date) -> date:
    """The date an analyst's report is as of: today, or the last day of an earlier month.

    Any date an analyst asks for moves back to the last day of the month before it, unless it
    is today or already a month's last day. With any day allowed, asking for consecutive days
    (about 11 requests by halving) finds the day a child's age band flips or a plan turns two
    years old, which is the child's date of birth or the plan's start; month ends give the
    month at most, as a monthly return would. A date after today is refused (ValueError).

    >>> today = date(2026, 11, 25)
    >>> [str(analyst_report_date(d, today)) for d in (None, date(2026, 11, 25),
    ...     date(2026, 11, 10), date(2026, 3, 31), date(2026, 3, 15), date(2024, 2, 29))]
    ['2026-11-25', '2026-11-25', '2026-10-31', '2026-03-31', '2026-02-28', '2024-02-29']
    >>> analyst_report_date(date(2026, 11, 26), today)
    Traceback (most recent call last):
    ...
    ValueError: The report date cannot be after today.
    """
    if requested is None or requested == today:
        return today
    if requested > today:
        raise ValueError(REPORT_DATE_AFTER_TODAY)
    if (requested + timedelta(days=1)).day == 1:
        return requested
    return requested.replace(day=1) - timedelta(days=1)


def analyst_age_date(on: date) -> date:
    """The date analysts' ages are taken at for a report as of ``on``: 31 March on or before
    it, as the children in need census counts them. Every age band and every age condition
    in analysts' data uses it, so a band flips once a year for everyone, never on a child's
    birthday; "unborn" means not born by this date.

    >>> [str(analyst_age_date(d)) for d in (date(2026, 11, 25), date(2026, 3, 31),
    ...                                     date(2026, 3, 30), date(2026, 1, 31))]
    ['2026-03-31', '2026-03-31', '2025-03-31', '2025-03-31']
    """
    return _last(3, 31, on)


def analyst_school_year_date(on: date) -> date:
    """The date school age is taken at for a report as of ``on``: 31 August on or before it,
    the start of the school year (a child of 5 to 15 then is of compulsory school age all
    year; one who was 16 by then has left). Fixed once a year, like ``analyst_age_date``, so
    it finds no birthday; at 31 March a summer's school leavers would count as missing school.

    >>> [str(analyst_school_year_date(d)) for d in (date(2026, 1, 1), date(2026, 8, 31),
    ...                                             date(2026, 11, 25))]
    ['2025-08-31', '2026-08-31', '2026-08-31']
    """
    return _last(8, 31, on)


def _last(month: int, day: int, on: date) -> date:
    """The latest ``month``/``day`` on or before ``on``."""
    this_year = date(on.year, month, day)
    return this_year if this_year <= on else date(on.year - 1, month, day)



def staff_pseudonym(key: bytes, practitioner_id: str) -> str:
    """Analysts see practitioners (caseloads, single points of failure) under a keyed pseudonym
    too: a caseload report is about workload, not about who.

    >>> staff_pseudonym(b"k", "P1").startswith("W-")
    True
    >>> staff_pseudonym(b"k", "P1")[2:] != pseudonym(b"k", "P1")[2:]
    True
    """
    digest = hmac.new(key, b"practitioner:" + practitioner_id.encode("utf-8"), hashlib.sha256)
    return "W-" + digest.hexdigest()[:10].upper()


def family_pseudonym(key: bytes, household_id: str) -> str:
    """A household as analysts see it: a keyed pseudonym, never its address or id.

    >>> family_pseudonym(b"k", "H1").startswith("F-")
    True
    """
    digest = hmac.new(key, b"household:" + household_id.encode("utf-8"), hashlib.sha256)
    return "F-" + digest.hexdigest()[:10].upper()
