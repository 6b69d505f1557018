// Upserts a batch of conferences from a seed, each ABOUT its child.
// Returns: outcome ('created' | 'updated' | 'unchanged'), count.
// Params: $rows (list of maps: id, child_id, date, kind, chair).
UNWIND $rows AS row
MATCH (child:Child {id: row.child_id})
OPTIONAL MATCH (old:Conference {id: row.id})
OPTIONAL MATCH (old)-[:ABOUT]->(was:Child)
WITH row, child, old, was,
     [k IN ['date', 'kind', 'chair']
        WHERE NOT (old[k] = row[k] OR (old[k] IS NULL AND row[k] IS NULL))] AS changed
MERGE (k:Conference {id: row.id})
SET k.date = row.date, k.kind = row.kind, k.chair = row.chair
MERGE (k)-[:ABOUT]->(child)
RETURN CASE
         WHEN old IS NULL THEN 'created'
         WHEN size(changed) > 0 OR was IS NULL OR was <> child THEN 'updated'
         ELSE 'unchanged'
       END AS outcome, count(*) AS count
