// Records that a batch of children are archived: when (the day the rule archived them) and
// why. Idempotent: a child already marked keeps its date.
// Returns: marked (how many were marked now).
// Params: $rows (list of {id, archived_at (date), reason}), $recorded_at (datetime).
// policy: retention.archive_due
UNWIND $rows AS row
MATCH (c:Child {id: row.id})
WHERE c.archived_at IS NULL
SET c.archived_at = row.archived_at, c.archived_reason = row.reason,
    c.archive_recorded_at = $recorded_at
RETURN count(c) AS marked
