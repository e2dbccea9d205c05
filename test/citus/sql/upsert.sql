-- forge_upsert on Citus.  A unique key of a distributed table includes its
-- distribution column, so an upsert's where pins it (here id, or tenant
-- and name).
--
-- On one node forge tells an upsert's insert from its update with a
-- marker evaluated in ON CONFLICT DO UPDATE (the volatile operator
-- <@~@>), which Citus does not allow in a statement it sends to a worker,
-- and which could not reach the coordinator's backend from there.  On a
-- Citus table the write returns the branch it took instead, next to the
-- row, and the row is built on the coordinator:
--   WITH t AS (INSERT ... ON CONFLICT (key) DO UPDATE SET ... WHERE true
--              RETURNING t.*, (NOT (t.xmax = '0'::xid)) AS "?forge upsert updated?")
--   SELECT the row, t."?forge upsert updated?" FROM t
-- (a row ON CONFLICT updated carries this transaction's xmax, a row
-- inserted none).  The event's op says which: insert, then update.
SELECT forge_upsert('users', '{"where": {"id": 30}, "create": {"id": 30, "email": "ola@x.co"},
                               "update": {"views": {"increment": 1}}}');
SELECT forge_upsert('users', '{"where": {"id": 30}, "create": {"id": 30, "email": "ola@x.co"},
                               "update": {"views": {"increment": 1}}, "select": {"views": true}}');
SELECT forge_upsert('counters', '{"where": {"tenant_name": {"tenant": 3, "name": "b"}},
                                  "create": {"tenant": 3, "name": "b", "n": 1},
                                  "update": {"n": {"increment": 1}}}');
SELECT forge_upsert('counters', '{"where": {"tenant_name": {"tenant": 3, "name": "b"}},
                                  "create": {"tenant": 3, "name": "b", "n": 1},
                                  "update": {"n": {"increment": 1}}}');
-- a reference table, with include (read back after the write)
SELECT forge_upsert('settings', '{"where": {"key": "lang"}, "create": {"key": "lang", "value": "en"},
                                  "update": {"value": "en"}, "select": {"key": true, "value": true}}');
SELECT forge_upsert('settings', '{"where": {"key": "lang"}, "create": {"key": "lang", "value": "en"},
                                  "update": {"value": "fr"}, "omit": {"id": true}}');
SELECT forge_upsert('users', '{"where": {"id": 30}, "create": {"id": 30, "email": "ola@x.co"},
                               "update": {}, "select": {"email": true,
                                                        "posts": true, "_count": {"select": {"posts": true}}}}');
-- the same plans again (generic plans after five runs), rows on both workers
SELECT forge_upsert('counters', format('{"where": {"tenant_name": {"tenant": %s, "name": "g"}},
                                         "create": {"tenant": %s, "name": "g"},
                                         "update": {"n": {"increment": 1}}, "select": {"n": true}}', i % 3, i % 3)::jsonb)
  FROM generate_series(1, 9) AS i;
SELECT tenant, name, n FROM counters WHERE name = 'g' ORDER BY tenant;
-- an existing row that fails the where's other filters: P2025, as on one node
SELECT forge_upsert('users', '{"where": {"id": 30, "email": "nobody@x.co"},
                               "create": {"id": 30, "email": "nobody@x.co"}, "update": {"views": 0}}');

-- a nested connectOrCreate of a many-to-many (or to-one) reads the related
-- row first and connects it as it is; when there is none it runs the plain
-- upsert above, which creates it
SELECT forge_update('posts', '{"where": {"author_id_id": {"author_id": 20, "id": 22}},
    "data": {"tags": {"connectOrCreate": {"where": {"name": "new tag"}, "create": {"name": "new tag"}}}},
  "select": {"tags": {"select": {"name": true}, "orderBy": {"name": "asc"}}}}');
SELECT forge_update('posts', '{"where": {"author_id_id": {"author_id": 20, "id": 21}},
    "data": {"tags": {"connectOrCreate": {"where": {"name": "new tag"}, "create": {"name": "new tag"}}}},
  "select": {"tags": {"select": {"name": true}, "orderBy": {"name": "asc"}}}}');
SELECT count(*) AS new_tags FROM tags WHERE name = 'new tag';

-- Refused (0A000, before anything is written): an upsert that must update
-- else insert in one statement, WITH u AS (UPDATE ...), i AS (INSERT ...
-- WHERE NOT EXISTS ...), which Citus cannot run on a worker.  That is an
-- upsert whose create leaves out a key column that has a default (the
-- row takes the default, so ON CONFLICT on the where's key could never
-- fire), a nested upsert and a to-many connectOrCreate (which find their
-- row among the connected ones first), and an upsert whose branches set a
-- to-one key (which finds and locks its row, then runs one branch: see
-- prisma7.sql).
SELECT forge_upsert('users', '{"where": {"id": 31}, "create": {"email": "pia@x.co"}, "update": {}}');
SELECT forge_update('users', '{"where": {"id": 20}, "data": {"posts": {"upsert":
    {"where": {"author_id_id": {"author_id": 20, "id": 21}}, "create": {"id": 21, "title": "x"},
     "update": {"title": "First"}}}}}');
SELECT forge_update('users', '{"where": {"id": 20}, "data": {"posts": {"connectOrCreate":
    {"where": {"author_id_id": {"author_id": 20, "id": 29}}, "create": {"id": 29, "title": "x"}}}}}');
-- nothing was written
SELECT count(*) FROM users WHERE id = 31;
SELECT count(*) FROM posts WHERE id = 29;

-- the branch comes from xmax, a system column: reading it needs SELECT on
-- the table, so a role with column privileges only cannot upsert a Citus
-- table (42501), though it could on one node
SET client_min_messages = warning;
CREATE ROLE forge_citus_cols;
RESET client_min_messages;
GRANT SELECT (tenant, name, n), INSERT (tenant, name), UPDATE (n) ON counters TO forge_citus_cols;
SET ROLE forge_citus_cols;
SELECT forge_upsert('counters', '{"where": {"tenant_name": {"tenant": 3, "name": "c"}},
                                  "create": {"tenant": 3, "name": "c"}, "update": {"n": 1}}');
RESET ROLE;
REVOKE ALL ON counters FROM forge_citus_cols;
DROP ROLE forge_citus_cols;
