// Which of the given hashed child ids (policy.purged_id_hash) are the tombstones of purged
// children, so a feed cannot bring one back.
// Returns: id_hash. Params: $hashes (a list of policy.purged_id_hash of child ids).
UNWIND $hashes AS h
MATCH (t:PurgedChild {id_hash: h})
RETURN t.id_hash AS id_hash
