// Every service, for the analytics' tables (services are organisations: shown by name).
// Returns: service_id, name, type, local_authority, sensitive.
// Params: none.
// scan: the analytics name every service
MATCH (s:Service)
RETURN s.id AS service_id, s.name AS name, s.type AS type, s.local_authority AS local_authority,
       coalesce(s.sensitive, false) AS sensitive
ORDER BY service_id
