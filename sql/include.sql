-- include and relation select: the returned row carries related rows, read
-- by correlated subqueries aggregated to jsonb in the same statement.
CREATE SCHEMA inc;
SET search_path = inc, public;
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE);
CREATE TABLE posts (id int PRIMARY KEY, author_id int REFERENCES users, title text,
                    published bool NOT NULL DEFAULT false);
CREATE TABLE tags (id int PRIMARY KEY, name text UNIQUE);
CREATE TABLE post_tags (post_id int REFERENCES posts, tag_id int REFERENCES tags,
                        PRIMARY KEY (post_id, tag_id));
CREATE TABLE profiles (id int PRIMARY KEY, user_id int UNIQUE REFERENCES users, bio text);
INSERT INTO users VALUES (1, 'ada@x'), (2, 'bob@x');
INSERT INTO posts VALUES (10, 1, 'engines', true), (11, 1, 'notes', false),
                         (12, 1, 'loops', false), (13, NULL, 'anonymous', true);
INSERT INTO tags VALUES (100, 'pg'), (101, 'c');
INSERT INTO post_tags VALUES (10, 100), (11, 100), (11, 101);
INSERT INTO profiles VALUES (1000, 1, 'first programmer');

-- include: every column, and the relations named
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": true, "profiles": true}}');
-- a user without posts or profile: [] and null
SELECT forge_update('users', '{"where": {"id": 2}, "data": {}, "include": {"posts": true, "profiles": true}}');
-- where, orderBy, take, skip on a to-many; nested include (many-to-many)
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"where": {"published": false}, "orderBy": {"id": "desc"}, "take": 1,
                        "include": {"tags": {"orderBy": {"name": "asc"}}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "include": {"posts": {"orderBy": [{"published": "desc"}, {"id": "asc"}], "skip": 1, "select": {"id": true}}}}');
-- select picks relations next to columns, each with its own select
SELECT forge_update('posts', '{"where": {"id": 11}, "data": {},
  "select": {"title": true, "author": {"select": {"email": true}}, "tags": {"select": {"name": true}}}}');
-- relations only
SELECT forge_update('posts', '{"where": {"id": 11}, "data": {}, "select": {"author": true}}');
-- every verb that returns a row: create, upsert, delete (as the rows were)
SELECT forge_create('posts', '{"data": {"id": 14, "author_id": 2, "title": "new"}, "include": {"author": true}}');
SELECT forge_upsert('users', '{"where": {"email": "bob@x"}, "create": {"id": 9}, "update": {},
  "select": {"email": true, "posts": {"select": {"title": true}}}}');
SELECT forge_delete('posts', '{"where": {"id": 13}, "include": {"author": true, "tags": true}}');
-- by constraint name; the key is the name given
SELECT forge_update('users', '{"where": {"id": 2}, "data": {}, "select": {"posts_author_id_fkey": {"select": {"id": true}}}}');
-- one plan per shape: take is a parameter
SELECT forge_plan_cache_reset();
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "select": {"posts": {"select": {"id": true}, "take": 1}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "select": {"posts": {"select": {"id": true}, "take": 2}}}');
SELECT hits, misses FROM forge_plan_cache_stats();

-- Errors
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"comments": true}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"profiles": {"take": 1}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"skip": -1}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"id": "up"}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"posts": 1}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {}, "select": {"id": true}, "include": {"posts": true}}');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA inc CASCADE;
RESET client_min_messages;
