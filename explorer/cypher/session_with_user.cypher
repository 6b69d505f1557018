// A session and its user: session (map), user (map, null if the user is gone); no rows if absent.
// Params: $id_hash (string).
MATCH (s:Session {id_hash: $id_hash})
OPTIONAL MATCH (u:User {username: s.username})
RETURN s {.*} AS session, u {.*} AS user
