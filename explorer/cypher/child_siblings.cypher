// A child's siblings: children sharing a parent, or who lived in the same household at the same
// time (derived, never stored), with each one's current household. A carer alone does not make
// siblings (a foster carer's children over the years are not each other's), nor does a household
// lived in at different times (a refuge, a foster home). A missing since or until is an open end.
// Returns: sibling (map of id, given_name, family_name, date_of_birth, shielded),
//          via (list of 'parent' | 'household'), household_id (the sibling's current household).
// Params: $id, $retained (policy.retained: an archived sibling is left out).
// policy: identified.child_view, retention.is_retained
MATCH (c:Child {id: $id})
CALL (c) {
  MATCH (c)<-[:PARENT_OF]-(:Adult)-[:PARENT_OF]->(s:Child)
  WHERE s <> c
  RETURN s, 'parent' AS via
  UNION
  MATCH (c)-[l:LIVES_IN]->(:Household)<-[m:LIVES_IN]-(s:Child)
  WHERE s <> c
    AND (l.since IS NULL OR m.until IS NULL OR m.until >= l.since)
    AND (m.since IS NULL OR l.until IS NULL OR m.since <= l.until)
  RETURN s, 'household' AS via
}
WITH s, collect(DISTINCT via) AS via
WHERE ($retained.archived OR s.archived_at IS NULL AND (s.date_of_birth IS NULL OR s.date_of_birth > $retained.born_after OR coalesce(s.care_leaver AND s.care_leaver_consent, false) AND s.date_of_birth > $retained.leaver_born_after))
OPTIONAL MATCH (s)-[l:LIVES_IN]->(h:Household) WHERE l.until IS NULL
WITH s, via, head(collect(h.id)) AS household_id
RETURN {id: s.id, given_name: s.given_name, family_name: s.family_name,
        date_of_birth: s.date_of_birth, shielded: coalesce(s.shielded, false)} AS sibling,
       via, household_id
ORDER BY s.date_of_birth, s.id
