// Social worker caseloads: for every practitioner whose profession is social_worker, the
// number of distinct children with an open involvement of theirs on $date through a
// non-sensitive service (analysts' data leaves out every involvement with a sensitive service,
// see explorer/policy/sensitive.py), and the local
// authority of the service they work for (open WORKS_FOR on $date, else any).
// Returns: practitioner_id (pseudonymised before it leaves the data layer), local_authority,
//          service_id, caseload.
// Unordered: the report orders workers by their pseudonym, never by id.
// Params: $date.
// $retained: policy.retained as of policy.analysts_retention_date (archived records are left out).
// scan: profession is not indexed; the report reads every practitioner once
// policy: deidentified.staff_pseudonym, sensitive.in_analysts_data, retention.analysts_retention_date
MATCH (p:Practitioner {profession: 'social_worker'})
CALL (p) {
  OPTIONAL MATCH (p)-[w:WORKS_FOR]->(s:Service)
  WITH s ORDER BY w.until IS NULL DESC, w.since DESC
  RETURN head(collect(s)) AS service
}
CALL (p) {
  OPTIONAL MATCH (p)-[i:INVOLVED_WITH]->(c:Child)
  WHERE i.since <= $date AND (i.until IS NULL OR i.until >= $date)
    AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
    AND EXISTS { MATCH (sv:Service {id: i.service_id}) WHERE sv.sensitive = false }
  RETURN count(DISTINCT c) AS caseload
}
RETURN p.id AS practitioner_id, service.local_authority AS local_authority,
       service.id AS service_id, caseload
