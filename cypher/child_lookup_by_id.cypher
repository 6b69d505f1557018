// A practitioner's look-up of any child by id. Returns: child (map). Params: $id.
MATCH (c:Child {id: $id})
RETURN properties(c) AS child
