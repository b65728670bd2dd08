package dev.berth.cleanup;

import dev.berth.testing.OnPostgresReplicas;

/** Every test of {@link GarbageCollectorTest}, with the collector and the registry as two replicas on PostgreSQL. */
@OnPostgresReplicas
class PostgresReplicasGarbageCollectorTest extends GarbageCollectorTest {}
