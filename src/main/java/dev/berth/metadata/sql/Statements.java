package dev.berth.metadata.sql;

import org.jdbi.v3.core.HandleCallback;

/**
 * How a store on the metadata database runs its statements: a read as auto-commit statements, a
 * write in a transaction of its own, committed the way the database needs (queued and grouped with
 * the other writers of this process on SQLite).
 */
interface Statements {

  <R> R read(HandleCallback<R, RuntimeException> query);

  <R> R write(HandleCallback<R, RuntimeException> transaction);
}
