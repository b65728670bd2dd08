-- Secondary indexes an import into an empty store dropped, to be built once it has loaded the tables
-- (DeferredIndexes). Written in the transaction that drops them, so that the next opening of the
-- store builds what a killed import left unbuilt.
CREATE TABLE deferred_indexes (
  name       ${key_type} NOT NULL PRIMARY KEY,
  definition TEXT NOT NULL
);
