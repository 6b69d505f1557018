// A practitioner's look-up of any child by exact family name (case-insensitive) and date of
// birth. Returns: child (map). Params: $family_name (lower-case), $dob (date), $retained (policy.retained:
// an archived record is not found).
// policy: identified.lookup_view, retention.is_retained
MATCH (c:Child {date_of_birth: $dob})
WHERE toLower(c.family_name) = $family_name
  AND ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
RETURN properties(c) AS child
ORDER BY c.id
LIMIT 20
