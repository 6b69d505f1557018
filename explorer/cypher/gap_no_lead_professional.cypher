// Gap: children with open involvements (on $date) through $min_services or more distinct
// non-sensitive services and none of those involvements flagged lead professional. An
// involvement with a sensitive service neither counts as a service nor as a lead: analysts'
// data leaves out every such involvement, consented or not (explorer/policy/sensitive.py), and a count that
// included it would disagree with the service types shown and so reveal it.
// Returns: child (map: id, date_of_birth, status, plan_category, shielded, local_authority
//          of the current household, else the last), service_types (types of the non-sensitive
//          services involved on $date: the service-type filter matches on these).
// Unordered: analysts see the list in pseudonym order (explorer.analytics.gaps), never in
// id order, which would map a row's position back to an id.
// Params: $date, $min_services (3 in the report).
// $retained: policy.retained as of policy.analysts_retention_date (archived records are left out).
// scan: every child's open involvements are counted
// policy: deidentified.deidentified_record, sensitive.in_analysts_data, retention.analysts_retention_date
MATCH (c:Child)<-[i:INVOLVED_WITH]-(:Practitioner)
WHERE i.since <= $date AND (i.until IS NULL OR i.until >= $date)
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND EXISTS { MATCH (sv:Service {id: i.service_id}) WHERE sv.sensitive = false }
WITH c, count(DISTINCT i.service_id) AS services, any(x IN collect(coalesce(i.lead, false)) WHERE x) AS led
WHERE services >= $min_services AND NOT led
CALL (c) {
  OPTIONAL MATCH (c)-[l:LIVES_IN]->(h:Household)
  WITH h ORDER BY l.until IS NULL DESC, l.until DESC, l.since DESC
  RETURN head(collect(h.local_authority)) AS local_authority
}
CALL (c) {
  OPTIONAL MATCH (c)<-[i:INVOLVED_WITH]-(:Practitioner)
  WHERE i.since <= $date AND (i.until IS NULL OR i.until >= $date)
  OPTIONAL MATCH (s:Service {id: i.service_id}) WHERE s.sensitive = false
  RETURN collect(DISTINCT s.type) AS service_types
}
RETURN {id: c.id, date_of_birth: c.date_of_birth, status: coalesce(c.status, 'none'),
        plan_category: c.plan_category, shielded: coalesce(c.shielded, false),
        local_authority: local_authority} AS child,
       service_types
