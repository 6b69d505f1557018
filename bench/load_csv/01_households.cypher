// Baseline: households.csv with Neo4j's own LOAD CSV, as an admin would write it.
// Params: $url (file:///households.csv), $batch (rows per transaction).
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (h:Household {id: row.id})
  SET h.address = row.address,
      h.postcode = row.postcode,
      h.local_authority = row.local_authority,
      h.address_status = row.address_status
} IN TRANSACTIONS OF $batch ROWS
