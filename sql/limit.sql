-- limit on forge_update_many, forge_delete_many and
-- forge_update_many_and_return (Prisma 7's updateMany / deleteMany /
-- updateManyAndReturn `limit`).
--
-- Prisma: at most `limit` matching records are written, as
--   UPDATE t SET ... WHERE id IN (SELECT id FROM t WHERE <where> LIMIT $n)
-- with no order and no lock; limit 0 writes nothing ({count: 0}); a
-- negative limit is error P2019 ("Provided limit (-1) must be a positive
-- integer"); 1.5 is taken as 1.
--
-- forge: PostgreSQL has no UPDATE ... LIMIT.  The statement picks and locks
-- the rows by primary key in a subquery, then writes those:
--   UPDATE t SET ... WHERE EXISTS (SELECT 1 FROM (SELECT t.id FROM t WHERE
--     <where> ORDER BY t.id LIMIT $n FOR NO KEY UPDATE OF t) AS l
--     WHERE l.id = t.id)
-- (FOR UPDATE for a delete).  The rows are taken in primary key order, and
-- a row a concurrent transaction changes is waited for and checked against
-- the where again before it counts (test/isolation/specs/limit.spec).
-- Negative and fractional limits are errors (22023).
SET forge.notify = off;
CREATE FUNCTION err(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text; hnt text;
BEGIN
  EXECUTE 'SELECT ' || call;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                          det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
  RETURN st || ': ' || msg
      || CASE WHEN det <> '' THEN E'\n  detail: ' || det ELSE '' END
      || CASE WHEN hnt <> '' THEN E'\n  hint: ' || hnt ELSE '' END;
END $$;

CREATE TABLE lim_tasks (
  id int PRIMARY KEY,
  status text NOT NULL,
  claimed_by text
);
INSERT INTO lim_tasks SELECT g, CASE WHEN g % 3 = 0 THEN 'closed' ELSE 'open' END FROM generate_series(1, 10) g;

-- Claim two open tasks: the two with the lowest ids.
SELECT forge_update_many('lim_tasks', '{"where": {"status": "open", "claimed_by": null}, "data": {"claimed_by": "w1"}, "limit": 2}');
SELECT id, status, claimed_by FROM lim_tasks WHERE claimed_by IS NOT NULL ORDER BY id;
-- The next two.
SELECT forge_update_many_and_return('lim_tasks', '{"where": {"status": "open", "claimed_by": null}, "data": {"claimed_by": "w2"}, "limit": 2}');
-- A limit above the number of matching rows writes them all.
SELECT forge_update_many('lim_tasks', '{"where": {"status": "closed"}, "data": {"claimed_by": "closer"}, "limit": 100}');
-- limit 0 writes nothing, as in Prisma.
SELECT forge_update_many('lim_tasks', '{"data": {"claimed_by": "nobody"}, "limit": 0}');
SELECT count(*) FROM lim_tasks WHERE claimed_by = 'nobody';
-- without a where: any rows, still in id order.
SELECT forge_delete_many('lim_tasks', '{"limit": 3}');
SELECT min(id), count(*) FROM lim_tasks;
SELECT forge_delete_many('lim_tasks', '{"where": {"status": "closed"}, "limit": 1}');
SELECT id FROM lim_tasks WHERE status = 'closed' ORDER BY id;

-- One plan for every limit value; a call without a limit is another statement.
SELECT forge_plan_cache_reset();
SELECT forge_update_many('lim_tasks', '{"where": {"status": "open"}, "data": {"claimed_by": "a"}, "limit": 1}');
SELECT forge_update_many('lim_tasks', '{"where": {"status": "open"}, "data": {"claimed_by": "b"}, "limit": 5}');
SELECT forge_update_many('lim_tasks', '{"where": {"status": "open"}, "data": {"claimed_by": "c"}}');
SELECT hits, misses FROM forge_plan_cache_stats();

-- A compound primary key.
CREATE TABLE lim_pairs (a int, b int, v int NOT NULL DEFAULT 0, PRIMARY KEY (a, b));
INSERT INTO lim_pairs SELECT x, y FROM generate_series(1, 2) x, generate_series(1, 3) y;
SELECT forge_update_many_and_return('lim_pairs', '{"where": {"b": {"gt": 1}}, "data": {"v": 1}, "limit": 3}');

-- A partitioned table: ctid is not unique across partitions, its primary
-- key is.  Rows of several partitions, in key order.
CREATE TABLE lim_events (region text, id int, done bool NOT NULL DEFAULT false,
                         PRIMARY KEY (region, id)) PARTITION BY LIST (region);
CREATE TABLE lim_events_eu PARTITION OF lim_events FOR VALUES IN ('eu');
CREATE TABLE lim_events_us PARTITION OF lim_events FOR VALUES IN ('us');
INSERT INTO lim_events SELECT r, g FROM unnest(ARRAY['eu', 'us']) r, generate_series(1, 3) g;
SELECT forge_update_many_and_return('lim_events', '{"where": {"id": {"lte": 2}}, "data": {"done": true}, "limit": 3}');
SELECT forge_delete_many('lim_events', '{"where": {"done": true}, "limit": 2}');
SELECT tableoid::regclass, region, id, done FROM lim_events ORDER BY region, id;

-- Inheritance: a parent with children writes its own rows only (ONLY), as
-- every forge verb does; the limit counts those.
CREATE TABLE lim_parent (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
CREATE TABLE lim_child (id int PRIMARY KEY, n int NOT NULL DEFAULT 0) INHERITS (lim_parent);
INSERT INTO lim_parent VALUES (1), (2);
INSERT INTO lim_child VALUES (0), (3);
SELECT forge_update_many('lim_parent', '{"data": {"n": 1}, "limit": 5}');
SELECT tableoid::regclass, id, n FROM lim_parent ORDER BY id;

-- Errors.
\pset format unaligned
\pset tuples_only on
-- negative (Prisma: P2019), fractional, not a number (22023)
SELECT err($$forge_update_many('lim_tasks', '{"data": {"claimed_by": "x"}, "limit": -1}')$$);
SELECT err($$forge_delete_many('lim_tasks', '{"limit": 1.5}')$$);
SELECT err($$forge_delete_many('lim_tasks', '{"limit": "2"}')$$);
SELECT err($$forge_delete_many('lim_tasks', '{"limit": null}')$$);
SELECT err($$forge_delete_many('lim_tasks', '{"limit": 1e30}')$$);
-- a table without a primary key (0A000): the rows are picked by it
CREATE TABLE lim_nokey (x int);
SELECT err($$forge_delete_many('lim_nokey', '{"limit": 1}')$$);
-- The subquery locks the rows it picks, and PostgreSQL's row locks need
-- UPDATE on some column: deleteMany with a limit needs it too (42501).
CREATE ROLE regress_lim_deleter;
GRANT SELECT, DELETE ON lim_tasks TO regress_lim_deleter;
SET ROLE regress_lim_deleter;
SELECT err($$forge_delete_many('lim_tasks', '{"limit": 1}')$$);
SELECT forge_delete_many('lim_tasks', '{"where": {"id": -1}}');
RESET ROLE;
GRANT UPDATE (claimed_by) ON lim_tasks TO regress_lim_deleter;
SET ROLE regress_lim_deleter;
SELECT forge_delete_many('lim_tasks', '{"where": {"id": -1}, "limit": 1}');
RESET ROLE;
-- the one-row verbs and createMany take no limit (22023)
SELECT err($$forge_update('lim_tasks', '{"where": {"id": 5}, "data": {}, "limit": 1}')$$);
SELECT err($$forge_create_many('lim_tasks', '{"data": [], "limit": 1}')$$);

DROP TABLE lim_tasks, lim_pairs, lim_events, lim_parent, lim_nokey CASCADE;
DROP ROLE regress_lim_deleter;
DROP FUNCTION err(text);
