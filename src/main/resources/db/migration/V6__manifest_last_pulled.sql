-- When each manifest was last fetched with GET, for the console's "last pulled" column (and, later,
-- retention rules such as "keep what was pulled within 30 days"). Written in batches by the
-- registry's PullRecorder, never by the GET itself; NULL: not pulled since this column exists.
ALTER TABLE manifests ADD COLUMN last_pulled_at BIGINT;
