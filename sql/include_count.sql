-- _count in include and select, as Prisma 7 returns it: "_count": {relation: n}.
-- Each count is a correlated subquery in the RETURNING of the write itself.
CREATE SCHEMA inc_count;
SET search_path = inc_count, public;
-- The tables of Prisma's blog schema, lowercased (the data is the data the
-- same calls were compared on through the real Prisma 7.10.1 client):
--   model User    { id Int @id; email String @unique; name String?; posts Post[] }
--   model Post    { id Int @id; title String; rank Int; author User? ; tags Tag[]; comments Comment[] }
--   model Comment { id Int @id; body String; post Post }
--   model Tag     { id Int @id; name String @unique; posts Post[] }
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text);
CREATE TABLE posts (id int PRIMARY KEY, title text NOT NULL, rank int NOT NULL DEFAULT 0,
                    author_id int REFERENCES users);
CREATE TABLE comments (id int PRIMARY KEY, body text NOT NULL, post_id int NOT NULL REFERENCES posts);
CREATE TABLE tags (id int PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE post_tags (post_id int REFERENCES posts, tag_id int REFERENCES tags,
                        PRIMARY KEY (post_id, tag_id));
INSERT INTO users VALUES (1, 'ada@x', 'Ada'), (2, 'bob@x', 'Bob'), (3, 'cy@x', NULL);
INSERT INTO posts VALUES (10, 'engines', 2, 1), (11, 'notes', 1, 1), (12, 'loops', 2, 1),
                         (13, 'anon', 0, NULL), (14, 'bobs', 5, 2), (15, 'cys', 1, 3);
INSERT INTO comments VALUES (1, 'a', 10), (2, 'b', 10), (3, 'c', 11), (4, 'd', 12),
                            (5, 'e', 12), (6, 'f', 12), (7, 'g', 14);
INSERT INTO tags VALUES (100, 'pg'), (101, 'c'), (102, 'rust');
INSERT INTO post_tags VALUES (10, 100), (11, 100), (11, 101), (12, 102), (14, 100),
                             (14, 101), (14, 102), (13, 100), (15, 100);
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

-- Prisma: include: {_count: true} counts every list relation of the model.
-- forge counts every to-many and many-to-many relation; posts has a to-many
-- relation to its join table post_tags too, which is left out: its rows are
-- the links that "tags" counts.
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"_count": true}}');
SELECT forge_update('posts', '{"where": {"id": 14}, "data": {}, "include": {"_count": true}}');
-- the join rows are still counted by name
SELECT forge_update('posts', '{"where": {"id": 14}, "data": {}, "include": {"_count": {"select": {"post_tags": true}}}}');
-- Prisma: _count: {select: {posts: true}}, and a where per relation
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"_count": {"select": {"posts": true}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"_count": {"select": {"posts": {"where": {"rank": {"gt": 1}}}}}}}');
-- the where takes relation filters: posts tagged "pg"
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"_count": {"select": {"posts": {"where": {"tags": {"some": {"name": "pg"}}}}}}}}');
-- a relation false is left out
SELECT forge_update('posts', '{"where": {"id": 14}, "data": {},
  "include": {"_count": {"select": {"comments": true, "tags": false}}}}');
-- in select, next to columns (Prisma: select: {email: true, _count: {select: {posts: true}}})
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "select": {"email": true, "_count": {"select": {"posts": true}}}}');
-- alone: {"_count": {...}} is the whole row
SELECT forge_update('posts', '{"where": {"id": 14}, "data": {}, "select": {"_count": true}}');
-- nested: each included post carries its own counts
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"include": {"_count": true}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "select": {"posts": {"select": {"title": true, "_count": {"select": {"tags": true}}}}}}');
-- false leaves it out
SELECT forge_update('users', '{"where": {"id": 2}, "data": {}, "include": {"_count": false}}');
-- every verb that returns a row.  Related rows read from the table being
-- written (Bob's posts, from a post) are read back after the write, as
-- Prisma reads them: the new post is among Bob's 2 (subqueries in the
-- write's own RETURNING would see the table as it was before it).
SELECT forge_create('posts', '{"data": {"id": 50, "title": "new", "author_id": 2},
  "include": {"_count": true, "author": {"include": {"_count": true}}}}');
SELECT forge_upsert('tags', '{"where": {"name": "pg"}, "create": {"id": 103}, "update": {},
  "select": {"name": true, "_count": {"select": {"posts": {"where": {"rank": {"gte": 1}}}}}}}');
SELECT forge_delete('posts', '{"where": {"id": 50}, "select": {"id": true, "_count": {"select": {"comments": true, "tags": true}}}}');
-- a column named _count is the column
CREATE TABLE counters (id int PRIMARY KEY, _count int);
INSERT INTO counters VALUES (1, 7);
SELECT forge_update('counters', '{"where": {"id": 1}, "data": {}, "select": {"_count": true}}');
-- a table without list relations counts nothing
SELECT forge_update('comments', '{"where": {"id": 1}, "data": {}, "select": {"_count": true}}');

-- one plan per shape: the values of a count's where are parameters
SELECT forge_plan_cache_reset();
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "select": {"_count": {"select": {"posts": {"where": {"rank": 1}}}}}}');
SELECT forge_update('users', '{"where": {"id": 2}, "data": {}, "select": {"_count": {"select": {"posts": {"where": {"rank": 5}}}}}}');
SELECT hits, misses FROM forge_plan_cache_stats();
-- a where changes the shape
SELECT forge_update('users', '{"where": {"id": 2}, "data": {}, "select": {"_count": {"select": {"posts": true}}}}');
SELECT hits, misses FROM forge_plan_cache_stats();

-- Errors.  Prisma: "The select statement for type UserCountOutputType needs
-- at least one truthy value".
\pset format unaligned
\pset tuples_only on
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"_count": {"select": {"posts": false}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"_count": {"select": {"author": true}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"_count": {"select": {"title": true}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"_count": {"select": {"likes": true}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"_count": 1}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"_count": {"where": {}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"_count": {"select": {"tags": {"take": 1}}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"_count": {"select": {"tags": 1}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"_count": {"select": {"tags": {"where": {"nope": 1}}}}}}')$$);
\pset format aligned
\pset tuples_only off

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA inc_count CASCADE;
RESET client_min_messages;
