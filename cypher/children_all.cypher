// Every child (the management team's first page), one page by name, and how many in all.
// Returns: total (int, from the count store), children (list of maps, ordered by family
// name, given name, id). Params: $skip, $limit.
// scan: the management team's list covers every child (one page of it is returned)
MATCH (c:Child)
WITH c ORDER BY c.family_name, c.given_name, c.id SKIP $skip LIMIT $limit
WITH collect(properties(c)) AS children
CALL () { MATCH (n:Child) RETURN count(n) AS total }
RETURN total, children
