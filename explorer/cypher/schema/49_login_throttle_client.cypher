// Failed logins are counted per client address.
CREATE CONSTRAINT login_throttle_client IF NOT EXISTS FOR (t:LoginThrottle) REQUIRE t.client IS UNIQUE
