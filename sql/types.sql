--
-- types: every common column type round-trips through forge.
--
-- A JSON value reaches a column through the column type's own input
-- function (a JSON array through the element type's), and the row comes
-- back in each type's natural JSON form: exactly what to_jsonb(row) gives.
-- PostgreSQL's own input errors pass through with their SQLSTATEs.
--
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE SCHEMA types;
CREATE TYPE types.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN types.posint AS int CHECK (VALUE > 0);
CREATE TABLE types.t (
    id   int PRIMARY KEY,
    i2   int2,
    i4   int4,
    i8   int8,
    num  numeric,
    f4   float4,
    f8   float8,
    txt  text,
    vc   varchar(5),
    b    bool,
    d    date,
    ts   timestamp,
    tstz timestamptz,
    u    uuid,
    j    json,
    jb   jsonb,
    ba   bytea,
    ia   int[],
    ta   text[],
    m    types.mood,
    p    types.posint
);

-- try(verb, model, args): the verb's result, or its error as
-- "SQLSTATE: message", so that each error below shows its code.
CREATE FUNCTION types.try(verb text, model regclass, args jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
BEGIN
    EXECUTE format('SELECT %I($1, $2)', verb) INTO r USING model, args;
    RETURN r::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Every result of forge_create/forge_update is kept here, to be compared
-- with to_jsonb() of the stored row.
CREATE TABLE types.results (n serial, id int, verb text, r jsonb);

--
-- One row with a value in every column.  JSON strings reach date,
-- timestamp, timestamptz, uuid, bytea and the enum through their input
-- functions; JSON arrays become int[] and text[] element by element (so
-- "a,b" stays one element); JSON objects are stored as given in json and
-- jsonb.
--
INSERT INTO types.results (id, verb, r)
SELECT 1, 'create', forge_create('types.t', $${"data": {
    "id": 1,
    "i2": 32767,
    "i4": -2147483648,
    "i8": 9223372036854775807,
    "num": 12345678901234567890.123456789,
    "f4": 1.5,
    "f8": 0.1,
    "txt": "héllo \"quoted\"\n\\",
    "vc": "abcde",
    "b": true,
    "d": "2024-02-29",
    "ts": "2024-02-29 13:45:00.123456",
    "tstz": "2024-02-29T13:45:00+02:00",
    "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    "j": {"b": 1, "a": [1, 2]},
    "jb": {"b": 1, "a": [1, 2]},
    "ba": "\\xdeadbeef",
    "ia": [1, 2, 3],
    "ta": ["a,b", "c\"d", null],
    "m": "happy",
    "p": 7}}$$);

-- The returned row, one column a line: each value in its natural JSON form
-- (timestamptz in UTC, bytea as hex text, arrays as JSON arrays).
SELECT a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type,
       jsonb_typeof(e.value) AS json_type, e.value
FROM types.results r, jsonb_each(r.r) e
JOIN pg_attribute a ON a.attrelid = 'types.t'::regclass AND a.attname = e.key
WHERE r.id = 1
ORDER BY a.attnum;

-- The row as stored.
\x on
SELECT * FROM types.t WHERE id = 1;
\x off

--
-- The same column types given in their other JSON forms: numbers as
-- strings, a PostgreSQL array literal, bytea in escape format, special
-- float, numeric and date values, a JSON scalar and an array into json and
-- jsonb, and an object that looks like an operation, which json and jsonb
-- store as given.  Numbers keep their scale (1.50 stays 1.50).
--
INSERT INTO types.results (id, verb, r)
SELECT 2, 'create', forge_create('types.t', $${"data": {
    "id": 2,
    "i2": "-32768",
    "i4": "42",
    "i8": "-9223372036854775808",
    "num": 1.50,
    "f4": "-Infinity",
    "f8": "NaN",
    "txt": 12.50,
    "vc": "",
    "b": "false",
    "d": "infinity",
    "ts": "-infinity",
    "tstz": "2024-03-10 02:30:00-08",
    "u": "A0EEBC999C0B4EF8BB6D6BB9BD380A11",
    "j": [1, "a", null],
    "jb": {"increment": 1},
    "ba": "abc",
    "ia": "{4,5}",
    "ta": [],
    "m": "sad",
    "p": "2147483647"}}$$);
SELECT r FROM types.results WHERE id = 2;

-- NULL in every column: JSON null is SQL NULL, in json and jsonb too.
INSERT INTO types.results (id, verb, r)
SELECT 3, 'create', forge_create('types.t', $${"data": {
    "id": 3, "i2": null, "i4": null, "i8": null, "num": null, "f4": null,
    "f8": null, "txt": null, "vc": null, "b": null, "d": null, "ts": null,
    "tstz": null, "u": null, "j": null, "jb": null, "ba": null, "ia": null,
    "ta": null, "m": null, "p": null}}$$);
SELECT r FROM types.results WHERE id = 3;
SELECT num_nonnulls(i2, i4, i8, num, f4, f8, txt, vc, b, d, ts, tstz, u, j, jb,
                    ba, ia, ta, m, p) AS non_nulls
FROM types.t WHERE id = 3;

-- A JSON string into jsonb stays a JSON string, a number into json a number.
INSERT INTO types.results (id, verb, r)
SELECT 4, 'create', forge_create('types.t', '{"data": {"id": 4, "jb": "text", "j": 5}}');
SELECT r -> 'jb' AS jb, jsonb_typeof(r -> 'jb') AS jb_type,
       r -> 'j' AS j, jsonb_typeof(r -> 'j') AS j_type
FROM types.results WHERE id = 4;

-- Every returned row is exactly to_jsonb() of the row stored.
SELECT r.id, r.r = to_jsonb(t) AS same_as_to_jsonb
FROM types.results r JOIN types.t t USING (id)
ORDER BY r.id;

--
-- forge_update: set every column, where pins the key and adds equalities
-- on other types (each compared with its type's own = operator: the uuid
-- in another spelling, the timestamptz at another offset, the numeric
-- 1.5 = 1.50, the array and the jsonb object by value).
--
INSERT INTO types.results (id, verb, r)
SELECT 2, 'update', forge_update('types.t', $${
  "where": {"id": 2,
            "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "tstz": "2024-03-10T11:30:00+01:00",
            "num": 1.5,
            "ia": [4, 5],
            "jb": {"equals": {"increment": 1}},
            "m": "sad",
            "p": 2147483647,
            "d": "infinity",
            "b": false},
  "data": {
    "i2": 1, "i4": 2, "i8": 3, "num": 4.25, "f4": 0.5, "f8": 1.25e-3,
    "txt": "updated", "vc": "xyz", "b": true, "d": "2000-01-01",
    "ts": "2000-01-01T00:00:00", "tstz": "2000-01-01T00:00:00-05:00",
    "u": "00000000-0000-0000-0000-000000000000",
    "j": {"k": "v"}, "jb": [true, {"x": null}], "ba": "\\x00ff",
    "ia": [], "ta": ["", "NULL", null], "m": "ok", "p": 1}}$$);
SELECT r FROM types.results WHERE id = 2 AND verb = 'update';

-- Then NULL into every column of row 2, and values into the NULLs of row 3.
INSERT INTO types.results (id, verb, r)
SELECT 2, 'update null', forge_update('types.t', $${"where": {"id": 2}, "data": {
    "i2": null, "i4": null, "i8": null, "num": null, "f4": null,
    "f8": null, "txt": null, "vc": null, "b": null, "d": null, "ts": null,
    "tstz": null, "u": null, "j": null, "jb": null, "ba": null, "ia": null,
    "ta": null, "m": null, "p": null}}$$);
SELECT r FROM types.results WHERE id = 2 AND verb = 'update null';

INSERT INTO types.results (id, verb, r)
SELECT 3, 'update', forge_update('types.t', $${"where": {"id": 3}, "data": {
    "i2": -1, "i4": -2, "i8": -3, "num": -4, "f4": -0.25, "f8": -1.5,
    "txt": "three", "vc": "3", "b": false, "d": "1999-12-31",
    "ts": "1999-12-31 23:59:59", "tstz": "1999-12-31 23:59:59+00",
    "u": "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "j": "s", "jb": null, "ba": "\\x", "ia": [null, 1], "ta": ["x"],
    "m": "happy", "p": 3}}$$);
SELECT r FROM types.results WHERE id = 3 AND verb = 'update';

-- The last result of each row is still exactly to_jsonb() of the row.
SELECT DISTINCT ON (r.id) r.id, r.verb, r.r = to_jsonb(t) AS same_as_to_jsonb
FROM types.results r JOIN types.t t USING (id)
ORDER BY r.id, r.n DESC;

-- The filters really compare: on row 1, a timestamptz one hour off
-- matches no row (P2025); the same instant written as given matches.
SELECT types.try('forge_update', 'types.t', $${
  "where": {"id": 1, "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "tstz": "2024-02-29T13:45:00+01:00"},
  "data": {}}$$);
SELECT types.try('forge_update', 'types.t', $${
  "where": {"id": 1, "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "tstz": "2024-02-29T13:45:00+02:00"},
  "data": {}, "select": {"id": true}}$$);

-- select narrows the row; each value keeps the same JSON form.
SELECT forge_update('types.t', '{"where": {"id": 1}, "data": {}, "select": {"tstz": true, "ba": true, "ta": true, "num": true, "m": true}}');

--
-- Filters on typed columns: equality, in, null (update_many with empty
-- data changes nothing and counts the rows matched).
--
SELECT id, u, tstz, m, p, ta FROM types.t ORDER BY id;
SELECT forge_update_many('types.t', '{"where": {"u": {"in": ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "ffffffff-ffff-ffff-ffff-ffffffffffff"]}}, "data": {}}');
SELECT forge_update_many('types.t', '{"where": {"tstz": {"in": ["2024-02-29 12:45:00+01", "2000-01-01 00:00:00+00"]}}, "data": {}}');
SELECT forge_update_many('types.t', '{"where": {"m": {"in": ["happy", "ok"]}}, "data": {}}');
SELECT forge_update_many('types.t', '{"where": {"m": {"notIn": ["happy"]}}, "data": {}}');
SELECT forge_update_many('types.t', '{"where": {"p": {"in": [3, 7]}}, "data": {}}');
SELECT forge_update_many('types.t', '{"where": {"d": {"gte": "2000-01-01"}}, "data": {}}');
SELECT forge_update_many('types.t', '{"where": {"ta": ["x"]}, "data": {}}');
SELECT forge_update_many('types.t', '{"where": {"ba": "\\xdeadbeef", "vc": "abcde", "f8": 0.1}, "data": {}}');
SELECT forge_update_many('types.t', '{"where": {"jb": null, "tstz": {"not": null}}, "data": {}}');
SELECT forge_update_many('types.t', '{"where": {"i8": {"in": [9223372036854775807, -3]}}, "data": {}}');

-- Number operations keep the column's type.
SELECT forge_update('types.t', '{"where": {"id": 3}, "data": {"i2": {"increment": 2}, "num": {"multiply": 1.5}, "f8": {"divide": 4}, "p": {"decrement": 1}}, "select": {"i2": true, "num": true, "f8": true, "p": true}}');

--
-- PostgreSQL's own errors pass through, with their SQLSTATEs.
--
-- 22P02: "abc" is not an integer (nor is 1.5: no silent rounding).
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "i4": "abc"}}');
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "i4": 1.5}}');
-- 22P02: not a uuid, not a label of the enum, not an element of int[].
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "u": "not-a-uuid"}}');
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "m": "angry"}}');
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "ia": [1, "x"]}}');
-- 22001: too long for varchar(5).
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "vc": "abcdef"}}');
-- 22008: no 30 February.
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "d": "2024-02-30"}}');
-- 22003: out of range for int2, for int8, and an increment that overflows.
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "i2": 40000}}');
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "i8": 9223372036854775808}}');
SELECT types.try('forge_update', 'types.t', '{"where": {"id": 1}, "data": {"i2": {"increment": 1}}}');
-- 23514: the domain's CHECK, on create, on update and after a decrement.
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "p": 0}}');
SELECT types.try('forge_update', 'types.t', '{"where": {"id": 1}, "data": {"p": -1}}');
SELECT types.try('forge_update', 'types.t', '{"where": {"id": 1}, "data": {"p": {"decrement": 7}}}');
-- The same errors from a value in a filter.
SELECT types.try('forge_update_many', 'types.t', '{"where": {"i4": "abc"}, "data": {}}');
SELECT types.try('forge_update_many', 'types.t', '{"where": {"d": {"in": ["2024-02-30"]}}, "data": {}}');

--
-- forge's own 22023: a JSON container where the column takes a scalar.
-- An object on a non-JSON column is read as an operation.
--
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "i4": {"a": 1}}}');
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "i4": [1, 2]}}');
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "txt": {"a": 1}}}');

-- Nested JSON arrays fill a multi-dimensional array (as in createMany);
-- a ragged one is PostgreSQL's own 22P02; 1.0 is the integer 1.
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 30, "ia": [[1, 2], [3, 4]], "i4": 1.0}, "select": {"id": true, "ia": true, "i4": true}}');
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 10, "ia": [[1, 2], [3]]}}');
SELECT types.try('forge_create', 'types.t', '{"data": {"id": 31, "ta": [["a", "b\"c"], [null, "d"]]}, "select": {"ta": true}}');

-- json has no equality operator of its own: a Json filter compares it as
-- jsonb, as Prisma does (sql/json_filters.sql); "in" still needs one (42883).
SELECT types.try('forge_update_many', 'types.t', '{"where": {"j": {"equals": {"a": 1}}}, "data": {}}');
SELECT types.try('forge_update_many', 'types.t', '{"where": {"j": {"in": [{"a": 1}]}}, "data": {}}');

--
-- forge_create_many converts the same values to the same stored rows
-- (rows 11, 12 and 14 repeat the data of rows 1, 2 and 4).
--
SELECT forge_create_many('types.t', $${"data": [{
    "id": 11, "i2": 32767, "i4": -2147483648, "i8": 9223372036854775807,
    "num": 12345678901234567890.123456789, "f4": 1.5, "f8": 0.1,
    "txt": "héllo \"quoted\"\n\\", "vc": "abcde", "b": true,
    "d": "2024-02-29", "ts": "2024-02-29 13:45:00.123456",
    "tstz": "2024-02-29T13:45:00+02:00",
    "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    "j": {"b": 1, "a": [1, 2]}, "jb": {"b": 1, "a": [1, 2]},
    "ba": "\\xdeadbeef", "ia": [1, 2, 3], "ta": ["a,b", "c\"d", null],
    "m": "happy", "p": 7}, {
    "id": 12, "i2": "-32768", "i4": "42", "i8": "-9223372036854775808",
    "num": 1.50, "f4": "-Infinity", "f8": "NaN", "txt": 12.50, "vc": "",
    "b": "false", "d": "infinity", "ts": "-infinity",
    "tstz": "2024-03-10 02:30:00-08",
    "u": "A0EEBC999C0B4EF8BB6D6BB9BD380A11", "j": [1, "a", null],
    "jb": {"increment": 1}, "ba": "abc", "ia": "{4,5}", "ta": [],
    "m": "sad", "p": "2147483647"}, {
    "id": 14, "jb": "text", "j": 5}]}$$);
SELECT c.id, c.r - 'id' = to_jsonb(t) - 'id' AS same_as_create
FROM types.results c JOIN types.t t ON t.id = c.id + 10
WHERE c.verb = 'create' AND c.id IN (1, 2, 4)
ORDER BY c.id;
SELECT types.try('forge_create_many', 'types.t', '{"data": [{"id": 20, "vc": "abcdef"}]}');
SELECT types.try('forge_create_many', 'types.t', '{"data": [{"id": 20, "p": 0}]}');
SELECT types.try('forge_create_many', 'types.t', '{"data": [{"id": 20, "i4": 1.5}]}');
SELECT types.try('forge_create_many', 'types.t', '{"data": [{"id": 20, "i4": {"a": 1}}]}');

-- None of the failed calls wrote a row (they used ids 10 and 20; 30 and 31
-- are the nested arrays above), and
-- rows 1 and 4 are as created.
SELECT array_agg(id ORDER BY id) AS ids FROM types.t;
SELECT r.id, r.r = to_jsonb(t) AS same_as_to_jsonb
FROM types.results r JOIN types.t t USING (id)
WHERE r.id IN (1, 4) ORDER BY r.id;

SET client_min_messages = warning;
DROP SCHEMA types CASCADE;
RESET client_min_messages;
RESET datestyle;
RESET timezone;
