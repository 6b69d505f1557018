// Marks a session as used now (the idle timeout counts from last_seen). Returns id_hash.
// Params: $id_hash (string), $now (datetime).
MATCH (s:Session {id_hash: $id_hash})
SET s.last_seen = $now
RETURN s.id_hash AS id_hash
