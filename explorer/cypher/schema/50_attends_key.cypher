// Seeds find an existing ATTENDS relationship again by its key.
CREATE INDEX attends_key IF NOT EXISTS FOR ()-[r:ATTENDS]-() ON (r.key)
