// Seeds find an existing WORKS_FOR relationship again by its key.
CREATE INDEX works_for_key IF NOT EXISTS FOR ()-[r:WORKS_FOR]-() ON (r.key)
