// The management team's count of every child (cypher/children_all.cypher) counts the archived
// children born on or before a date from this index alone: it holds only archived children
// (a node without archived_at is not in it), each with its date of birth.
CREATE INDEX child_archived_at_dob IF NOT EXISTS FOR (c:Child) ON (c.archived_at, c.date_of_birth)
