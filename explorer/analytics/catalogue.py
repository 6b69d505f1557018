"""The catalogue of service gaps analysts look for (domain.md, "Service gaps analysts look
for"): each gap's slug, query, title, unit and definition, and the thresholds they use.

Each gap is one named query (``cypher/gap_*.cypher``) listing its records.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer import policy
from explorer.seed.schema import ALWAYS_SENSITIVE, SERVICE_TYPES, STATUSES

CASELOAD_NATIONAL_AVERAGE = 15.4  # per social worker, England 2024 (domain.md)
CASELOAD_THRESHOLD = 25  # "far above" the average: the report lists workers over this
MIN_SERVICES_FOR_LEAD = 3
WITHHELD = "withheld"
AGE_BANDS = ("unborn", *(label for _, _, label in policy.AGE_BANDS))
# Sensitive service types are not offered as a filter: a list of pseudonyms filtered on
# one would say who has a sexual health (or mental health...) involvement.
FILTER_SERVICE_TYPES = tuple(t for t in SERVICE_TYPES if t not in ALWAYS_SENSITIVE)
FAMILY_STATUSES = ("child_in_need", "cp_plan", "looked_after", "unborn_plan")

__all__ = ["AGE_BANDS", "BY_SLUG", "CASELOAD_NATIONAL_AVERAGE", "CASELOAD_THRESHOLD",
           "FAMILY_STATUSES", "FILTER_SERVICE_TYPES", "GAPS", "MIN_SERVICES_FOR_LEAD", "STATUSES",
           "WITHHELD", "Gap"]


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
