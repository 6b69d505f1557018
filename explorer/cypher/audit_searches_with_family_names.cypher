// Search-like audit events in a date range, with the searching user's own family name:
// id, seq, at, username, action, params (JSON string), family_name.
// Params: $from, $to (datetime), $prefixes (list of action prefixes).
MATCH (e:AuditEvent)
WHERE e.at >= $from AND e.at < $to AND any(p IN $prefixes WHERE e.action STARTS WITH p)
MATCH (u:User {username: e.username})
WHERE u.family_name IS NOT NULL AND u.family_name <> ''
RETURN e.id AS id, e.seq AS seq, e.at AS at, e.username AS username, e.action AS action,
       e.params AS params, u.family_name AS family_name
ORDER BY e.seq DESC
