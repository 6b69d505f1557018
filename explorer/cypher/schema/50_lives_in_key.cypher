// Seeds find an existing LIVES_IN relationship again by its key.
CREATE INDEX lives_in_key IF NOT EXISTS FOR ()-[r:LIVES_IN]-() ON (r.key)
