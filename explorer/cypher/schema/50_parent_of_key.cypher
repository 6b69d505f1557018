// Seeds find an existing PARENT_OF relationship again by its key.
CREATE INDEX parent_of_key IF NOT EXISTS FOR ()-[r:PARENT_OF]-() ON (r.key)
