// Upserts a batch of services from a seed. Sensitivity is sticky: a feed may mark
// a service sensitive but never clears a mark (only an admin action may).
// Returns: outcome ('created' | 'updated' | 'unchanged'), count.
// Params: $rows (list of service property maps, each with id).
UNWIND $rows AS row
OPTIONAL MATCH (old:Service {id: row.id})
WITH row, old,
     coalesce(old.sensitive, false) OR coalesce(row.sensitive, false) AS sensitive,
     // Decided before SET: `old` is the same node, so afterwards it reads the new value.
     old IS NOT NULL AND coalesce(row.sensitive, false) AND NOT coalesce(old.sensitive, false) AS newly_sensitive,
     [k IN keys(row) WHERE k <> 'sensitive'
        AND NOT (old[k] = row[k] OR (old[k] IS NULL AND row[k] IS NULL))] AS changed
MERGE (s:Service {id: row.id})
SET s += row, s.sensitive = sensitive
RETURN CASE
         WHEN old IS NULL THEN 'created'
         WHEN size(changed) > 0 OR newly_sensitive THEN 'updated'
         ELSE 'unchanged'
       END AS outcome, count(*) AS count
