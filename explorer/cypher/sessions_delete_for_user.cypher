// Ends every session of one user (disabled, 2FA reset). Returns deleted (int). Params: $username.
OPTIONAL MATCH (s:Session {username: $username})
DETACH DELETE s
RETURN count(s) AS deleted
