// Every involvement open on $date through a non-sensitive service (analysts' data leaves
// out every involvement with a sensitive service, consented or not: see explorer/policy/sensitive.py), with the
// child's household (open on $date; the first by
// id if several): the family-practitioner-service graph of explorer.analytics. Services'
// names, types and areas come from analytics_services, once each.
// A shielded child's household is never given (null): shielded children take no part in
// families (policy.in_family_groupings); their involvements still count in caseloads.
// Returns: child_id, household_id (null if none open, or shielded), household_la, practitioner_id,
//          profession, service_id.
// Params: $date.
// $retained: policy.retained as of policy.analysts_retention_date (archived records are left out).
// scan: the analytics read every open involvement once
// policy: deidentified.deidentified_record, sensitive.in_analysts_data, retention.analysts_retention_date
MATCH (p:Practitioner)-[i:INVOLVED_WITH]->(c:Child)
WHERE i.since <= $date AND (i.until IS NULL OR i.until >= $date)
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND EXISTS { MATCH (sv:Service {id: i.service_id}) WHERE sv.sensitive = false }
CALL (c) {
  OPTIONAL MATCH (c)-[l:LIVES_IN]->(h:Household)
  WHERE (l.since IS NULL OR l.since <= $date) AND (l.until IS NULL OR l.until >= $date)
    AND NOT coalesce(c.shielded, false)
  WITH h ORDER BY h.id
  RETURN head(collect(h)) AS h
}
RETURN c.id AS child_id, h.id AS household_id, h.local_authority AS household_la,
       p.id AS practitioner_id, p.profession AS profession, i.service_id AS service_id
ORDER BY child_id, practitioner_id, service_id
