// How many audit events match the filters of audit_search: the audit page's real total.
// Returns: n (int). Params: $username (string or null), $action (string or null: prefix),
// $from, $to (datetime or null), $flagged (bool or null).
// scan: counts the events the audit page pages through; with a date range the index on at is used
MATCH (e:AuditEvent)
WHERE ($from IS NULL OR e.at >= $from) AND ($to IS NULL OR e.at < $to)
  AND ($username IS NULL OR e.username = $username)
  AND ($action IS NULL OR e.action STARTS WITH $action)
  AND ($flagged IS NULL OR e.flagged = $flagged)
RETURN count(e) AS n
