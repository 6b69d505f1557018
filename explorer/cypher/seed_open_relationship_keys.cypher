// The keys of the open (no end date) relationships of one type that a source loaded:
// what a full snapshot of that source ends when they are absent from it.
// Returns: key. Params: $source (string).
// vary TYPE: LIVES_IN, WORKS_FOR, INVOLVED_WITH, ATTENDS, REGISTERED_WITH
// scan: a snapshot compares every relationship of the type that the source loaded
MATCH ()-[r:{{TYPE}}]->()
WHERE r.source = $source AND r.until IS NULL
RETURN r.key AS key
