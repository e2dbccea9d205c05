-- forge's errors, one per condition, with their SQLSTATEs.
-- err() runs a call and prints SQLSTATE: message, then detail and hint.
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
\pset format unaligned
\pset tuples_only on

CREATE TABLE e_users (
  id int PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  views int NOT NULL DEFAULT 0,
  gone int,
  full_name text GENERATED ALWAYS AS (name || ' (' || email || ')') STORED
);
ALTER TABLE e_users DROP COLUMN gone;
INSERT INTO e_users (id, email, name) VALUES (1, 'ada@example.com', 'Ada');

-- record not found (P2025)
SELECT err($$forge_update('e_users', '{"where": {"id": 2}, "data": {"name": "x"}}')$$);
SELECT err($$forge_delete('e_users', '{"where": {"id": 2}}')$$);
-- NULL arguments
SELECT err($$forge_create('e_users', NULL)$$);
SELECT err($$forge_create(NULL, '{"data": {}}')$$);
-- args that are not an object
SELECT err($$forge_create('e_users', '[{"data": {}}]')$$);
SELECT err($$forge_create('e_users', '"data"')$$);
-- an unknown key in args, a missing one, a wrong type for one
SELECT err($$forge_create('e_users', '{"data": {}, "where": {}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": "name"}')$$);
SELECT err($$forge_update('e_users', '{"where": [1], "data": {}}')$$);
-- an operation mixed with a set, two operations, an unknown operation
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"views": {"set": 1, "increment": 1}}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"views": {"increment": 1, "multiply": 2}}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"views": {"add": 1}}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"views": {}}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"views": {"unset": false}}}')$$);
-- a number operation on a column that is not a number, or without a number
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"name": {"increment": 1}}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"views": {"increment": null}}}')$$);
-- an object for a column that is not json
SELECT err($$forge_create('e_users', '{"data": {"id": 2, "email": {"address": "x"}}}')$$);
-- unknown, system, dropped and generated columns
SELECT err($$forge_create('e_users', '{"data": {"id": 2, "emial": "x"}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"ctid": "(0,1)"}}')$$);
SELECT err($$forge_update_many('e_users', '{"where": {"xmin": 1}, "data": {}}')$$);
SELECT err($$forge_create('e_users', '{"data": {"id": 2, "email": "b@x", "gone": 1}}')$$);
SELECT err($$forge_create('e_users', '{"data": {"id": 2, "email": "b@x", "........pg.dropped.5........": 1}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"full_name": "x"}}')$$);
-- a generated column can still be read and filtered on
SELECT forge_update_many('e_users', '{"where": {"full_name": "Ada (ada@example.com)"}, "data": {"views": 1}}');
-- a 63-byte key is a name that may exist; 64 bytes or more is an error, never truncated
SELECT err($$forge_create('e_users', '{"data": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 1}}')$$);
SELECT err($$forge_create('e_users', '{"data": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 1}}')$$);
SELECT err($$forge_update_many('e_users', '{"where": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 1}, "data": {}}')$$);
-- a where that is not a unique selector: the hint lists the unique keys
SELECT err($$forge_update('e_users', '{"where": {"name": "Ada"}, "data": {}}')$$);
SELECT err($$forge_delete('e_users', '{"where": {"id": {"gt": 0}}}')$$);
SELECT err($$forge_upsert('e_users', '{"where": {}, "create": {}, "update": {}}')$$);
-- a comparison the column's type cannot make, an unsupported filter
CREATE TABLE e_docs (id int PRIMARY KEY, body json, tags int[]);
SELECT err($$forge_delete_many('e_docs', '{"where": {"body": {"lt": null}}}')$$);
SELECT err($$forge_delete_many('e_docs', '{"where": {"body": {"in": [{"a": 1}]}}}')$$);
SELECT err($$forge_delete_many('e_docs', '{"where": {"body": {"path": ["a"]}}}')$$);
SELECT err($$forge_delete_many('e_docs', '{"where": {"body": {"path": "a", "equals": 1}}}')$$);
SELECT err($$forge_delete_many('e_docs', '{"where": {"body": {"between": 1}}}')$$);
SELECT err($$forge_delete_many('e_docs', '{"where": {"id": {"has": 1}}}')$$);
SELECT err($$forge_delete_many('e_docs', '{"where": {"tags": {"in": [[1], [2]]}}}')$$);
DROP TABLE e_docs;
-- limits: a where more than 500 levels deep, or of more than 1000 conditions
SELECT err(format('forge_delete_many(%L, %L)', 'e_users',
           '{"where": ' || repeat('{"NOT": ', 501) || '{}' || repeat('}', 501) || '}'));
SELECT err(format('forge_delete_many(%L, %L)', 'e_users',
           (SELECT jsonb_build_object('where', jsonb_build_object('OR', jsonb_agg(jsonb_build_object('id', g))))
              FROM generate_series(1, 1001) g)));
-- a model that is not a table
CREATE VIEW e_view AS SELECT * FROM e_users;
SELECT err($$forge_create('e_view', '{"data": {}}')$$);
-- PostgreSQL's own errors pass through: 22P02, 22012, 23505, 23502
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"views": "many"}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": "one"}, "data": {}}')$$);
SELECT err($$forge_update('e_users', '{"where": {"id": 1}, "data": {"views": {"divide": 0}}}')$$);
SELECT err($$forge_create('e_users', '{"data": {"id": 1, "email": "again@example.com"}}')$$);
SELECT err($$forge_create('e_users', '{"data": {"id": 3}}')$$);
-- nothing above changed the table
SELECT count(*), sum(views) FROM e_users;

DROP VIEW e_view;
DROP TABLE e_users;
DROP FUNCTION err(text);
