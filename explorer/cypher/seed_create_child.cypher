// Creates a batch of children from a seed when no Child existed before this seed type
// began loading. Same result as seed_upsert_child on an empty label (shielded is
// always present, false unless the row sets it).
// Returns: outcome ('created'), count.
// Params: $rows (list of child property maps, each with id; others optional).
UNWIND $rows AS row
CREATE (c:Child)
SET c = row, c.shielded = coalesce(row.shielded, false)
RETURN 'created' AS outcome, count(*) AS count
