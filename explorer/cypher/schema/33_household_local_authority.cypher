// Analysts filter by local authority.
CREATE INDEX household_local_authority IF NOT EXISTS FOR (h:Household) ON (h.local_authority)
