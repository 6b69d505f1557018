// Creates a batch of relationships of one type from a seed when the type held none
// before this seed type began loading (seed keys are unique, so none can exist yet).
// Same result as seed_upsert_relationship on an empty type.
// Returns: outcome ('created'), count.
// Params: $rows (list of maps: start, end, key, props).
// vary START: Child, Adult, Practitioner
// vary TYPE: LIVES_IN, PARENT_OF, CARER_OF, WORKS_FOR, INVOLVED_WITH, ATTENDS, REGISTERED_WITH
// vary END: Child, Household, Service
UNWIND $rows AS row
MATCH (a:{{START}} {id: row.start})
MATCH (b:{{END}} {id: row.end})
CREATE (a)-[r:{{TYPE}}]->(b)
SET r = row.props, r.key = row.key
RETURN 'created' AS outcome, count(*) AS count
