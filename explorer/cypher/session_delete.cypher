// Ends one session (logout, timeout, rotation). Returns deleted (int). Params: $id_hash (string).
OPTIONAL MATCH (s:Session {id_hash: $id_hash})
DETACH DELETE s
RETURN count(s) AS deleted
