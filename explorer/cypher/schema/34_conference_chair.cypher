// A chair's conferences are found by the chair's username.
CREATE INDEX conference_chair IF NOT EXISTS FOR (c:Conference) ON (c.chair)
