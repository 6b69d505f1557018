// Upserts a batch of adults, households or practitioners from a seed.
// Returns: outcome ('created' | 'updated' | 'unchanged'), count.
// Params: $rows (list of property maps, each with id).
// vary LABEL: Adult, Household, Practitioner
UNWIND $rows AS row
OPTIONAL MATCH (old:{{LABEL}} {id: row.id})
WITH row, old,
     [k IN keys(row) WHERE NOT (old[k] = row[k] OR (old[k] IS NULL AND row[k] IS NULL))] AS changed
MERGE (n:{{LABEL}} {id: row.id})
SET n += row
RETURN CASE
         WHEN old IS NULL THEN 'created'
         WHEN size(changed) > 0 THEN 'updated'
         ELSE 'unchanged'
       END AS outcome, count(*) AS count
