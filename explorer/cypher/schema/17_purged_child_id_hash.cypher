// A purged child leaves one tombstone, its hashed id (policy.purged_id_hash), so that a feed
// cannot bring the child back: unique, and how a feed's ids are checked.
CREATE CONSTRAINT purged_child_id_hash IF NOT EXISTS FOR (t:PurgedChild) REQUIRE t.id_hash IS UNIQUE
