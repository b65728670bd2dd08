package dev.berth.cleanup;

import dev.berth.testing.OnPostgresReplicas;

/**
 * Every test of {@link GcInterleavingTest}, with the collector and the registry as two replicas on
 * one PostgreSQL database: the races resolved by the shared guard and the row locks alone.
 */
@OnPostgresReplicas
class PostgresReplicasGcInterleavingTest extends GcInterleavingTest {}
