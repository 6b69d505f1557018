// Purges a batch of children: a tombstone (hashed id) for each, then the child with every
// relationship (involvements, households lived in, parents, school, GP), their previous
// plans and the conferences about them. Matches Child, Plan and Conference only: the audit
// trail (AuditEvent) is never touched, and refers to ids alone.
// Returns: children, plans, conferences (counts deleted).
// Params: $rows (list of {id, id_hash}), $purged_at (datetime).
// policy: retention.purge_due, retention.purged_id_hash
UNWIND $rows AS row
MATCH (c:Child {id: row.id})
MERGE (t:PurgedChild {id_hash: row.id_hash})
  ON CREATE SET t.purged_at = $purged_at
WITH c
CALL (c) {
  OPTIONAL MATCH (c)-[:HAD_PLAN]->(p:Plan)
  OPTIONAL MATCH (k:Conference)-[:ABOUT]->(c)
  WITH collect(DISTINCT p) AS plans, collect(DISTINCT k) AS conferences
  FOREACH (p IN plans | DETACH DELETE p)
  FOREACH (k IN conferences | DETACH DELETE k)
  RETURN size(plans) AS plans, size(conferences) AS conferences
}
DETACH DELETE c
RETURN count(*) AS children, sum(plans) AS plans, sum(conferences) AS conferences
