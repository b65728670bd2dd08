package dev.berth.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a subclass of a test class that runs its parent's tests again with the metadata on
 * PostgreSQL and the registry and the collector as two replicas would be: each with a digest guard
 * of its own on that database, sharing nothing in memory.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface OnPostgresReplicas {}
