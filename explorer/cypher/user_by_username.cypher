// One User by username: user (map of every property); no rows if absent.
// Params: $username (string).
MATCH (u:User {username: $username})
RETURN u {.*} AS user
