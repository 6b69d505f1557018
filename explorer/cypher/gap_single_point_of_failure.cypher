// Families children's services work with (a household, on $date, of a child in need, on a
// plan, looked after or a care leaver), each with its children and every open involvement
// (on $date) of those children through a non-sensitive service (analysts' data leaves out
// every involvement with a sensitive service, consented or not: see explorer/policy/sensitive.py); the single
// points of failure are found in networkx
// (explorer.analytics.networks.single_points_of_failure). Shielded children take no part in
// families (policy.in_family_groupings): not as members, and not as the child that makes
// the family one children's services work with.
// Returns: household_id, local_authority (of the household), children (list of maps: id,
//          date_of_birth, status, plan_category, shielded), involvements (list of maps:
//          child_id, practitioner_id, profession, service_id, service_type).
// Unordered: the report orders families by their pseudonym, never by id.
// Params: $date.
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
  RETURN collect(CASE WHEN p IS NULL THEN NULL ELSE
           {child_id: k.id, practitioner_id: p.id, profession: p.profession,
            service_id: i.service_id, service_type: s.type} END) AS found
}
WITH h, collect({id: k.id, date_of_birth: k.date_of_birth, status: coalesce(k.status, 'none'),
                 plan_category: k.plan_category, shielded: coalesce(k.shielded, false)}) AS children,
     collect(found) AS per_child
RETURN h.id AS household_id, h.local_authority AS local_authority, children,
       reduce(all = [], f IN per_child | all + f) AS involvements
