// Every child (the management team's first page), one page by name, and how many in all.
// The page is read in the order of the family name index and stops after the page (a seed
// requires a family name). The total is counted from indexes alone, never by reading the
// children: every child in the count store, less the archived (child_archived_at), less the
// live children born on or before the rule's date (child_date_of_birth, less the archived
// among them from child_archived_at_dob), plus the care leavers who consented and are kept
// to 25 (child_care_leaver_dob, less the archived among them from
// child_care_leaver_archived). At 11 million children, sorting and counting every child took
// longer than a request's 10 s, and reading the 558,000 over 18 took 11 s from a cold cache.
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
  MATCH (c:Child)
  WHERE c.archived_at IS NOT NULL
  RETURN count(c) AS archived
}
CALL () {
  MATCH (c:Child)
  WHERE c.date_of_birth <= $retained.born_after
  RETURN count(c) AS over_age
}
CALL () {
  MATCH (c:Child)
  USING INDEX c:Child(archived_at, date_of_birth)
  WHERE c.archived_at IS NOT NULL AND c.date_of_birth <= $retained.born_after
  RETURN count(c) AS archived_over_age
}
CALL () {
  // The retention rule's exception: a consenting care leaver is kept until 25, unless
  // archived. Both counts come from their indexes alone.
  MATCH (c:Child)
  USING INDEX c:Child(care_leaver, care_leaver_consent, date_of_birth)
  WHERE c.care_leaver = true AND c.care_leaver_consent = true
    AND c.date_of_birth <= $retained.born_after AND c.date_of_birth > $retained.leaver_born_after
  RETURN count(c) AS leavers
}
CALL () {
  MATCH (c:Child)
  USING INDEX c:Child(care_leaver, care_leaver_consent, date_of_birth, archived_at)
  WHERE c.care_leaver = true AND c.care_leaver_consent = true
    AND c.date_of_birth <= $retained.born_after AND c.date_of_birth > $retained.leaver_born_after
    AND c.archived_at IS NOT NULL
  RETURN count(c) AS archived_leavers
}
RETURN CASE WHEN $retained.archived THEN everyone
            ELSE everyone - archived - (over_age - archived_over_age) + (leavers - archived_leavers) END AS total,
       children
