// Gap: children with an open social worker involvement (on $date) who have a sibling (a
// shared parent, or a household both live in on $date) whose open social workers are all
// different from theirs. Social workers count through non-sensitive services only (analysts'
// data leaves out every involvement with a sensitive service, see explorer/policy/sensitive.py). Shielded
// children take no part in sibling groups (policy.in_family_groupings): neither listed here
// nor counted as anyone's sibling.
// Returns: child (map: id, date_of_birth, status, plan_category, shielded, local_authority
//          of the current household, else the last), service_types (types of the non-sensitive
//          services involved on $date: the service-type filter matches on these).
// Unordered: analysts see the list in pseudonym order (explorer.analytics.gaps), never in
// id order, which would map a row's position back to an id.
// Params: $date.
// $retained: policy.retained as of policy.analysts_retention_date (archived records are left out).
// scan: every open social worker involvement is read
// policy: deidentified.deidentified_record, deidentified.in_family_groupings, sensitive.in_analysts_data, retention.analysts_retention_date
MATCH (c:Child)<-[i:INVOLVED_WITH]-(p:Practitioner {profession: 'social_worker'})
WHERE i.since <= $date AND (i.until IS NULL OR i.until >= $date)
  AND NOT coalesce(c.shielded, false)
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND EXISTS { MATCH (sv:Service {id: i.service_id}) WHERE sv.sensitive = false }
WITH c, collect(DISTINCT p.id) AS workers
CALL (c) {
  MATCH (c)<-[:PARENT_OF]-(:Adult)-[:PARENT_OF]->(s:Child)
  WHERE s <> c AND NOT coalesce(s.shielded, false)
  RETURN s
  UNION
  MATCH (c)-[l:LIVES_IN]->(:Household)<-[m:LIVES_IN]-(s:Child)
  WHERE s <> c AND NOT coalesce(s.shielded, false) AND (l.since IS NULL OR l.since <= $date) AND (l.until IS NULL OR l.until >= $date)
    AND (m.since IS NULL OR m.since <= $date) AND (m.until IS NULL OR m.until >= $date)
  RETURN s
}
WITH c, workers, s WHERE ($retained.archived OR s.archived_at IS NULL AND (s.date_of_birth IS NULL OR s.date_of_birth > $retained.born_after OR coalesce(s.care_leaver AND s.care_leaver_consent, false) AND s.date_of_birth > $retained.leaver_born_after))
MATCH (s)<-[j:INVOLVED_WITH]-(q:Practitioner {profession: 'social_worker'})
WHERE j.since <= $date AND (j.until IS NULL OR j.until >= $date)
  AND EXISTS { MATCH (sv:Service {id: j.service_id}) WHERE sv.sensitive = false }
WITH c, workers, s, collect(DISTINCT q.id) AS sibling_workers
WHERE none(w IN workers WHERE w IN sibling_workers)
WITH DISTINCT c
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
