-- In an include of a to-many relation: cursor, and orderBy by a to-one
-- relation's column or by a to-many relation's _count, as Prisma 7 does them.
-- Each result was compared with the real Prisma 7.10.1 client on the same
-- rows; where Prisma leaves ties in no defined order, forge breaks them by
-- the primary key.
CREATE SCHEMA inc_cursor;
SET search_path = inc_cursor, public;
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

-- orderBy a to-one relation's column (Prisma: orderBy: {author: {name: "asc"}}).
-- A post without an author, or whose author has no name, sorts as null:
-- last ascending, first descending.
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"orderBy": {"author": {"name": "asc"}}, "select": {"id": true}}}}');
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"orderBy": {"author": {"name": "desc"}}, "select": {"id": true}}}}');
-- Prisma's {sort, nulls} places the nulls (Prisma takes it on optional
-- fields only; forge on any column)
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"orderBy": {"author": {"name": {"sort": "asc", "nulls": "first"}}}, "select": {"id": true}}}}');
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"orderBy": {"author": {"name": {"sort": "desc", "nulls": "last"}}}, "select": {"id": true}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"orderBy": {"rank": {"sort": "desc"}}, "select": {"id": true}}}}');
-- orderBy a to-many relation's _count (Prisma: orderBy: {comments: {_count: "desc"}})
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"orderBy": {"comments": {"_count": "desc"}}, "select": {"id": true}}}}');
-- and a many-to-many's: the tags of post 14 by how many posts carry them
SELECT forge_update('posts', '{"where": {"id": 14}, "data": {},
  "include": {"tags": {"orderBy": {"posts": {"_count": "desc"}}, "select": {"name": true}}}}');
-- an array of them, mixed with columns
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"orderBy": [{"comments": {"_count": "asc"}}, {"id": "desc"}], "select": {"id": true}}}}');
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"orderBy": [{"author": {"name": "desc"}}, {"comments": {"_count": "desc"}}], "select": {"id": true}}}}');
-- through a to-one to a to-many's _count: posts by how many posts their
-- author wrote; no author counts 0, as in Prisma
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"orderBy": {"author": {"posts": {"_count": "desc"}}}, "select": {"id": true}}}}');
-- with where, take and skip, nested in another include
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"where": {"rank": {"gte": 1}}, "orderBy": {"comments": {"_count": "desc"}}, "take": 2,
                        "select": {"id": true, "tags": {"orderBy": {"posts": {"_count": "desc"}}, "take": 1, "select": {"name": true}}}}}}');

-- cursor: the rows from the cursor row on, in the include's order.  Without
-- orderBy the order is the primary key's (Prisma: cursor: {id: 11}).
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"cursor": {"id": 11}, "select": {"id": true}}}}');
-- with orderBy, ties broken by the cursor's unique key (here the primary key)
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"cursor": {"id": 11}, "orderBy": {"rank": "desc"}, "select": {"id": true, "rank": true}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"cursor": {"id": 12}, "orderBy": {"rank": "desc"}, "select": {"id": true, "rank": true}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"cursor": {"id": 10}, "orderBy": {"rank": "desc"}, "select": {"id": true, "rank": true}}}}');
-- skip: 1 leaves the cursor row out (Prisma's next page); take cuts after it
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"cursor": {"id": 10}, "orderBy": {"id": "asc"}, "skip": 1, "take": 1, "select": {"id": true}}}}');
-- a cursor that matches no row: no rows (as Prisma)
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"cursor": {"id": 999}, "select": {"id": true}}}}');
-- the cursor is any row of the table, related or not: its place in the
-- order decides (post 12 has no tag "pg"; Prisma returns the same)
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"cursor": {"id": 12}, "select": {"id": true}}}}');
-- and a row the where leaves out still marks the place (Prisma: the same)
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"cursor": {"id": 11}, "where": {"rank": 2}, "select": {"id": true}}}}');
-- a cursor is a unique selector and may add filters: here they match no row
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"cursor": {"id": 11, "title": "x"}, "select": {"id": true}}}}');
-- by another unique key, through a many-to-many
SELECT forge_update('posts', '{"where": {"id": 14}, "data": {},
  "include": {"tags": {"cursor": {"name": "pg"}, "orderBy": {"name": "asc"}}}}');
SELECT forge_update('posts', '{"where": {"id": 14}, "data": {},
  "include": {"tags": {"cursor": {"name": "c"}, "orderBy": {"posts": {"_count": "desc"}}}}}');
-- with a relation orderBy: nulls keep their place (last ascending)
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"cursor": {"id": 11}, "orderBy": {"author": {"name": "asc"}}, "select": {"id": true}}}}');
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"cursor": {"id": 13}, "orderBy": {"author": {"name": "asc"}}, "select": {"id": true}}}}');
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"cursor": {"id": 15}, "orderBy": {"author": {"name": "desc"}}, "select": {"id": true}}}}');
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"cursor": {"id": 11}, "orderBy": {"comments": {"_count": "desc"}}, "select": {"id": true}}}}');
-- and where {sort, nulls} puts them
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"cursor": {"id": 15}, "orderBy": {"author": {"name": {"sort": "asc", "nulls": "first"}}}, "select": {"id": true}}}}');
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"cursor": {"id": 13}, "orderBy": {"author": {"name": {"sort": "desc", "nulls": "last"}}}, "select": {"id": true}}}}');

-- one plan per shape: the cursor's values are parameters
SELECT forge_plan_cache_reset();
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "select": {"posts": {"cursor": {"id": 10}, "select": {"id": true}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "select": {"posts": {"cursor": {"id": 12}, "select": {"id": true}}}}');
SELECT hits, misses FROM forge_plan_cache_stats();
-- an orderBy through a relation is another shape (and one through the
-- written table, users, is read back after the write: two statements)
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "select": {"posts": {"orderBy": {"comments": {"_count": "asc"}}, "select": {"id": true}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "select": {"posts": {"orderBy": {"author": {"name": "asc"}}, "select": {"id": true}}}}');
SELECT hits, misses FROM forge_plan_cache_stats();

-- Errors, in terms of ordering (an orderBy by a relation used to be refused
-- with a message about writing that relation).
\pset format unaligned
\pset tuples_only on
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"comments": {"body": "asc"}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"comments": "asc"}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": "asc"}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": {"_count": "asc"}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": {"nick": "asc"}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": {"name": "up"}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"comments": {"_count": "up"}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"rank": {"sort": "asc", "nulls": "middle"}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"rank": {"nulls": "first"}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"rank": {"sort": "asc", "mode": "x"}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"comments": {"_count": {"sort": "asc"}}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": {"name": "asc", "id": "asc"}}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"rank": "asc", "id": "desc"}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": [{}]}}}')$$);
CREATE TABLE notes (id int PRIMARY KEY, post_id int REFERENCES posts, doc json);
SELECT err($$forge_update('posts', '{"where": {"id": 1}, "data": {}, "include": {"notes": {"orderBy": {"doc": "asc"}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"cursor": {"title": "notes"}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"cursor": 11}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"author": {"cursor": {"id": 1}}}}')$$);
-- every table an orderBy, a cursor or a _count reads is opened with the
-- caller's SELECT privilege checked first: a role that may read posts but
-- not users or comments cannot order or count by them
CREATE ROLE regress_forge_inc_cursor NOLOGIN;
GRANT USAGE ON SCHEMA inc_cursor TO regress_forge_inc_cursor;
GRANT SELECT, UPDATE ON posts, tags, post_tags TO regress_forge_inc_cursor;
SET ROLE regress_forge_inc_cursor;
SELECT err($$forge_update('tags', '{"where": {"id": 100}, "data": {}, "include": {"posts": {"orderBy": {"author": {"name": "asc"}}}}}')$$);
SELECT err($$forge_update('tags', '{"where": {"id": 100}, "data": {}, "include": {"posts": {"orderBy": {"comments": {"_count": "asc"}}}}}')$$);
SELECT err($$forge_update('tags', '{"where": {"id": 100}, "data": {}, "include": {"_count": {"select": {"posts": {"where": {"comments": {"some": {}}}}}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 10}, "data": {}, "include": {"_count": true}}')$$);
-- what it may read works
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {}, "select": {"_count": true, "posts": {"cursor": {"id": 14}, "select": {"id": true}}}}');
RESET ROLE;
\pset format aligned
\pset tuples_only off

-- take below zero: the last rows of the order, returned in that order
-- (Prisma 7: user.update({where: {id: 1}, data: {}, include: {posts:
-- {orderBy: {rank: 'asc'}, take: -2}}}) gives the two highest ranks)
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"orderBy": {"rank": "asc"}, "take": -2, "select": {"id": true, "rank": true}}}}');
-- skip counts from the end too
SELECT forge_update('tags', '{"where": {"id": 100}, "data": {},
  "include": {"posts": {"orderBy": {"title": "asc"}, "take": -2, "skip": 1, "select": {"title": true}}}}');
-- with a cursor it is not supported
SELECT err($$forge_update('tags', '{"where": {"id": 100}, "data": {}, "include": {"posts": {"cursor": {"id": 11}, "take": -1}}}')$$);

-- An update that changes the key the included rows refer to: the rows
-- follow it through ON UPDATE CASCADE, at the end of the statement, so
-- they are read after the write, as Prisma reads them
--   model Shelf { id Int @id; books Book[] }  model Book { id Int @id; shelf Shelf }
CREATE TABLE shelves (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (id int PRIMARY KEY, shelf_id int NOT NULL REFERENCES shelves ON UPDATE CASCADE);
INSERT INTO shelves VALUES (1, 'a');
INSERT INTO books VALUES (1, 1), (2, 1);
SELECT forge_update('shelves', '{"where": {"id": 1}, "data": {"id": 7},
  "include": {"books": true, "_count": true}}');
SELECT forge_upsert('shelves', '{"where": {"id": 7}, "create": {"id": 7, "name": "a"}, "update": {"id": 8},
  "include": {"books": {"select": {"id": true}}}}');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA inc_cursor CASCADE;
DROP ROLE regress_forge_inc_cursor;
RESET client_min_messages;
