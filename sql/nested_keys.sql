--
-- nested_keys: a nested write never changes the key its relation sets.
--
-- Rows written through a to-many or one-to-one relation hold a key to the
-- row they are nested in, and the relation sets it.  Their data may not
-- name that key, by its columns or through their own to-one relation over
-- the same foreign key: that would move a post to another author.  Every
-- nested action that writes such rows refuses it with 22023 (create,
-- update, updateMany, upsert), before anything is written.
--
CREATE SCHEMA nk;
SET search_path = nk, public;
CREATE TABLE users (id int PRIMARY KEY, name text);
CREATE TABLE posts (id int PRIMARY KEY, author_id int REFERENCES users, title text);
CREATE TABLE profiles (id int PRIMARY KEY, user_id int UNIQUE REFERENCES users, bio text);
INSERT INTO users VALUES (1, 'ada'), (2, 'bob');
INSERT INTO posts VALUES (1, 1, 'a'), (2, 2, 'b');
INSERT INTO profiles VALUES (1, 1, 'x');

-- to-many: the key column, in update, updateMany, upsert and create
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts":
  {"update": {"where": {"id": 1}, "data": {"author_id": 2}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts":
  {"updateMany": {"where": {}, "data": {"author_id": 2}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts":
  {"upsert": {"where": {"id": 1}, "create": {"id": 1}, "update": {"author_id": 2}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts":
  {"create": {"id": 9, "author_id": 2}}}}');
-- to-many: the same key through the posts' own to-one relation
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts":
  {"update": {"where": {"id": 1}, "data": {"author": {"connect": {"id": 2}}}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts":
  {"upsert": {"where": {"id": 1}, "create": {"id": 1}, "update": {"author": {"disconnect": true}}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts":
  {"create": {"id": 9, "author": {"connect": {"id": 2}}}}}}');
-- one-to-one: update and upsert
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"profiles":
  {"update": {"user_id": 2}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"profiles":
  {"upsert": {"create": {"id": 5}, "update": {"user_id": 2}}}}}');
-- Other columns of the posts are theirs to write.
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts":
  {"update": {"where": {"id": 1}, "data": {"title": "a, edited"}}}},
  "include": {"posts": true}}');
-- Nothing moved.
SELECT * FROM posts ORDER BY id;
SELECT * FROM profiles;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA nk CASCADE;
RESET client_min_messages;
