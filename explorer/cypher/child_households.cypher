// A child's households (current and past) with address, and everyone who lived there while
// the child did: a member whose time there does not overlap the child's (a later tenant, a
// child placed at a refuge or foster home after this one left) is no part of the child's
// network. A missing since or until is an open end.
// Returns: household (map), since, until, members (list of {id, label, given_name, family_name,
// date_of_birth, shielded, since, until}).
// Params: $id, $retained (policy.retained: an archived child is no member).
// policy: identified.child_view, retention.is_retained
MATCH (c:Child {id: $id})-[l:LIVES_IN]->(h:Household)
CALL (h, l) {
  MATCH (p)-[m:LIVES_IN]->(h)
  WHERE (l.since IS NULL OR m.until IS NULL OR m.until >= l.since)
    AND (m.since IS NULL OR l.until IS NULL OR m.since <= l.until)
    AND (NOT p:Child OR ($retained.archived OR p.archived_at IS NULL AND (p.date_of_birth IS NULL OR p.date_of_birth > $retained.born_after OR coalesce(p.care_leaver AND p.care_leaver_consent, false) AND p.date_of_birth > $retained.leaver_born_after)))
  RETURN collect({id: p.id, label: head(labels(p)), given_name: p.given_name,
                  family_name: p.family_name, date_of_birth: p.date_of_birth,
                  shielded: coalesce(p.shielded, false), since: m.since, until: m.until}) AS members
}
RETURN properties(h) AS household, l.since AS since, l.until AS until, members
ORDER BY l.until IS NULL DESC, l.since DESC
