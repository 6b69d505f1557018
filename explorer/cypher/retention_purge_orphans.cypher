// After a purge, the adults and households it left with no child: an adult who is no
// child's parent or carer and lives in no household where a child lives or lived; then a
// household where no child and no remaining adult lives or lived. Matches Adult and
// Household only (never AuditEvent).
// Returns: adults, households (counts deleted).
// Params: $adult_ids, $household_ids.
// policy: retention.purge_due
CALL () {
  UNWIND $adult_ids AS id
  MATCH (a:Adult {id: id})
  WHERE NOT EXISTS { MATCH (a)-[:PARENT_OF|CARER_OF]->(:Child) }
    AND NOT EXISTS { MATCH (a)-[:LIVES_IN]->(:Household)<-[:LIVES_IN]-(:Child) }
  DETACH DELETE a
  RETURN count(*) AS adults
}
CALL () {
  UNWIND $household_ids AS id
  MATCH (h:Household {id: id})
  WHERE NOT EXISTS { MATCH (h)<-[:LIVES_IN]-() }
  DETACH DELETE h
  RETURN count(*) AS households
}
RETURN adults, households
