// Children whose conference a user chairs.
// Returns: child (map of the child's properties). Params: $username, $limit.
MATCH (:Conference {chair: $username})-[:ABOUT]->(c:Child)
WITH DISTINCT c
RETURN properties(c) AS child
ORDER BY c.family_name, c.given_name, c.id
LIMIT $limit
