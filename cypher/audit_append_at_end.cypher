// Locks the AuditHead (creating it on first use) and appends $event only if the chain
// still ends where the event expects (its seq - 1 and its prev_hash), moving the head to
// it: one statement where audit_head_lock then audit_append take two, for the writer that
// appended the last event. Otherwise appends nothing and leaves the head locked, so the
// caller chains the event to the end returned and runs audit_append in the same tx.
// Returns: seq (int) and hash (string) of the chain's end before this statement, and id
// (the event's id, or null when nothing was appended).
// Params: $event (map of the event's fields, with seq, prev_hash and hash).
MERGE (h:AuditHead {id: 'audit'})
ON CREATE SET h.seq = 0, h.hash = ''
SET h._lock = true
WITH h, h.seq AS seq, h.hash AS hash
CALL (h, seq, hash) {
  WITH h WHERE seq = $event.seq - 1 AND hash = $event.prev_hash
  CREATE (e:AuditEvent)
  SET e = $event
  SET h.seq = e.seq, h.hash = e.hash, h._lock = false
  RETURN e.id AS id
  UNION
  WITH h WHERE NOT (seq = $event.seq - 1 AND hash = $event.prev_hash)
  RETURN null AS id
}
RETURN seq, hash, id
