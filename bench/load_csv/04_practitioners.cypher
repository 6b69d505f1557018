// Baseline: practitioners.csv. Params: $url, $batch.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (p:Practitioner {id: row.id})
  SET p.given_name = row.given_name,
      p.family_name = row.family_name,
      p.profession = row.profession,
      p.phone = row.phone,
      p.email = row.email
} IN TRANSACTIONS OF $batch ROWS
