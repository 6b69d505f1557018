// The dashboard's counts for gap_no_gp.cypher: the children it lists (the same conditions,
// line for line), counted in groups by what the dashboard's tables look at, so that no
// child's row leaves the database (explorer.analytics.counting; the tests check these
// counts against the list's de-identified records for every focus).
// Returns: local_authority ('withheld' for a shielded child, else the current household's,
//          else the last, else 'unknown'), status ('none' if none), age_band (at $age_date,
//          as policy.age_band gives it), service_types (those of $service_types, in that
//          order, among the non-sensitive services involved on $date), records (how many).
// Params: the list's ($date, $age_date), and $age_date, $bands (policy.age_band's bands as
//         dates of birth: label, after, upto), $service_types (the types analysts filter on).
// $retained: policy.retained as of policy.analysts_retention_date (archived records are left out).
// policy: deidentified.deidentified_record, sensitive.in_analysts_data, retention.analysts_retention_date
MATCH (c:Child)
WHERE c.date_of_birth <= $age_date
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND NOT EXISTS {
    MATCH (c)-[r:REGISTERED_WITH]->(:Service) WHERE r.until IS NULL OR r.until >= $date
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
WITH CASE WHEN coalesce(c.shielded, false) THEN 'withheld'
            ELSE coalesce(local_authority, 'unknown') END AS local_authority,
     coalesce(c.status, 'none') AS status,
     CASE WHEN c.date_of_birth IS NULL THEN 'unknown'
          WHEN c.date_of_birth > $age_date THEN 'unborn'
          ELSE coalesce(head([b IN $bands WHERE c.date_of_birth <= b.upto
                                             AND c.date_of_birth > b.after | b.label]), '26+')
     END AS age_band,
     [t IN $service_types WHERE t IN service_types] AS service_types
RETURN local_authority, status, age_band, service_types, count(*) AS records
