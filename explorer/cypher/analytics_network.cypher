// The children of one local authority (living, on $date, in a household there; shielded
// children left out: their area is withheld) with their open involvements (on $date) through
// non-sensitive services, for the de-identified network view.
// Returns: child (map: id, date_of_birth, status), service (map: id, name, type).
// Params: $date, $la.
// $retained: policy.retained as of policy.analysts_retention_date (archived records are left out).
// policy: deidentified.deidentified_record, sensitive.in_analysts_data, retention.analysts_retention_date
MATCH (h:Household {local_authority: $la})
// Expanding from each household in a subquery: otherwise, once statistics say children are
// few, the planner may scan every child and join.
CALL (h) {
  MATCH (h)<-[l:LIVES_IN]-(c:Child)
  WHERE (l.since IS NULL OR l.since <= $date) AND (l.until IS NULL OR l.until >= $date)
    AND NOT coalesce(c.shielded, false)
    AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  RETURN c
}
WITH DISTINCT c
MATCH (c)<-[i:INVOLVED_WITH]-(:Practitioner)
WHERE i.since <= $date AND (i.until IS NULL OR i.until >= $date)
MATCH (s:Service {id: i.service_id})
WHERE s.sensitive = false
RETURN DISTINCT {id: c.id, date_of_birth: c.date_of_birth, status: coalesce(c.status, 'none')} AS child,
       {id: s.id, name: s.name, type: s.type} AS service
ORDER BY child.id, service.id
