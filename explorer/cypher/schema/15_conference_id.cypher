// Every Conference has a unique id: the key seeds and views look it up by.
CREATE CONSTRAINT conference_id IF NOT EXISTS FOR (n:Conference) REQUIRE n.id IS UNIQUE
