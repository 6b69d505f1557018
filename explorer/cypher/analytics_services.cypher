// Every non-sensitive service, for the analytics' tables (services are organisations: shown
// by name). Sensitive services are left out of analysts' data altogether (explorer/policy/sensitive.py).
// Returns: service_id, name, type, local_authority.
// Params: none.
// scan: the analytics name every service
// policy: sensitive.in_analysts_data
MATCH (s:Service)
WHERE s.sensitive = false
RETURN s.id AS service_id, s.name AS name, s.type AS type, s.local_authority AS local_authority
ORDER BY service_id
