"""Retention: archived at 18 (25 for care leavers who consent), purged later.

domain.md: "Records are archived at 18 (25 for care leavers who consent) and purged when the
archive period ends." The rule is a function of the date of birth, the care-leaver consent and
the ``archived_at`` marker, as of the request's date, so a record is archived from the day it
is due whether or not ``explorer retention run`` has marked it. Every read of child data
applies it in Cypher with the same line, on the parameter ``retained`` built here:

  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL
       OR c.date_of_birth > $retained.born_after
       OR coalesce(c.care_leaver AND c.care_leaver_consent, false)
       AND c.date_of_birth > $retained.leaver_born_after))

(written on one line in each query). ``is_retained`` is the same rule in Python. A child with
no date of birth (a seed requires one; a graph loaded otherwise may lack it) is never
archived by age: there is no birthday to archive it on.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

# The rule in Cypher, as every query that finds children writes it on one line (``{v}`` is
# the query's variable for the child); tests/test_queries.py checks each query holds it.
CYPHER = ("$retained.archived OR {v}.archived_at IS NULL AND ({v}.date_of_birth IS NULL"
          " OR {v}.date_of_birth > $retained.born_after"
          " OR coalesce({v}.care_leaver AND {v}.care_leaver_consent, false)"
          " AND {v}.date_of_birth > $retained.leaver_born_after)")

ARCHIVE_AGE = 18
CARE_LEAVER_ARCHIVE_AGE = 25
# How long an archived record is kept before it is purged (``explorer retention run``).
ARCHIVE_YEARS = 6
ARCHIVED_AT_18 = "aged 18"
ARCHIVED_AT_25 = "care leaver aged 25"


def anniversary(born: date, years: int) -> date:
    """The day someone born on ``born`` turns ``years``: a 29 February birthday falls on
    1 March in other years (as ``explorer.seed.validate.age_on`` counts ages).

    >>> anniversary(date(2008, 5, 17), 18), anniversary(date(2008, 2, 29), 18)
    (datetime.date(2026, 5, 17), datetime.date(2026, 3, 1))
    """
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def born_on_or_before(today: date, years: int) -> date:
    """The latest date of birth of someone aged ``years`` or more on ``today``.

    >>> born_on_or_before(date(2026, 5, 17), 18), born_on_or_before(date(2028, 2, 29), 18)
    (datetime.date(2008, 5, 17), datetime.date(2010, 2, 28))
    """
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)


def kept_until_25(child: dict[str, Any]) -> bool:
    """A care leaver who consented is kept until 25; every other record is archived at 18."""
    return bool(child.get("care_leaver")) and bool(child.get("care_leaver_consent"))


def archive_due(child: dict[str, Any]) -> tuple[date, str] | None:
    """When a child's record is due to be archived under the age rule, and why.

    >>> archive_due({"date_of_birth": date(2010, 1, 2)})
    (datetime.date(2028, 1, 2), 'aged 18')
    >>> archive_due({"date_of_birth": date(2005, 1, 2), "care_leaver": True,
    ...              "care_leaver_consent": True})
    (datetime.date(2030, 1, 2), 'care leaver aged 25')
    """
    born = child.get("date_of_birth")
    if born is None:
        return None
    if kept_until_25(child):
        return anniversary(born, CARE_LEAVER_ARCHIVE_AGE), ARCHIVED_AT_25
    return anniversary(born, ARCHIVE_AGE), ARCHIVED_AT_18


def is_retained(child: dict[str, Any], today: date) -> bool:
    """Is the record live (not archived) on ``today``? The rule every query applies.

    >>> is_retained({"date_of_birth": date(2008, 5, 18)}, date(2026, 5, 17))
    True
    >>> is_retained({"date_of_birth": date(2008, 5, 17)}, date(2026, 5, 17))
    False
    >>> is_retained({"date_of_birth": date(2015, 1, 1), "archived_at": date(2026, 1, 1)},
    ...             date(2026, 5, 17))
    False
    """
    if child.get("archived_at") is not None:
        return False
    due = archive_due(child)
    return due is None or due[0] > today


def archive_state(child: dict[str, Any], today: date) -> dict[str, Any] | None:
    """None for a live record; else when it was archived and why, and whether the retention
    run has recorded it yet (the rule holds from the day it is due either way)."""
    if is_retained(child, today):
        return None
    if child.get("archived_at") is not None:
        return {"on": child["archived_at"], "reason": child.get("archived_reason") or "archived",
                "recorded": True}
    on, reason = archive_due(child) or (today, "archived")
    return {"on": on, "reason": reason, "recorded": False}


def retained(today: date, *, archived: bool = False) -> dict[str, Any]:
    """The parameter ``$retained`` of every query that reads children (see above).

    ``archived`` lets archived records through too: only for the management team's
    read-only view of one (a reason asked, the view audited) and their search.
    """
    return {"archived": archived,
            "born_after": born_on_or_before(today, ARCHIVE_AGE),
            "leaver_born_after": born_on_or_before(today, CARE_LEAVER_ARCHIVE_AGE)}



def analysts_retention_date(today: date) -> date:
    """The date analysts' data applies the retention rule at: the last day of this month.

    A child leaves analysts' data at the start of the month of their 18th (or 25th)
    birthday, never on the day: a pseudonym that left the lists on the day would give the
    child's date of birth, which analysts never see (reports change by month at most).

    >>> analysts_retention_date(date(2026, 2, 3)), analysts_retention_date(date(2026, 12, 31))
    (datetime.date(2026, 2, 28), datetime.date(2026, 12, 31))
    """
    first_of_next = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def purged_by(today: date, years: int = ARCHIVE_YEARS) -> date:
    """The latest ``archived_at`` whose archive period of ``years`` has ended by ``today``."""
    return born_on_or_before(today, years)


def purged_id_hash(child_id: str) -> str:
    """The tombstone a purged child leaves: a hash of its id, which says whether a feed's id
    was purged and nothing else (the id itself is kept only in the audit trail's events).

    >>> purged_id_hash("C1") == purged_id_hash("C1") != purged_id_hash("C2")
    True
    """
    return hashlib.sha256(b"purged-child:" + child_id.encode("utf-8")).hexdigest()


def purge_due(archived_at: date, today: date, years: int = ARCHIVE_YEARS) -> bool:
    """Has the archive period of a record archived on ``archived_at`` ended by ``today``?

    >>> purge_due(date(2020, 3, 1), date(2026, 2, 28)), purge_due(date(2020, 3, 1), date(2026, 3, 1))
    (False, True)
    """
    return anniversary(archived_at, years) <= today

