// Appends one AuditEvent and moves the AuditHead to it (run after audit_head_lock in one tx).
// Returns id. Params: $event (map of the event's fields, with seq and hash).
MATCH (h:AuditHead {id: 'audit'})
CREATE (e:AuditEvent)
SET e = $event
SET h.seq = e.seq, h.hash = e.hash, h._lock = false
RETURN e.id AS id
