// Baseline: adults.csv. Params: $url, $batch.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (a:Adult {id: row.id})
  SET a.given_name = row.given_name,
      a.family_name = row.family_name,
      a.date_of_birth = date(row.date_of_birth),
      a.phone = row.phone,
      a.email = row.email
} IN TRANSACTIONS OF $batch ROWS
