-- forge_create_many_and_return and forge_update_many_and_return: Prisma 7's
-- createManyAndReturn and updateManyAndReturn.
--
-- Prisma: createManyAndReturn({data: [...], skipDuplicates?, select?, omit?,
-- include?}) and updateManyAndReturn({where?, data, limit?, select?, omit?,
-- include?}) return the array of records written.  Their include (and the
-- relations of their select) may name only to-one relations ("Unknown field
-- `posts` for include statement on model `CreateManyUserAndReturnOutputType`").
-- With skipDuplicates only the rows inserted come back; no row gives [].
-- In forge each is one statement, WITH t AS (INSERT ... / UPDATE ...
-- RETURNING t.*) SELECT count, jsonb_agg(row) FROM t, with one event like
-- forge_create_many's and forge_update_many's, whose rowCount is the number
-- of rows written.  The array is in the order the write returned its rows.
SET timezone = 'UTC';
SET forge.notify_timing = off;
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

CREATE TABLE mr_users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  views int NOT NULL DEFAULT 0
);
CREATE TABLE mr_posts (
  id serial PRIMARY KEY,
  title text NOT NULL,
  author_id int REFERENCES mr_users
);

-- createManyAndReturn: every new row, whole.
SELECT forge_create_many_and_return('mr_users', '{"data": [{"email": "ada@example.com", "name": "Ada"}, {"email": "bob@example.com", "name": "Bob"}]}');
-- omit and select shape each row.
SELECT forge_create_many_and_return('mr_users', '{"data": [{"email": "cy@example.com"}], "omit": {"views": true, "name": true}}');
SELECT forge_create_many_and_return('mr_users', '{"data": [{"email": "dee@example.com"}], "select": {"email": true}}');
-- skipDuplicates: only the rows inserted come back.
SELECT forge_create_many_and_return('mr_users', '{"data": [{"email": "ada@example.com"}, {"email": "eve@example.com"}], "skipDuplicates": true, "select": {"id": true, "email": true}}');
-- no rows: []
SELECT forge_create_many_and_return('mr_users', '{"data": []}');
-- a to-one include: the related row, or null.
SELECT forge_create_many_and_return('mr_posts', '{"data": [{"title": "Hello", "author_id": 1}, {"title": "Orphan"}], "include": {"author": {"select": {"email": true}}}}');
SELECT forge_create_many_and_return('mr_posts', '{"data": [{"title": "Again", "author_id": 2}], "select": {"title": true, "author": {"omit": {"views": true}}}}');

-- updateManyAndReturn: every updated row, in the order the update found them.
SELECT forge_update_many_and_return('mr_users', '{"where": {"email": {"endsWith": "@example.com"}, "name": null}, "data": {"views": {"increment": 1}}, "omit": {"name": true}}');
-- no row matched: []
SELECT forge_update_many_and_return('mr_users', '{"where": {"id": 999}, "data": {"name": "x"}}');
-- with a limit (limit.sql): at most that many, picked in primary key order.
SELECT forge_update_many_and_return('mr_users', '{"data": {"views": {"increment": 10}}, "limit": 2, "select": {"id": true, "views": true}}');
-- a to-one include reads the related row as it was before the statement.
SELECT forge_update_many_and_return('mr_posts', '{"where": {"author_id": {"not": null}}, "data": {"title": "T"}, "include": {"author": {"select": {"id": true, "views": true}}}}');

-- One event per call: op, verb and rowCount, the rows written.  Shown
-- through the outbox, which records the same event as the NOTIFY.
-- With forge.notify_keys, the event also lists the primary keys written.
TRUNCATE forge_outbox;
SELECT forge_outbox_enable('mr_users');
SET forge.notify_keys = on;
SELECT forge_create_many_and_return('mr_users', '{"data": [{"email": "f@example.com"}, {"email": "g@example.com"}], "select": {"id": true}}');
SELECT forge_update_many_and_return('mr_users', '{"where": {"email": {"in": ["f@example.com", "g@example.com"]}}, "data": {"name": "FG"}, "select": {"id": true}}');
RESET forge.notify_keys;
SELECT event->>'op' AS op, event->>'verb' AS verb, event->'rowCount' AS "rowCount",
       event->'keys' AS keys
  FROM forge_outbox ORDER BY id;
SELECT forge_outbox_disable('mr_users');
TRUNCATE forge_outbox;

-- One plan per shape: other values reuse it.
SELECT forge_plan_cache_reset();
SELECT forge_create_many_and_return('mr_users', '{"data": [{"email": "h@example.com"}], "select": {"id": true}}');
SELECT forge_create_many_and_return('mr_users', '{"data": [{"email": "i@example.com"}, {"email": "j@example.com"}], "select": {"id": true}}');
SELECT hits, misses FROM forge_plan_cache_stats();

-- A trigger that changes the row: the array shows the rows as stored.
CREATE FUNCTION mr_upper() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$;
CREATE TRIGGER mr_upper BEFORE INSERT OR UPDATE ON mr_users FOR EACH ROW EXECUTE FUNCTION mr_upper();
SELECT forge_create_many_and_return('mr_users', '{"data": [{"email": "k@example.com", "name": "kay"}], "select": {"name": true}}');
DROP TRIGGER mr_upper ON mr_users;

-- Errors.
\pset format unaligned
\pset tuples_only on
-- a to-many include, directly or in select (22023), as Prisma refuses it.
SELECT err($$forge_create_many_and_return('mr_users', '{"data": [{"email": "x@example.com"}], "include": {"mr_posts": true}}')$$);
-- nor _count, which counts to-many relations (the fuzzer found it crashed)
SELECT err($$forge_update_many_and_return('mr_users', '{"data": {}, "include": {"_count": true}}')$$);
SELECT err($$forge_create_many_and_return('mr_users', '{"data": [{"email": "y@example.com"}], "select": {"id": true, "_count": {"select": {"mr_posts": true}}}}')$$);
SELECT err($$forge_update_many_and_return('mr_users', '{"data": {}, "select": {"id": true, "mr_posts": true}}')$$);
-- select with omit (22023), unknown keys (22023): createManyAndReturn has no limit.
SELECT err($$forge_create_many_and_return('mr_users', '{"data": [{"email": "x@example.com"}], "select": {"id": true}, "omit": {"name": true}}')$$);
SELECT err($$forge_create_many_and_return('mr_users', '{"data": [{"email": "x@example.com"}], "limit": 1}')$$);
SELECT err($$forge_update_many_and_return('mr_users', '{"data": {}, "where": {}, "skipDuplicates": true}')$$);
-- a duplicate without skipDuplicates (23505): nothing is inserted.
SELECT err($$forge_create_many_and_return('mr_users', '{"data": [{"email": "y@example.com"}, {"email": "ada@example.com"}]}')$$);
SELECT count(*) FROM mr_users WHERE email = 'y@example.com';
-- null arguments.
SELECT err($$forge_create_many_and_return(NULL, '{"data": []}')$$);
SELECT err($$forge_update_many_and_return('mr_users', NULL)$$);
-- privileges: INSERT for create, UPDATE for update (42501).
CREATE ROLE regress_mr_reader;
GRANT SELECT ON mr_users TO regress_mr_reader;
SET ROLE regress_mr_reader;
SELECT err($$forge_create_many_and_return('mr_users', '{"data": [{"email": "z@example.com"}]}')$$);
SELECT err($$forge_update_many_and_return('mr_users', '{"data": {"name": "z"}}')$$);
RESET ROLE;

DROP TABLE mr_posts, mr_users;
DROP ROLE regress_mr_reader;
DROP FUNCTION mr_upper();
DROP FUNCTION err(text);
