// Whether a relationship type has no relationships at all (from the count store, no
// scan): a seed type loading into an empty type may CREATE instead of MERGE.
// Returns: empty (boolean). Params: none.
// vary TYPE: LIVES_IN, PARENT_OF, CARER_OF, WORKS_FOR, INVOLVED_WITH, ATTENDS, REGISTERED_WITH
MATCH ()-[r:{{TYPE}}]->()
RETURN count(r) = 0 AS empty
