// Creates a batch of services from a seed when no Service existed before this seed
// type began loading. Same result as seed_upsert_service on an empty label.
// Returns: outcome ('created'), count.
// Params: $rows (list of service property maps, each with id).
UNWIND $rows AS row
CREATE (s:Service)
SET s = row, s.sensitive = coalesce(row.sensitive, false)
RETURN 'created' AS outcome, count(*) AS count
