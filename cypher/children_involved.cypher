// Children a practitioner is currently involved with (open involvement on $today).
// Returns: child (map of the child's properties). Params: $practitioner_id, $today (date), $limit.
MATCH (:Practitioner {id: $practitioner_id})-[i:INVOLVED_WITH]->(c:Child)
WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today)
WITH DISTINCT c
RETURN properties(c) AS child
ORDER BY c.family_name, c.given_name, c.id
LIMIT $limit
