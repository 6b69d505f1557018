// Locks the single AuditHead (creating it on first use) and returns the chain's end:
// seq (int, 0 when empty) and hash (string). Serialises audit writers until commit.
// Params: none.
MERGE (h:AuditHead {id: 'audit'})
ON CREATE SET h.seq = 0, h.hash = ''
SET h._lock = true
RETURN h.seq AS seq, h.hash AS hash
