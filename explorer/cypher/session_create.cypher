// Stores a server-side session (the cookie holds only the token whose sha256 is $id_hash).
// Returns id_hash. Params: $id_hash, $username (string), $stage ('totp' or 'full'), $now (datetime).
MERGE (s:Session {id_hash: $id_hash})
ON CREATE SET s.username = $username, s.stage = $stage, s.created = $now, s.last_seen = $now
RETURN s.id_hash AS id_hash
