-- "Which indexes name this manifest?" is asked by every manifest DELETE. SQLite preferred scanning all
-- of the repository's rows in the primary key (repository, parent_digest, child_digest), which covers
-- the query, to seeking (repository, child_digest), which did not; covering the parent too makes the
-- seek the cheaper plan (SqlQueryPlanTest).
CREATE INDEX manifest_children_by_child ON manifest_children (repository, child_digest, parent_digest);
DROP INDEX manifest_children_child;
