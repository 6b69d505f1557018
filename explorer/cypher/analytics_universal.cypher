// The schools attended and GP practices registered with on $date, per family: for each
// household, the services where a child living there (on $date) attends or is registered.
// The universal services of explorer.analytics' family-service graph. Shielded children are
// left out: they take no part in families (policy.in_family_groupings).
// Returns: household_id, service_ids (list).
// Params: $date.
// $retained: policy.retained as of policy.analysts_retention_date (archived records are left out).
// scan: the analytics read every open school and GP registration once
// policy: deidentified.deidentified_record, deidentified.in_family_groupings, retention.analysts_retention_date
MATCH (c:Child)-[r:ATTENDS|REGISTERED_WITH]->(s:Service)
WHERE (r.since IS NULL OR r.since <= $date) AND (r.until IS NULL OR r.until >= $date)
  AND NOT coalesce(c.shielded, false)
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
MATCH (c)-[l:LIVES_IN]->(h:Household)
WHERE (l.since IS NULL OR l.since <= $date) AND (l.until IS NULL OR l.until >= $date)
WITH h, s ORDER BY s.id
RETURN h.id AS household_id, collect(DISTINCT s.id) AS service_ids
ORDER BY household_id
