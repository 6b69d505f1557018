// Every User, by username: user (map of every property; callers drop the secrets).
// Params: none.
// scan: the admin's list of all accounts
MATCH (u:User)
RETURN u {.*} AS user
ORDER BY u.username
