--
-- adversarial2: attacks found by a second breaker pass, each kept as the
-- regression test of its fix.
--
CREATE SCHEMA adv2;
SET search_path = adv2, public;
SET forge.notify = off;

--
-- 1. An upsert must never update a row its where does not select.
--
-- ON CONFLICT (col) takes every unique index over those columns as an
-- arbiter, whatever its collation.  A case-sensitive column under a
-- case-insensitive unique index is a unique key (forge's equality is the
-- finer one), but the insert of "ABC" conflicts with the row "abc", which
-- the where {"code": "ABC"} does not select: the upsert updated "abc" and
-- returned it, where forge_update with the same where finds no row.  Also
-- when the column has an exact unique index too (both are arbiters), for a
-- nested connectOrCreate (an upsert of its own), and when a BEFORE INSERT
-- trigger moves the key of the row to be created onto another row.  The
-- update branch now compares the key as the where does: a conflicting row
-- the where does not select is neither updated nor returned (P2025), and
-- nothing is written.
--
CREATE COLLATION adv2.ci (provider = icu, locale = 'und-u-ks-level2',
                          deterministic = false);
CREATE TABLE codes (id serial PRIMARY KEY, code text NOT NULL, v text);
CREATE UNIQUE INDEX codes_code_ci ON codes (code COLLATE adv2.ci);
INSERT INTO codes (code, v) VALUES ('abc', 'orig');
SELECT forge_update('codes', '{"where": {"code": "ABC"}, "data": {"v": "updated"}}');
SELECT forge_upsert('codes', '{"where": {"code": "ABC"}, "create": {"v": "created"}, "update": {"v": "updated"}}');
-- the row the where selects is still updated, and a new key still created
SELECT forge_upsert('codes', '{"where": {"code": "abc"}, "create": {"v": "created"}, "update": {"v": "updated"}}');
SELECT forge_upsert('codes', '{"where": {"code": "xyz"}, "create": {"v": "created"}, "update": {"v": "updated"}}');
-- a row equal under the column's own equality is the row selected: a
-- citext key (its operator lives outside pg_catalog), a char(n) key
CREATE EXTENSION citext SCHEMA adv2;
CREATE TABLE ckeys (id serial PRIMARY KEY, c citext UNIQUE, b char(3) UNIQUE, v int DEFAULT 0);
INSERT INTO ckeys (c, b) VALUES ('AbC', 'ab');
SELECT forge_upsert('ckeys', '{"where": {"c": "abc"}, "create": {}, "update": {"v": {"increment": 1}}}');
SELECT forge_upsert('ckeys', '{"where": {"b": "ab "}, "create": {}, "update": {"v": {"increment": 1}}}');
-- an exact unique index as well: both are arbiters
CREATE TABLE codes2 (id serial PRIMARY KEY, code text NOT NULL UNIQUE, v text);
CREATE UNIQUE INDEX codes2_code_ci ON codes2 (code COLLATE adv2.ci);
INSERT INTO codes2 (code, v) VALUES ('abc', 'orig');
SELECT forge_upsert('codes2', '{"where": {"code": "ABC"}, "create": {"v": "created"}, "update": {"v": "updated"}}');
-- a nested connectOrCreate
CREATE TABLE tags (id serial PRIMARY KEY, name text NOT NULL);
CREATE UNIQUE INDEX tags_name_ci ON tags (name COLLATE adv2.ci);
CREATE TABLE posts (id serial PRIMARY KEY, tag_id int REFERENCES tags, title text);
INSERT INTO tags (name) VALUES ('pg');
SELECT forge_create('posts', '{"data": {"title": "x", "tag": {"connectOrCreate": {"where": {"name": "PG"}, "create": {"name": "PG"}}}}, "include": {"tag": true}}');
SELECT forge_create('posts', '{"data": {"title": "y", "tag": {"connectOrCreate": {"where": {"name": "pg"}, "create": {"name": "pg"}}}}, "include": {"tag": true}}');
-- a BEFORE INSERT trigger that moves the key onto another row
CREATE TABLE moved (id int PRIMARY KEY, v text);
INSERT INTO moved VALUES (2, 'two');
CREATE FUNCTION moved_next() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.id := NEW.id + 1;
    RETURN NEW;
END $$;
CREATE TRIGGER moved_next BEFORE INSERT ON moved FOR EACH ROW EXECUTE FUNCTION moved_next();
SELECT forge_upsert('moved', '{"where": {"id": 1}, "create": {"v": "created"}, "update": {"v": "updated"}}');
SELECT * FROM codes ORDER BY id;
SELECT * FROM codes2 ORDER BY id;
SELECT p.title, t.name FROM posts p JOIN tags t ON t.id = p.tag_id ORDER BY p.id;
SELECT * FROM moved ORDER BY id;

--
-- 2. int2vector and oidvector columns.
--
-- Their types have an element type, so a JSON array was built element by
-- element into an ordinary array (lower bound 1, nulls allowed) and
-- stored as the column's value: a value no INSERT can make, which the
-- types' own functions then refused ("array is not a valid int2vector"),
-- so the row could not be read back.  A JSON array is built so only for
-- types that array_in reads; these take their own text form.
--
CREATE TABLE vectors (id int PRIMARY KEY, v int2vector, o oidvector);
SELECT forge_create('vectors', '{"data": {"id": 1, "v": [1, null, 3]}}');
SELECT forge_create('vectors', '{"data": {"id": 2, "o": [5, 6]}}');
SELECT forge_create('vectors', '{"data": {"id": 3, "v": "1 2 3", "o": "5 6"}}');
SELECT forge_update('vectors', '{"where": {"id": 3, "v": "1 2 3"}, "data": {"o": "7"}}');
SELECT id, v::text, o::text FROM vectors ORDER BY id;

RESET forge.notify;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA adv2 CASCADE;
RESET client_min_messages;
