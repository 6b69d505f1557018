// Baseline: attends.csv. Params: $url, $batch, $source.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (c:Child {id: row.child_id})
  MATCH (s:Service {id: row.service_id})
  MERGE (c)-[r:ATTENDS {key: row.child_id + '|' + row.service_id + '|' + coalesce(row.since, '')}]->(s)
  SET r.since = date(row.since), r.until = date(row.until), r.source = $source
} IN TRANSACTIONS OF $batch ROWS
