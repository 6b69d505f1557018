// Ends (never deletes) relationships a snapshot of their source no longer holds:
// sets until to the load date and records that the snapshot ended them.
// Returns: ended (count). Params: $keys (list of keys), $source (string), $on (date).
// vary TYPE: LIVES_IN, WORKS_FOR, INVOLVED_WITH, ATTENDS, REGISTERED_WITH
UNWIND $keys AS key
MATCH ()-[r:{{TYPE}} {key: key}]->()
WHERE r.source = $source AND r.until IS NULL
SET r.until = $on, r.ended_by = 'snapshot'
RETURN count(r) AS ended
