// Whether a label has no nodes at all (from the count store, no scan): a seed type
// loading into an empty label may CREATE instead of MERGE, every row being new.
// Returns: empty (boolean). Params: none.
// vary LABEL: Child, Adult, Household, Practitioner, Service, Conference, Plan
MATCH (n:{{LABEL}})
RETURN count(n) = 0 AS empty
