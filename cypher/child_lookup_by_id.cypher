// One child by id, for a practitioner's look-up of any child, or for a sibling read through
// a child's network (explorer.children.sibling_views, only for siblings that network shows).
// Returns: child (map). Params: $id.
MATCH (c:Child {id: $id})
RETURN properties(c) AS child
