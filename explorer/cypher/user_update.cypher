// Sets properties on one User (disable/enable, new TOTP secret, rehash, counters).
// Returns username; no rows if absent. Params: $username (string), $props (map).
MATCH (u:User {username: $username})
SET u += $props
RETURN u.username AS username
