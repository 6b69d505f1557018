// Baseline: involved_with.csv, keyed by the involvement id. Params: $url, $batch, $source.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MATCH (p:Practitioner {id: row.practitioner_id})
  MATCH (c:Child {id: row.child_id})
  MERGE (p)-[r:INVOLVED_WITH {key: row.id}]->(c)
  SET r.id = row.id,
      r.service_id = row.service_id,
      r.role = row.role,
      r.since = date(row.since),
      r.until = date(row.until),
      r.lead = coalesce(toBoolean(row.lead), false),
      r.caf = coalesce(toBoolean(row.caf), false),
      r.consent_to_share = coalesce(toBoolean(row.consent_to_share), false),
      r.source = $source
} IN TRANSACTIONS OF $batch ROWS
