// Logout everywhere and disabling a user delete that user's sessions.
CREATE INDEX session_username IF NOT EXISTS FOR (s:Session) ON (s.username)
