// Baseline: carer_of.csv. Params: $url, $batch, $source.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (a:Adult {id: row.adult_id})
  MATCH (c:Child {id: row.child_id})
  MERGE (a)-[r:CARER_OF {key: row.adult_id + '|' + row.child_id}]->(c)
  SET r.parental_responsibility = coalesce(toBoolean(row.parental_responsibility), false),
      r.source = $source
} IN TRANSACTIONS OF $batch ROWS
