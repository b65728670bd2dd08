-- A namespace's policy (retention rules, immutable tags, quota: docs/retention.md), one per
-- namespace, kept as the document it was set with. The document is validated before it is stored;
-- the database only keeps it, so a policy reads back exactly as it was written.
CREATE TABLE namespace_policies (
  namespace  ${key_type} NOT NULL PRIMARY KEY,
  document   TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
