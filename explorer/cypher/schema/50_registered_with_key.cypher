// Seeds find an existing REGISTERED_WITH relationship again by its key.
CREATE INDEX registered_with_key IF NOT EXISTS FOR ()-[r:REGISTERED_WITH]-() ON (r.key)
