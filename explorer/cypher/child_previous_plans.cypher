// A child's earlier, ended child protection plans (from plans.csv), most recent first.
// Returns: plan (map of id, category, start, end). Params: $id.
// policy: identified.child_view
MATCH (:Child {id: $id})-[:HAD_PLAN]->(p:Plan)
RETURN p {.id, .category, .start, .end} AS plan
ORDER BY p.start DESC
