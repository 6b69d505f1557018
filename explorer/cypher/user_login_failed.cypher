// Counts one failed login on a User and locks it once failures reach $max_failures.
// Returns failed_logins (int), locked_until (datetime or null). Params: $username, $max_failures (int),
// $now, $lock_until (datetime).
MATCH (u:User {username: $username})
SET u._lock = true
WITH u, CASE WHEN u.locked_until IS NOT NULL AND u.locked_until <= $now THEN 0
             ELSE coalesce(u.failed_logins, 0) END + 1 AS failures
SET u.failed_logins = failures,
    u.locked_until = CASE WHEN failures >= $max_failures THEN $lock_until
                          WHEN u.locked_until IS NOT NULL AND u.locked_until <= $now THEN null
                          ELSE u.locked_until END
RETURN u.failed_logins AS failed_logins, u.locked_until AS locked_until
