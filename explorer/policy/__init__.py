"""The permission policy: who may see which child, and which of its fields.

This is the one place that decides (domain.md, "Who uses it and what each may see" and
"Two kinds of protected data"), one module per idea:

- ``viewer``: the one ``Viewer`` type every rule takes;
- ``roles``: roles and who may open what, as named questions (``may_look_up``,
  ``may_list_conferences``, ``may_view_caseload``...): routes and templates ask these and
  never name a role;
- ``identified``: the identified scopes (``scope_params``, applied in Cypher) and the field
  cuts of a child's record, network, siblings, household, caseload, conference row, look-up;
- ``sensitive``: the sensitive-service rule, once in Python and once as the Cypher text
  each query applies;
- ``retention``: archived at 18 (25 for care leavers who consent), purged later;
- ``deidentified``: analysts' pseudonyms, age bands, report dates, family groupings;
- ``disclosure``: suppression of small counts in analysts' tables and pictures.

Everything is a small pure function of a viewer and a record; the data layer
(``explorer.children``) asks it which scopes to fetch and passes every record through it
before the record leaves the data layer, so no route, export or search can forget it.
A query that reads child data names the rule it applies in its header
(``// policy: identified.scope_params``), which tests/test_queries.py checks.

Every public name is re-exported here: ``from explorer import policy; policy.X``.
"""

from __future__ import annotations

from explorer.policy.deidentified import (
    AGE_BANDS,
    REPORT_DATE_AFTER_TODAY,
    age_band,
    analyst_age_date,
    analyst_report_date,
    analyst_school_year_date,
    deidentified_record,
    family_pseudonym,
    in_family_groupings,
    pseudonym,
    staff_pseudonym,
)
from explorer.policy.disclosure import (
    SUPPRESSED,
    SUPPRESSION_THRESHOLD,
    pool_small_groups,
    recoverable,
    suppress,
    suppress_table,
    suppression_mask,
)
from explorer.policy.identified import (
    ADULT_FIELDS,
    BASIC_FIELDS,
    CHILD_FIELDS,
    CONFERENCE_FIELDS,
    EMPTY_PARTS,
    HOUSEHOLD_FIELDS,
    PRACTITIONER_CONTACT,
    SERVICE_FIELDS,
    SHIELD_VISIBLE,
    SIBLING_FIELDS,
    caseload_view,
    child_record,
    child_view,
    conference_row,
    household_shown_in,
    lookup_view,
    scope_params,
    sibling_view,
)
from explorer.policy.retention import (
    ARCHIVE_AGE,
    ARCHIVE_YEARS,
    ARCHIVED_AT_18,
    ARCHIVED_AT_25,
    CARE_LEAVER_ARCHIVE_AGE,
    analysts_retention_date,
    anniversary,
    archive_due,
    archive_state,
    born_on_or_before,
    is_retained,
    kept_until_25,
    purge_due,
    purged_by,
    purged_id_hash,
    retained,
)
from explorer.policy.roles import (
    CHILD_DATA_QUESTIONS,
    CHILD_DATA_ROLES,
    IDENTIFIED_ROLES,
    QUESTIONS,
    Question,
    Scope,
    acting_practitioner,
    grants_child_data,
    may_administer,
    may_list_conferences,
    may_look_up,
    may_open_children,
    may_override_shield,
    may_read_audit_trail,
    may_use_analyst_reports,
    may_view_archived,
    may_view_caseload,
    may_view_own_caseload,
    opens_child_data,
    scopes,
    sees_archived,
    sees_every_child,
    sees_shielded_fields,
)
from explorer.policy.sensitive import (
    in_analysts_data,
    involvement_visible,
    lookup_contact_visible,
)
from explorer.policy.viewer import (
    ROLES,
    Viewer,
)

# The name the policy's functions took the viewer under before there was one Viewer type.
ViewerLike = Viewer

__all__ = [
    "ADULT_FIELDS",
    "AGE_BANDS",
    "ARCHIVED_AT_18",
    "ARCHIVED_AT_25",
    "ARCHIVE_AGE",
    "ARCHIVE_YEARS",
    "BASIC_FIELDS",
    "CARE_LEAVER_ARCHIVE_AGE",
    "CHILD_DATA_QUESTIONS",
    "CHILD_DATA_ROLES",
    "CHILD_FIELDS",
    "CONFERENCE_FIELDS",
    "EMPTY_PARTS",
    "HOUSEHOLD_FIELDS",
    "IDENTIFIED_ROLES",
    "PRACTITIONER_CONTACT",
    "QUESTIONS",
    "REPORT_DATE_AFTER_TODAY",
    "ROLES",
    "SERVICE_FIELDS",
    "SHIELD_VISIBLE",
    "SIBLING_FIELDS",
    "SUPPRESSED",
    "SUPPRESSION_THRESHOLD",
    "Question",
    "Scope",
    "Viewer",
    "ViewerLike",
    "acting_practitioner",
    "age_band",
    "analyst_age_date",
    "analyst_report_date",
    "analyst_school_year_date",
    "analysts_retention_date",
    "anniversary",
    "archive_due",
    "archive_state",
    "born_on_or_before",
    "caseload_view",
    "child_record",
    "child_view",
    "conference_row",
    "deidentified_record",
    "family_pseudonym",
    "grants_child_data",
    "household_shown_in",
    "in_analysts_data",
    "in_family_groupings",
    "involvement_visible",
    "is_retained",
    "kept_until_25",
    "lookup_contact_visible",
    "lookup_view",
    "may_administer",
    "may_list_conferences",
    "may_look_up",
    "may_open_children",
    "may_override_shield",
    "may_read_audit_trail",
    "may_use_analyst_reports",
    "may_view_archived",
    "may_view_caseload",
    "may_view_own_caseload",
    "opens_child_data",
    "pool_small_groups",
    "pseudonym",
    "purge_due",
    "purged_by",
    "purged_id_hash",
    "recoverable",
    "retained",
    "scope_params",
    "scopes",
    "sees_archived",
    "sees_every_child",
    "sees_shielded_fields",
    "sibling_view",
    "staff_pseudonym",
    "suppress",
    "suppress_table",
    "suppression_mask",
]
