// A session and its user: session (map), user (map, null if the user is gone); no rows if absent.
// Only what a request needs (every signed-in request runs this): never the user's password
// hash or TOTP secret, and no datetime at all: its two times come as milliseconds since the
// epoch (created_ms, last_seen_ms), which the driver reads as plain integers where it builds
// a datetime in Python for each (a tenth of the check's CPU in the app, issue 14).
// Params: $id_hash (string).
MATCH (s:Session {id_hash: $id_hash})
OPTIONAL MATCH (u:User {username: s.username})
RETURN s {.stage, created_ms: s.created.epochMillis, last_seen_ms: s.last_seen.epochMillis} AS session,
       u {.username, .id, .roles, .practitioner_id, .display_name, .must_change_password,
          .disabled} AS user
