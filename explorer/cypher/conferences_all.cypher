// The management team's conference list: every child with a conference, each with every
// conference about them (whoever chairs it) and the lead professionals involved today.
// A shielded child's leads are not read unless the viewer sees shielded fields; an
// involvement with a sensitive service is read only as child_views reads it.
// Returns: child (map), conferences (list of {id, date, kind, chair, strategy_discussion}),
//          leads (list of {involvement, practitioner, service} maps).
// scan: the management team's list covers every conference
// Params: $today (date), $practitioner_id (the viewer's, or null), $see_shielded,
// $retained (policy.retained: an archived child is not listed).
// policy: identified.conference_row, sensitive.involvement_visible, retention.is_retained
MATCH (:Conference)-[:ABOUT]->(c:Child)
WITH DISTINCT c
WHERE ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
CALL (c) {
  MATCH (k:Conference)-[:ABOUT]->(c)
  RETURN collect(k {.id, .date, .kind, .chair, .strategy_discussion}) AS conferences
}
CALL (c) {
  OPTIONAL MATCH (p:Practitioner)-[i:INVOLVED_WITH]->(c)
  WHERE i.lead AND (i.since IS NULL OR i.since <= $today) AND (i.until IS NULL OR i.until >= $today)
    AND ($see_shielded OR NOT coalesce(c.shielded, false))
  OPTIONAL MATCH (s:Service {id: i.service_id})
  WITH p, i, s
  WHERE s IS NOT NULL
    AND (NOT coalesce(s.sensitive, false) OR coalesce(i.consent_to_share, false) OR EXISTS { MATCH (:Practitioner {id: $practitioner_id})-[w:WORKS_FOR]->(s) WHERE w.until IS NULL })
  RETURN collect({involvement: properties(i), practitioner: properties(p),
                  service: properties(s)}) AS leads
}
RETURN properties(c) AS child, conferences, leads
ORDER BY c.id
