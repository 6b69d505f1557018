// Every child with the fields de-identification starts from: id (pseudonymised before it
// leaves the data layer), date_of_birth, status, plan_category, shielded, local_authority
// (of the current household, else of any household).
// Returns: child (map). Params: $limit.
// scan: analysts work across every child (bounded by $limit)
MATCH (c:Child)
OPTIONAL MATCH (c)-[l:LIVES_IN]->(h:Household)
WITH c, h ORDER BY l.until IS NULL DESC, l.since DESC
WITH c, head(collect(h.local_authority)) AS local_authority
RETURN {id: c.id, date_of_birth: c.date_of_birth, status: c.status,
        plan_category: c.plan_category, shielded: c.shielded,
        local_authority: local_authority} AS child
ORDER BY c.id
LIMIT $limit
