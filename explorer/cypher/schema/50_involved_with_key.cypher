// Seeds find an existing INVOLVED_WITH relationship again by its key.
CREATE INDEX involved_with_key IF NOT EXISTS FOR ()-[r:INVOLVED_WITH]-() ON (r.key)
