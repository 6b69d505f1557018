"""The permission policy: who may see which child, and which of its fields.

This is the one place that decides (domain.md, "Who uses it and what each may
see" and "Two kinds of protected data"). Everything here is a small pure
function of a viewer and a record; the data layer (``explorer.children``)
asks it which scopes to fetch and passes every record through it before the
record leaves the data layer, so no route, export or search can forget it.

Scopes: a viewer sees the children of every scope their roles give them.

- practitioner: children they are currently involved with;
- chair: children whose conference they chair;
- management: every child, shielded fields included;
- analyst: every child, de-identified only (pseudonym, age band, local authority);
- admin: no child at all (unless the account also holds another role).

Analysts' data (the section "analysts' data" below states each rule once):

- every involvement with a sensitive service is left out of analysts' reports and
  analytics, consented or not (``in_analysts_data``);
- a shielded child takes no part in families or sibling groups (``in_family_groupings``);
- reports are as of today or the last day of an earlier month (``analyst_report_date``),
  and ages are taken at 31 March on or before that date (``analyst_age_date``).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta
from enum import Enum
from typing import Any, Protocol

import networkx as nx


class ViewerLike(Protocol):
    username: str
    roles: frozenset[str]
    practitioner_id: str | None


class Scope(Enum):
    INVOLVED = "involved"  # practitioner: open involvements
    CHAIRED = "chaired"  # chair: conferences chaired
    ALL = "all"  # management
    DEIDENTIFIED = "deidentified"  # analyst


# What anyone outside the management team may see of a shielded child.
SHIELD_VISIBLE = ("id", "given_name", "family_name", "gender", "date_of_birth")
# The basic record: what a practitioner's look-up outside their involvement shows.
BASIC_FIELDS = ("id", "given_name", "family_name", "former_names", "gender", "date_of_birth")
# Fields of an identified child record a permitted viewer may see (never notes: none exist).
CHILD_FIELDS = (*BASIC_FIELDS, "nhs_number", "shielded", "status", "plan_category",
                "plan_start", "plan_end", "care_leaver")
AGE_BANDS = ((0, 4, "0-4"), (5, 9, "5-9"), (10, 15, "10-15"), (16, 17, "16-17"), (18, 25, "18-25"))


def scopes(viewer: ViewerLike) -> list[Scope]:
    """The scopes a viewer's roles give them, identified scopes first.

    >>> class V: roles = frozenset({"admin"}); username = "a"; practitioner_id = None
    >>> scopes(V())
    []
    """
    found = []
    if "management" in viewer.roles:
        return [Scope.ALL]
    if "practitioner" in viewer.roles and viewer.practitioner_id:
        found.append(Scope.INVOLVED)
    if "chair" in viewer.roles:
        found.append(Scope.CHAIRED)
    if "analyst" in viewer.roles and not found:
        # An analyst who also holds an identified role sees their own children
        # identified; the de-identified scope is for analysts alone.
        found.append(Scope.DEIDENTIFIED)
    return found


def sees_shielded_fields(viewer: ViewerLike) -> bool:
    return "management" in viewer.roles


def child_record(viewer: ViewerLike, child: dict[str, Any], *, override: bool = False) -> dict[str, Any]:
    """The fields of an identified child record this viewer may see.

    A shielded child shows only name, gender, date of birth and id to anyone
    outside the management team, unless a shield override covers this one view.

    >>> class P: roles = frozenset({"practitioner"}); username = "p"; practitioner_id = "P1"
    >>> child = {"id": "C1", "given_name": "A", "family_name": "B", "gender": "female",
    ...          "date_of_birth": date(2015, 1, 1), "shielded": True, "status": "cp_plan",
    ...          "nhs_number": "9434765919"}
    >>> sorted(child_record(P(), child))
    ['date_of_birth', 'family_name', 'gender', 'given_name', 'id', 'shielded']
    """
    if child.get("shielded") and not (sees_shielded_fields(viewer) or override):
        visible = {k: child.get(k) for k in SHIELD_VISIBLE}
        visible["shielded"] = True  # the viewer must know why the rest is missing
        return visible
    return {k: child[k] for k in CHILD_FIELDS if k in child}


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


# -- identified views of one child ----------------------------------------------------------

def scope_params(viewer: ViewerLike, today: date, *, archived: bool = False) -> dict[str, Any]:
    """The parameters that apply a viewer's scope in Cypher (see cypher/child_in_scope.cypher).

    A role the viewer does not hold contributes nothing, whatever else the account carries.
    ``archived`` asks for archived records too, which only the management team receive
    (``retained``).
    """
    return {
        "all": "management" in viewer.roles,
        "practitioner_id": viewer.practitioner_id if "practitioner" in viewer.roles else None,
        "username": viewer.username if "chair" in viewer.roles else None,
        "today": today,
        "see_shielded": sees_shielded_fields(viewer),
        "retained": retained(today, archived=archived and sees_archived(viewer)),
    }


# -- retention: archived at 18 (25 for care leavers who consent), purged later -----------------
#
# domain.md: "Records are archived at 18 (25 for care leavers who consent) and purged when the
# archive period ends." The rule is a function of the date of birth, the care-leaver consent and
# the ``archived_at`` marker, as of the request's date, so a record is archived from the day it
# is due whether or not ``explorer retention run`` has marked it. Every read of child data
# applies it in Cypher with the same line, on the parameter ``retained`` built here:
#
#   AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL
#        OR c.date_of_birth > $retained.born_after
#        OR coalesce(c.care_leaver AND c.care_leaver_consent, false)
#        AND c.date_of_birth > $retained.leaver_born_after))
#
# (written on one line in each query). ``is_retained`` is the same rule in Python. A child with
# no date of birth (a seed requires one; a graph loaded otherwise may lack it) is never
# archived by age: there is no birthday to archive it on.

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


def sees_archived(viewer: ViewerLike) -> bool:
    """Only the management team see an archived record (read-only, with a reason)."""
    return "management" in viewer.roles


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


def may_override_shield(viewer: ViewerLike) -> bool:
    """Child protection users (chairs, practitioners) may lift a shield for one audited view."""
    return bool(viewer.roles & {"chair", "practitioner"}) and not sees_shielded_fields(viewer)


def may_look_up(viewer: ViewerLike) -> bool:
    """Practitioners (and chairs) may look up a child outside their involvement, with a reason."""
    return bool(viewer.roles & {"practitioner", "chair"})


def involvement_visible(involvement: dict[str, Any], service: dict[str, Any],
                        viewer_service_ids: frozenset[str]) -> bool:
    """An involvement with a sensitive service is invisible outside that service unless
    consent to share is recorded on it (domain.md, "Sensitive services").

    >>> involvement_visible({"consent_to_share": False}, {"id": "S1", "sensitive": True}, frozenset())
    False
    >>> involvement_visible({"consent_to_share": True}, {"id": "S1", "sensitive": True}, frozenset())
    True
    >>> involvement_visible({}, {"id": "S1", "sensitive": True}, frozenset({"S1"}))
    True
    """
    return (not service.get("sensitive") or bool(involvement.get("consent_to_share"))
            or service.get("id") in viewer_service_ids)


def _is_open(record: dict[str, Any], today: date) -> bool:
    since, until = record.get("since"), record.get("until")
    return (since is None or since <= today) and (until is None or until >= today)


PRACTITIONER_CONTACT = ("id", "given_name", "family_name", "profession", "phone", "email")
SERVICE_FIELDS = ("id", "name", "type", "local_authority")
HOUSEHOLD_FIELDS = ("id", "address", "postcode", "local_authority", "address_status")
ADULT_FIELDS = ("id", "given_name", "family_name", "phone", "email")


def _pick(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: record.get(k) for k in fields}


def child_view(viewer: ViewerLike, raw: dict[str, Any], *, today: date,
               viewer_service_ids: frozenset[str], override: bool = False) -> dict[str, Any]:
    """Cut a child's raw network (as read by explorer.children) down to what the viewer may see.

    ``raw`` holds ``child``, ``involved``, ``chaired`` (how the viewer's scope reached the child)
    and the lists ``households``, ``carers``, ``siblings``, ``involvements``, ``universal``,
    ``conferences``, ``previous_plans``. The result has the same keys plus ``level`` ('network' for chairs and
    management, 'involved' for practitioners, 'shielded' when the shield hides the network).
    """
    child = raw["child"]
    full = sees_shielded_fields(viewer)
    network = full or raw.get("chaired", False)
    level = "network" if network else "involved"
    empty: dict[str, Any] = {"households": [], "carers": [], "siblings": [], "involvements": [],
                             "universal": [], "conferences": [], "previous_plans": []}
    if child.get("shielded") and not (full or override):
        return {"level": "shielded", "child": child_record(viewer, child), **empty}

    def shown_person(person: dict[str, Any]) -> bool:
        # Another shielded child is never shown in this child's network: their presence in a
        # household or beside a parent would say where they are or whose they were.
        return full or not person.get("shielded") or person.get("id") == child["id"]

    households = []
    for h in raw["households"]:
        if not network and h.get("until") is not None:
            continue  # practitioners see the current household only
        # A child member's date of birth, for those who see the whole network (they see the
        # siblings' anyway): an ecomap as of an earlier day leaves out who was not born yet.
        member_fields = ("id", "label", "given_name", "family_name", "since", "until")
        members = [
            {**{k: m.get(k) for k in member_fields},
             **({"date_of_birth": m.get("date_of_birth")}
                if network and m.get("label") == "Child" else {})}
            for m in h["members"] if m["id"] != child["id"] and shown_person(m)
            and (network or m.get("until") is None)
        ]
        households.append({"household": _pick(h["household"], HOUSEHOLD_FIELDS),
                           "since": h.get("since"), "until": h.get("until"), "members": members})

    carers = [{"adult": _pick(c["adult"], ADULT_FIELDS), "relationship": c["relationship"],
               "parental_responsibility": c.get("parental_responsibility")} for c in raw["carers"]]

    siblings = []
    if network:
        for s in raw["siblings"]:
            if shown_person(s["sibling"]):
                siblings.append({"sibling": _pick(s["sibling"], ("id", "given_name", "family_name",
                                                                  "date_of_birth")),
                                 "via": s["via"], "household_id": s.get("household_id")})

    involvements = []
    for inv in raw["involvements"]:
        record, service = inv["involvement"], inv["service"]
        if not involvement_visible(record, service, viewer_service_ids):
            continue
        if not network and not _is_open(record, today):
            continue  # practitioners see who is involved now
        fields = ("id", "role", "since", "until", "lead") + (("caf",) if network else ())
        involvements.append({"involvement": _pick(record, fields),
                             "practitioner": _pick(inv["practitioner"], PRACTITIONER_CONTACT),
                             "service": _pick(service, SERVICE_FIELDS)})

    universal = [{"kind": u["kind"], "service": _pick(u["service"], SERVICE_FIELDS),
                  "since": u.get("since"), "until": u.get("until")}
                 for u in raw["universal"] if network or u.get("until") is None]
    conferences = [_pick(k["conference"], ("id", "date", "kind", "chair"))
                   for k in raw["conferences"]] if network else []
    # Plan history, like the plan category, is for those who run or oversee conferences.
    previous_plans = [_pick(p["plan"], ("id", "category", "start", "end"))
                      for p in raw.get("previous_plans", [])] if network else []

    record = child_record(viewer, child, override=override)
    if not network:
        record.pop("plan_category", None)
    return {"level": level, "child": record, "households": households, "carers": carers,
            "siblings": siblings, "involvements": involvements, "universal": universal,
            "conferences": conferences, "previous_plans": previous_plans}


# -- siblings of a chaired child -------------------------------------------------------------
#
# domain.md gives a conference chair "the whole network — household, siblings in other
# households". A sibling (a child sharing a parent with the chaired child, or who lived in
# the same household at the same time) is not the chair's own case, so the chair sees of it
# what the conference needs to plan round the family and to invite who works with it, and no
# more (Caldicott: minimum necessary):
#
# - the sibling's identity (id, name, gender, date of birth) and status (child in need, on a
#   plan, looked after: whether the siblings are protected too), but not its NHS number,
#   former names, plan category, plan history or conferences, which are its own case's;
# - where it lives now: its current household's address and who lives there now (adults by
#   name, no contact details; children only when they are in the chaired child's network);
#   not its earlier households;
# - who works with it now: each open involvement's practitioner (contact details, role,
#   service, lead professional), as the chair would invite them; not ceased involvements and
#   not the CAF flag; an involvement with a sensitive service follows involvement_visible;
# - its current school and GP practice.
#
# A shielded sibling is never in a chaired child's network outside the management team (see
# child_view's shown_person: its presence beside a parent would say whose it is), so it has no
# sibling page either: the same 404 as a child that does not exist. The management team sees
# every child whole. A sibling that the viewer may open in its own right (their own conference,
# their involvement) is shown as this page says and links to its own page.

SIBLING_FIELDS = ("id", "given_name", "family_name", "gender", "date_of_birth", "status")


def sibling_view(viewer: ViewerLike, raw: dict[str, Any], *, today: date,
                 viewer_service_ids: frozenset[str], network_ids: frozenset[str]) -> dict[str, Any]:
    """What a viewer who sees a child's whole network sees of one of its siblings (the rule
    above), in the shape of ``child_view``'s result with ``level`` 'sibling', so the ecomap
    draws it like any other child's view. ``raw`` holds ``child``, ``households``,
    ``involvements`` and ``universal`` as the child's own reads return them;
    ``network_ids`` are the children of the chaired child's network (itself and the siblings
    its view shows), the only children named among the household's members.

    >>> class C: roles = frozenset({"chair"}); username = "c"; practitioner_id = None
    >>> raw = {"child": {"id": "S1", "given_name": "A", "nhs_number": "1", "plan_category": "x",
    ...                  "status": "child_in_need"}, "households": [], "universal": [],
    ...        "involvements": [{"involvement": {"since": date(2020, 1, 1), "until": date(2021, 1, 1),
    ...                                          "role": "ended"}, "practitioner": {"id": "P"},
    ...                          "service": {"id": "S"}}]}
    >>> v = sibling_view(C(), raw, today=date(2026, 1, 1), viewer_service_ids=frozenset(),
    ...                  network_ids=frozenset())
    >>> v["level"], sorted(v["child"]), v["involvements"]
    ('sibling', ['date_of_birth', 'family_name', 'gender', 'given_name', 'id', 'status'], [])
    """
    child = raw["child"]
    empty: dict[str, Any] = {"households": [], "carers": [], "siblings": [], "involvements": [],
                             "universal": [], "conferences": [], "previous_plans": []}
    if child.get("shielded") and not sees_shielded_fields(viewer):
        return {"level": "shielded", "child": child_record(viewer, child), **empty}
    full = sees_shielded_fields(viewer)
    households = []
    for h in raw.get("households", []):
        if not _is_open({"since": h.get("since"), "until": h.get("until")}, today):
            continue
        members = []
        for m in h["members"]:
            if m["id"] == child["id"] or not _is_open(m, today):
                continue
            if m.get("shielded") and not full:
                continue
            if m.get("label") == "Child" and m["id"] not in network_ids:
                continue
            members.append({**{k: m.get(k) for k in ("id", "label", "given_name", "family_name",
                                                     "since", "until")},
                            **({"date_of_birth": m.get("date_of_birth")}
                               if m.get("label") == "Child" else {})})
        households.append({"household": _pick(h["household"], HOUSEHOLD_FIELDS),
                           "since": h.get("since"), "until": h.get("until"), "members": members})
    involvements = []
    for inv in raw.get("involvements", []):
        record, service = inv["involvement"], inv["service"]
        if not (_is_open(record, today) and involvement_visible(record, service, viewer_service_ids)):
            continue
        involvements.append({"involvement": _pick(record, ("id", "role", "since", "until", "lead")),
                             "practitioner": _pick(inv["practitioner"], PRACTITIONER_CONTACT),
                             "service": _pick(service, SERVICE_FIELDS)})
    universal = [{"kind": u["kind"], "service": _pick(u["service"], SERVICE_FIELDS),
                  "since": u.get("since"), "until": u.get("until")}
                 for u in raw.get("universal", []) if _is_open(u, today)]
    return {**empty, "level": "sibling", "child": {k: child.get(k) for k in SIBLING_FIELDS},
            "households": households, "involvements": involvements, "universal": universal}


def may_list_conferences(viewer: ViewerLike) -> bool:
    """The conference list is for those who chair conferences (their own) and the management
    team (every one); a practitioner's work is their involvements, not the timetable.

    >>> class C: roles = frozenset({"chair"}); username = "c"; practitioner_id = None
    >>> class P: roles = frozenset({"practitioner"}); username = "p"; practitioner_id = "P1"
    >>> may_list_conferences(C()), may_list_conferences(P())
    (True, False)
    """
    return bool(viewer.roles & {"chair", "management"})


CONFERENCE_FIELDS = ("id", "date", "kind", "chair", "strategy_discussion")


def conference_row(viewer: ViewerLike, raw: dict[str, Any], *, today: date,
                   viewer_service_ids: frozenset[str]) -> dict[str, Any]:
    """One child of the conference list as the viewer may see it: the record as
    ``child_record`` cuts it, the conferences about the child and the lead professionals
    involved today (``leads``: practitioner contact, service name, role).

    A shielded child outside the management team shows its shielded record and nothing
    else, as on the child's own page: its conference dates and lead professional would say
    who works with it and so where it is. A lead involvement with a sensitive service follows
    ``involvement_visible``.

    >>> class C: roles = frozenset({"chair"}); username = "c"; practitioner_id = None
    >>> raw = {"child": {"id": "C1", "given_name": "A", "family_name": "B", "shielded": True},
    ...        "conferences": [{"id": "K1", "date": date(2026, 1, 5), "kind": "initial"}],
    ...        "leads": []}
    >>> conference_row(C(), raw, today=date(2026, 2, 1), viewer_service_ids=frozenset())["conferences"]
    []
    """
    child = raw["child"]
    record = child_record(viewer, child)
    if child.get("shielded") and not sees_shielded_fields(viewer):
        return {"child": record, "conferences": [], "leads": []}
    leads = []
    for entry in raw.get("leads", []):
        involvement, service = entry["involvement"], entry["service"]
        if not (involvement.get("lead") and _is_open(involvement, today)
                and involvement_visible(involvement, service, viewer_service_ids)):
            continue
        leads.append({"practitioner": _pick(entry["practitioner"], PRACTITIONER_CONTACT),
                      "service": _pick(service, ("id", "name", "type")),
                      "role": involvement.get("role")})
    leads.sort(key=lambda e: (e["practitioner"].get("family_name") or "", e["practitioner"]["id"]))
    conferences = sorted((_pick(k, CONFERENCE_FIELDS) for k in raw.get("conferences", [])),
                         key=lambda k: (k["date"], k["id"]))
    return {"child": record, "conferences": conferences, "leads": leads}


def lookup_view(child: dict[str, Any], contacts: list[dict[str, Any]]) -> dict[str, Any]:
    """What a look-up outside one's involvement shows: the basic record and whom to contact;
    for a shielded child, the basic record alone (no practitioners: they would say where)."""
    basic = {k: child.get(k) for k in SHIELD_VISIBLE}
    if child.get("shielded"):
        return {"child": {**basic, "shielded": True}, "contacts": []}
    return {"child": basic,
            "contacts": [{"practitioner": _pick(c["practitioner"], PRACTITIONER_CONTACT),
                          "service": _pick(c["service"], ("name", "type")),
                          "role": c.get("role"), "lead": c.get("lead")}
                         for c in contacts if not c["service"].get("sensitive")]}


# -- analysts' data ---------------------------------------------------------------------------
#
# What analysts' reports and analytics are computed from. Each rule is enforced where the
# data is fetched (the analysts' queries, cypher/gap_*.cypher and cypher/analytics_*.cypher),
# so the analysts' code never receives what a rule leaves out; the functions here state the
# rules and are what the tests check the queries against.


def in_analysts_data(service: dict[str, Any]) -> bool:
    """May an involvement through this service enter analysts' reports and analytics?

    Never when the service is sensitive (sexual health, mental health/CAMHS, substance
    misuse, or anything an admin marks sensitive), whether or not consent to share is
    recorded: consent is given for the child's care, not for statistics, and even the
    existence of such an involvement is special category data (domain.md). Left out means
    left out of every count, every list and every graph, not merely unnamed: a count of
    services that included it, beside a list of service types that did not, would reveal it.
    A service with no sensitive flag counts as sensitive (the queries match
    ``sensitive = false``).

    >>> in_analysts_data({"type": "health_visiting", "sensitive": False})
    True
    >>> in_analysts_data({"type": "camhs", "sensitive": True})
    False
    >>> in_analysts_data({"type": "other"})
    False
    """
    return service.get("sensitive") is False


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


# -- disclosure control for analysts' aggregates ----------------------------------------------
#
# Counts of 1 to 4 are shown as "<5" in every table, chart and export (as in official
# statistics). A suppressed cell must not be recoverable from a total by subtraction, so
# tables are suppressed as a whole (secondary suppression, see suppress_table): in every row
# and every column (its total counted as one more cell of the line), if exactly one cell is
# hidden, the next smallest non-zero cell of that line is hidden too, until no line has a
# single hidden cell. Zeros are shown: "no child" discloses nothing about anyone.

SUPPRESSED = "<5"
SUPPRESSION_THRESHOLD = 5


def suppress(count: int) -> int | str:
    """A count as an analyst may see it: 1 to 4 become "<5".

    >>> [suppress(n) for n in (0, 1, 4, 5, 120)]
    [0, '<5', '<5', 5, 120]
    """
    return SUPPRESSED if 0 < count < SUPPRESSION_THRESHOLD else count


def _lines(rows: int, cols: int) -> list[list[tuple[int, int]]]:
    return ([[(r, c) for c in range(cols)] for r in range(rows)]
            + [[(r, c) for r in range(rows)] for c in range(cols)])


def suppression_mask(counts: list[list[int]],
                     published: dict[tuple[int, int], bool] | None = None) -> list[list[bool]]:
    """Which cells of a table with its totals must be hidden (True), primary and secondary.

    ``counts`` is the whole table as shown, totals included (last row and last column).

    >>> suppression_mask([[3, 10, 13], [7, 9, 16], [10, 19, 29]])
    [[True, True, False], [True, True, False], [False, False, False]]
    >>> suppression_mask([[0, 6, 6], [5, 7, 12], [5, 13, 18]])
    [[False, False, False], [False, False, False], [False, False, False]]

    ``published`` fixes cells another table already shows (False) or hides (True): a
    breakdown's totals are the unbroken table's cells, so they stay as that table has them
    and a secondary suppression is never placed on them, where hiding would not hide.

    >>> published = {(0, 2): False, (1, 2): False, (2, 2): False}  # 7, 12 and 19 are shown
    >>> for row in suppression_mask([[7, 0, 7], [3, 9, 12], [10, 9, 19]], published):
    ...     print(row)
    [True, True, False]
    [True, True, False]
    [True, True, False]

    (Area A's 7 children are all in the first column, shown beside a 0: hiding A's 7 alone
    would hide nothing, since its total 7 is published, so the 0 beside it is hidden too.)
    """
    published = published or {}
    hidden = [[published.get((r, c), 0 < n < SUPPRESSION_THRESHOLD) for c, n in enumerate(row)]
              for r, row in enumerate(counts)]
    rows, cols = len(counts), len(counts[0]) if counts else 0

    def free(cells: list[tuple[int, int]]) -> list[tuple[int, int]]:
        # The smallest other figure; a zero only when nothing else can be hidden, since the
        # one hidden cell would otherwise be its total less the zeros shown beside it.
        open_ = [cell for cell in cells if not hidden[cell[0]][cell[1]] and cell not in published]
        return [cell for cell in open_ if counts[cell[0]][cell[1]] > 0] or open_

    def smallest(cells: list[tuple[int, int]]) -> tuple[int, int]:
        return min(cells, key=lambda cell: (counts[cell[0]][cell[1]], cell))

    while True:
        changed = True
        while changed:  # no line with a single hidden cell
            changed = False
            for line in _lines(rows, cols):
                if sum(hidden[r][c] for r, c in line) == 1 and free(line):
                    r, c = smallest(free(line))
                    hidden[r][c] = changed = True
        # Two hidden cells per line is not always enough (a hidden cell can be the one link
        # between two groups of hidden cells, and the table's sums then give it): hide more
        # beside any cell the sums still determine.
        recovered = recoverable(counts, hidden)
        if not recovered:
            return hidden
        r0, c0 = recovered[0]
        near = free([(r0, c) for c in range(cols)] + [(r, c0) for r in range(rows)])
        anywhere = free([(r, c) for r in range(rows) for c in range(cols)])
        if not (near or anywhere):
            return hidden  # every cell is hidden or fixed by another table: nothing left to do
        r, c = smallest(near or anywhere)
        hidden[r][c] = True


def recoverable(counts: list[list[int]], hidden: list[list[bool]]) -> list[tuple[int, int]]:
    """The hidden cells whose values the shown cells and the table's sums determine exactly.

    Each line (a row or a column of a table with totals in its last row and column) says its
    cells add up to its last one. Those equations are the nodes of a graph whose edges are the
    cells: row i to column j for a body cell, row i to "all columns" for its total, "all rows"
    to column j for a column's total, and "all rows" to "all columns" for the grand total.
    The graph is bipartite, so adding and taking away 1 round any cycle of hidden cells
    changes no sum: a hidden cell is recovered exactly when it lies on no cycle of hidden
    cells, i.e. when it is a bridge of the hidden cells' graph. Linear in the table's size
    (a table of every English local authority checks in milliseconds).

    >>> recoverable([[3, 10, 13], [7, 9, 16], [10, 19, 29]],
    ...             [[True, False, False], [False, False, False], [False, False, False]])
    [(0, 0)]
    >>> recoverable([[3, 10, 13], [7, 9, 16], [10, 19, 29]],
    ...             [[True, True, False], [True, True, False], [False, False, False]])
    []
    """
    rows, cols = len(counts), len(counts[0]) if counts else 0
    unknown = [(r, c) for r in range(rows) for c in range(cols) if hidden[r][c]]
    if rows < 2 or cols < 2:
        # One line at most (a column of figures and its total): one unknown in it is given.
        return unknown if len(unknown) == 1 and max(rows, cols) > 1 else []
    graph = nx.Graph()
    edge_cell = {}
    for r, c in unknown:
        edge = (("row", r), ("col", c))
        graph.add_edge(*edge)
        edge_cell[frozenset(edge)] = (r, c)
    return sorted(edge_cell[frozenset(edge)] for edge in nx.bridges(graph))


def suppress_table(counts: list[list[int]], published: dict[tuple[int, int], bool] | None = None
                   ) -> list[list[int | str]]:
    """A table of counts (totals in its last row and column) as analysts see it.

    A single "<5" in a line would be recovered from the line's total, so the next smallest
    cell of that line is hidden too:

    >>> suppress_table([[3, 10, 13], [7, 9, 16], [10, 19, 29]])
    [['<5', '*', 13], ['*', '*', 16], [10, 19, 29]]

    Secondary suppressions show as "*" (they are not small; 1 to 4 is always "<5").
    """
    mask = suppression_mask(counts, published)
    return [[(suppress(n) if 0 < n < SUPPRESSION_THRESHOLD else "*") if mask[r][c] else n
             for c, n in enumerate(row)] for r, row in enumerate(counts)]


def pool_small_groups(sizes: dict[Any, int], *, pooled: int = 0) -> tuple[list[Any], list[Any]]:
    """Which groups a picture may draw as themselves (each child, or one node with its size)
    and which it must pool into one "other" node: a group of 1 to 4 drawn child by child (or
    with its size) would show a count that tables suppress. Small groups are pooled; while
    the pool holds 1 to 4 children (``pooled`` are there already), the smallest shown group
    joins it too, since the pool's size is the headline total minus the groups shown. So the
    pool holds none, or 5 or more, or every child (when there are fewer than 5 in all).

    Returns (shown, pooled): shown largest first, pooled in key order.

    >>> pool_small_groups({"a": 9, "b": 6, "c": 2})
    (['a'], ['b', 'c'])
    >>> pool_small_groups({"a": 9, "b": 6, "c": 3, "d": 2})
    (['a', 'b'], ['c', 'd'])
    >>> pool_small_groups({"a": 3, "b": 1})
    ([], ['a', 'b'])
    >>> pool_small_groups({"a": 7}, pooled=2)
    ([], ['a'])
    """
    shown = sorted((k for k, n in sizes.items() if n >= SUPPRESSION_THRESHOLD),
                   key=lambda k: (-sizes[k], k))
    pool = [k for k, n in sizes.items() if n < SUPPRESSION_THRESHOLD]
    size = pooled + sum(sizes[k] for k in pool)
    while 0 < size < SUPPRESSION_THRESHOLD and shown:
        smallest = shown.pop()
        pool.append(smallest)
        size += sizes[smallest]
    return shown, sorted(pool)


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


# -- network views: household, caseload (the ecomap and paths draw only child_view's output) --

def household_shown_in(view: dict[str, Any] | None, household_id: str) -> bool:
    """A child appears in a household's view only when its own view (already cut by
    child_view) shows that household: a shielded child, or a household a practitioner sees
    no longer, is never placed there by the household page.

    >>> household_shown_in({"level": "network", "households": [{"household": {"id": "H1"}}]}, "H1")
    True
    >>> household_shown_in({"level": "shielded", "households": []}, "H1")
    False
    >>> household_shown_in(None, "H1")
    False
    """
    if not view or view.get("level") == "shielded":
        return False
    return any(h["household"].get("id") == household_id for h in view.get("households", []))


def may_view_caseload(viewer: ViewerLike, practitioner_id: str) -> bool:
    """A caseload is seen by the practitioner whose caseload it is and by the management
    team (oversight of workloads); chairs, analysts (who get pseudonymous caseloads in
    their own reports) and admins do not see anyone's.

    >>> class P: roles = frozenset({"practitioner"}); username = "p"; practitioner_id = "P1"
    >>> may_view_caseload(P(), "P1"), may_view_caseload(P(), "P2")
    (True, False)
    """
    if "management" in viewer.roles:
        return True
    return "practitioner" in viewer.roles and bool(viewer.practitioner_id) \
        and viewer.practitioner_id == practitioner_id


def caseload_view(viewer: ViewerLike, practitioner: dict[str, Any], rows: list[dict[str, Any]],
                  *, viewer_service_ids: frozenset[str]) -> dict[str, Any]:
    """A practitioner's open involvements as the viewer may see them.

    ``rows`` hold ``child``, ``involvement`` and ``service``. Involvements with a sensitive
    service follow ``involvement_visible``; a shielded child outside the management team
    shows its shielded record only, with no role or service (as on the child's own page).
    """
    full = sees_shielded_fields(viewer)
    entries = []
    for row in rows:
        if not involvement_visible(row["involvement"], row["service"], viewer_service_ids):
            continue
        record = child_record(viewer, row["child"])
        if not full:
            record.pop("plan_category", None)
        if row["child"].get("shielded") and not full:
            entries.append({"child": record, "involvement": None, "service": None})
            continue
        entries.append({"child": record,
                        "involvement": _pick(row["involvement"], ("id", "role", "since", "until",
                                                                  "lead")),
                        "service": _pick(row["service"], ("id", "name", "type"))})
    entries.sort(key=lambda e: (e["child"].get("family_name") or "", e["child"].get("given_name")
                                or "", e["child"]["id"]))
    return {"practitioner": _pick(practitioner, PRACTITIONER_CONTACT), "entries": entries}
