"""Roles and who may open what: every question a route, a template or the data layer asks
about a viewer's roles is a named function here, and nowhere else names a role.

Scopes: a viewer sees the children of every scope their roles give them.

- practitioner: children they are currently involved with;
- chair: children whose conference they chair;
- management: every child, shielded fields included;
- analyst: every child, de-identified only (pseudonym, age band, local authority);
- admin: no child at all (unless the account also holds another role).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum

from explorer.policy.viewer import Viewer


class Scope(Enum):
    INVOLVED = "involved"  # practitioner: open involvements
    CHAIRED = "chaired"  # chair: conferences chaired
    ALL = "all"  # management
    DEIDENTIFIED = "deidentified"  # analyst


# Roles that open child data (identified or de-identified): granting one is reviewed.
CHILD_DATA_ROLES = frozenset({"practitioner", "chair", "analyst", "management"})
# Roles that open identified child records (search, a child's page, its network).
IDENTIFIED_ROLES = frozenset({"practitioner", "chair", "management"})


def scopes(viewer: Viewer) -> list[Scope]:
    """The scopes a viewer's roles give them, identified scopes first.

    >>> scopes(Viewer("a", frozenset({"admin"}), None, "u"))
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


def sees_shielded_fields(viewer: Viewer) -> bool:
    return "management" in viewer.roles


def sees_every_child(viewer: Viewer) -> bool:
    """The management team see every child (and every conference), not a scope of them."""
    return "management" in viewer.roles


def sees_archived(viewer: Viewer) -> bool:
    """Only the management team see an archived record (read-only, with a reason)."""
    return "management" in viewer.roles


def acting_practitioner(viewer: Viewer) -> str | None:
    """The practitioner the viewer acts as (whose involvements and services are theirs), or
    None: a practitioner id on an account without the practitioner role counts for nothing."""
    return viewer.practitioner_id if "practitioner" in viewer.roles else None


def may_open_children(viewer: Viewer) -> bool:
    """Search, a child's page, its network and exports: the identified roles. What each
    finds is their scope (``scopes``); this says only whether the pages open at all.

    >>> may_open_children(Viewer("a", frozenset({"analyst"}), None, "u"))
    False
    """
    return bool(viewer.roles & IDENTIFIED_ROLES)


def may_override_shield(viewer: Viewer) -> bool:
    """Child protection users (chairs, practitioners) may lift a shield for one audited view."""
    return bool(viewer.roles & {"chair", "practitioner"}) and not sees_shielded_fields(viewer)


def may_look_up(viewer: Viewer) -> bool:
    """Practitioners (and chairs) may look up a child outside their involvement, with a reason."""
    return bool(viewer.roles & {"practitioner", "chair"})


def may_list_conferences(viewer: Viewer) -> bool:
    """The conference list is for those who chair conferences (their own) and the management
    team (every one); a practitioner's work is their involvements, not the timetable.

    >>> may_list_conferences(Viewer("c", frozenset({"chair"}), None, "u"))
    True
    >>> may_list_conferences(Viewer("p", frozenset({"practitioner"}), "P1", "u"))
    False
    """
    return bool(viewer.roles & {"chair", "management"})


def may_view_caseload(viewer: Viewer, practitioner_id: str) -> bool:
    """A caseload is seen by the practitioner whose caseload it is and by the management
    team (oversight of workloads); chairs, analysts (who get pseudonymous caseloads in
    their own reports) and admins do not see anyone's.

    >>> p = Viewer("p", frozenset({"practitioner"}), "P1", "u")
    >>> may_view_caseload(p, "P1"), may_view_caseload(p, "P2")
    (True, False)
    """
    if "management" in viewer.roles:
        return True
    return "practitioner" in viewer.roles and bool(viewer.practitioner_id) \
        and viewer.practitioner_id == practitioner_id


def may_view_own_caseload(viewer: Viewer) -> bool:
    """A practitioner linked to a practitioner record has a caseload of their own to open."""
    return "practitioner" in viewer.roles and bool(viewer.practitioner_id)


def may_view_archived(viewer: Viewer) -> bool:
    """The management team's read-only view of an archived record (reason asked, audited)."""
    return sees_archived(viewer)


def may_read_audit_trail(viewer: Viewer) -> bool:
    """The audit trail (events, export, anomalies) is the management team's oversight."""
    return "management" in viewer.roles


def may_use_analyst_reports(viewer: Viewer) -> bool:
    """Analysts' reports (de-identified and suppressed) are for analysts."""
    return "analyst" in viewer.roles


def may_administer(viewer: Viewer) -> bool:
    """Accounts and seed loads are the admins'."""
    return "admin" in viewer.roles


def grants_child_data(roles: Iterable[str]) -> bool:
    """Does an account with these roles see children? Its creation is flagged in the audit
    trail for the management team, so an admin cannot quietly give an account (their own
    second one, say) the management team's view.

    >>> grants_child_data(["admin"]), grants_child_data(["admin", "management"])
    (False, True)
    """
    return bool(CHILD_DATA_ROLES & set(roles))


Question = Callable[[Viewer], bool]

# The questions a page may be guarded by (``explorer.accounts.require``) and that templates
# ask (``may.<name>``, the name without "may_"). Those that open child data, identified or
# de-identified, are the routes whose every answer must be audited (``opens_child_data``).
QUESTIONS: dict[str, Question] = {q.__name__: q for q in (
    may_open_children, may_look_up, may_list_conferences, may_view_own_caseload,
    may_view_archived, may_read_audit_trail, may_use_analyst_reports, may_administer,
    may_override_shield, sees_every_child)}
CHILD_DATA_QUESTIONS = frozenset({may_open_children, may_look_up, may_list_conferences,
                                  may_view_archived, may_use_analyst_reports})


def opens_child_data(question: Question) -> bool:
    """Does a page guarded by ``question`` show child data (so every answer is audited)?"""
    return question in CHILD_DATA_QUESTIONS
