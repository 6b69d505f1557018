"""The seed format as data: every seed file, its columns, their types and rules.

This is the single source of truth for the format. The reader validates
against it, the generator writes its columns in this order, the loader can
take labels, relationship types and identity keys from it, and
`docs/seed-format.md` documents it (a test checks that every column here is
documented there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
# UK postcode shape (not a check that the postcode exists): outward code,
# optional space, inward code. Stored normalised to upper case with one space.
POSTCODE_PATTERN = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_PATTERN = re.compile(r"\+?[0-9 ()-]{6,24}")

GENDERS = ("female", "male", "other", "not_specified")
STATUSES = ("none", "child_in_need", "cp_plan", "looked_after", "unborn_plan")
PLAN_STATUSES = ("cp_plan", "looked_after", "unborn_plan")
PLAN_CATEGORIES = ("neglect", "physical", "sexual", "emotional", "multiple")
ADDRESS_STATUSES = ("known", "last_known", "none")
PROFESSIONS = (
    "social_worker", "teacher", "gp", "health_visitor", "school_nurse", "camhs_clinician",
    "youth_justice_officer", "personal_adviser", "police_officer", "sexual_health_nurse",
    "substance_misuse_worker", "family_support_worker", "midwife", "paediatrician", "other",
)
SERVICE_TYPES = (
    "school", "gp_practice", "health_visiting", "social_care", "camhs", "mental_health",
    "youth_justice", "sexual_health", "substance_misuse", "early_help", "leaving_care",
    "police", "other",
)
# Involvement with these is special category data (UK GDPR art. 9): the
# service is sensitive whatever a file says, so a feed cannot declassify it.
ALWAYS_SENSITIVE = frozenset({"sexual_health", "mental_health", "camhs", "substance_misuse"})
CONFERENCE_KINDS = ("initial", "review")

# Column kinds understood by the reader (see reader._convert).
KINDS = (
    "id", "ref", "str", "text", "date", "bool", "enum", "names", "nhs", "postcode",
    "email", "phone", "username",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False  # a value is required in every row (and so the column in the header)
    default: object = None  # used when the value is empty
    values: tuple[str, ...] = ()  # allowed values of an enum
    ref: tuple[str, ...] = ()  # labels a ref may point to
    example: str = ""
    doc: str = ""

    @property
    def in_header(self) -> bool:
        """Must the column be present in the file's header?"""
        return self.required or self.kind in ("id", "ref")


@dataclass(frozen=True)
class SeedType:
    name: str  # the jsonl "type" and the key of Seed.rows, e.g. "child"
    file: str  # e.g. "children.csv"
    label: str  # node label or relationship type, e.g. "Child", "LIVES_IN"
    is_node: bool
    columns: tuple[Column, ...]
    # Columns that identify a row: the id for nodes; for relationships the
    # ends (plus `since` where a person may have several spells).
    key: tuple[str, ...]
    start: str | None = None  # relationship: column holding the start node id
    end: str | None = None  # relationship: column holding the end node id
    doc: str = ""
    column_map: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_map", {c.name: c for c in self.columns})


def _id(example: str, doc: str = "unique per label") -> Column:
    return Column("id", "id", required=True, example=example, doc=doc)


def _ref(name: str, labels: tuple[str, ...], example: str) -> Column:
    return Column(name, "ref", required=True, ref=labels, example=example)


def _names() -> tuple[Column, ...]:
    return (
        Column("given_name", "str", required=True, example="Zoë"),
        Column("family_name", "str", required=True, example="O'Brien"),
    )


def _contact() -> tuple[Column, ...]:
    return (
        Column("phone", "phone", example="01632 960123"),
        Column("email", "email", example="j.smith@example.org"),
    )


def _dates(since_required: bool = False) -> tuple[Column, ...]:
    return (
        Column("since", "date", required=since_required, example="2024-09-01"),
        Column("until", "date", example="2025-07-18", doc="on or after `since`"),
    )


CHILD = SeedType(
    "child", "children.csv", "Child", True,
    (
        _id("C1001"),
        *_names(),
        Column("former_names", "names", default=[], example="Zoë Smith|Zoe Smith",
               doc="full former names separated by `|`"),
        Column("date_of_birth", "date", required=True, example="2015-03-14",
               doc="future only with status `unborn_plan` (expected date); "
                   "18 or over only for a care leaver under 25 who consented"),
        Column("gender", "enum", required=True, values=GENDERS, example="female"),
        Column("nhs_number", "nhs", example="9434765919",
               doc="10 digits (spaces allowed) with a valid mod-11 check digit; unique"),
        Column("shielded", "bool", default=False, example="false"),
        Column("status", "enum", default="none", values=STATUSES, example="cp_plan"),
        Column("plan_category", "enum", values=PLAN_CATEGORIES, example="neglect",
               doc="required if and only if status is `cp_plan`"),
        Column("plan_start", "date", example="2025-06-02",
               doc="required for `cp_plan`, `looked_after`, `unborn_plan`"),
        Column("plan_end", "date", example="", doc="on or after `plan_start`"),
        Column("care_leaver", "bool", default=False, example="false"),
        Column("care_leaver_consent", "bool", default=False, example="false",
               doc="the care leaver consented to their record being kept until 25 (without "
                   "it, a record is archived at 18); only with `care_leaver=true`"),
    ),
    key=("id",),
)

ADULT = SeedType(
    "adult", "adults.csv", "Adult", True,
    (_id("A2001", "unique among adults and children"), *_names(),
     Column("date_of_birth", "date", example="1988-11-30"), *_contact()),
    key=("id",),
)

HOUSEHOLD = SeedType(
    "household", "households.csv", "Household", True,
    (
        _id("H3001"),
        Column("address", "text", example="12 Winter Road, Northmere",
               doc="may contain commas and line breaks (quote the field)"),
        Column("postcode", "postcode", example="NM1 4XY", doc="UK postcode shape"),
        Column("local_authority", "str", required=True, example="Northmere"),
        Column("address_status", "enum", required=True, values=ADDRESS_STATUSES,
               example="known",
               doc="`none` means no known address: `address` and `postcode` must be empty"),
    ),
    key=("id",),
)

PRACTITIONER = SeedType(
    "practitioner", "practitioners.csv", "Practitioner", True,
    (_id("P-SW1"), *_names(),
     Column("profession", "enum", required=True, values=PROFESSIONS, example="social_worker"),
     *_contact()),
    key=("id",),
)

SERVICE = SeedType(
    "service", "services.csv", "Service", True,
    (
        _id("S-CSC"),
        Column("name", "str", required=True, example="Northmere Children's Social Care"),
        Column("type", "enum", required=True, values=SERVICE_TYPES, example="social_care"),
        Column("sensitive", "bool", default=False, example="false",
               doc="always true for " + ", ".join(f"`{t}`" for t in sorted(ALWAYS_SENSITIVE))
                   + " whatever the file says"),
        Column("local_authority", "str", required=True, example="Northmere"),
    ),
    key=("id",),
)

CONFERENCE = SeedType(
    "conference", "conferences.csv", "Conference", True,
    (
        _id("K1"),
        _ref("child_id", ("Child",), "C1001"),
        Column("date", "date", required=True, example="2025-06-02"),
        Column("kind", "enum", required=True, values=CONFERENCE_KINDS, example="initial"),
        Column("strategy_discussion", "date", example="2025-05-12",
               doc="for an initial conference, the strategy discussion's date: the conference is "
                   "due within 15 working days of it"),
        Column("chair", "username", required=True, example="chair",
               doc="username of the chairing user account"),
    ),
    key=("id",),
    doc="also creates (:Conference)-[:ABOUT]->(:Child)",
)

PLAN = SeedType(
    "plan", "plans.csv", "Plan", True,
    (
        _id("PL1"),
        _ref("child_id", ("Child",), "C1001"),
        Column("category", "enum", required=True, values=PLAN_CATEGORIES, example="emotional"),
        Column("start", "date", required=True, example="2022-05-10",
               doc="on or after the child's `date_of_birth`"),
        Column("end", "date", required=True, example="2023-08-21",
               doc="on or after `start`, not after today, and before the child's current "
                   "`plan_start`; the previous plans of one child do not overlap"),
    ),
    key=("id",),
    doc="a child protection plan the child was on before and that has ended (the current "
        "plan stays on the child: `status`, `plan_category`, `plan_start`); also creates "
        "(:Child)-[:HAD_PLAN]->(:Plan)",
)

LIVES_IN = SeedType(
    "lives_in", "lives_in.csv", "LIVES_IN", False,
    (_ref("person_id", ("Child", "Adult"), "C1001"), _ref("household_id", ("Household",), "H3001"),
     *_dates()),
    key=("person_id", "household_id", "since"), start="person_id", end="household_id",
)

PARENT_OF = SeedType(
    "parent_of", "parent_of.csv", "PARENT_OF", False,
    (_ref("adult_id", ("Adult",), "A2001"), _ref("child_id", ("Child",), "C1001"),
     Column("parental_responsibility", "bool", default=True, example="true")),
    key=("adult_id", "child_id"), start="adult_id", end="child_id",
)

CARER_OF = SeedType(
    "carer_of", "carer_of.csv", "CARER_OF", False,
    (_ref("adult_id", ("Adult",), "A2001"), _ref("child_id", ("Child",), "C1001"),
     Column("parental_responsibility", "bool", default=False, example="false")),
    key=("adult_id", "child_id"), start="adult_id", end="child_id",
)

WORKS_FOR = SeedType(
    "works_for", "works_for.csv", "WORKS_FOR", False,
    (_ref("practitioner_id", ("Practitioner",), "P-SW1"), _ref("service_id", ("Service",), "S-CSC"),
     *_dates()),
    key=("practitioner_id", "service_id", "since"), start="practitioner_id", end="service_id",
)

INVOLVED_WITH = SeedType(
    "involved_with", "involved_with.csv", "INVOLVED_WITH", False,
    (
        _id("I5001", "unique among involvements"),
        _ref("practitioner_id", ("Practitioner",), "P-SW1"),
        _ref("child_id", ("Child",), "C1001"),
        _ref("service_id", ("Service",), "S-CSC"),
        Column("role", "str", required=True, example="allocated social worker"),
        *_dates(since_required=True),
        Column("lead", "bool", default=False, example="true", doc="lead professional"),
        Column("caf", "bool", default=False, example="false", doc="holds a CAF assessment"),
        Column("consent_to_share", "bool", default=False, example="false"),
    ),
    key=("id",), start="practitioner_id", end="child_id",
    doc="the service is the one through which the practitioner is involved; "
        "the involvement is sensitive if that service is",
)

ATTENDS = SeedType(
    "attends", "attends.csv", "ATTENDS", False,
    (_ref("child_id", ("Child",), "C1001"), _ref("service_id", ("Service",), "S-SCH1"),
     *_dates(since_required=True)),
    key=("child_id", "service_id", "since"), start="child_id", end="service_id",
    doc="the service must be of type `school`",
)

REGISTERED_WITH = SeedType(
    "registered_with", "registered_with.csv", "REGISTERED_WITH", False,
    (_ref("child_id", ("Child",), "C1001"), _ref("service_id", ("Service",), "S-GP1"),
     *_dates()),
    key=("child_id", "service_id", "since"), start="child_id", end="service_id",
    doc="the service must be of type `gp_practice`",
)

# Load order: nodes before the relationships that need them.
NODE_TYPES = (HOUSEHOLD, ADULT, CHILD, PRACTITIONER, SERVICE, CONFERENCE, PLAN)
REL_TYPES = (LIVES_IN, PARENT_OF, CARER_OF, WORKS_FOR, INVOLVED_WITH, ATTENDS, REGISTERED_WITH)
SEED_TYPES = NODE_TYPES + REL_TYPES
BY_NAME = {t.name: t for t in SEED_TYPES}
BY_FILE = {t.file: t for t in SEED_TYPES}
BY_LABEL = {t.label: t for t in NODE_TYPES}
