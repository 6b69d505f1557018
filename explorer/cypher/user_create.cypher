// Creates a User unless the username is taken (idempotent under retries: same $props.id).
// Returns created (bool: false if the username already existed).
// Params: $username (string), $props (map of the User's properties, including id).
MERGE (u:User {username: $username})
ON CREATE SET u += $props
RETURN u.id = $props.id AS created
