// The management team's search when an id is given: at most one child, by its key, if it
// also matches the other terms (the same tests as children_search.cypher). The same shape as
// the other searches.
// Returns: total (int), children (list of maps). Params: $id, $dob (date or null),
// $text (lower-case fragment or null), $see_shielded, $skip, $limit.
// policy: identified.scope_params, retention.is_retained
MATCH (c:Child {id: $id})
WHERE ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND ($dob IS NULL OR c.date_of_birth = $dob)
  AND ($text IS NULL
       OR toLower(c.given_name + ' ' + c.family_name) CONTAINS $text
       OR ((NOT coalesce(c.shielded, false) OR $see_shielded)
           AND any(n IN coalesce(c.former_names, []) WHERE toLower(n) CONTAINS $text)))
WITH collect(c) AS found
RETURN size(found) AS total, [c IN found[$skip..$skip + $limit] | properties(c)] AS children
