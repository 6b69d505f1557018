// Those of the given child ids whose records are archived (policy.retained: marked by the
// retention run, or due under the rule on $retained's date), so a feed can neither change nor
// bring one back.
// Returns: id, archived_at (null while not yet marked), archived_reason, date_of_birth,
// care_leaver, care_leaver_consent. Params: $ids (a list of child ids), $retained
// (policy.retained, archived false).
UNWIND $ids AS id
MATCH (c:Child {id: id})
WHERE NOT ($retained.archived OR c.archived_at IS NULL AND (c.date_of_birth IS NULL OR c.date_of_birth > $retained.born_after OR coalesce(c.care_leaver AND c.care_leaver_consent, false) AND c.date_of_birth > $retained.leaver_born_after))
RETURN c.id AS id, c.archived_at AS archived_at, c.archived_reason AS archived_reason,
       c.date_of_birth AS date_of_birth, c.care_leaver AS care_leaver,
       c.care_leaver_consent AS care_leaver_consent
