"""The analysts' dashboard (domain.md, "Service gaps analysts look for"): every gap counted
per local authority under the filters' focus, suppressed; one gap's column with the list
behind it; the caseload distribution.

The module's ideas live beside it, and their public names are importable from here too:
``catalogue`` (the gaps), ``filters`` (request parsing), ``records`` (de-identification),
``families`` (single points of failure), ``suppression`` (disclosure control as the
reports use it), ``caseloads``. Every entry point takes the viewer and checks its scope
(``access.require_analysts_scope``) before it reads anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from explorer import clock, policy
from explorer.analytics import counting, saved
from explorer.analytics.access import require_analysts_scope
from explorer.analytics.caseloads import HISTOGRAM, caseload_distribution
from explorer.analytics.catalogue import (
    AGE_BANDS,
    BY_SLUG,
    CASELOAD_NATIONAL_AVERAGE,
    CASELOAD_THRESHOLD,
    FAMILY_STATUSES,
    FILTER_SERVICE_TYPES,
    GAPS,
    MIN_SERVICES_FOR_LEAD,
    STATUSES,
    WITHHELD,
    Gap,
)
from explorer.analytics.filters import (
    FOCUS_DIMENSIONS,
    NO_FILTERS,
    ONE_FOCUS,
    OTHER,
    FilterError,
    Filters,
    in_focus,
)
from explorer.analytics.records import analysts_retained, caseload_rows, gap_records, records
from explorer.analytics.suppression import (
    Column,
    column,
    count_by_area,
    suppress_statistic,
    suppressed_column,
    tally,
)
from explorer.graph import Graph

__all__ = ["AGE_BANDS", "BY_SLUG", "CASELOAD_NATIONAL_AVERAGE", "CASELOAD_THRESHOLD",
           "FAMILY_STATUSES", "FILTER_SERVICE_TYPES", "FOCUS_DIMENSIONS", "GAPS", "HISTOGRAM",
           "MIN_SERVICES_FOR_LEAD", "ONE_FOCUS", "OTHER", "STATUSES", "WITHHELD", "Column",
           "FilterError", "Filters", "Gap", "Summary", "analysts_retained", "areas",
           "caseload_distribution", "caseload_rows", "column", "count_by_area", "gap_column",
           "gap_records", "in_focus", "report_areas", "summary", "suppress_statistic",
           "suppressed_column"]


def areas(graph: Graph) -> list[str]:
    """The local authorities named by households and services (organisations' areas, no
    child's data), for the filters and the tables' rows."""
    return [r["local_authority"] for r in graph.read("analytics_local_authorities")]


def report_areas(graph: Graph, known: list[str] | None = None) -> list[str]:
    """Every row a report's table may have: the known areas (``known``, else read), then
    "withheld" (shielded children) and "unknown". Every page builds its tables over the same
    rows, so that each suppresses the same cells."""
    known = areas(graph) if known is None else known
    return known + [a for a in (WITHHELD, "unknown") if a not in known]


def gap_column(graph: Graph, slug: str, *, viewer: policy.ViewerLike, key: bytes, on: date,
               filters: Filters, known: list[str] | None = None
               ) -> tuple[Column, list[dict[str, Any]]]:
    """One gap under the filters' focus: its column as the dashboard shows it, and the records
    in focus in every area (the list behind the column's cells). ``known``: the areas, if
    the caller has read them already."""
    require_analysts_scope(viewer)
    everything = records(graph, slug, key=key, on=on)
    found = column(BY_SLUG[slug], everything, report_areas(graph, known), filters.focus)
    return found, [r for r in everything if in_focus(r, filters.focus)]


@dataclass(frozen=True)
class Summary:
    areas: list[str]
    columns: list[Column]
    # When each gap's counts were counted: not part of what the summary says (two summaries
    # with the same figures are the same report).
    counted_at: tuple[datetime, ...] = field(default=(), compare=False)

    @property
    def counted(self) -> str:
        """"Counted at 06:02 UTC on 3 December 2026": saved counts may be hours old."""
        return saved.counted_phrase(self.counted_at)


def summary(graph: Graph, *, viewer: policy.ViewerLike, key: bytes, on: date,
            filters: Filters = NO_FILTERS, known: list[str] | None = None) -> Summary:
    """Every gap counted per local authority (rows) under the filters' focus, suppressed; an
    area filter shows that area's row of the same table. ``known``: the areas, if the caller
    has read them already.

    The counts are counted in Cypher (``counting``) and saved (``saved``): the saved ones are
    served while the data and the date are unchanged, else every gap is counted again and
    saved. No record leaves the database. A focus the filters do not offer (only code can
    ask one) is counted from the records."""
    require_analysts_scope(viewer)
    known = areas(graph) if known is None else known
    rows = report_areas(graph, known)
    if counting.countable(filters.focus):
        found = saved.counts(graph, on)
        everything = {slug: c.groups for slug, c in found.items()}
        counted_at = tuple(c.counted_at for c in found.values())
    else:
        everything = saved.side_by_side(
            lambda gap: [(r, 1) for r in records(graph, gap.slug, key=key, on=on)], GAPS)
        counted_at = (clock.now(),)
    columns = [tally(g, everything[g.slug], rows, filters.focus) for g in GAPS]
    if filters.local_authority:
        shown = [filters.local_authority]
    else:  # "withheld" and "unknown" only when some report has a child there
        somewhere = {fields["local_authority"] for found in everything.values()
                     for fields, n in found if n}
        shown = [a for a in rows if a in known or a in somewhere]
    return Summary(shown, columns, counted_at)
