// How to contact the practitioners currently involved with a child, for a look-up outside
// one's involvement: never an involvement with a sensitive service, consent or not (a look-up
// is outside the circle the consent was given for).
// Returns: practitioner (map), service (map), role, lead. Params: $id, $today (date).
// policy: identified.lookup_view, sensitive.lookup_contact_visible
MATCH (p:Practitioner)-[i:INVOLVED_WITH]->(:Child {id: $id})
WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today)
MATCH (s:Service {id: i.service_id})
WHERE NOT coalesce(s.sensitive, false)
RETURN properties(p) AS practitioner, properties(s) AS service, i.role AS role,
       coalesce(i.lead, false) AS lead
ORDER BY lead DESC, p.family_name
