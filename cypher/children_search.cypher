// Children within the viewer's scope matching a search: a name fragment (given, family or,
// where the viewer may see them, former names), a date of birth, or an id.
// A shielded child matches only on the fields everyone may see (name, date of birth, id),
// so a search cannot reveal where it is or what it was called before.
// Returns: child (map). Params: $text (lower-case fragment or null), $dob (date or null),
// $id (string or null), $today, $all, $practitioner_id, $username, $see_shielded, $limit,
// $retained (policy.retained: archived records only for the management team).
// scan: a name fragment cannot use an index; the scope is checked per candidate
MATCH (c:Child)
WHERE ($id IS NULL OR c.id = $id)
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND ($dob IS NULL OR c.date_of_birth = $dob)
  AND ($text IS NULL
       OR toLower(c.given_name + ' ' + c.family_name) CONTAINS $text
       OR ((NOT coalesce(c.shielded, false) OR $see_shielded)
           AND any(n IN coalesce(c.former_names, []) WHERE toLower(n) CONTAINS $text)))
  AND ($all
       OR EXISTS { MATCH (:Practitioner {id: $practitioner_id})-[i:INVOLVED_WITH]->(c)
                   WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today) }
       OR EXISTS { MATCH (:Conference {chair: $username})-[:ABOUT]->(c) })
RETURN properties(c) AS child
ORDER BY c.family_name, c.given_name, c.id
LIMIT $limit
