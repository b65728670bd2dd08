-- Users, their roles per namespace (the first path component of a repository name, Harbor's
-- "project"), namespaces open to anonymous pulls, and robot accounts for CI systems.

CREATE TABLE users (
  name          ${key_type} NOT NULL PRIMARY KEY,
  password_hash TEXT NOT NULL,
  system_admin  INTEGER NOT NULL,
  created_at    BIGINT NOT NULL
);

CREATE TABLE memberships (
  namespace ${key_type} NOT NULL,
  username  ${key_type} NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  role      TEXT NOT NULL CHECK (role IN ('admin', 'maintainer', 'developer', 'guest')),
  PRIMARY KEY (namespace, username)
);

CREATE TABLE public_namespaces (
  namespace ${key_type} NOT NULL PRIMARY KEY
);

CREATE TABLE robots (
  name       ${key_type} NOT NULL PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  namespace  ${key_type} NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('maintainer', 'developer', 'guest')),
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT
);
