"""The dashboard's counts, counted in Cypher (issue 20): at 11 million children the lists
behind the dashboard hold hundreds of thousands of records, and reading, pseudonymising and
counting them in Python was most of its time. Each gap's ``<query>_counts`` query lists the
same records as the gap's query and returns only how many share each group of the fields the
tables look at (area, status, age band, service types); ``suppression.tally`` builds from
those groups the very tables it builds from the records (tests/test_analytics.py checks
the two against each other for every gap and every focus).

Groups keep only what a focus can ask: a family's statuses, age bands and service types, and
a child's service types, are kept only among the values the filters offer
(``catalogue``), which is all ``filters.category`` needs to place a record in its column.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from explorer import policy
from explorer.analytics.catalogue import AGE_BANDS, CASELOAD_THRESHOLD, FILTER_SERVICE_TYPES, STATUSES, Gap
from explorer.analytics.records import analysts_retained, gap_params
from explorer.analytics.suppression import Group
from explorer.graph import Graph

# What a focus may ask of each dimension (Filters.parse drops anything else).
CHOICES = {"plan_status": STATUSES, "age_band": AGE_BANDS, "service_type": FILTER_SERVICE_TYPES}


def countable(focus: tuple[str, str] | None) -> bool:
    """Can the counts answer this focus? Those the filters offer, yes."""
    return focus is None or focus[1] in CHOICES[focus[0]]


def age_bands(age_on: date) -> list[dict[str, Any]]:
    """``policy.age_band``'s bands as dates of birth for a query: a child aged ``low`` to
    ``high`` on ``age_on`` was born after ``after`` and on or before ``upto``.

    >>> from datetime import timedelta
    >>> on = date(2025, 3, 31)
    >>> bands = age_bands(on)
    >>> def band(born):
    ...     if born > on:
    ...         return "unborn"
    ...     return next((b["label"] for b in bands if b["after"] < born <= b["upto"]), "26+")
    >>> days = [date(1996, 1, 1) + timedelta(days=n) for n in range(11_000)]
    >>> all(band(d) == policy.age_band(d, on) for d in days)
    True
    """
    return [{"label": label, "upto": policy.born_on_or_before(age_on, low),
             "after": policy.born_on_or_before(age_on, high + 1)}
            for low, high, label in policy.AGE_BANDS]


def _caseload_groups(graph: Graph, on: date) -> list[Group]:
    # Social workers over the threshold, per area: a handful of rows per area, no child's.
    over = Counter(r["local_authority"] or "unknown"
                   for r in graph.read("gap_caseloads", date=on, retained=analysts_retained())
                   if r["caseload"] > CASELOAD_THRESHOLD)
    return [({"local_authority": area}, n) for area, n in sorted(over.items())]


def groups(graph: Graph, gap: Gap, on: date) -> list[Group]:
    """The gap's records on ``on`` as groups: (the fields a table looks at, how many)."""
    if gap.slug == "caseloads":
        return _caseload_groups(graph, on)
    params = gap_params(gap, on)
    rows = graph.read(f"{gap.query}_counts", **params, bands=age_bands(params["age_date"]),
                      statuses=list(STATUSES), age_bands=list(AGE_BANDS),
                      service_types=sorted(FILTER_SERVICE_TYPES))
    return [({k: v for k, v in row.items() if k != "records"}, row["records"]) for row in rows]
