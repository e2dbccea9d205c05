-- omit: leave columns out of the returned row (Prisma 7's omit).
--
-- Prisma: `omit: {password: true}` returns every field but password, on
-- every query that returns records; `omit` and `select` together are a
-- validation error ("Please either use `omit` or `select`, but not both at
-- the same time"); omitting every field is one too ("At least one field
-- must be included in the result"); `false` leaves the field in.  In an
-- include, `include: {posts: {omit: {title: true}}}` omits from the related
-- rows.  forge takes omit on forge_create, forge_update, forge_upsert,
-- forge_delete and the two "and return" verbs (many_and_return.sql).
SET timezone = 'UTC';
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

CREATE TABLE om_users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  password text,
  views int NOT NULL DEFAULT 0
);
CREATE TABLE om_posts (
  id serial PRIMARY KEY,
  title text NOT NULL,
  body text,
  author_id int REFERENCES om_users
);

-- create: the row without the omitted columns.
SELECT forge_create('om_users', '{"data": {"email": "ada@example.com", "password": "s3cret"}, "omit": {"password": true}}');
-- false leaves the column in: the whole row.
SELECT forge_create('om_users', '{"data": {"email": "bob@example.com", "password": "pw"}, "omit": {"password": false}}');
-- update, upsert (both branches) and delete.
SELECT forge_update('om_users', '{"where": {"id": 1}, "data": {"views": {"increment": 1}}, "omit": {"password": true, "email": true}}');
SELECT forge_upsert('om_users', '{"where": {"email": "ada@example.com"}, "create": {"email": "ada@example.com"}, "update": {"views": {"increment": 1}}, "omit": {"password": true}}');
SELECT forge_upsert('om_users', '{"where": {"email": "cy@example.com"}, "create": {"email": "cy@example.com", "password": "x"}, "update": {}, "omit": {"password": true}}');
SELECT forge_delete('om_users', '{"where": {"email": "cy@example.com"}, "omit": {"password": true}}');

-- omit with include: the row's columns less the omitted ones, and the
-- relation; omit inside the include applies to the related rows.
SELECT forge_create('om_posts', '{"data": {"title": "Hello", "body": "long text", "author_id": 1}}');
SELECT forge_update('om_users', '{"where": {"id": 1}, "data": {}, "omit": {"password": true}, "include": {"om_posts": {"omit": {"body": true}}}}');
-- to-one include with omit, and omit inside a relation of select.
SELECT forge_update('om_posts', '{"where": {"id": 1}, "data": {}, "include": {"author": {"omit": {"password": true}}}}');
SELECT forge_update('om_users', '{"where": {"id": 1}, "data": {}, "select": {"id": true, "om_posts": {"omit": {"body": true, "author_id": true}}}}');

-- A nested write reads the row back after its related rows are written:
-- omit shapes that row too.
SELECT forge_create('om_users', '{"data": {"email": "dee@example.com", "password": "pw", "om_posts": {"create": [{"title": "First", "body": "b"}]}}, "omit": {"password": true}, "include": {"om_posts": {"omit": {"body": true}}}}');

-- omit {"password": true} and omit {"views": true} are different
-- statements, each with its own plan; the same omit with other values
-- reuses its plan.
SELECT forge_plan_cache_reset();
SELECT forge_update('om_users', '{"where": {"id": 1}, "data": {"views": 10}, "omit": {"password": true}}');
SELECT forge_update('om_users', '{"where": {"id": 2}, "data": {"views": 20}, "omit": {"password": true}}');
SELECT forge_update('om_users', '{"where": {"id": 2}, "data": {"views": 30}, "omit": {"views": true}}');
SELECT hits, misses FROM forge_plan_cache_stats();

-- Errors.
\pset format unaligned
\pset tuples_only on
-- select and omit together (22023), also inside an include.
SELECT err($$forge_update('om_users', '{"where": {"id": 1}, "data": {}, "select": {"id": true}, "omit": {"password": true}}')$$);
SELECT err($$forge_update('om_users', '{"where": {"id": 1}, "data": {}, "include": {"om_posts": {"select": {"id": true}, "omit": {"body": true}}}}')$$);
-- an unknown column (42703), a relation (22023), not a boolean (22023).
SELECT err($$forge_create('om_users', '{"data": {"email": "e@example.com"}, "omit": {"nope": true}}')$$);
SELECT err($$forge_update('om_users', '{"where": {"id": 1}, "data": {}, "omit": {"om_posts": true}}')$$);
SELECT err($$forge_update('om_users', '{"where": {"id": 1}, "data": {}, "omit": {"password": 1}}')$$);
SELECT err($$forge_update('om_users', '{"where": {"id": 1}, "data": {}, "omit": ["password"]}')$$);
-- every column omitted (22023), as in Prisma.
SELECT err($$forge_update('om_users', '{"where": {"id": 1}, "data": {}, "omit": {"id": true, "email": true, "password": true, "views": true}}')$$);
-- the many-row verbs that return a count take no omit.
SELECT err($$forge_update_many('om_users', '{"data": {}, "omit": {"password": true}}')$$);
-- nothing was written by the failed calls
SELECT count(*) FROM om_users WHERE email = 'e@example.com';

DROP TABLE om_posts, om_users;
DROP FUNCTION err(text);
