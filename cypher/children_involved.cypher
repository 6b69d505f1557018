// Children a practitioner is currently involved with (open involvement on $today).
// Returns: child (map of the child's properties). Params: $practitioner_id, $today (date), $limit,
// $retained (policy.retained: archived records are left out).
MATCH (:Practitioner {id: $practitioner_id})-[i:INVOLVED_WITH]->(c:Child)
WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today)
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
WITH DISTINCT c
RETURN properties(c) AS child
ORDER BY c.family_name, c.given_name, c.id
LIMIT $limit
