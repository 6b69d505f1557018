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
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from enum import Enum
from typing import Any, Protocol


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
