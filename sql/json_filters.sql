-- Json filters, as Prisma 7 has them on PostgreSQL, on jsonb and json
-- columns: on the whole value, or with "path" (an array of strings,
-- Prisma's PostgreSQL form) on what the path extracts.  Prisma's results
-- for the same data are quoted in the comments; forge compiles the same
-- tests (col #> $path, jsonb_typeof, @>, -> 0) with pg_catalog's
-- operators, the path as one text[] parameter.  And JSON null versus SQL
-- NULL: Prisma's JsonNull, DbNull and AnyNull, spelt as Prisma's JSON
-- protocol spells them, {"$type": "Enum", "value": "JsonNull"}.
CREATE TABLE jf_items (
  id int PRIMARY KEY,
  meta jsonb,
  metaj json,
  hits int NOT NULL DEFAULT 0
);
INSERT INTO jf_items (id, meta) VALUES
  (1, '{"a": {"b": "hello"}, "arr": [1, 2, 3], "n": 5, "s": "x_y%z"}'),
  (2, '"a string"'),
  (3, NULL),
  (4, 'null'),
  (5, '[1, 2, 3]'),
  (6, '{"a": {"b": 5}, "arr": [[1], 2], "n": "7"}'),
  (7, '{"a": {"b": null}}');
UPDATE jf_items SET metaj = meta::json;

-- matched(w) marks the rows w selects through forge_update_many; with
-- both, it checks that the json column (metaj) selects the same rows.
CREATE FUNCTION matched(w jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  ids text;
  idsj text;
BEGIN
  PERFORM forge_update_many('jf_items',
    jsonb_build_object('where', w, 'data', '{"hits": {"increment": 1}}'::jsonb));
  SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '(none)') INTO ids
    FROM jf_items WHERE hits > 0;
  UPDATE jf_items SET hits = 0;
  PERFORM forge_update_many('jf_items',
    jsonb_build_object('where', replace(w::text, '"meta"', '"metaj"')::jsonb,
                       'data', '{"hits": {"increment": 1}}'::jsonb));
  SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '(none)') INTO idsj
    FROM jf_items WHERE hits > 0;
  UPDATE jf_items SET hits = 0;
  IF idsj IS DISTINCT FROM ids THEN
    RETURN ids || ' (json: ' || idsj || ')';
  END IF;
  RETURN ids;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- equals on the whole value (Prisma: meta::jsonb = $1).
SELECT matched('{"meta": {"equals": {"a": {"b": 5}, "arr": [[1], 2], "n": "7"}}}');  -- Prisma: 6
SELECT matched('{"meta": {"equals": "a string"}}');                -- Prisma: 2
SELECT matched('{"meta": {"not": "a string"}}');                   -- Prisma: 1,4,5,6,7
-- JsonNull, DbNull, AnyNull (Prisma.JsonNull, ...): the JSON value null,
-- SQL NULL, either.
SELECT matched('{"meta": {"equals": {"$type": "Enum", "value": "JsonNull"}}}');  -- Prisma: 4
SELECT matched('{"meta": {"equals": {"$type": "Enum", "value": "DbNull"}}}');    -- Prisma: 3
SELECT matched('{"meta": {"equals": {"$type": "Enum", "value": "AnyNull"}}}');   -- Prisma: 3,4
SELECT matched('{"meta": {"not": {"$type": "Enum", "value": "JsonNull"}}}');     -- Prisma: 1,2,5,6,7
SELECT matched('{"meta": {"not": {"$type": "Enum", "value": "DbNull"}}}');       -- Prisma: 1,2,4,5,6,7
SELECT matched('{"meta": {"not": {"$type": "Enum", "value": "AnyNull"}}}');      -- Prisma: 1,2,5,6,7
-- A plain null is SQL NULL in forge, as everywhere in a where (Prisma's
-- client reads it as JsonNull: 4).
SELECT matched('{"meta": {"equals": null}}');
SELECT matched('{"meta": null}');

-- path with equals and not: what #> extracts.  A path that is missing
-- extracts SQL NULL, so neither equals nor not matches there.
SELECT matched('{"meta": {"path": ["a", "b"], "equals": "hello"}}');   -- Prisma: 1
SELECT matched('{"meta": {"path": ["a", "b"], "equals": 5}}');         -- Prisma: 6
SELECT matched('{"meta": {"path": ["a", "b"], "not": "hello"}}');      -- Prisma: 6,7
SELECT matched('{"meta": {"path": ["arr", "0"], "equals": 1}}');       -- Prisma: 1
SELECT matched('{"meta": {"path": ["zz"], "not": 1}}');                -- Prisma: none
-- At a path, JsonNull is a JSON null there, DbNull that the path extracts
-- nothing (it is missing, or the column is SQL NULL), AnyNull either.
SELECT matched('{"meta": {"path": ["a", "b"], "equals": {"$type": "Enum", "value": "JsonNull"}}}');  -- Prisma: 7
SELECT matched('{"meta": {"path": ["a", "b"], "equals": {"$type": "Enum", "value": "DbNull"}}}');    -- Prisma: 2,3,4,5
SELECT matched('{"meta": {"path": ["a", "b"], "equals": {"$type": "Enum", "value": "AnyNull"}}}');   -- Prisma: 2,3,4,5,7
SELECT matched('{"meta": {"path": ["a", "b"], "not": {"$type": "Enum", "value": "JsonNull"}}}');     -- Prisma: 1,6
SELECT matched('{"meta": {"path": ["zz"], "equals": {"$type": "Enum", "value": "AnyNull"}}}');       -- Prisma: all

-- string_contains, string_starts_with, string_ends_with: JSON strings only
-- (a number's text does not match, in Prisma neither).
SELECT matched('{"meta": {"path": ["a", "b"], "string_contains": "ell"}}');      -- Prisma: 1
SELECT matched('{"meta": {"path": ["a", "b"], "string_starts_with": "he"}}');    -- Prisma: 1
SELECT matched('{"meta": {"path": ["a", "b"], "string_ends_with": "lo"}}');      -- Prisma: 1
SELECT matched('{"meta": {"path": ["n"], "string_contains": "5"}}');             -- Prisma: none
SELECT matched('{"meta": {"path": ["a", "b"], "string_contains": "HE", "mode": "insensitive"}}');  -- Prisma: 1
-- Without a path, on the whole value.  Prisma compares meta::text, the
-- quoted JSON text, so its string_starts_with "a" finds nothing there, and
-- on a json column it fails (jsonb_typeof(json) does not exist); forge
-- compares the string itself, on json and jsonb.
SELECT matched('{"meta": {"string_contains": "str"}}');        -- Prisma: 2
SELECT matched('{"meta": {"string_starts_with": "a s"}}');
-- forge escapes % and _ (a deliberate difference: Prisma's "%" matches
-- every string, forge's only a %).
SELECT matched('{"meta": {"path": ["s"], "string_contains": "%"}}');
SELECT matched('{"meta": {"path": ["a", "b"], "string_contains": "%"}}');

-- array_contains (@>: a value or an array of values), array_starts_with
-- and array_ends_with (the first or last element equals the value, as in
-- Prisma: [1] is compared with the element, not as a prefix).
SELECT matched('{"meta": {"path": ["arr"], "array_contains": [2]}}');       -- Prisma: 1,6
SELECT matched('{"meta": {"path": ["arr"], "array_contains": 2}}');         -- Prisma: 1,6
SELECT matched('{"meta": {"path": ["arr"], "array_contains": [[1]]}}');     -- Prisma: 6
SELECT matched('{"meta": {"path": ["arr"], "array_starts_with": 1}}');      -- Prisma: 1
SELECT matched('{"meta": {"path": ["arr"], "array_starts_with": [1]}}');    -- Prisma: 6
SELECT matched('{"meta": {"path": ["arr"], "array_ends_with": 3}}');        -- Prisma: 1
SELECT matched('{"meta": {"path": ["arr"], "array_ends_with": 2}}');        -- Prisma: 6
SELECT matched('{"meta": {"array_contains": [2]}}');                        -- Prisma: 5 (json: error)
SELECT matched('{"meta": {"array_starts_with": 1}}');                       -- Prisma: 5 (json: error)
SELECT matched('{"meta": {"array_contains": {"$type": "Enum", "value": "JsonNull"}}}');

-- lt, lte, gt, gte: values of the same JSON type only (numbers with
-- numbers, strings with strings), in jsonb's order.
SELECT matched('{"meta": {"path": ["n"], "gt": 4}}');       -- Prisma: 1
SELECT matched('{"meta": {"path": ["n"], "lt": 6}}');       -- Prisma: 1
SELECT matched('{"meta": {"path": ["n"], "lte": 5}}');      -- Prisma: 1
SELECT matched('{"meta": {"path": ["n"], "gte": "7"}}');    -- Prisma: 6
SELECT matched('{"meta": {"path": ["n"], "gt": "0"}}');     -- Prisma: 6
SELECT matched('{"meta": {"path": ["n"], "gt": 4, "lt": 6}}');  -- Prisma: 1
SELECT matched('{"meta": {"gt": 4}}');                      -- Prisma: none (json: error)

-- Inside NOT, OR, and a relation filter.
SELECT matched('{"NOT": {"meta": {"path": ["a", "b"], "equals": "hello"}}}');  -- Prisma: 6,7
SELECT matched('{"OR": [{"meta": {"path": ["n"], "gt": 4}}, {"meta": {"array_contains": 3}}]}');
CREATE TABLE jf_owners (id int PRIMARY KEY, hits int NOT NULL DEFAULT 0);
CREATE TABLE jf_docs (id int PRIMARY KEY, owner_id int REFERENCES jf_owners, body jsonb);
INSERT INTO jf_owners VALUES (1), (2);
INSERT INTO jf_docs VALUES (1, 1, '{"tags": ["pg"]}'), (2, 2, '{"tags": ["js"]}');
SELECT forge_update_many('jf_owners', '{"where": {"jf_docs": {"some": {"body": {"path": ["tags"], "array_contains": "pg"}}}}, "data": {"hits": 1}}');
SELECT id, hits FROM jf_owners ORDER BY id;

-- One plan per shape: the path and the values are parameters, whatever
-- their length or JSON type.
CREATE FUNCTION misses() RETURNS bigint LANGUAGE sql
  AS $$ SELECT misses FROM forge_plan_cache_stats() $$;
SELECT forge_plan_cache_reset();
SELECT forge_update_many('jf_items', '{"where": {"meta": {"path": ["n"], "gt": 4}}, "data": {"hits": 0}}');
SELECT misses() AS after_first \gset
SELECT forge_update_many('jf_items', '{"where": {"meta": {"path": ["a", "b", "c"], "gt": "x"}}, "data": {"hits": 0}}');
SELECT forge_update_many('jf_items', '{"where": {"meta": {"path": [], "gt": [1]}}, "data": {"hits": 0}}');
SELECT misses() - :after_first AS new_plans;

-- Errors (22023): a path that is not an array of strings, a path with no
-- operation, an operation that needs a string, SQL NULL where a value is
-- compared, an unknown Enum value, insensitive on a non-string operation.
SELECT matched('{"meta": {"path": "a", "equals": 1}}');
SELECT matched('{"meta": {"path": ["arr", 0], "equals": 1}}');
SELECT matched('{"meta": {"path": ["a"]}}');
SELECT matched('{"meta": {"string_contains": 5}}');
SELECT matched('{"meta": {"gt": null}}');
SELECT matched('{"meta": {"array_contains": {"$type": "Enum", "value": "DbNull"}}}');
SELECT matched('{"meta": {"equals": {"$type": "Enum", "value": "JSONNULL"}}}');
SELECT matched('{"meta": {"equals": 1, "mode": "insensitive"}}');
SELECT matched('{"meta": {"startsWith": "a"}}');
SELECT matched('{"meta": {"path": ["a"], "in": [1]}}');

--
-- JSON null versus SQL NULL in data, create, update and createMany.
--
-- A json column stores any JSON value as given, and null is SQL NULL, as
-- for every column.  The tags of Prisma's JSON protocol say the rest:
-- {"$type": "Enum", "value": "JsonNull"} stores the JSON value null,
-- {"$type": "Enum", "value": "DbNull"} SQL NULL.  Only an object of exactly
-- these two keys, with "$type" "Enum" or "Raw", is a tag; to store such an
-- object itself, wrap it: {"$type": "Raw", "value": the object} stores the
-- object as it is (Prisma's client wraps it so too).  Every other object,
-- one with another "$type" included, is stored as given.
CREATE TABLE jn_docs (id int PRIMARY KEY, body jsonb, bodyj json);
CREATE FUNCTION show_docs() RETURNS TABLE (id int, body text, bodyj text)
  LANGUAGE sql AS $$
  SELECT id, CASE WHEN body IS NULL THEN 'SQL NULL' ELSE body::text END,
         CASE WHEN bodyj IS NULL THEN 'SQL NULL' ELSE bodyj::text END
    FROM jn_docs ORDER BY id $$;
-- Prisma: create({data: {body: Prisma.JsonNull}}) stores 'null'.
SELECT forge_create('jn_docs', '{"data": {"id": 1, "body": {"$type": "Enum", "value": "JsonNull"}, "bodyj": {"$type": "Enum", "value": "JsonNull"}}}');
SELECT forge_create('jn_docs', '{"data": {"id": 2, "body": {"$type": "Enum", "value": "DbNull"}, "bodyj": {"$type": "Enum", "value": "DbNull"}}}');
SELECT forge_create('jn_docs', '{"data": {"id": 3, "body": null, "bodyj": null}}');
SELECT forge_create('jn_docs', '{"data": {"id": 4, "body": {"$type": "Raw", "value": {"$type": "Enum", "value": "JsonNull"}}, "bodyj": {"$type": "Raw", "value": {"$type": "Raw", "value": 1}}}}');
SELECT forge_create('jn_docs', '{"data": {"id": 5, "body": {"$type": "Json", "value": "1"}, "bodyj": {"$type": "Enum"}}}');
SELECT forge_create('jn_docs', '{"data": {"id": 6, "body": {"$type": "Raw", "value": null}, "bodyj": {"$type": "Raw", "value": [1, null]}}}');
SELECT * FROM show_docs();
-- update, updateMany, upsert (Prisma: the same rows).
SELECT forge_update('jn_docs', '{"where": {"id": 2}, "data": {"body": {"$type": "Enum", "value": "JsonNull"}}}');
SELECT forge_update_many('jn_docs', '{"where": {"id": 1}, "data": {"body": {"$type": "Enum", "value": "DbNull"}}}');
SELECT forge_upsert('jn_docs', '{"where": {"id": 7}, "create": {"id": 7, "body": {"$type": "Enum", "value": "JsonNull"}}, "update": {"body": {"$type": "Enum", "value": "DbNull"}}}');
SELECT forge_upsert('jn_docs', '{"where": {"id": 3}, "create": {"id": 3}, "update": {"bodyj": {"$type": "Enum", "value": "JsonNull"}}}');
SELECT * FROM show_docs();
-- createMany: each row as create reads it (Prisma: the same rows).
SELECT forge_create_many('jn_docs', '{"data": [
  {"id": 10, "body": {"$type": "Enum", "value": "JsonNull"}, "bodyj": {"a": 1}},
  {"id": 11, "body": {"$type": "Enum", "value": "DbNull"}, "bodyj": {"$type": "Enum", "value": "JsonNull"}},
  {"id": 12, "body": {"$type": "x"}},
  {"id": 13, "body": {"$type": "Raw", "value": {"$type": "Enum", "value": "DbNull"}}, "bodyj": [1, null]},
  {"id": 14, "body": null, "bodyj": "s"}]}');
SELECT * FROM show_docs() WHERE id >= 10;
-- and the filters tell them apart
SELECT id FROM jn_docs WHERE body = 'null' ORDER BY id;
SELECT forge_delete_many('jn_docs', '{"where": {"body": {"equals": {"$type": "Enum", "value": "JsonNull"}}}}');
SELECT forge_delete_many('jn_docs', '{"where": {"body": {"equals": {"$type": "Raw", "value": {"$type": "Enum", "value": "JsonNull"}}}}}');
SELECT * FROM show_docs();
-- Errors: AnyNull is no value to write; an unknown Enum value.
DO $$ BEGIN
  PERFORM forge_update('jn_docs', '{"where": {"id": 2}, "data": {"body": {"$type": "Enum", "value": "AnyNull"}}}');
EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
END $$;
DO $$ BEGIN
  PERFORM forge_create_many('jn_docs', '{"data": [{"id": 20, "body": {"$type": "Enum", "value": "JsonNul"}}]}');
EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
END $$;

DROP TABLE jf_docs, jf_owners, jf_items, jn_docs;
DROP FUNCTION matched(jsonb);
DROP FUNCTION misses();
DROP FUNCTION show_docs();
