-- Scalar lists (array columns): set, push, and forge's remove and addUnique.
--
-- Prisma writes a list with set (the whole list) and push (a value or an
-- array, appended: UPDATE ... SET "tags" = "tags" || $1).  forge compiles
-- push to col = pg_catalog.array_cat(t.col, $n), and adds two operations
-- Prisma lacks, which a Prisma user otherwise writes as read, change, write
-- back (and loses concurrent changes): remove (every element equal to one
-- given) and addUnique (append the values not yet in the list).  Each is one
-- UPDATE computed from the stored row, so concurrent writers never lose
-- each other's elements (test/isolation/specs/list_ops.spec).
CREATE TABLE sl_posts (
  id int PRIMARY KEY,
  tags text[],
  scores int[] NOT NULL DEFAULT '{}',
  views int NOT NULL DEFAULT 0
);
INSERT INTO sl_posts VALUES (1, '{news}', '{1,2}'), (2, NULL, '{}'), (3, '{a,b}', '{}');

-- push one value, as Prisma's tags: {push: "tech"}.
SELECT forge_update('sl_posts', '{"where": {"id": 1}, "data": {"tags": {"push": "tech"}}}');
-- push an array: its elements are appended in order, duplicates and all.
SELECT forge_update('sl_posts', '{"where": {"id": 1}, "data": {"tags": {"push": ["db", "news"]}, "scores": {"push": [3, 1.0]}}}');
-- push onto a NULL list gives the pushed values, as in Prisma.
SELECT forge_update('sl_posts', '{"where": {"id": 2}, "data": {"tags": {"push": "first"}}}');
-- push of an empty array changes nothing.
SELECT forge_update('sl_posts', '{"where": {"id": 2}, "data": {"tags": {"push": []}}, "select": {"tags": true}}');
-- set replaces the list, as before.
SELECT forge_update('sl_posts', '{"where": {"id": 3}, "data": {"tags": {"set": ["x", "y", "x", "z"]}}, "select": {"tags": true}}');

-- remove: every element equal to the value, or to any of the array's, goes;
-- the others keep their order.  The comparison is the element type's
-- equality (array_position); null removes null elements.
SELECT forge_update('sl_posts', '{"where": {"id": 3}, "data": {"tags": {"remove": "x"}}, "select": {"tags": true}}');
SELECT forge_update('sl_posts', '{"where": {"id": 1}, "data": {"tags": {"remove": ["news", "absent"]}, "scores": {"remove": 1}}, "select": {"tags": true, "scores": true}}');
UPDATE sl_posts SET tags = '{p,NULL,q,NULL}' WHERE id = 3;
SELECT forge_update('sl_posts', '{"where": {"id": 3}, "data": {"tags": {"remove": [null]}}, "select": {"tags": true}}');
-- Removing everything leaves an empty list; a NULL list stays NULL.
SELECT forge_update('sl_posts', '{"where": {"id": 3}, "data": {"tags": {"remove": ["p", "q"]}}, "select": {"tags": true}}');
UPDATE sl_posts SET tags = NULL WHERE id = 3;
SELECT forge_update('sl_posts', '{"where": {"id": 3}, "data": {"tags": {"remove": "p"}}, "select": {"tags": true}}');

-- addUnique: append each value not already in the list, in the given order;
-- a value given twice is added once.  Existing duplicates stay.
SELECT forge_update('sl_posts', '{"where": {"id": 1}, "data": {"tags": {"addUnique": ["db", "sql", "go", "sql"]}}, "select": {"tags": true}}');
SELECT forge_update('sl_posts', '{"where": {"id": 1}, "data": {"tags": {"addUnique": "db"}}, "select": {"tags": true}}');
-- on a NULL list it is the given values without their repeats.
SELECT forge_update('sl_posts', '{"where": {"id": 3}, "data": {"tags": {"addUnique": ["k", "k", "l"]}}, "select": {"tags": true}}');

-- updateMany and upsert's update take them too.
SELECT forge_update_many('sl_posts', '{"where": {}, "data": {"scores": {"addUnique": 9}}}');
SELECT forge_upsert('sl_posts', '{"where": {"id": 2}, "create": {"id": 2}, "update": {"scores": {"push": 10}}, "select": {"scores": true}}');
SELECT id, tags, scores FROM sl_posts ORDER BY id;

-- One plan per shape: a value and an array of values share it (the
-- parameter is always an array of the column's type): one miss, two hits.
SELECT forge_plan_cache_reset();
SELECT forge_update('sl_posts', '{"where": {"id": 2}, "data": {"tags": {"push": "l"}}, "select": {"tags": true}}');
SELECT forge_update('sl_posts', '{"where": {"id": 2}, "data": {"tags": {"push": ["m", "n"]}}, "select": {"tags": true}}');
SELECT forge_update('sl_posts', '{"where": {"id": 3}, "data": {"tags": {"push": []}}, "select": {"tags": true}}');
SELECT hits, misses FROM forge_plan_cache_stats();
-- remove and addUnique are plans of their own.
SELECT forge_update('sl_posts', '{"where": {"id": 2}, "data": {"tags": {"remove": "l"}}, "select": {"tags": true}}');
SELECT forge_update('sl_posts', '{"where": {"id": 2}, "data": {"tags": {"addUnique": "l"}}, "select": {"tags": true}}');
SELECT hits, misses FROM forge_plan_cache_stats();

-- Errors, each with its SQLSTATE.
CREATE FUNCTION sl_err(call text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'SELECT ' || call;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- An operation on a column that is not a list is 22023:
SELECT sl_err($$forge_update('sl_posts', '{"where": {"id": 1}, "data": {"views": {"push": 1}}}')$$);
-- in create they are errors, as increment is (a new row has no list yet):
SELECT sl_err($$forge_create('sl_posts', '{"data": {"id": 9, "tags": {"push": "a"}}}')$$);
SELECT sl_err($$forge_upsert('sl_posts', '{"where": {"id": 9}, "create": {"id": 9, "tags": {"addUnique": "a"}}, "update": {}}')$$);
-- a bare null (write [null] to push a null element), an object, a mix:
SELECT sl_err($$forge_update('sl_posts', '{"where": {"id": 1}, "data": {"tags": {"push": null}}}')$$);
SELECT sl_err($$forge_update('sl_posts', '{"where": {"id": 1}, "data": {"tags": {"remove": {"a": 1}}}}')$$);
SELECT sl_err($$forge_update('sl_posts', '{"where": {"id": 1}, "data": {"tags": {"push": "a", "remove": "b"}}}')$$);
SELECT sl_err($$forge_update('sl_posts', '{"where": {"id": 1}, "data": {"tags": {"push": "a", "set": ["b"]}}}')$$);
-- a value the element type does not take is the type's own error:
SELECT sl_err($$forge_update('sl_posts', '{"where": {"id": 1}, "data": {"scores": {"push": "many"}}}')$$);
-- remove and addUnique need an equality for the element type:
CREATE TABLE sl_points (id int PRIMARY KEY, pts point[]);
INSERT INTO sl_points VALUES (1, '{"(1,2)"}');
SELECT forge_update('sl_points', '{"where": {"id": 1}, "data": {"pts": {"push": "(3,4)"}}, "select": {"pts": true}}');
SELECT sl_err($$forge_update('sl_points', '{"where": {"id": 1}, "data": {"pts": {"remove": "(3,4)"}}}')$$);

DROP FUNCTION sl_err(text);
DROP TABLE sl_posts, sl_points;
