// Audit events matching the filters, newest first: every stored field except the chain hashes.
// Params: $username (string or null), $action (string or null: prefix), $from, $to (datetime or null),
// $flagged (bool or null), $skip (int: events of earlier pages), $limit (int).
// scan: the audit page lists events; with a date range the index on at is used
MATCH (e:AuditEvent)
WHERE ($from IS NULL OR e.at >= $from) AND ($to IS NULL OR e.at < $to)
  AND ($username IS NULL OR e.username = $username)
  AND ($action IS NULL OR e.action STARTS WITH $action)
  AND ($flagged IS NULL OR e.flagged = $flagged)
RETURN e.id AS id, e.seq AS seq, e.at AS at, e.username AS username, e.roles AS roles,
       e.action AS action, e.params AS params, e.returned_ids AS returned_ids,
       e.reason AS reason, e.client AS client, e.flagged AS flagged
ORDER BY e.seq DESC
SKIP $skip
LIMIT $limit
