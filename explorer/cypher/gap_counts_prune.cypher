// Deletes saved dashboard counts that no request can be served (explorer analytics count):
// counted at an earlier data version or retention date, or for a day before $today that is not
// the last of its month (reports are as of today or a month's end).
// Returns: deleted (int). Params: $version (int), $retained_on (date), $today (date).
// scan: every saved count, a few per report date (tens of nodes)
MATCH (c:GapCounts)
WHERE c.version < $version OR c.retained_on < $retained_on
   OR (c.on < $today AND (c.on + duration('P1D')).day <> 1)
DETACH DELETE c
RETURN count(*) AS deleted
