// The analysts' dashboard's saved counts (explorer.analytics.saved): one node per gap, report
// date and definition, found by its key on every dashboard view.
CREATE CONSTRAINT gap_counts_key IF NOT EXISTS FOR (c:GapCounts) REQUIRE c.key IS UNIQUE
