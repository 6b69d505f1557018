// Every Service has a unique id: the key seeds and views look it up by.
CREATE CONSTRAINT service_id IF NOT EXISTS FOR (n:Service) REQUIRE n.id IS UNIQUE
