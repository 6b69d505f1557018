// Every child (the management team's first page), one page by name, and how many in all.
// Returns: total (int), children (list of maps, ordered by family name, given name, id).
// Params: $skip, $limit, $retained (policy.retained: archived records are left out unless
// it says otherwise).
// scan: the management team's list covers every child (one page of it is returned)
// policy: identified.scope_params, retention.is_retained
MATCH (c:Child)
WHERE ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
WITH c ORDER BY c.family_name, c.given_name, c.id
WITH collect(c) AS found
RETURN size(found) AS total, [c IN found[$skip..$skip + $limit] | properties(c)] AS children
