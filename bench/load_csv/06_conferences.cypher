// Baseline: conferences.csv, each ABOUT its child. Params: $url, $batch.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (child:Child {id: row.child_id})
  MERGE (k:Conference {id: row.id})
  SET k.date = date(row.date), k.kind = row.kind, k.chair = row.chair,
      k.strategy_discussion = CASE WHEN row.strategy_discussion <> '' THEN date(row.strategy_discussion) END
  MERGE (k)-[:ABOUT]->(child)
} IN TRANSACTIONS OF $batch ROWS
