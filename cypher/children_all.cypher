// Every child (management team), by name.
// Returns: child (map of the child's properties). Params: $limit.
// scan: the management team's list covers every child (bounded by $limit)
MATCH (c:Child)
RETURN properties(c) AS child
ORDER BY c.family_name, c.given_name, c.id
LIMIT $limit
