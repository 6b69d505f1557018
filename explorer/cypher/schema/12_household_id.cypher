// Every Household has a unique id: the key seeds and views look it up by.
CREATE CONSTRAINT household_id IF NOT EXISTS FOR (n:Household) REQUIRE n.id IS UNIQUE
