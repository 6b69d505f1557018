"""The service-gap reports analysts run (domain.md, "Service gaps analysts look for").

Each gap is one named query (``cypher/gap_*.cypher``), with networkx where the graph
algorithm needs it (single points of failure). Everything leaves this module
de-identified through ``explorer.policy``: children as pseudonyms, age bands and area;
practitioners and households as keyed pseudonyms; never a name, date of birth, address,
postcode or id. Counts leave it only through ``policy.suppress_table``.

No involvement with a sensitive service reaches this module: the queries leave every one
out, consented or not (``policy.in_analysts_data``).

Filters (``Filters``): local authority, plan status, age band, service type. They are
applied to the de-identified records, so a shielded child (whose area is "withheld")
never turns up under a named area.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from explorer import clock, policy
from explorer.analytics import networks
from explorer.graph import Graph
from explorer.seed.schema import ALWAYS_SENSITIVE, SERVICE_TYPES, STATUSES

CASELOAD_NATIONAL_AVERAGE = 15.4  # per social worker, England 2024 (domain.md)
CASELOAD_THRESHOLD = 25  # "far above" the average: the report lists workers over this
MIN_SERVICES_FOR_LEAD = 3
SUMMARY_WORKERS = 4
WITHHELD = "withheld"
AGE_BANDS = ("unborn", *(label for _, _, label in policy.AGE_BANDS))
# Sensitive service types are not offered as a filter: a list of pseudonyms filtered on
# one would say who has a sexual health (or mental health...) involvement.
FILTER_SERVICE_TYPES = tuple(t for t in SERVICE_TYPES if t not in ALWAYS_SENSITIVE)
FAMILY_STATUSES = ("child_in_need", "cp_plan", "looked_after", "unborn_plan")


# The filters beside the area. One at a time: a report narrowed by two (an age band and a
# status) and the same report narrowed by each alone would be tables whose differences give
# away counts each of them hides.
FOCUS_DIMENSIONS = ("plan_status", "age_band", "service_type")
ONE_FOCUS = ("Narrow a report by one of plan status, age band or service type at a time: "
             "reports narrowed by two together could be set against reports narrowed by each, "
             "and give away counts they hide.")
OTHER = "other"


class FilterError(ValueError):
    """Filters an analyst may not combine (the message says why, for a 400 page)."""


@dataclass(frozen=True)
class Filters:
    """What an analyst narrows a report to: an area, and one focus (a plan status, an age
    band or a service type); None means any.

    >>> Filters(age_band="5-9").focus
    ('age_band', '5-9')
    >>> Filters(plan_status="cp_plan", age_band="5-9")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    FilterError: Narrow a report by one of plan status, age band or service type at a time...
    """

    local_authority: str | None = None
    plan_status: str | None = None
    age_band: str | None = None
    service_type: str | None = None

    def __post_init__(self) -> None:
        if sum(1 for d in FOCUS_DIMENSIONS if getattr(self, d)) > 1:
            raise FilterError(ONE_FOCUS)

    @classmethod
    def parse(cls, args: dict[str, str]) -> Filters:
        """From request arguments (``focus=age_band:5-9`` from the form's one choice, or
        ``age_band=5-9`` in links); an unknown value is dropped rather than trusted, and two
        focuses are refused with :class:`FilterError`.

        >>> Filters.parse({"plan_status": "cp_plan", "age_band": "99", "service_type": "camhs"})
        Filters(local_authority=None, plan_status='cp_plan', age_band=None, service_type=None)
        >>> Filters.parse({"focus": "service_type:school", "la": "Northmere"}).args()
        {'la': 'Northmere', 'service_type': 'school'}
        """
        allowed = {"plan_status": STATUSES, "age_band": AGE_BANDS,
                   "service_type": FILTER_SERVICE_TYPES}

        def pick(name: str, allowed_values: Iterable[str] | None = None) -> str | None:
            value = (args.get(name) or "").strip()[:100] or None
            if value is not None and allowed_values is not None and value not in allowed_values:
                return None
            return value

        chosen = {d: pick(d, allowed[d]) for d in FOCUS_DIMENSIONS}
        dim, _, value = (args.get("focus") or "").partition(":")
        if dim in allowed and value in allowed[dim]:
            if chosen[dim] not in (None, value):
                raise FilterError(ONE_FOCUS)
            chosen[dim] = value
        return cls(local_authority=pick("la"), **chosen)

    @property
    def focus(self) -> tuple[str, str] | None:
        """The one focus as (dimension, value), or None."""
        return next(((d, getattr(self, d)) for d in FOCUS_DIMENSIONS if getattr(self, d)), None)

    def args(self) -> dict[str, str]:
        """The filters as request arguments (for links and the audit trail)."""
        names = {"local_authority": "la"}
        return {names.get(f.name, f.name): getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name)}


@dataclass(frozen=True)
class Gap:
    slug: str  # in URLs and file names
    query: str  # cypher/<query>.cypher
    title: str
    unit: str  # what is counted
    description: str


GAPS = (
    Gap("no-school", "gap_no_school", "No school on record", "children",
        "Children of compulsory school age, 5 to 15 at the start of the school year (31 August "
        "on or before the report date), with no school attended on the report date (no ATTENDS "
        "without an end, or ending on or after the date)."),
    Gap("no-gp", "gap_no_gp", "No GP on record", "children",
        "Children born by 31 March on or before the report date (the date analysts' ages are "
        "taken at) with no GP practice registration open on the report date."),
    Gap("no-social-worker", "gap_no_social_worker", "Plan with no social worker", "children",
        "Children on a child protection plan or looked after with no open involvement of a "
        "social worker."),
    Gap("no-lead-professional", "gap_no_lead_professional", "Several services, no lead",
        "children",
        f"Children with open involvements through {MIN_SERVICES_FOR_LEAD} or more services and "
        "no lead professional among them (sensitive services, like every involvement with one, "
        "are left out of analysts' reports)."),
    Gap("siblings-split", "gap_siblings_different_social_workers",
        "Siblings with different social workers", "children",
        "Children with a social worker whose sibling (shared parent, or shared household on the "
        "date) has only other social workers. Shielded children are in no sibling group."),
    Gap("caseloads", "gap_caseloads", "Social workers over caseload", "social workers",
        f"Social workers with more than {CASELOAD_THRESHOLD} children open to them (national "
        f"average {CASELOAD_NATIONAL_AVERAGE})."),
    Gap("long-plans", "gap_long_plans", "Plans of two years or more", "children",
        "Children on a child protection plan open on the date that started two or more years "
        "before it."),
    Gap("repeat-plans", "gap_repeat_plans", "Repeat plans", "children",
        "Children on a child protection plan open on the date who were on at least one earlier "
        "plan, ended before this one started (a second or subsequent plan)."),
    Gap("care-leavers", "gap_care_leavers_no_adviser", "Care leavers with no personal adviser",
        "children",
        "Care leavers aged 18 or over at 31 March on or before the report date with no open "
        "involvement of a personal adviser."),
    Gap("single-point-of-failure", "gap_single_point_of_failure",
        "Families hanging on one practitioner", "families",
        "Families children's services work with (a child in need, on a plan, looked after or a "
        "care leaver) whose children's open involvements are all with one practitioner: if "
        "that practitioner left, the family would have no service. Shielded children are in no "
        "family here."),
)
BY_SLUG = {g.slug: g for g in GAPS}


# -- de-identified records -------------------------------------------------------------------------

def _area(child: dict[str, Any]) -> str:
    if child.get("shielded"):
        return WITHHELD
    return child.get("local_authority") or "unknown"


def _plan_length(plan_start: date | None, on: date) -> str:
    """
    >>> _plan_length(date(2023, 1, 1), date(2026, 1, 1))
    '3 years or more'
    >>> _plan_length(date(2024, 1, 1), date(2026, 1, 1))
    '2 to 3 years'
    """
    if plan_start is None:
        return "unknown"
    days = (on - plan_start).days
    return "3 years or more" if days >= 3 * 365 else "2 to 3 years"


def _since_previous_plan(previous_end: date | None, current_start: date | None) -> str:
    """The time from the end of the latest earlier plan to the start of the current one, as a
    band (official statistics count repeat plans within two years of the previous one ending).

    >>> _since_previous_plan(date(2025, 6, 1), date(2026, 1, 1))
    'under 1 year'
    >>> _since_previous_plan(date(2024, 6, 1), date(2026, 1, 1))
    '1 to 2 years'
    >>> _since_previous_plan(date(2020, 6, 1), date(2026, 1, 1))
    '2 years or more'
    """
    if previous_end is None or current_start is None:
        return "unknown"
    days = (current_start - previous_end).days
    if days < 365:
        return "under 1 year"
    return "1 to 2 years" if days < 2 * 365 else "2 years or more"


def _previous_plans(count: int) -> int | str:
    """How many earlier plans, with the rare long histories banded together.

    >>> [_previous_plans(n) for n in (1, 2, 3, 7)]
    [1, 2, '3 or more', '3 or more']
    """
    return count if count < 3 else "3 or more"


def _child_record(key: bytes, row: dict[str, Any], age_on: date) -> dict[str, Any]:
    child = dict(row["child"], local_authority=_area(row["child"]))
    record = policy.deidentified_record(key, child, age_on)
    record["service_types"] = sorted(row.get("service_types") or ())
    return record


def _matches(record: dict[str, Any], filters: Filters) -> bool:
    """Is a de-identified record (a child's, a family's, a worker's) in the filters' area and
    focus? The one test of a record against filters: the lists and the tables use it alike."""
    if filters.local_authority and record["local_authority"] != filters.local_authority:
        return False
    return in_focus(record, filters.focus)


def analysts_retained() -> dict[str, Any]:
    """The retention rule's parameter for analysts' queries: as of this request's date (the
    app's clock), moved to the month's end (``policy.analysts_retention_date``), whatever
    date the report is as of: an archived record leaves every report, past ones too."""
    return policy.retained(policy.analysts_retention_date(clock.today()))


def _child_gap(graph: Graph, gap: Gap, key: bytes, on: date, filters: Filters,
               **params: Any) -> list[dict[str, Any]]:
    # Ages (the age band, and the age conditions of the queries) are taken at 31 March on or
    # before the report date, so that no run of report dates finds a child's birthday.
    age_on = policy.analyst_age_date(on)
    rows = graph.read(gap.query, date=on, age_date=age_on,
                      school_date=policy.analyst_school_year_date(on), retained=analysts_retained(),
                      **params)
    found = []
    for row in rows:
        record = _child_record(key, row, age_on)
        if "plan_start" in row:
            record["plan_length"] = _plan_length(row["plan_start"], on)
        if "previous_plans" in row:
            record["previous_plans"] = _previous_plans(row["previous_plans"])
            record["since_previous_plan"] = _since_previous_plan(row["previous_plan_end"],
                                                                 row["current_plan_start"])
        if _matches(record, filters):
            found.append(record)
    # Pseudonym order: the order of the ids (which the query could give) would let a row's
    # position map a pseudonym back to an id.
    return sorted(found, key=lambda r: r["pseudonym"])


def caseload_rows(graph: Graph, key: bytes, on: date) -> list[dict[str, Any]]:
    """Every social worker's open caseload on ``on``, pseudonymised, in pseudonym order."""
    return sorted(({"worker": policy.staff_pseudonym(key, r["practitioner_id"]),
                    "local_authority": r["local_authority"] or "unknown", "caseload": r["caseload"]}
                   for r in graph.read("gap_caseloads", date=on, retained=analysts_retained())),
                  key=lambda r: r["worker"])


def _caseload_gap(graph: Graph, key: bytes, on: date, filters: Filters) -> list[dict[str, Any]]:
    rows = [r for r in caseload_rows(graph, key, on)
            if r["caseload"] > CASELOAD_THRESHOLD and _matches(r, filters)]
    return sorted(rows, key=lambda r: (-r["caseload"], r["worker"]))


def _single_points_of_failure(graph: Graph, key: bytes, on: date,
                              filters: Filters) -> list[dict[str, Any]]:
    # The query already leaves shielded children out of families; filtering again here keeps
    # it so should the query ever change.
    rows = []
    for row in graph.read("gap_single_point_of_failure", date=on,
                          retained=analysts_retained()):
        members = {c["id"] for c in row["children"] if policy.in_family_groupings(c)}
        if members:
            rows.append(dict(row, children=[c for c in row["children"] if c["id"] in members],
                             involvements=[i for i in row["involvements"]
                                           if i["child_id"] in members]))
    involvements = []
    children: dict[str, dict[str, Any]] = {}
    family_area = {}
    service_type: dict[str, str | None] = {}
    for row in rows:
        hid = row["household_id"]
        family_area[hid] = row["local_authority"] or "unknown"
        for child in row["children"]:
            children[child["id"]] = child
        for inv in row["involvements"]:
            service_type[inv["service_id"]] = inv["service_type"]
            involvements.append({"child_id": inv["child_id"], "household_id": hid,
                                 "household_la": row["local_authority"],
                                 "practitioner_id": inv["practitioner_id"],
                                 "profession": inv["profession"], "service_id": inv["service_id"],
                                 "service_type": inv["service_type"], "service_la": None})
    G = networks.involvement_graph(involvements)
    for row in rows:  # children with no involvement belong to the family too
        for child in row["children"]:
            G.add_edge(("family", row["household_id"]), ("child", child["id"]))
    hanging = networks.single_points_of_failure(G, [("family", h) for h in family_area])
    age_on = policy.analyst_age_date(on)
    found = []
    # Families by pseudonym, and children by pseudonym within them: never in id order.
    for family, practitioner in sorted(hanging.items(),
                                       key=lambda kv: policy.family_pseudonym(key, kv[0][1])):
        hid = family[1]
        kids = [children[c[1]] for c in G[family] if c[0] == "child"]
        records = sorted((policy.deidentified_record(key, dict(c, local_authority=family_area[hid]),
                                                     age_on) for c in kids),
                         key=lambda r: r["pseudonym"])
        through = {G.edges[("child", c["id"]), practitioner]["service"]
                   for c in kids if G.has_edge(("child", c["id"]), practitioner)}
        types = sorted({service_type[s] for s in through if service_type[s]})
        record = {
            "family": policy.family_pseudonym(key, hid),
            "local_authority": family_area[hid],
            "children": ", ".join(f"{r['pseudonym']} ({r['age_band']})" for r in records),
            "statuses": sorted({r["status"] for r in records if r["status"]}),
            "age_bands": sorted({r["age_band"] for r in records}),
            "worker": policy.staff_pseudonym(key, practitioner[1]),
            # No sensitive involvement reaches this report (the query leaves them out), so the
            # profession never names a sensitive service.
            "profession": G.nodes[practitioner].get("profession"),
            "service_types": types,
        }
        if _matches(record, filters):
            found.append(record)
    return found


def gap_records(graph: Graph, slug: str, *, key: bytes, on: date,
                filters: Filters = Filters()) -> list[dict[str, Any]]:
    """The de-identified records behind one gap, with the filters applied.

    Child gaps give ``policy.deidentified_record`` fields plus ``service_types`` (and
    ``plan_length`` for long plans; ``previous_plans`` and ``since_previous_plan``, a band,
    for repeat plans); the caseload gap gives ``worker``, ``local_authority``,
    ``caseload``; single points of failure give ``family``, ``local_authority``,
    ``children`` (pseudonyms and age bands), ``worker``, ``profession``.
    """
    gap = BY_SLUG[slug]
    if slug == "caseloads":
        return _caseload_gap(graph, key, on, filters)
    if slug == "single-point-of-failure":
        return _single_points_of_failure(graph, key, on, filters)
    params = {"min_services": MIN_SERVICES_FOR_LEAD} if slug == "no-lead-professional" else {}
    return _child_gap(graph, gap, key, on, filters, **params)


# -- counts per local authority, suppressed ---------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One gap's counts per area as shown: suppressed cells and a total that cannot undo them."""

    gap: Gap
    cells: dict[str, int | str]  # area -> shown count
    total: int | str

    def shown(self, areas: list[str]) -> list[int | str]:
        return [self.cells.get(a, 0) for a in areas]

    @property
    def scale(self) -> int:
        """The largest figure shown, for charts: never a hidden one."""
        return max([v for v in self.cells.values() if isinstance(v, int)] + [1])

    def list_allowed(self, area: str | None) -> bool:
        """May the list behind a cell be shown? Not behind a suppressed cell (its length would
        give the count away); for all areas at once only if no cell is suppressed (the list's
        area column would)."""
        if area is None:
            return isinstance(self.total, int) and all(isinstance(v, int)
                                                       for v in self.cells.values())
        return isinstance(self.cells.get(area, 0), int)


def suppressed_column(gap: Gap, counts: dict[str, int], areas: list[str]) -> Column:
    """Counts per area with primary and secondary suppression and the total.

    >>> col = suppressed_column(GAPS[0], {"A": 3, "B": 9, "C": 20}, ["A", "B", "C"])
    >>> col.cells, col.total
    ({'A': '<5', 'B': '*', 'C': 20}, 32)
    >>> col.list_allowed("C"), col.list_allowed("B"), col.list_allowed(None)
    (True, False, False)
    """
    raw = [counts.get(a, 0) for a in areas]
    total = sum(counts.values())
    table = policy.suppress_table([[n] for n in raw] + [[total]])
    return Column(gap, {a: table[i][0] for i, a in enumerate(areas)}, table[-1][0])


def count_by_area(records: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(r["local_authority"] for r in records))


def areas(graph: Graph) -> list[str]:
    return [r["local_authority"] for r in graph.read("analytics_local_authorities")]


def report_areas(graph: Graph, known: list[str] | None = None) -> list[str]:
    """Every row a report's table may have: the known areas (``known``, else read), then
    "withheld" (shielded children) and "unknown". Every page builds its tables over the same
    rows, so that each suppresses the same cells."""
    known = areas(graph) if known is None else known
    return known + [a for a in (WITHHELD, "unknown") if a not in known]


# -- one focus: a breakdown of the unfocused table ---------------------------------------------

_FOCUS_FIELDS = {"plan_status": ("status", "statuses"), "age_band": ("age_band", "age_bands"),
                 "service_type": (None, "service_types")}


def _category(record: dict[str, Any], dim: str, value: str) -> str | None:
    """The column a record counts in when a report is broken down by ``dim``: its own value
    where it has one (a child has one status and one age band), else ``value`` or OTHER (a
    child has several service types, a family several children); None where ``dim`` does not
    apply (a social worker's caseload).

    >>> _category({"status": "cp_plan", "age_band": "5-9", "service_types": ["school"]},
    ...           "age_band", "10-15")
    '5-9'
    >>> _category({"statuses": ["cp_plan"], "service_types": []}, "plan_status", "cp_plan")
    'cp_plan'
    >>> _category({"worker": "W-1", "caseload": 30}, "age_band", "5-9") is None
    True
    """
    single, plural = _FOCUS_FIELDS[dim]
    if single is not None and single in record:
        return str(record[single])
    if plural in record:
        return value if value in record[plural] else OTHER
    return None


def in_focus(record: dict[str, Any], focus: tuple[str, str] | None) -> bool:
    if focus is None:
        return True
    category = _category(record, *focus)
    return category is None or category == focus[1]


def column(gap: Gap, records: list[dict[str, Any]], rows: list[str],
           focus: tuple[str, str] | None) -> Column:
    """One gap's counts per area under a focus, suppressed.

    ``records`` are the gap's records in every area with no focus. With no focus this is
    the table per area. With one, it is one column of the breakdown of that table by the
    focus's dimension (every status, every age band; for a service type, with it and
    without it), suppressed as a whole, with the unfocused table's cells as its totals, held
    as that table shows them: so no two reports, nor one report and the same report
    narrowed, differ by a count that either hides.

    >>> kids = [{"local_authority": a, "age_band": b} for a, b, n in
    ...         (("A", "5-9", 7), ("B", "5-9", 3), ("B", "10-15", 9)) for _ in range(n)]
    >>> column(GAPS[0], kids, ["A", "B"], None).cells
    {'A': 7, 'B': 12}
    >>> col = column(GAPS[0], kids, ["A", "B"], ("age_band", "5-9"))
    >>> col.cells, col.total
    ({'A': '*', 'B': '<5'}, '*')
    """
    unfocused = suppressed_column(gap, count_by_area(records), rows)
    if focus is None:
        return unfocused
    dim, value = focus
    categories = [_category(r, dim, value) for r in records]
    if not records or any(c is None for c in categories):
        return unfocused  # the focus does not narrow this report
    columns = sorted({*categories, value})
    grid = Counter(zip((r["local_authority"] for r in records), categories, strict=True))
    table = [[grid[(a, c)] for c in columns] for a in rows]
    table = [[*line, sum(line)] for line in table]
    table.append([sum(line[j] for line in table) for j in range(len(columns) + 1)])
    totals = len(columns)
    published = {(i, totals): not isinstance(unfocused.cells[a], int) for i, a in enumerate(rows)}
    published[(len(rows), totals)] = not isinstance(unfocused.total, int)
    shown = policy.suppress_table(table, published)
    j = columns.index(value)
    return Column(gap, {a: shown[i][j] for i, a in enumerate(rows)}, shown[-1][j])


def gap_column(graph: Graph, slug: str, *, key: bytes, on: date, filters: Filters,
               known: list[str] | None = None) -> tuple[Column, list[dict[str, Any]]]:
    """One gap under the filters' focus: its column as the dashboard shows it, and the records
    in focus in every area (the list behind the column's cells). ``known``: the areas, if
    the caller has read them already."""
    everything = gap_records(graph, slug, key=key, on=on)
    found = column(BY_SLUG[slug], everything, report_areas(graph, known), filters.focus)
    return found, [r for r in everything if in_focus(r, filters.focus)]


@dataclass(frozen=True)
class Summary:
    areas: list[str]
    columns: list[Column]


def summary(graph: Graph, *, key: bytes, on: date, filters: Filters = Filters(),
            known: list[str] | None = None) -> Summary:
    """Every gap counted per local authority (rows) under the filters' focus, suppressed; an
    area filter shows that area's row of the same table. ``known``: the areas, if the caller
    has read them already."""
    known = areas(graph) if known is None else known
    rows = report_areas(graph, known)
    # The reports are independent reads: run them side by side (the driver is thread-safe).
    with ThreadPoolExecutor(max_workers=SUMMARY_WORKERS) as pool:
        # Each in a copy of this context, so the reads take today (retention) from the app's clock.
        futures = {g.slug: pool.submit(copy_context().run, gap_records, graph, g.slug, key=key,
                                       on=on) for g in GAPS}
        everything = {slug: f.result() for slug, f in futures.items()}
    columns = [column(g, everything[g.slug], rows, filters.focus) for g in GAPS]
    if filters.local_authority:
        shown = [filters.local_authority]
    else:  # "withheld" and "unknown" only when some report has a child there
        shown = [a for a in rows if a in known
                 or any(r["local_authority"] == a for found in everything.values() for r in found)]
    return Summary(shown, columns)


# -- caseload distribution ----------------------------------------------------------------------

HISTOGRAM = (0, 1, 5, 10, 15, 20, 25, 30, 40)


def suppress_statistic(value: float | int | None) -> float | int | str | None:
    """A mean, median, percentile or maximum of counts, shown like a count: under 5 (but not 0)
    it would say how few children one worker has, so it shows as "<5".

    >>> [suppress_statistic(v) for v in (None, 0, 2.5, 4, 5, 17.3)]
    [None, 0, '<5', '<5', 5, 17.3]
    """
    if value is None or value == 0 or value >= policy.SUPPRESSION_THRESHOLD:
        return value
    return policy.SUPPRESSED


def caseload_distribution(graph: Graph, *, key: bytes, on: date) -> dict[str, Any]:
    """The distribution of open caseloads per social worker: one table, buckets by area with
    totals both ways, suppressed as a whole (so no area's small bucket can be recovered from
    another area's or from the totals), and each area's mean, median, 90th percentile and
    maximum beside the national average."""
    rows = caseload_rows(graph, key, on)
    area_names = sorted({r["local_authority"] for r in rows})
    per_area = {a: networks.distribution([r["caseload"] for r in rows if r["local_authority"] == a],
                                         buckets=HISTOGRAM) for a in area_names}
    overall = networks.distribution([r["caseload"] for r in rows], buckets=HISTOGRAM)
    labels = list(overall["histogram"])
    raw = [[per_area[a]["histogram"][b] for a in area_names] + [overall["histogram"][b]]
           for b in labels]
    raw.append([per_area[a]["count"] for a in area_names] + [overall["count"]])
    table = policy.suppress_table(raw)
    def shown_stats(d: dict[str, Any]) -> dict[str, Any]:
        # Beside fewer than 5 workers, a mean and a maximum would give one worker's caseload.
        few = 0 < d["count"] < policy.SUPPRESSION_THRESHOLD
        return {k: "*" if few else suppress_statistic(d[k]) for k in ("mean", "median", "p90", "max")}

    stats = {a: shown_stats(per_area[a]) for a in area_names}
    stats["all"] = shown_stats(overall)
    return {"areas": area_names, "buckets": labels, "table": table, "stats": stats,
            "scale_all": max([row[-1] for row in table[:-1] if isinstance(row[-1], int)] + [1]),
            "national_average": CASELOAD_NATIONAL_AVERAGE, "threshold": CASELOAD_THRESHOLD}
