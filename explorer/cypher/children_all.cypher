// Every child (the management team's first page), one page by name, and how many in all.
// The page is read in the order of the family name index and stops after the page (a seed
// requires a family name); the total is every child in the count store less those the
// retention rule leaves out, found through the archived_at and date of birth indexes. At 11
// million children, sorting and counting every child took longer than a request's 10 s.
// Returns: total (int), children (list of maps, ordered by family name, given name, id).
// Params: $skip, $limit, $retained (policy.retained: archived records are left out unless
// it says otherwise).
// policy: identified.scope_params, retention.is_retained
CALL () {
  MATCH (c:Child)
  WHERE c.family_name IS NOT NULL
    AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  WITH c ORDER BY c.family_name, c.given_name, c.id
  SKIP $skip LIMIT $limit
  RETURN collect(properties(c)) AS children
}
CALL () {
  MATCH (c:Child)
  RETURN count(c) AS everyone
}
CALL () {
  // Only a child archived, or born on or before the rule's date, can be left out.
  MATCH (c:Child)
  WHERE c.archived_at IS NOT NULL OR c.date_of_birth <= $retained.born_after
  WITH DISTINCT c
  WHERE NOT ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
  RETURN count(c) AS left_out
}
RETURN everyone - left_out AS total, children
