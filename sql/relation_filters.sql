-- Relation filters in where: some / none / every on to-many and
-- many-to-many relations, is / isNot on to-one and one-to-one, nestable.
-- matched(model, where) marks the rows a where selects, through
-- forge_update_many, and returns their ids.
CREATE SCHEMA rf;
SET search_path = rf, public;
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, hits int NOT NULL DEFAULT 0);
CREATE TABLE posts (id int PRIMARY KEY, author_id int REFERENCES users, title text,
                    published bool NOT NULL DEFAULT false, hits int NOT NULL DEFAULT 0);
CREATE TABLE tags (id int PRIMARY KEY, name text UNIQUE, hits int NOT NULL DEFAULT 0);
CREATE TABLE post_tags (post_id int REFERENCES posts, tag_id int REFERENCES tags,
                        PRIMARY KEY (post_id, tag_id));
CREATE TABLE profiles (id int PRIMARY KEY, user_id int UNIQUE REFERENCES users, bio text);
INSERT INTO users (id, email) VALUES (1, 'ada@x'), (2, 'bob@x'), (3, 'cy@x');
INSERT INTO posts (id, author_id, title, published) VALUES
  (10, 1, 'engines', true), (11, 1, 'notes', false), (12, 2, 'compilers', false),
  (13, NULL, 'anonymous', true);
INSERT INTO tags (id, name) VALUES (100, 'pg'), (101, 'c'), (102, 'rust');
INSERT INTO post_tags VALUES (10, 100), (11, 101), (12, 100);
INSERT INTO profiles VALUES (1000, 1, 'first programmer');

CREATE FUNCTION matched(model regclass, w jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  ids text;
BEGIN
  PERFORM forge_update_many(model, jsonb_build_object('where', w, 'data', '{"hits": {"increment": 1}}'::jsonb));
  EXECUTE format('SELECT coalesce(string_agg(id::text, '','' ORDER BY id), ''(none)'') FROM %s WHERE hits > 0', model) INTO ids;
  EXECUTE format('UPDATE %s SET hits = 0', model);
  RETURN ids;
END $$;

-- to-many: users with some published post, none, every post unpublished
-- (every holds for a user without posts)
SELECT matched('users', '{"posts": {"some": {"published": true}}}');
SELECT matched('users', '{"posts": {"none": {"published": true}}}');
SELECT matched('users', '{"posts": {"every": {"published": false}}}');
SELECT matched('users', '{"posts": {"some": {}}}');
SELECT matched('users', '{"posts": {"none": {}}}');
-- to-one: a where on the related row (short for "is"), is, isNot, null
SELECT matched('posts', '{"author": {"email": "ada@x"}}');
SELECT matched('posts', '{"author": {"is": {"email": {"startsWith": "b"}}}}');
SELECT matched('posts', '{"author": {"isNot": {"email": "ada@x"}}}');
SELECT matched('posts', '{"author": null}');
SELECT matched('posts', '{"author": {"is": null}}');
SELECT matched('posts', '{"author": {"isNot": null}}');
-- one-to-one
SELECT matched('users', '{"profiles": {"is": null}}');
SELECT matched('users', '{"profiles": {"bio": {"contains": "programmer"}}}');
-- many-to-many through post_tags, both ways
SELECT matched('posts', '{"tags": {"some": {"name": "pg"}}}');
SELECT matched('tags', '{"posts": {"none": {}}}');
-- nested: users with a post tagged "c"; users whose every post is tagged
SELECT matched('users', '{"posts": {"some": {"tags": {"some": {"name": "c"}}}}}');
SELECT matched('users', '{"posts": {"every": {"tags": {"some": {}}}}}');
-- combined with columns, AND / OR / NOT
SELECT matched('users', '{"email": {"endsWith": "@x"}, "OR": [{"posts": {"none": {}}}, {"profiles": {"isNot": null}}]}');
SELECT matched('posts', '{"NOT": {"author": {"email": "ada@x"}}}');
-- by constraint name
SELECT matched('users', '{"posts_author_id_fkey": {"some": {"title": "compilers"}}}');
-- in every verb: a delete of the users with no posts and no profile
BEGIN;
SELECT forge_delete_many('users', '{"where": {"posts": {"none": {}}, "profiles": {"is": null}}}');
ROLLBACK;
-- one plan per shape, whatever the values
SELECT forge_plan_cache_reset();
SELECT matched('users', '{"posts": {"some": {"title": "engines"}}}');
SELECT matched('users', '{"posts": {"some": {"title": "notes"}}}');
SELECT hits, misses FROM forge_plan_cache_stats();

-- Errors: the test does not fit the relation, a relation that does not
-- exist (the hint lists the table's relations), a filter that is not an
-- object.
\set SHOW_CONTEXT never
SELECT matched('users', '{"posts": {"is": {}}}');
SELECT matched('posts', '{"author": {"some": {}}}');
SELECT matched('users', '{"post": {"some": {}}}');
SELECT matched('users', '{"posts": [1]}');
SELECT matched('users', '{"posts": null}');
SELECT matched('users', '{"posts": {"some": {"nope": 1}}}');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA rf CASCADE;
RESET client_min_messages;
