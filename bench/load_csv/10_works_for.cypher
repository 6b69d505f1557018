// Baseline: works_for.csv. Params: $url, $batch, $source.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (p:Practitioner {id: row.practitioner_id})
  MATCH (s:Service {id: row.service_id})
  MERGE (p)-[r:WORKS_FOR {key: row.practitioner_id + '|' + row.service_id + '|' + coalesce(row.since, '')}]->(s)
  SET r.since = date(row.since), r.until = date(row.until), r.source = $source
} IN TRANSACTIONS OF $batch ROWS
