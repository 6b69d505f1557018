// Archived children whose archive period has ended (archived on or before $archived_by), a
// batch at a time, oldest first.
// Returns: id. Params: $archived_by (date), $limit.
// policy: retention.purge_due
MATCH (c:Child)
WHERE c.archived_at <= $archived_by
RETURN c.id AS id
ORDER BY c.archived_at, c.id
LIMIT $limit
