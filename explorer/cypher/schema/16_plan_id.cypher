// Every previous Plan has a unique id: the key seeds upsert it by.
CREATE CONSTRAINT plan_id IF NOT EXISTS FOR (n:Plan) REQUIRE n.id IS UNIQUE
