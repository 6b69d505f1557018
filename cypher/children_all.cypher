// Every child (management team), by name.
// Returns: child (map of the child's properties). Params: $limit, $retained
// (policy.retained: archived records are left out).
// scan: the management team's list covers every child (bounded by $limit)
MATCH (c:Child)
WHERE ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
RETURN properties(c) AS child
ORDER BY c.family_name, c.given_name, c.id
LIMIT $limit
