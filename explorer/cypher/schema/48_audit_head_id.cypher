// One AuditHead: MERGE on it takes the lock that serialises writers of the chain.
CREATE CONSTRAINT audit_head_id IF NOT EXISTS FOR (h:AuditHead) REQUIRE h.id IS UNIQUE
