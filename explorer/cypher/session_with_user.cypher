// A session and its user: session (map), user (map, null if the user is gone); no rows if absent.
// Only what a request needs (every signed-in request runs this): never the user's password
// hash or TOTP secret, and no datetime the driver would convert for nothing (issue 14).
// Params: $id_hash (string).
MATCH (s:Session {id_hash: $id_hash})
OPTIONAL MATCH (u:User {username: s.username})
RETURN s {.stage, .created, .last_seen} AS session,
       u {.username, .id, .roles, .practitioner_id, .display_name, .must_change_password,
          .disabled} AS user
