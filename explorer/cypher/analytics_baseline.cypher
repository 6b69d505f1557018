// The benchmark's baseline: how many children there are (a count from the store).
// Returns: children.
// Params: none.
MATCH (c:Child) RETURN count(c) AS children
