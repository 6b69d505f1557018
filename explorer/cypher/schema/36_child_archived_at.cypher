// The retention run finds archived children whose archive period has ended by archived_at.
CREATE INDEX child_archived_at IF NOT EXISTS FOR (c:Child) ON (c.archived_at)
