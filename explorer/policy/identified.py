"""Identified scopes and field cuts: which children a viewer's scope reaches (in Cypher, on
``scope_params``) and what of each record, network, sibling, household, caseload, conference
row or look-up they may see. Each cut is a small pure function of a viewer and the raw rows
``explorer.children`` read; that module passes every record through one before it leaves.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from explorer.policy.retention import retained
from explorer.policy.roles import acting_practitioner, sees_archived, sees_shielded_fields
from explorer.policy.sensitive import involvement_visible, lookup_contact_visible
from explorer.policy.viewer import Viewer

# What anyone outside the management team may see of a shielded child.
SHIELD_VISIBLE = ("id", "given_name", "family_name", "gender", "date_of_birth")
# The basic record: what a practitioner's look-up outside their involvement shows.
BASIC_FIELDS = ("id", "given_name", "family_name", "former_names", "gender", "date_of_birth")
# Fields of an identified child record a permitted viewer may see (never notes: none exist).
CHILD_FIELDS = (*BASIC_FIELDS, "nhs_number", "shielded", "status", "plan_category",
                "plan_start", "plan_end", "care_leaver")

def child_record(viewer: Viewer, child: dict[str, Any], *, override: bool = False) -> dict[str, Any]:
    """The fields of an identified child record this viewer may see.

    A shielded child shows only name, gender, date of birth and id to anyone
    outside the management team, unless a shield override covers this one view.

    >>> P = lambda: Viewer("p", frozenset({"practitioner"}), "P1", "u")
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


# -- identified views of one child ----------------------------------------------------------

def scope_params(viewer: Viewer, today: date, *, archived: bool = False) -> dict[str, Any]:
    """The parameters that apply a viewer's scope in Cypher (see cypher/child_in_scope.cypher).

    A role the viewer does not hold contributes nothing, whatever else the account carries.
    ``archived`` asks for archived records too, which only the management team receive
    (``retained``).
    """
    return {
        "all": "management" in viewer.roles,
        "practitioner_id": acting_practitioner(viewer),
        "username": viewer.username if "chair" in viewer.roles else None,
        "today": today,
        "see_shielded": sees_shielded_fields(viewer),
        "retained": retained(today, archived=archived and sees_archived(viewer)),
    }


def _is_open(record: dict[str, Any], today: date) -> bool:
    since, until = record.get("since"), record.get("until")
    return (since is None or since <= today) and (until is None or until >= today)


PRACTITIONER_CONTACT = ("id", "given_name", "family_name", "profession", "phone", "email")
SERVICE_FIELDS = ("id", "name", "type", "local_authority")
HOUSEHOLD_FIELDS = ("id", "address", "postcode", "local_authority", "address_status")
ADULT_FIELDS = ("id", "given_name", "family_name", "phone", "email")


def _pick(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: record.get(k) for k in fields}


EMPTY_PARTS = ("households", "carers", "siblings", "involvements", "universal", "conferences",
               "previous_plans")


def child_view(viewer: Viewer, raw: dict[str, Any], *, today: date,
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
    if child.get("shielded") and not (full or override):
        return {"level": "shielded", "child": child_record(viewer, child),
                **{part: [] for part in EMPTY_PARTS}}

    def shown_person(person: dict[str, Any]) -> bool:
        # Another shielded child is never shown in this child's network: their presence in a
        # household or beside a parent would say where they are or whose they were.
        return full or not person.get("shielded") or person.get("id") == child["id"]

    carers = [{"adult": _pick(c["adult"], ADULT_FIELDS), "relationship": c["relationship"],
               "parental_responsibility": c.get("parental_responsibility")} for c in raw["carers"]]
    siblings = [{"sibling": _pick(s["sibling"], ("id", "given_name", "family_name", "date_of_birth")),
                 "via": s["via"], "household_id": s.get("household_id")}
                for s in raw["siblings"] if shown_person(s["sibling"])] if network else []
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
    return {"level": "network" if network else "involved", "child": record,
            "households": _households(raw["households"], child["id"], network, shown_person),
            "carers": carers, "siblings": siblings,
            "involvements": _involvements(raw["involvements"], network, today, viewer_service_ids),
            "universal": universal, "conferences": conferences, "previous_plans": previous_plans}


def _households(raw: list[dict[str, Any]], child_id: str, network: bool,
                shown_person: Any) -> list[dict[str, Any]]:
    """A child's households as ``child_view`` shows them: practitioners (not ``network``)
    see the current household and who lives there now only."""
    households = []
    for h in raw:
        if not network and h.get("until") is not None:
            continue  # practitioners see the current household only
        # A child member's date of birth, for those who see the whole network (they see the
        # siblings' anyway): an ecomap as of an earlier day leaves out who was not born yet.
        member_fields = ("id", "label", "given_name", "family_name", "since", "until")
        members = [
            {**{k: m.get(k) for k in member_fields},
             **({"date_of_birth": m.get("date_of_birth")}
                if network and m.get("label") == "Child" else {})}
            for m in h["members"] if m["id"] != child_id and shown_person(m)
            and (network or m.get("until") is None)
        ]
        households.append({"household": _pick(h["household"], HOUSEHOLD_FIELDS),
                           "since": h.get("since"), "until": h.get("until"), "members": members})
    return households


def _involvements(raw: list[dict[str, Any]], network: bool, today: date,
                  viewer_service_ids: frozenset[str]) -> list[dict[str, Any]]:
    """A child's involvements as ``child_view`` shows them: sensitive services by
    ``involvement_visible``; practitioners see who is involved now, without the CAF flag."""
    involvements = []
    for inv in raw:
        record, service = inv["involvement"], inv["service"]
        if not involvement_visible(record, service, viewer_service_ids):
            continue
        if not network and not _is_open(record, today):
            continue  # practitioners see who is involved now
        fields = ("id", "role", "since", "until", "lead") + (("caf",) if network else ())
        involvements.append({"involvement": _pick(record, fields),
                             "practitioner": _pick(inv["practitioner"], PRACTITIONER_CONTACT),
                             "service": _pick(service, SERVICE_FIELDS)})
    return involvements


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


def sibling_view(viewer: Viewer, raw: dict[str, Any], *, today: date,
                 viewer_service_ids: frozenset[str], network_ids: frozenset[str]) -> dict[str, Any]:
    """What a viewer who sees a child's whole network sees of one of its siblings (the rule
    above), in the shape of ``child_view``'s result with ``level`` 'sibling', so the ecomap
    draws it like any other child's view. ``raw`` holds ``child``, ``households``,
    ``involvements`` and ``universal`` as the child's own reads return them;
    ``network_ids`` are the children of the chaired child's network (itself and the siblings
    its view shows), the only children named among the household's members.

    >>> C = lambda: Viewer("c", frozenset({"chair"}), None, "u")
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



CONFERENCE_FIELDS = ("id", "date", "kind", "chair", "strategy_discussion")


def conference_row(viewer: Viewer, raw: dict[str, Any], *, today: date,
                   viewer_service_ids: frozenset[str]) -> dict[str, Any]:
    """One child of the conference list as the viewer may see it: the record as
    ``child_record`` cuts it, the conferences about the child and the lead professionals
    involved today (``leads``: practitioner contact, service name, role).

    A shielded child outside the management team shows its shielded record and nothing
    else, as on the child's own page: its conference dates and lead professional would say
    who works with it and so where it is. A lead involvement with a sensitive service follows
    ``involvement_visible``.

    >>> C = lambda: Viewer("c", frozenset({"chair"}), None, "u")
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
                         for c in contacts if lookup_contact_visible(c["service"])]}



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



def caseload_view(viewer: Viewer, practitioner: dict[str, Any], rows: list[dict[str, Any]],
                  *, viewer_service_ids: frozenset[str]) -> dict[str, Any]:
    """A practitioner's open involvements as the viewer may see them.

    ``rows`` hold ``child``, ``involvement`` and ``service``. Involvements with a sensitive
    service follow ``involvement_visible``; a shielded child outside the management team
    shows its shielded record only, with no role or service (as on the child's own page).
    """
    full = sees_shielded_fields(viewer)
    entries: list[dict[str, Any]] = []
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
