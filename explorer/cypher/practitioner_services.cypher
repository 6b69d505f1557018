// The services a practitioner currently works for (their own service's sensitive work is theirs
// to see). Returns: service_id. Params: $practitioner_id.
MATCH (:Practitioner {id: $practitioner_id})-[w:WORKS_FOR]->(s:Service)
WHERE w.until IS NULL
RETURN s.id AS service_id
