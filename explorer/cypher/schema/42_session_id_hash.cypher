// Server-side sessions are found by the sha256 of the cookie's random token.
CREATE CONSTRAINT session_id_hash IF NOT EXISTS FOR (s:Session) REQUIRE s.id_hash IS UNIQUE
