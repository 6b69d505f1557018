// A practitioner and their open involvements (the caseload), each with its child and service.
// Returns: practitioner (map), child (map or null), involvement (map or null), service (map or
// null); one row with nulls when the caseload is empty; no row when the practitioner is absent.
// Params: $id (practitioner id), $today (date), $retained (policy.retained: archived records
// are left out).
// policy: identified.caseload_view, retention.is_retained
MATCH (p:Practitioner {id: $id})
OPTIONAL MATCH (p)-[i:INVOLVED_WITH]->(c:Child)
WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today)
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
OPTIONAL MATCH (s:Service {id: i.service_id})
RETURN properties(p) AS practitioner, properties(c) AS child, properties(i) AS involvement,
       properties(s) AS service
ORDER BY c.id
