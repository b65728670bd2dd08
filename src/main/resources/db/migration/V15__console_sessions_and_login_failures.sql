-- Console sessions and failed logins, kept in the database so that every replica on it shares
-- them: a session goes on when a request lands on another replica or after a restart, and
-- failures count towards the login throttle whichever replica they happen on.

-- A session is found by the SHA-256 (hex) of its token: the database never holds a token a browser
-- could present. Removing a user removes their sessions.
CREATE TABLE console_sessions (
  token_hash ${key_type} NOT NULL PRIMARY KEY,
  username   ${key_type} NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  flash      TEXT NOT NULL
) ${clustered_by_key};

CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);

-- Failed logins per throttle key (the SHA-256, hex, of a user name with an address, or of an
-- address) and second. Each failure is one upsert adding 1, so failures on several replicas at once
-- are all counted.
CREATE TABLE login_failures (
  throttle_key ${key_type} NOT NULL,
  at_second    BIGINT NOT NULL,
  failures     INTEGER NOT NULL,
  PRIMARY KEY (throttle_key, at_second)
) ${clustered_by_key};

CREATE INDEX login_failures_by_second ON login_failures (at_second);
