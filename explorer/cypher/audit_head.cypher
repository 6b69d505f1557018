// The chain's end as recorded on the AuditHead: seq, hash (no rows before the first event).
// Params: none.
MATCH (h:AuditHead {id: 'audit'})
RETURN h.seq AS seq, h.hash AS hash
