// Upserts a batch of children from a seed. The shield is sticky: a feed may set
// it, and a feed that omits or contradicts it never clears it (domain.md).
// Returns: outcome ('created' | 'updated' | 'unchanged'), count.
// Params: $rows (list of child property maps, each with id; others optional).
UNWIND $rows AS row
OPTIONAL MATCH (old:Child {id: row.id})
WITH row, old,
     coalesce(old.shielded, false) OR coalesce(row.shielded, false) AS shielded,
     // Decided before SET: `old` is the same node, so afterwards it reads the new value.
     old IS NOT NULL AND coalesce(row.shielded, false) AND NOT coalesce(old.shielded, false) AS newly_shielded,
     [k IN keys(row) WHERE k <> 'shielded'
        AND NOT (old[k] = row[k] OR (old[k] IS NULL AND row[k] IS NULL))] AS changed
MERGE (c:Child {id: row.id})
SET c += row, c.shielded = shielded
RETURN CASE
         WHEN old IS NULL THEN 'created'
         WHEN size(changed) > 0 OR newly_shielded THEN 'updated'
         ELSE 'unchanged'
       END AS outcome, count(*) AS count
