// The audit page filters by user.
CREATE INDEX audit_event_username IF NOT EXISTS FOR (e:AuditEvent) ON (e.username)
