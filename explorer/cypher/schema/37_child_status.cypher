// Finding children by status (the analysts' gaps of children on a plan or looked after:
// gap_no_social_worker, gap_long_plans, gap_repeat_plans and their counts): a few per cent of
// children, which at 11 million should be sought, not found by reading every child.
CREATE INDEX child_status IF NOT EXISTS FOR (c:Child) ON (c.status)
