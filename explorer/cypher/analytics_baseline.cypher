// The benchmark's baseline: how many children there are (a count from the store).
// Returns: children.
// Params: none.
// policy: none (the benchmark's baseline: a count of every child, no child returned; never run by the app)
MATCH (c:Child) RETURN count(c) AS children
