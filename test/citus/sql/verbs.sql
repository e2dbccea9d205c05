-- Every verb on a distributed table (users, posts) and a reference table
-- (tags, settings).  Citus runs a statement on a worker only if its
-- RETURNING calls IMMUTABLE functions; to_jsonb and jsonb_build_object are
-- STABLE, so on a Citus table forge returns t.* from the write, in a CTE,
-- and builds the row on the coordinator:
--   WITH t AS (UPDATE ... RETURNING t.*) SELECT to_jsonb(t.*) FROM t

-- create: the whole row, or the selected columns
SELECT forge_create('users', '{"data": {"id": 1, "email": "ada@x.co", "name": "Ada"}}');
SELECT forge_create('users', '{"data": {"id": 2, "email": "bob@x.co"},
                               "select": {"id": true, "email": true}}');
-- a bigserial default, evaluated on the coordinator
SELECT forge_create('posts', '{"data": {"author_id": 1, "title": "Notes"},
                               "select": {"author_id": true, "title": true}}');
SELECT forge_create('tags', '{"data": {"name": "math"}}');
SELECT forge_create('settings', '{"data": {"key": "theme", "value": "dark"}}');

-- createMany: rows on both workers; skipDuplicates counts only the rows
-- written (Citus's command tag would also count the skipped ones, so forge
-- counts the rows RETURNING gives)
SELECT forge_create_many('users', '{"data": [{"id": 3, "email": "cy@x.co"},
                                             {"id": 4, "email": "dee@x.co"},
                                             {"id": 5, "email": "eve@x.co"}]}');
SELECT forge_create_many('users', '{"data": [{"id": 5, "email": "eve@x.co"},
                                             {"id": 6, "email": "fay@x.co"}],
                                    "skipDuplicates": true}');
SELECT forge_create_many('tags', '{"data": [{"name": "pg"}, {"name": "math"}, {"name": "dist"}],
                                   "skipDuplicates": true}');
-- the same shape again: the plan is cached, and stays right
SELECT forge_create_many('tags', '{"data": [{"name": "pg"}, {"name": "new"}],
                                   "skipDuplicates": true}');
SELECT forge_create_many('counters', '{"data": [{"tenant": 1, "name": "a"}, {"tenant": 2, "name": "a"}]}');
SELECT id, email FROM users ORDER BY id;
SELECT name FROM tags ORDER BY name;

-- update: by the key, with an arithmetic op; run twice, the second from
-- the plan cache
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"views": {"increment": 5}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"views": {"increment": 5}},
                               "select": {"views": true}}');
SELECT forge_update('counters', '{"where": {"tenant_name": {"tenant": 1, "name": "a"}},
                                  "data": {"n": {"increment": 1}}}');
SELECT forge_update('settings', '{"where": {"key": "theme"}, "data": {"value": "light"},
                                  "select": {"key": true, "value": true}}');
-- no row: P2025, as on one node
SELECT forge_update('users', '{"where": {"id": 99}, "data": {"name": "x"}}');
-- an optimistic check that fails is P2025 too
SELECT forge_update('users', '{"where": {"id": 1, "views": 0}, "data": {"name": "x"}}');

-- updateMany and deleteMany: across shards
SELECT forge_update_many('users', '{"where": {"id": {"in": [2, 3, 4]}}, "data": {"views": {"increment": 1}}}');
SELECT forge_update_many('users', '{"where": {}, "data": {"name": {"set": "someone"}}}');
SELECT forge_update_many('tags', '{"where": {"name": {"startsWith": "n"}}, "data": {"name": "newer"}}');
SELECT id, name, views FROM users ORDER BY id;

-- delete: the deleted row
SELECT forge_delete('users', '{"where": {"id": 6}, "select": {"id": true, "email": true}}');
SELECT forge_delete('tags', '{"where": {"name": "newer"}, "select": {"name": true}}');
SELECT forge_delete('users', '{"where": {"id": 6}}');
SELECT forge_delete_many('users', '{"where": {"id": {"gte": 5}}}');
SELECT forge_delete_many('tags', '{"where": {"name": "dist"}}');

-- select and include on a distributed table: a user's posts are on the
-- user's worker (colocated); a post's author is a to-one
SELECT forge_create('posts', '{"data": {"author_id": 1, "id": 10, "title": "Letters"},
                               "select": {"title": true, "author": {"select": {"email": true}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"name": "Ada L."},
                               "select": {"name": true,
                                          "posts": {"select": {"title": true}, "orderBy": {"title": "asc"}}}}');
-- relation filters from a distributed table (to colocated rows, and to a
-- reference table) work
SELECT forge_update_many('users', '{"where": {"posts": {"some": {"title": "Letters"}}},
                                    "data": {"views": {"increment": 100}}}');
SELECT forge_update('users', '{"where": {"id": 2, "posts": {"none": {}}}, "data": {"name": "Bob"},
                               "select": {"name": true}}');

-- the plan cache across DDL: a new column shows in the next row
ALTER TABLE users ADD COLUMN bio text;
SELECT forge_update('users', '{"where": {"id": 2}, "data": {"bio": "hi"}}');
ALTER TABLE users DROP COLUMN bio;
SELECT forge_update('users', '{"where": {"id": 2}, "data": {"views": 0}}');

-- a table distributed after forge cached its plans and metadata: Citus
-- invalidates the table, and the next call plans for a distributed table
CREATE TABLE later (id int PRIMARY KEY, name text);
SELECT forge_create('later', '{"data": {"id": 1, "name": "before"}}');
SET client_min_messages = warning;
SELECT create_distributed_table('later', 'id');
RESET client_min_messages;
SELECT forge_create('later', '{"data": {"id": 2, "name": "after"}}');
SELECT forge_create_many('later', '{"data": [{"id": 2}, {"id": 3}], "skipDuplicates": true}');
SELECT forge_update('later', '{"where": {"id": 1}, "data": {"name": "distributed"}}');
SELECT id, name FROM later ORDER BY id;

-- a Citus local table (on the coordinator, in Citus's metadata) and a
-- single-shard distributed table (no distribution column, as schema-based
-- sharding makes them): forge treats both as Citus tables
CREATE TABLE notes (id int PRIMARY KEY, body text);
SELECT citus_add_local_table_to_metadata('notes');
CREATE TABLE single (id int PRIMARY KEY, body text);
SELECT create_distributed_table('single', NULL);
SELECT logicalrelid::text AS table, partmethod, repmodel, colocationid > 0 AS colocated
  FROM pg_dist_partition WHERE logicalrelid IN ('notes'::regclass, 'single'::regclass) ORDER BY 1;
SELECT forge_create('notes', '{"data": {"id": 1, "body": "a"}}');
SELECT forge_create_many('notes', '{"data": [{"id": 1}, {"id": 2}], "skipDuplicates": true}');
SELECT forge_update('notes', '{"where": {"id": 2}, "data": {"body": "b"}}');
SELECT forge_delete('notes', '{"where": {"id": 1}}');
SELECT forge_create('single', '{"data": {"id": 1, "body": "a"}}');
SELECT forge_create_many('single', '{"data": [{"id": 1}, {"id": 2}], "skipDuplicates": true}');
SELECT forge_update('single', '{"where": {"id": 2}, "data": {"body": "b"}}');
SELECT forge_delete('single', '{"where": {"id": 1}}');
