"""The de-identified records behind each gap: every record leaves here through
``explorer.policy`` (children as pseudonyms, age bands and area; practitioners and households
as keyed pseudonyms; plan lengths as bands), never with a name, date of birth, address,
postcode or id, and in pseudonym order (never id order, which would map a row's position
back to an id).

No involvement with a sensitive service reaches this module: the queries leave every one
out, consented or not (``policy.in_analysts_data``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from explorer import clock, policy
from explorer.analytics import families
from explorer.analytics.access import require_analysts_scope
from explorer.analytics.catalogue import BY_SLUG, CASELOAD_THRESHOLD, MIN_SERVICES_FOR_LEAD, WITHHELD, Gap
from explorer.analytics.filters import NO_FILTERS, Filters, matches
from explorer.graph import Graph


def area(child: dict[str, Any]) -> str:
    """A child's area as analysts see it: "withheld" for a shielded child."""
    if child.get("shielded"):
        return WITHHELD
    return child.get("local_authority") or "unknown"


def plan_length(plan_start: date | None, on: date) -> str:
    """
    >>> plan_length(date(2023, 1, 1), date(2026, 1, 1))
    '3 years or more'
    >>> plan_length(date(2024, 1, 1), date(2026, 1, 1))
    '2 to 3 years'
    """
    if plan_start is None:
        return "unknown"
    days = (on - plan_start).days
    return "3 years or more" if days >= 3 * 365 else "2 to 3 years"


def since_previous_plan(previous_end: date | None, current_start: date | None) -> str:
    """The time from the end of the latest earlier plan to the start of the current one, as a
    band (official statistics count repeat plans within two years of the previous one ending).

    >>> since_previous_plan(date(2025, 6, 1), date(2026, 1, 1))
    'under 1 year'
    >>> since_previous_plan(date(2024, 6, 1), date(2026, 1, 1))
    '1 to 2 years'
    >>> since_previous_plan(date(2020, 6, 1), date(2026, 1, 1))
    '2 years or more'
    """
    if previous_end is None or current_start is None:
        return "unknown"
    days = (current_start - previous_end).days
    if days < 365:
        return "under 1 year"
    return "1 to 2 years" if days < 2 * 365 else "2 years or more"


def previous_plans(count: int) -> int | str:
    """How many earlier plans, with the rare long histories banded together.

    >>> [previous_plans(n) for n in (1, 2, 3, 7)]
    [1, 2, '3 or more', '3 or more']
    """
    return count if count < 3 else "3 or more"


def analysts_retained() -> dict[str, Any]:
    """The retention rule's parameter for analysts' queries: as of this request's date (the
    app's clock), moved to the month's end (``policy.analysts_retention_date``), whatever
    date the report is as of: an archived record leaves every report, past ones too."""
    return policy.retained(policy.analysts_retention_date(clock.today()))


def _child_record(key: bytes, row: dict[str, Any], age_on: date, on: date) -> dict[str, Any]:
    child = dict(row["child"], local_authority=area(row["child"]))
    record = policy.deidentified_record(key, child, age_on)
    record["service_types"] = sorted(row.get("service_types") or ())
    if "plan_start" in row:
        record["plan_length"] = plan_length(row["plan_start"], on)
    if "previous_plans" in row:
        record["previous_plans"] = previous_plans(row["previous_plans"])
        record["since_previous_plan"] = since_previous_plan(row["previous_plan_end"],
                                                            row["current_plan_start"])
    return record


def gap_params(gap: Gap, on: date) -> dict[str, Any]:
    """The parameters of a child gap's query as of ``on``. Ages (the age band, and the age
    conditions of the queries) are taken at 31 March on or before the report date, so that
    no run of report dates finds a child's birthday."""
    params = {"min_services": MIN_SERVICES_FOR_LEAD} if gap.slug == "no-lead-professional" else {}
    return dict(params, date=on, age_date=policy.analyst_age_date(on),
                school_date=policy.analyst_school_year_date(on), retained=analysts_retained())


def _child_gap(graph: Graph, gap: Gap, key: bytes, on: date,
               filters: Filters) -> list[dict[str, Any]]:
    age_on = policy.analyst_age_date(on)
    found = [record for record in (_child_record(key, row, age_on, on)
                                   for row in graph.read(gap.query, **gap_params(gap, on)))
             if matches(record, filters)]
    # Pseudonym order: the order of the ids (which the query could give) would let a row's
    # position map a pseudonym back to an id.
    return sorted(found, key=lambda r: r["pseudonym"])


def caseload_rows(graph: Graph, key: bytes, on: date, *,
                  viewer: policy.ViewerLike) -> list[dict[str, Any]]:
    """Every social worker's open caseload on ``on``, pseudonymised, in pseudonym order."""
    require_analysts_scope(viewer)
    return _caseload_rows(graph, key, on)


def _caseload_rows(graph: Graph, key: bytes, on: date) -> list[dict[str, Any]]:
    return sorted(({"worker": policy.staff_pseudonym(key, r["practitioner_id"]),
                    "local_authority": r["local_authority"] or "unknown", "caseload": r["caseload"]}
                   for r in graph.read("gap_caseloads", date=on, retained=analysts_retained())),
                  key=lambda r: r["worker"])


def _caseload_gap(graph: Graph, key: bytes, on: date, filters: Filters) -> list[dict[str, Any]]:
    rows = [r for r in _caseload_rows(graph, key, on)
            if r["caseload"] > CASELOAD_THRESHOLD and matches(r, filters)]
    return sorted(rows, key=lambda r: (-r["caseload"], r["worker"]))


def gap_records(graph: Graph, slug: str, *, viewer: policy.ViewerLike, key: bytes, on: date,
                filters: Filters = NO_FILTERS) -> list[dict[str, Any]]:
    """The de-identified records behind one gap, with the filters applied.

    Child gaps give ``policy.deidentified_record`` fields plus ``service_types`` (and
    ``plan_length`` for long plans; ``previous_plans`` and ``since_previous_plan``, a band,
    for repeat plans); the caseload gap gives ``worker``, ``local_authority``,
    ``caseload``; single points of failure give ``family``, ``local_authority``,
    ``children`` (pseudonyms and age bands), ``worker``, ``profession``.
    """
    require_analysts_scope(viewer)
    return records(graph, slug, key=key, on=on, filters=filters)


def records(graph: Graph, slug: str, *, key: bytes, on: date,
            filters: Filters = NO_FILTERS) -> list[dict[str, Any]]:
    """:func:`gap_records` for callers inside this package that have checked the viewer."""
    if slug == "caseloads":
        return _caseload_gap(graph, key, on, filters)
    if slug == "single-point-of-failure":
        rows = graph.read("gap_single_point_of_failure", date=on, retained=analysts_retained())
        return [r for r in families.single_points_of_failure(rows, key, on)
                if matches(r, filters)]
    return _child_gap(graph, BY_SLUG[slug], key, on, filters)
