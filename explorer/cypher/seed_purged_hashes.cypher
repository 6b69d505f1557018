// The tombstones of purged children (hashed ids), so a feed cannot bring one back.
// Returns: id_hash. Params: none.
// scan: validating a feed needs every tombstone
MATCH (t:PurgedChild)
RETURN t.id_hash AS id_hash
