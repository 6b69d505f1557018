// The archived among the consenting care leavers of child_care_leaver_dob, for the count of
// every child (cypher/children_all.cypher): a child without archived_at is not in this index.
CREATE INDEX child_care_leaver_archived IF NOT EXISTS FOR (c:Child) ON (c.care_leaver, c.care_leaver_consent, c.date_of_birth, c.archived_at)
