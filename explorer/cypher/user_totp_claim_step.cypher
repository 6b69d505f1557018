// Accepts a TOTP step for a User once: records it only if later than the last one accepted
// (the lock first, so two requests with one code cannot both succeed). Returns claimed (bool).
// Params: $username (string), $step (int).
MATCH (u:User {username: $username})
SET u._lock = true
WITH u, coalesce(u.totp_last_step, -1) < $step AS fresh
SET u.totp_last_step = CASE WHEN fresh THEN $step ELSE u.totp_last_step END,
    u.failed_logins = CASE WHEN fresh THEN 0 ELSE u.failed_logins END,
    u.locked_until = CASE WHEN fresh THEN null ELSE u.locked_until END
RETURN fresh AS claimed
