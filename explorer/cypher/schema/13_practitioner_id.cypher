// Every Practitioner has a unique id: the key seeds and views look it up by.
CREATE CONSTRAINT practitioner_id IF NOT EXISTS FOR (n:Practitioner) REQUIRE n.id IS UNIQUE
