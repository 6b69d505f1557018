// Failures from a client address in the current window: failures (int, 0 if none or expired).
// Params: $client (string), $window_start (datetime).
OPTIONAL MATCH (t:LoginThrottle {client: $client})
RETURN CASE WHEN t IS NULL OR t.since < $window_start THEN 0 ELSE t.failures END AS failures
