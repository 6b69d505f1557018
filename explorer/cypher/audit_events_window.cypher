// The audit events with $from <= seq < $to, by seq then id: every stored field.
// Params: $from (int), $to (int).
MATCH (e:AuditEvent)
WHERE e.seq >= $from AND e.seq < $to
RETURN e {.*} AS event
ORDER BY e.seq, e.id
