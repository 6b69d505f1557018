// The management team's search when a date of birth is given (and no id): the children born
// that day, through the index child_date_of_birth (a few dozen in 100,000), that also match
// the name fragment if one is given (the same test as children_search.cypher); one page and
// how many there are in all.
// Returns: total (int), children (list of maps, ordered by family name, given name, id).
// Params: $dob (date), $text (lower-case fragment or null), $see_shielded, $skip, $limit, $retained
// (policy.retained: archived records only for the management team, when it asks).
// policy: identified.scope_params, retention.is_retained
MATCH (c:Child)
WHERE c.date_of_birth = $dob
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  AND ($text IS NULL
       OR toLower(c.given_name + ' ' + c.family_name) CONTAINS $text
       OR ((NOT coalesce(c.shielded, false) OR $see_shielded)
           AND any(n IN coalesce(c.former_names, []) WHERE toLower(n) CONTAINS $text)))
WITH c ORDER BY c.family_name, c.given_name, c.id
WITH collect(c) AS found
RETURN size(found) AS total, [c IN found[$skip..$skip + $limit] | properties(c)] AS children
