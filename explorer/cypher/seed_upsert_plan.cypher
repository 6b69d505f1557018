// Upserts a batch of previous (ended) child protection plans from a seed, each HAD_PLAN
// from its child. A plan a feed moves to another child leaves the first one: a plan
// belongs to one child.
// Returns: outcome ('created' | 'updated' | 'unchanged'), count.
// Params: $rows (list of maps: id, child_id, category, start, end).
UNWIND $rows AS row
MATCH (child:Child {id: row.child_id})
OPTIONAL MATCH (old:Plan {id: row.id})
OPTIONAL MATCH (was:Child)-[:HAD_PLAN]->(old)
WITH row, child, old, was,
     [k IN ['category', 'start', 'end']
        WHERE NOT (old[k] = row[k] OR (old[k] IS NULL AND row[k] IS NULL))] AS changed
MERGE (p:Plan {id: row.id})
SET p.category = row.category, p.start = row.start, p.`end` = row.`end`
MERGE (child)-[:HAD_PLAN]->(p)
WITH row, child, old, was, changed, p
CALL (p, child) {
  MATCH (other:Child)-[moved:HAD_PLAN]->(p)
  WHERE other <> child
  DELETE moved
}
RETURN CASE
         WHEN old IS NULL THEN 'created'
         WHEN size(changed) > 0 OR was IS NULL OR was <> child THEN 'updated'
         ELSE 'unchanged'
       END AS outcome, count(*) AS count
