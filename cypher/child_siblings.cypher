// A child's siblings: children sharing a parent or a household (derived, never stored), with
// each one's current household and whether they share the child's.
// Returns: sibling (map of id, given_name, family_name, date_of_birth, shielded),
//          via (list of 'parent' | 'household'), household_id (the sibling's current household).
// Params: $id.
MATCH (c:Child {id: $id})
CALL (c) {
  MATCH (c)<-[:PARENT_OF|CARER_OF]-(:Adult)-[:PARENT_OF|CARER_OF]->(s:Child)
  WHERE s <> c
  RETURN s, 'parent' AS via
  UNION
  MATCH (c)-[:LIVES_IN]->(:Household)<-[:LIVES_IN]-(s:Child)
  WHERE s <> c
  RETURN s, 'household' AS via
}
WITH s, collect(DISTINCT via) AS via
OPTIONAL MATCH (s)-[l:LIVES_IN]->(h:Household) WHERE l.until IS NULL
WITH s, via, head(collect(h.id)) AS household_id
RETURN {id: s.id, given_name: s.given_name, family_name: s.family_name,
        date_of_birth: s.date_of_birth, shielded: coalesce(s.shielded, false)} AS sibling,
       via, household_id
ORDER BY s.date_of_birth, s.id
