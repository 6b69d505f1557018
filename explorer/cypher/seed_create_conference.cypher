// Creates a batch of conferences from a seed, each ABOUT its child, when no Conference
// existed before this seed type began loading. Same result as seed_upsert_conference
// on an empty label (a row whose child is missing is skipped by both).
// Returns: outcome ('created'), count.
// Params: $rows (list of maps: id, child_id, date, kind, chair, strategy_discussion).
UNWIND $rows AS row
MATCH (child:Child {id: row.child_id})
CREATE (k:Conference)-[:ABOUT]->(child)
SET k.id = row.id, k.date = row.date, k.kind = row.kind, k.chair = row.chair,
    k.strategy_discussion = row.strategy_discussion
RETURN 'created' AS outcome, count(*) AS count
