// Gap: care leavers aged 18 or over on $age_date (the 31 March on or before $date that
// analysts' ages are taken at) with no open involvement (on $date) of a
// practitioner whose profession is personal_adviser (through a non-sensitive service:
// analysts' data leaves out every involvement with a sensitive service, see explorer/policy/sensitive.py).
// Returns: child (map: id, date_of_birth, status, plan_category, shielded, local_authority
//          of the current household, else the last), service_types (types of the non-sensitive
//          services involved on $date: the service-type filter matches on these).
// Unordered: analysts see the list in pseudonym order (explorer.analytics.gaps), never in
// id order, which would map a row's position back to an id.
// Params: $date, $age_date.
// $retained: policy.retained as of policy.analysts_retention_date (archived records are left out).
// policy: deidentified.deidentified_record, sensitive.in_analysts_data, retention.analysts_retention_date
MATCH (c:Child)
WHERE c.date_of_birth <= $age_date - duration({years: 18})
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND coalesce(c.care_leaver, false)
  AND NOT EXISTS {
    MATCH (c)<-[i:INVOLVED_WITH]-(:Practitioner {profession: 'personal_adviser'})
    WHERE i.since <= $date AND (i.until IS NULL OR i.until >= $date)
      AND EXISTS { MATCH (sv:Service {id: i.service_id}) WHERE sv.sensitive = false }
  }
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
