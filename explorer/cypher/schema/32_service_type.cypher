// Gap reports filter services by type (school, GP practice, social care...).
CREATE INDEX service_type IF NOT EXISTS FOR (s:Service) ON (s.type)
