// Saves the analysts' dashboard's counts of some gaps for a report date (what
// explorer.analytics.counting.groups returned, as JSON: counts by area, status, age band and
// service types, no child's id), for every app server to serve until the data or the date
// changes. Saved only if the data version is still $version (nothing changed while counting)
// and never over counts of a later version.
// Returns: saved (how many were saved).
// Params: $version (int), $retained_on (date), $on (date), $counted_at (datetime),
//         $rows (list of {key, gap, definition, groups}).
MATCH (d:DataChange)
WITH count(d) AS changes
WHERE changes = $version
UNWIND $rows AS row
MERGE (c:GapCounts {key: row.key})
WITH c, row
WHERE c.version IS NULL OR c.version <= $version
SET c.gap = row.gap, c.on = $on, c.definition = row.definition, c.groups = row.groups,
    c.version = $version, c.retained_on = $retained_on, c.counted_at = $counted_at
RETURN count(c) AS saved
