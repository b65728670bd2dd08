-- The usage a namespace's quota was last checked against (docs/retention.md, "Immutable tags and
-- quota"): pushes into a namespace with a quota add what they bring, under a lock on this row;
-- deletions do not subtract, so the figure is an upper bound, counted again exactly when a push
-- would exceed the quota by it. NULL: not counted since the policy was set.
ALTER TABLE namespace_policies ADD COLUMN usage_bytes BIGINT;
