// Locks the AuditHead (creating it on first use) and appends the batch $events only if the
// chain still ends where the first event expects (its seq - 1 and its prev_hash), moving the
// head to the last: one statement where audit_head_lock then audit_append take two, for the
// writer that appended the last event. Otherwise appends nothing and leaves the head locked,
// so the caller chains the events to the end returned and runs audit_append in the same tx.
// Returns one row: seq (int) and hash (string) of the chain's end before this statement, and
// appended (the number of events appended: 0 or size($events)).
// Params: $events (list of maps of the events' fields, chained, with seq, prev_hash and hash;
// at as ISO 8601 text with its offset, stored as a datetime).
MERGE (h:AuditHead {id: 'audit'})
ON CREATE SET h.seq = 0, h.hash = ''
SET h._lock = true
WITH h, h.seq AS seq, h.hash AS hash
CALL (h, seq, hash) {
  WITH h WHERE seq = head($events).seq - 1 AND hash = head($events).prev_hash
  SET h.seq = last($events).seq, h.hash = last($events).hash, h._lock = false
  WITH h
  UNWIND $events AS event
  CREATE (e:AuditEvent)
  SET e = event, e.at = datetime(event.at)
  RETURN count(e) AS appended
  UNION
  WITH h WHERE NOT (seq = head($events).seq - 1 AND hash = head($events).prev_hash)
  RETURN 0 AS appended
}
RETURN seq, hash, appended
