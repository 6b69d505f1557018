// Ends one user's sessions that timed out without being presented again (a code step left
// half done, a browser closed): run when the user signs in, so none lingers in the database.
// Returns deleted (int). Params: $username, $pending_before, $idle_before, $absolute_before
// (datetimes: sessions created or last seen before them have expired).
OPTIONAL MATCH (s:Session {username: $username})
WHERE (s.stage <> 'full' AND s.created < $pending_before)
   OR s.last_seen < $idle_before OR s.created < $absolute_before
DETACH DELETE s
RETURN count(s) AS deleted
