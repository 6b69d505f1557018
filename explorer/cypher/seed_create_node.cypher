// Creates a batch of adults, households or practitioners from a seed, when the label
// held no nodes before this seed type began loading (so no row can exist yet; the
// unique constraint on id still refuses a duplicate). Same result as seed_upsert_node.
// Returns: outcome ('created'), count.
// Params: $rows (list of property maps, each with id).
// vary LABEL: Adult, Household, Practitioner
UNWIND $rows AS row
CREATE (n:{{LABEL}})
SET n = row
RETURN 'created' AS outcome, count(*) AS count
