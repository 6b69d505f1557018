// Baseline: plans.csv (previous, ended plans), each HAD_PLAN from its child.
// Params: $url, $batch.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (child:Child {id: row.child_id})
  MERGE (p:Plan {id: row.id})
  SET p.category = row.category, p.start = date(row.start), p.`end` = date(row.`end`)
  MERGE (child)-[:HAD_PLAN]->(p)
} IN TRANSACTIONS OF $batch ROWS
