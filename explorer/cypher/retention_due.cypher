// Children the rule archives on $retained's date (policy.retained) that the retention run has
// not marked yet, a batch at a time.
// Returns: child (map: id, date_of_birth, care_leaver, care_leaver_consent).
// Params: $retained (policy.retained, archived false), $limit.
// scan: every unmarked child is checked against the rule (an age is no index key)
// policy: retention.archive_due
MATCH (c:Child)
WHERE c.archived_at IS NULL
  AND NOT ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
RETURN {id: c.id, date_of_birth: c.date_of_birth, care_leaver: c.care_leaver,
        care_leaver_consent: c.care_leaver_consent} AS child
ORDER BY c.id
LIMIT $limit
