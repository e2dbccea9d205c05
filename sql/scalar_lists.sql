-- Scalar lists (PostgreSQL array columns) in where, as Prisma 7 filters
-- them on PostgreSQL: has, hasEvery, hasSome, isEmpty, equals.  Prisma
-- compiles them to the array operators (tags @> $1, tags && $1,
-- tags = '{}'); forge uses the same pg_catalog operators, so a GIN index on
-- the column serves them, and each takes its values as one array
-- parameter: one plan whatever the number of values.  matched() marks the
-- rows a where selects through forge_update_many and returns their ids.
CREATE TABLE sl_items (
  id int PRIMARY KEY,
  tags text[],
  nums int[],
  hits int NOT NULL DEFAULT 0
);
INSERT INTO sl_items VALUES
  (1, '{a,b}', '{1,2}'),
  (2, '{}', '{}'),
  (3, NULL, NULL),
  (4, '{c,NULL}', '{3,NULL}'),
  (5, '{b}', '{2}'),
  (6, '{a}', '{1}');

CREATE FUNCTION matched(w jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  ids text;
BEGIN
  PERFORM forge_update_many('sl_items',
    jsonb_build_object('where', w, 'data', '{"hits": {"increment": 1}}'::jsonb));
  SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '(none)') INTO ids
    FROM sl_items WHERE hits > 0;
  UPDATE sl_items SET hits = 0;
  RETURN ids;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- has: the list holds the value.  Prisma: tags @> ARRAY['a'] -> 1,6.
SELECT matched('{"tags": {"has": "a"}}');
SELECT matched('{"nums": {"has": 2}}');
-- has null matches nothing (a NULL element is never contained), as in Prisma.
SELECT matched('{"tags": {"has": null}}');
-- hasEvery: every value is in the list.  Prisma: tags @> $1 -> 1.
SELECT matched('{"tags": {"hasEvery": ["a", "b"]}}');
-- hasEvery [] holds for every list that is not NULL (Prisma: 1,2,4,5,6).
SELECT matched('{"tags": {"hasEvery": []}}');
-- hasSome: some value is in the list.  Prisma: tags && $1 -> 1,4,6.
SELECT matched('{"tags": {"hasSome": ["a", "c"]}}');
SELECT matched('{"nums": {"hasSome": [3]}}');
-- hasSome [] matches nothing (Prisma too).
SELECT matched('{"tags": {"hasSome": []}}');
-- isEmpty: Prisma tags = '{}' (true) and tags <> '{}' (false).  A NULL
-- list is neither empty nor not, in Prisma and here.
SELECT matched('{"tags": {"isEmpty": true}}');
SELECT matched('{"tags": {"isEmpty": false}}');
-- equals: the whole list, in order; null is IS NULL.
SELECT matched('{"tags": {"equals": ["a", "b"]}}');
SELECT matched('{"tags": {"equals": ["b", "a"]}}');
SELECT matched('{"tags": {"equals": []}}');
SELECT matched('{"tags": {"equals": null}}');

-- NOT, OR and not around them.  A NULL list (row 3) matches no list filter,
-- negated or not, as in Prisma (NOT (tags @> $1) is NULL there).
SELECT matched('{"NOT": {"tags": {"has": "a"}}}');
SELECT matched('{"NOT": {"tags": {"isEmpty": true}}}');
SELECT matched('{"OR": [{"tags": {"has": "c"}}, {"tags": {"isEmpty": true}}]}');
SELECT matched('{"tags": {"not": {"hasSome": ["a", "b"]}}}');
-- Prisma takes exactly one operation per list filter; forge ANDs several.
SELECT matched('{"tags": {"has": "a", "isEmpty": false, "hasSome": ["b"]}}');

-- In a relation filter: users whose posts have a tag.
CREATE TABLE sl_users (id int PRIMARY KEY, name text, hits int NOT NULL DEFAULT 0);
CREATE TABLE sl_posts (id int PRIMARY KEY, author_id int REFERENCES sl_users, tags text[]);
INSERT INTO sl_users VALUES (1, 'ann'), (2, 'bob'), (3, 'cy');
INSERT INTO sl_posts VALUES (1, 1, '{pg,c}'), (2, 2, '{rust}'), (3, 2, '{}');
SELECT forge_update_many('sl_users', '{"where": {"sl_posts": {"some": {"tags": {"has": "pg"}}}}, "data": {"hits": {"increment": 1}}}');
SELECT forge_update_many('sl_users', '{"where": {"sl_posts": {"some": {"tags": {"isEmpty": true}}}}, "data": {"hits": {"increment": 10}}}');
SELECT forge_update_many('sl_users', '{"where": {"sl_posts": {"every": {"tags": {"hasSome": ["pg", "rust"]}}}}, "data": {"hits": {"increment": 100}}}');
SELECT id, name, hits FROM sl_users ORDER BY id;

-- One plan per shape: the values and their number are parameters.
CREATE FUNCTION misses() RETURNS bigint LANGUAGE sql
  AS $$ SELECT misses FROM forge_plan_cache_stats() $$;
SELECT forge_plan_cache_reset();
SELECT matched('{"tags": {"hasEvery": ["a"]}}');
SELECT misses() AS after_first \gset
SELECT matched('{"tags": {"hasEvery": ["a", "b", "c"]}}');
SELECT matched('{"tags": {"has": "z"}}');
SELECT misses() - :after_first AS new_plans;

-- A GIN index serves has, hasEvery, hasSome and isEmpty.
CREATE INDEX sl_items_tags ON sl_items USING gin (tags);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT 1 FROM sl_items t WHERE t.tags OPERATOR(pg_catalog.@>) '{a}'::text[];
EXPLAIN (COSTS OFF) SELECT 1 FROM sl_items t WHERE t.tags OPERATOR(pg_catalog.=) '{}';
RESET enable_seqscan;

-- Errors: a list filter on a column that is no array, a value of the wrong
-- JSON type (22023, or the element type's own 22P02), an element type
-- without equality (42883).
SELECT matched('{"id": {"has": 1}}');
SELECT matched('{"tags": {"has": ["a"]}}');
SELECT matched('{"tags": {"hasSome": "a"}}');
SELECT matched('{"tags": {"isEmpty": "yes"}}');
SELECT matched('{"nums": {"has": "two"}}');
CREATE TABLE sl_points (id int PRIMARY KEY, ps point[]);
DO $$ BEGIN
  PERFORM forge_delete_many('sl_points', '{"where": {"ps": {"has": "(1,1)"}}}');
EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
END $$;

DROP TABLE sl_points, sl_posts, sl_users, sl_items;
DROP FUNCTION matched(jsonb);
DROP FUNCTION misses();
