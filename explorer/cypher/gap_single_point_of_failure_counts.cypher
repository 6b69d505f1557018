// The dashboard's counts for gap_single_point_of_failure.cypher: the families it reads (the
// same conditions, line for line) whose children's open involvements on $date (through
// non-sensitive services) are all with one practitioner, counted in groups by what the
// dashboard's tables look at, so that no family's row leaves the database. The list finds
// the same families with networkx (explorer.analytics.families); here it is one count per
// household, since a family hangs on a practitioner exactly when its children's involvements
// name one practitioner and no other (networks.single_points_of_failure; the tests check
// these counts against the list's records for every focus).
// Returns: local_authority (the household's, else 'unknown'), statuses (of its children,
//          those of $statuses), age_bands (at $age_date, those of $age_bands), service_types
//          (of the involvements with that practitioner, those of $service_types), records
//          (how many families).
// Params: $date, $age_date, $bands (policy.age_band's bands as dates of birth: label, after,
//         upto), $statuses, $age_bands, $service_types (the values analysts filter on).
// $retained: policy.retained as of policy.analysts_retention_date (archived records are left out).
// scan: status is not indexed; the report reads every child once
// policy: deidentified.family_pseudonym, deidentified.in_family_groupings, sensitive.in_analysts_data, retention.analysts_retention_date
MATCH (c:Child)-[l:LIVES_IN]->(h:Household)
WHERE (c.status IN ['child_in_need', 'cp_plan', 'looked_after', 'unborn_plan']
       OR coalesce(c.care_leaver, false))
  AND NOT coalesce(c.shielded, false)
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND (l.since IS NULL OR l.since <= $date) AND (l.until IS NULL OR l.until >= $date)
WITH DISTINCT h
MATCH (h)<-[m:LIVES_IN]-(k:Child)
WHERE (m.since IS NULL OR m.since <= $date) AND (m.until IS NULL OR m.until >= $date)
  AND NOT coalesce(k.shielded, false)
  AND ($retained.archived OR k.archived_at IS NULL AND (k.date_of_birth IS NULL OR k.date_of_birth > $retained.born_after OR coalesce(k.care_leaver AND k.care_leaver_consent, false) AND k.date_of_birth > $retained.leaver_born_after))
CALL (k) {
  OPTIONAL MATCH (k)<-[i:INVOLVED_WITH]-(p:Practitioner)
  WHERE i.since <= $date AND (i.until IS NULL OR i.until >= $date)
  OPTIONAL MATCH (s:Service {id: i.service_id})
  WITH k, p, i, s WHERE p IS NULL OR s.sensitive = false
  RETURN collect(CASE WHEN p IS NULL THEN NULL ELSE {practitioner_id: p.id, service_type: s.type} END) AS found
}
WITH h, collect(coalesce(k.status, 'none')) AS statuses,
     collect(CASE WHEN k.date_of_birth IS NULL THEN 'unknown'
                  WHEN k.date_of_birth > $age_date THEN 'unborn'
                  ELSE coalesce(head([b IN $bands WHERE k.date_of_birth <= b.upto
                                                    AND k.date_of_birth > b.after | b.label]), '26+')
             END) AS age_bands,
     reduce(all = [], f IN collect(found) | all + f) AS involvements
WITH h, statuses, age_bands, involvements,
     reduce(seen = [], x IN involvements |
            CASE WHEN x.practitioner_id IN seen THEN seen ELSE seen + x.practitioner_id END) AS practitioners
WHERE size(practitioners) = 1
RETURN coalesce(h.local_authority, 'unknown') AS local_authority,
       [s IN $statuses WHERE s IN statuses] AS statuses,
       [b IN $age_bands WHERE b IN age_bands] AS age_bands,
       [t IN $service_types WHERE t IN [x IN involvements | x.service_type]] AS service_types,
       count(*) AS records
