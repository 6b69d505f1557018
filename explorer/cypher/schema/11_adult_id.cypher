// Every Adult has a unique id: the key seeds and views look it up by.
CREATE CONSTRAINT adult_id IF NOT EXISTS FOR (n:Adult) REQUIRE n.id IS UNIQUE
