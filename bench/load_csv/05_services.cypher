// Baseline: services.csv; the special-category types are always sensitive.
// Params: $url, $batch.
LOAD CSV WITH HEADERS FROM $url AS row
CALL (row) {
  MERGE (s:Service {id: row.id})
  SET s.name = row.name,
      s.type = row.type,
      s.sensitive = coalesce(s.sensitive, false) OR coalesce(toBoolean(row.sensitive), false)
                    OR row.type IN ['camhs', 'mental_health', 'sexual_health', 'substance_misuse'],
      s.local_authority = row.local_authority
} IN TRANSACTIONS OF $batch ROWS
