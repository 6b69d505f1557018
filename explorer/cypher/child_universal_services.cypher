// A child's school and GP practice records (current and past).
// Returns: kind ('school' | 'gp_practice'), service (map), since, until.
// Params: $id.
// policy: identified.child_view
MATCH (:Child {id: $id})-[r:ATTENDS|REGISTERED_WITH]->(s:Service)
RETURN CASE type(r) WHEN 'ATTENDS' THEN 'school' ELSE 'gp_practice' END AS kind,
       properties(s) AS service, r.since AS since, r.until AS until
ORDER BY kind, r.until IS NULL DESC, r.since DESC
