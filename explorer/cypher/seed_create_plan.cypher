// Creates a batch of previous (ended) child protection plans from a seed, each HAD_PLAN
// from its child, when no Plan existed before this seed type began loading. Same result
// as seed_upsert_plan on an empty label (a row whose child is missing is skipped by both).
// Returns: outcome ('created'), count.
// Params: $rows (list of maps: id, child_id, category, start, end).
UNWIND $rows AS row
MATCH (child:Child {id: row.child_id})
CREATE (child)-[:HAD_PLAN]->(p:Plan)
SET p.id = row.id, p.category = row.category, p.start = row.start, p.`end` = row.`end`
RETURN 'created' AS outcome, count(*) AS count
