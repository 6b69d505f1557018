// Upserts a batch of conferences from a seed, each ABOUT its child. A conference is about
// one child: one that a feed now gives another child (a corrected record) is moved to it.
// Returns: outcome ('created' | 'updated' | 'unchanged'), count.
// Params: $rows (list of maps: id, child_id, date, kind, chair, strategy_discussion).
UNWIND $rows AS row
MATCH (child:Child {id: row.child_id})
OPTIONAL MATCH (old:Conference {id: row.id})
WITH row, child, old,
     [k IN ['date', 'kind', 'chair', 'strategy_discussion']
        WHERE NOT (old[k] = row[k] OR (old[k] IS NULL AND row[k] IS NULL))] AS changed,
     old IS NOT NULL AND (EXISTS { (old)-[:ABOUT]->(other:Child) WHERE other <> child }
                          OR NOT EXISTS { (old)-[:ABOUT]->(child) }) AS moved
MERGE (k:Conference {id: row.id})
SET k.date = row.date, k.kind = row.kind, k.chair = row.chair,
    k.strategy_discussion = row.strategy_discussion
MERGE (k)-[:ABOUT]->(child)
WITH row, child, old, changed, moved, k
CALL (k, child) {
  MATCH (k)-[stale:ABOUT]->(other:Child)
  WHERE other <> child
  DELETE stale
}
RETURN CASE
         WHEN old IS NULL THEN 'created'
         WHEN size(changed) > 0 OR moved THEN 'updated'
         ELSE 'unchanged'
       END AS outcome, count(*) AS count
