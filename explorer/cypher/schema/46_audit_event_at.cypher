// The audit page and the anomaly report filter by date range.
CREATE INDEX audit_event_at IF NOT EXISTS FOR (e:AuditEvent) ON (e.at)
