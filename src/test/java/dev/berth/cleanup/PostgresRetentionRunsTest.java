package dev.berth.cleanup;

import dev.berth.testing.OnPostgresReplicas;

/** Every test of {@link RetentionRunsTest}, with the metadata on PostgreSQL. */
@OnPostgresReplicas
class PostgresRetentionRunsTest extends RetentionRunsTest {}
