-- forge_upsert on Citus.  A unique key of a distributed table includes its
-- distribution column, so an upsert's where pins it (here id, or tenant
-- and name).
--
-- forge tells an upsert's insert from its update with a marker evaluated
-- in ON CONFLICT DO UPDATE (the volatile operator <@~@>).  Citus allows
-- only IMMUTABLE expressions there, and the marker would run on the
-- worker, where it cannot tell the forge call on the coordinator.  So
-- forge refuses every upsert on a Citus table itself, before planning
-- (0A000), nested connectOrCreate and upsert included.  What would work on
-- a worker, tried by hand with Citus 13.2.2 on distributed and reference
-- tables, prepared and generic plans alike: no marker, and the write's
-- RETURNING says which branch ran, WITH t AS (INSERT ... ON CONFLICT ...
-- DO UPDATE ... RETURNING t.*, (t.xmax OPERATOR(pg_catalog.=) '0'::xid) AS
-- inserted) -- true for the row inserted, false for the row updated.
SELECT forge_upsert('users', '{"where": {"id": 30}, "create": {"id": 30, "email": "ola@x.co"},
                               "update": {"views": {"increment": 1}}}');
SELECT forge_upsert('counters', '{"where": {"tenant_name": {"tenant": 3, "name": "b"}},
                                  "create": {"tenant": 3, "name": "b", "n": 1},
                                  "update": {"n": {"increment": 1}}}');
SELECT forge_upsert('settings', '{"where": {"key": "lang"}, "create": {"key": "lang", "value": "en"},
                                  "update": {"value": "en"}}');
-- a nested connectOrCreate is an upsert of the related row, and the same
SELECT forge_update('posts', '{"where": {"author_id_id": {"author_id": 20, "id": 22}},
    "data": {"tags": {"connectOrCreate": {"where": {"name": "new tag"}, "create": {"name": "new tag"}}}}}');
-- nothing was written
SELECT count(*) FROM users WHERE id = 30;
SELECT count(*) FROM settings WHERE key = 'lang';
SELECT count(*) FROM tags WHERE name = 'new tag';
