// The children on the first page, by family name: id, given_name, family_name.
// Params: $limit (int).
// scan: the first page lists every child (bounded by $limit)
MATCH (c:Child)
RETURN c.id AS id, c.given_name AS given_name, c.family_name AS family_name
ORDER BY c.family_name, c.given_name, c.id
LIMIT $limit
