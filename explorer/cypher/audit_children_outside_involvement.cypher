// Per user and day: distinct children viewed (ids in returned_ids of a child-view event)
// whom the user was not involved with that day as a practitioner (INVOLVED_WITH, not ceased)
// and does not chair a conference about.
// Returns username, day (date), outside (int), child_ids (list). Only rows with outside > $threshold.
// Params: $from, $to (datetime), $prefixes (list of action prefixes), $threshold (int).
// policy: roles.may_read_audit_trail
MATCH (e:AuditEvent)
WHERE e.at >= $from AND e.at < $to AND any(p IN $prefixes WHERE e.action STARTS WITH p)
UNWIND e.returned_ids AS child_id
MATCH (c:Child {id: child_id})
WITH DISTINCT e.username AS username, date(e.at) AS day, c
OPTIONAL MATCH (u:User {username: username})
WHERE NOT EXISTS { MATCH (:Practitioner {id: u.practitioner_id})-[i:INVOLVED_WITH]->(c)
                   WHERE (i.since IS NULL OR i.since <= day) AND (i.until IS NULL OR i.until >= day) }
  AND NOT EXISTS { MATCH (:Conference {chair: u.username})-[:ABOUT]->(c) }
WITH username, day, c, u
WHERE u IS NOT NULL
WITH username, day, count(c) AS outside, collect(c.id) AS child_ids
WHERE outside > $threshold
RETURN username, day, outside, child_ids
ORDER BY day DESC, outside DESC, username
