// Counts one failed login from a client address within a window that restarts after $window_start
// has passed. Returns failures (int). Params: $client (string), $now, $window_start (datetime).
MERGE (t:LoginThrottle {client: $client})
ON CREATE SET t.since = $now, t.failures = 0
SET t._lock = true
WITH t, t.since < $window_start AS expired
SET t.since = CASE WHEN expired THEN $now ELSE t.since END,
    t.failures = CASE WHEN expired THEN 1 ELSE t.failures + 1 END
RETURN t.failures AS failures
