// One child, only if the viewer's scope reaches it: the child's properties and why.
// Returns: child (map), involved (bool), chaired (bool); no row when out of scope or absent,
// so "not yours" and "does not exist" look the same.
// Params: $id, $today (date), $all (bool: management), $practitioner_id, $username,
// $retained (policy.retained: an archived record only for the management team's archived view).
// policy: identified.scope_params, retention.is_retained
MATCH (c:Child {id: $id})
WITH c,
     EXISTS { MATCH (:Practitioner {id: $practitioner_id})-[i:INVOLVED_WITH]->(c)
              WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today) } AS involved,
     EXISTS { MATCH (:Conference {chair: $username})-[:ABOUT]->(c) } AS chaired
WHERE ($all OR involved OR chaired)
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
RETURN properties(c) AS child, involved, chaired
