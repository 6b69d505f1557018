// Every Child has a unique id: the key seeds and views look it up by.
CREATE CONSTRAINT child_id IF NOT EXISTS FOR (n:Child) REQUIRE n.id IS UNIQUE
