// Baseline: lives_in.csv; the person is a child or an adult.
// Params: $url, $batch, $source.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  OPTIONAL MATCH (c:Child {id: row.person_id})
  OPTIONAL MATCH (a:Adult {id: row.person_id})
  WITH row, coalesce(c, a) AS p
  MATCH (h:Household {id: row.household_id})
  MERGE (p)-[r:LIVES_IN {key: row.person_id + '|' + row.household_id + '|' + coalesce(row.since, '')}]->(h)
  SET r.since = date(row.since), r.until = date(row.until), r.source = $source
} IN TRANSACTIONS OF $batch ROWS
