// One child by id, for a practitioner's look-up of any child.
// Returns: child (map). Params: $id, $retained (policy.retained: an archived record is not
// found).
// policy: identified.lookup_view, retention.is_retained
MATCH (c:Child {id: $id})
WHERE ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
RETURN properties(c) AS child
