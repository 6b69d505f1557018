// A child's households (current and past) with address, and everyone who lives or lived there.
// Returns: household (map), since, until, members (list of {id, label, given_name, family_name,
// date_of_birth, shielded, since, until}).
// Params: $id.
MATCH (c:Child {id: $id})-[l:LIVES_IN]->(h:Household)
CALL (h) {
  MATCH (p)-[m:LIVES_IN]->(h)
  RETURN collect({id: p.id, label: head(labels(p)), given_name: p.given_name,
                  family_name: p.family_name, date_of_birth: p.date_of_birth,
                  shielded: coalesce(p.shielded, false), since: m.since, until: m.until}) AS members
}
RETURN properties(h) AS household, l.since AS since, l.until AS until, members
ORDER BY l.until IS NULL DESC, l.since DESC
