"""What an analyst narrows a report to, from the request: an area and one focus (a plan
status, an age band or a service type), and the one test of a de-identified record against
them.

Filters are applied to the de-identified records, so a shielded child (whose area is
"withheld") never turns up under a named area.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from explorer.analytics.catalogue import AGE_BANDS, FILTER_SERVICE_TYPES, STATUSES

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


_FOCUS_FIELDS = {"plan_status": ("status", "statuses"), "age_band": ("age_band", "age_bands"),
                 "service_type": (None, "service_types")}


def category(record: dict[str, Any], dim: str, value: str) -> str | None:
    """The column a record counts in when a report is broken down by ``dim``: its own value
    where it has one (a child has one status and one age band), else ``value`` or OTHER (a
    child has several service types, a family several children); None where ``dim`` does not
    apply (a social worker's caseload).

    >>> category({"status": "cp_plan", "age_band": "5-9", "service_types": ["school"]},
    ...          "age_band", "10-15")
    '5-9'
    >>> category({"statuses": ["cp_plan"], "service_types": []}, "plan_status", "cp_plan")
    'cp_plan'
    >>> category({"worker": "W-1", "caseload": 30}, "age_band", "5-9") is None
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
    found = category(record, *focus)
    return found is None or found == focus[1]


def matches(record: dict[str, Any], filters: Filters) -> bool:
    """Is a de-identified record (a child's, a family's, a worker's) in the filters' area and
    focus? The one test of a record against filters: the lists and the tables use it alike."""
    if filters.local_authority and record["local_authority"] != filters.local_authority:
        return False
    return in_focus(record, filters.focus)


NO_FILTERS = Filters()  # every area, no focus: the default of every report
