// The child protection conferences about a child.
// Returns: conference (map of id, date, kind, chair). Params: $id.
// policy: identified.child_view
MATCH (k:Conference)-[:ABOUT]->(:Child {id: $id})
RETURN properties(k) AS conference
ORDER BY k.date DESC
