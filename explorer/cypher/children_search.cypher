// Children within a chair's or practitioner's scope (open involvements, chaired conferences),
// optionally matching search terms, one page of them and how many there are in all. With no
// terms it is the first page's list. The scope is where the query starts, so a search costs
// what the viewer's own children cost, never the whole population.
// A name fragment matches given and family name or, where the viewer may see them, former
// names; a shielded child matches only on the fields everyone may see (name, date of birth,
// id), so a search cannot reveal where it is or what it was called before.
// Returns: total (int), children (list of maps, ordered by family name, given name, id).
// Params: $text (lower-case fragment or null), $dob (date or null), $id (string or null),
// $today, $practitioner_id, $username (null when the viewer lacks that role), $see_shielded,
// $skip, $limit, $retained
// (policy.retained: archived records only for the management team, when it asks).
// policy: identified.scope_params, retention.is_retained
CALL () {
  MATCH (:Practitioner {id: $practitioner_id})-[i:INVOLVED_WITH]->(c:Child)
  WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today)
  RETURN c
  UNION
  MATCH (:Conference {chair: $username})-[:ABOUT]->(c:Child)
  RETURN c
}
WITH c
WHERE ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND ($id IS NULL OR c.id = $id)
  AND ($dob IS NULL OR c.date_of_birth = $dob)
  AND ($text IS NULL
       OR toLower(c.given_name + ' ' + c.family_name) CONTAINS $text
       OR ((NOT coalesce(c.shielded, false) OR $see_shielded)
           AND any(n IN coalesce(c.former_names, []) WHERE toLower(n) CONTAINS $text)))
WITH c ORDER BY c.family_name, c.given_name, c.id
WITH collect(c) AS found
RETURN size(found) AS total, [c IN found[$skip..$skip + $limit] | properties(c)] AS children
