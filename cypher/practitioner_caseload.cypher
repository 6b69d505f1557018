// A practitioner and their open involvements (the caseload), each with its child and service.
// Returns: practitioner (map), child (map or null), involvement (map or null), service (map or
// null); one row with nulls when the caseload is empty; no row when the practitioner is absent.
// Params: $id (practitioner id), $today (date).
MATCH (p:Practitioner {id: $id})
OPTIONAL MATCH (p)-[i:INVOLVED_WITH]->(c:Child)
WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today)
OPTIONAL MATCH (s:Service {id: i.service_id})
RETURN properties(p) AS practitioner, properties(c) AS child, properties(i) AS involvement,
       properties(s) AS service
ORDER BY c.id
