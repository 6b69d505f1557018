"""Sensitive services (domain.md, "Sensitive services"), stated once for Python and once for
Cypher.

An involvement with a sensitive service (sexual health, mental health/CAMHS, substance
misuse, or anything an admin marks sensitive) is special category data. Who reads it decides
what may lift the rule:

- ``IDENTIFIED``, a child's own view (and what is built from it: the ecomap, the conference
  list, a sibling's page): shown when consent to share is recorded on the involvement or the
  viewer's practitioner works for that service;
- ``LOOKUP``, the contacts a look-up outside one's involvement shows: never shown, consent
  or not (the look-up is for finding whom to contact, not for what they do);
- ``ANALYSTS``, analysts' reports and analytics: never, consent or not (consent is given
  for the child's care, not for statistics), and a service with no sensitive flag counts as
  sensitive. Left out means left out of every count, every list and every graph.

``visible`` is the rule in Python. ``CYPHER`` is the same rule as each query writes it: a
query applies a rule by containing its text verbatim (up to the names of its variables) and
names the rule in its header (``// policy: sensitive.<rule>``); tests/test_queries.py checks
that every line of a query that mentions ``sensitive`` is one of the texts its header names.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class Reader(Enum):
    IDENTIFIED = "identified"
    LOOKUP = "lookup"
    ANALYSTS = "analysts"


def visible(service: dict[str, Any], to: Reader, *, involvement: dict[str, Any] | None = None,
            viewer_service_ids: frozenset[str] = frozenset()) -> bool:
    """May an involvement through ``service`` reach this reader?

    >>> camhs = {"id": "S1", "sensitive": True}
    >>> visible(camhs, Reader.IDENTIFIED, involvement={"consent_to_share": True})
    True
    >>> visible(camhs, Reader.LOOKUP, involvement={"consent_to_share": True})
    False
    >>> visible({"id": "S2"}, Reader.IDENTIFIED), visible({"id": "S2"}, Reader.ANALYSTS)
    (True, False)
    """
    if to is Reader.ANALYSTS:
        return service.get("sensitive") is False
    if not service.get("sensitive"):
        return True
    if to is Reader.LOOKUP:
        return False
    return bool((involvement or {}).get("consent_to_share")) \
        or service.get("id") in viewer_service_ids


def involvement_visible(involvement: dict[str, Any], service: dict[str, Any],
                        viewer_service_ids: frozenset[str]) -> bool:
    """An involvement with a sensitive service is invisible outside that service unless
    consent to share is recorded on it.

    >>> involvement_visible({"consent_to_share": False}, {"id": "S1", "sensitive": True}, frozenset())
    False
    >>> involvement_visible({"consent_to_share": True}, {"id": "S1", "sensitive": True}, frozenset())
    True
    >>> involvement_visible({}, {"id": "S1", "sensitive": True}, frozenset({"S1"}))
    True
    """
    return visible(service, Reader.IDENTIFIED, involvement=involvement,
                   viewer_service_ids=viewer_service_ids)


def lookup_contact_visible(service: dict[str, Any]) -> bool:
    """May a look-up outside one's involvement name a contact at this service? Not at a
    sensitive one, consent or not."""
    return visible(service, Reader.LOOKUP)


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
    return visible(service, Reader.ANALYSTS)


# The rule in Cypher, keyed by the Python rule each text states: ``{s}`` is the query's variable
# for the service, ``{i}`` for the involvement (any names: a query may already use ``s`` for a
# sibling), ``$practitioner_id`` the viewer's acting practitioner or null.
CYPHER = {
    "involvement_visible": (
        "(NOT coalesce({s}.sensitive, false) OR coalesce({i}.consent_to_share, false)"
        " OR EXISTS { MATCH (:Practitioner {id: $practitioner_id})-[w:WORKS_FOR]->({s})"
        " WHERE w.until IS NULL })"),
    "lookup_contact_visible": "NOT coalesce({s}.sensitive, false)",
    "in_analysts_data": "{s}.sensitive = false",
}
