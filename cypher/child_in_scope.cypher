// One child, only if the viewer's scope reaches it: the child's properties and why.
// Returns: child (map), involved (bool), chaired (bool); no row when out of scope or absent,
// so "not yours" and "does not exist" look the same.
// Params: $id, $today (date), $all (bool: management), $practitioner_id, $username.
MATCH (c:Child {id: $id})
WITH c,
     EXISTS { MATCH (:Practitioner {id: $practitioner_id})-[i:INVOLVED_WITH]->(c)
              WHERE i.since <= $today AND (i.until IS NULL OR i.until >= $today) } AS involved,
     EXISTS { MATCH (:Conference {chair: $username})-[:ABOUT]->(c) } AS chaired
WHERE $all OR involved OR chaired
RETURN properties(c) AS child, involved, chaired
