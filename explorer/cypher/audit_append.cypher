// Appends a batch of AuditEvents (already chained: consecutive seq, each prev_hash the hash
// before it) and moves the AuditHead to the last (run after audit_head_lock in one tx).
// Returns id per event. Params: $events (list of maps of the events' fields, with seq and hash;
// at as ISO 8601 text with its offset, stored as a datetime).
MATCH (h:AuditHead {id: 'audit'})
SET h.seq = last($events).seq, h.hash = last($events).hash, h._lock = false
WITH h
UNWIND $events AS event
CREATE (e:AuditEvent)
SET e = event, e.at = datetime(event.at)
RETURN e.id AS id
