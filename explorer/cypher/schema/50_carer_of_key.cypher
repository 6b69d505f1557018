// Seeds find an existing CARER_OF relationship again by its key.
CREATE INDEX carer_of_key IF NOT EXISTS FOR ()-[r:CARER_OF]-() ON (r.key)
