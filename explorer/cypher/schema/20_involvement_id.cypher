// Every involvement has a unique id, so a re-load finds the same edge.
CREATE CONSTRAINT involvement_id IF NOT EXISTS FOR ()-[r:INVOLVED_WITH]-() REQUIRE r.id IS UNIQUE
