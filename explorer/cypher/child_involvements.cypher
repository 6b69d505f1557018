// Every practitioner involved with a child, with the service they act for, except involvements
// with a sensitive service that the viewer may not know of: those stay in the database unless
// consent to share is recorded or the viewer's practitioner works for that service.
// Returns: involvement (map), practitioner (map), service (map).
// Params: $id, $practitioner_id (the viewer's, or null).
// policy: identified.child_view, sensitive.involvement_visible
MATCH (p:Practitioner)-[i:INVOLVED_WITH]->(:Child {id: $id})
MATCH (s:Service {id: i.service_id})
WHERE (NOT coalesce(s.sensitive, false) OR coalesce(i.consent_to_share, false) OR EXISTS { MATCH (:Practitioner {id: $practitioner_id})-[w:WORKS_FOR]->(s) WHERE w.until IS NULL })
RETURN properties(i) AS involvement, properties(p) AS practitioner, properties(s) AS service
ORDER BY i.until IS NULL DESC, i.since DESC, i.id
