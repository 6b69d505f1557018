// Audit events whose seq is missing or not an integer (only a hand-made insert has one): id.
// Params: none.
// scan: verify must find events that a seq range cannot reach
MATCH (e:AuditEvent)
WHERE e.seq IS NULL OR NOT valueType(e.seq) STARTS WITH 'INTEGER'
RETURN e.id AS id, e.seq AS seq
