// The ids of the children who live or lived in a household (the household page then reads
// each through child_view, so the policy decides what of each is shown).
// Returns: id. Params: $id (household id), $retained (policy.retained: archived
// records are left out).
// policy: identified.household_shown_in, retention.is_retained
MATCH (c:Child)-[l:LIVES_IN]->(:Household {id: $id})
WHERE ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
RETURN DISTINCT c.id AS id
ORDER BY id
LIMIT 100
