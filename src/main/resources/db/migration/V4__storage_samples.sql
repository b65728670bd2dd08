-- Storage used over time, for the console's chart: one row per sample (periodic, and after each
-- garbage collection run).

CREATE TABLE storage_samples (
  at    BIGINT NOT NULL PRIMARY KEY,
  bytes BIGINT NOT NULL
);
