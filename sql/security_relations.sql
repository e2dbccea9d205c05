--
-- security_relations: every table a call touches passes the same checks,
-- on every call, whether or not its plan is cached.
--
-- forge opens each table through one door (catalog.c, forge_rel_open):
-- USAGE on its schema and a privilege on the table or one of its columns,
-- checked before the table is locked.  A cached plan runs the executor's
-- table and column checks again but not the parser's schema check, so the
-- door is what refuses a role without USAGE on the schema of a related
-- table, even after another role ran the same shape in this backend.
--
-- Two roles in one session: the superuser runs each shape first, so that
-- regress_forge_eve's call reuses its plan.
--
CREATE ROLE regress_forge_eve NOLOGIN;
CREATE SCHEMA door;
CREATE SCHEMA door_hidden;
CREATE TABLE door_hidden.authors (id int PRIMARY KEY, name text);
CREATE TABLE door.posts (id int PRIMARY KEY,
                         author_id int REFERENCES door_hidden.authors,
                         title text);
CREATE TABLE door.tags (id int PRIMARY KEY, name text UNIQUE);
CREATE TABLE door_hidden.post_tags (post_id int REFERENCES door.posts,
                                    tag_id int REFERENCES door.tags,
                                    PRIMARY KEY (post_id, tag_id));
INSERT INTO door_hidden.authors VALUES (1, 'Ada');
INSERT INTO door.posts VALUES (1, 1, 'Notes');
INSERT INTO door.tags VALUES (1, 'math');
INSERT INTO door_hidden.post_tags VALUES (1, 1);

-- eve may do anything to the tables, but has no USAGE on door_hidden: she
-- can reach door.posts and door.tags, not the authors or the join table.
GRANT USAGE ON SCHEMA door TO regress_forge_eve;
GRANT ALL ON ALL TABLES IN SCHEMA door, door_hidden TO regress_forge_eve;

-- try(verb, model, args): the verb's result, or its error as
-- "SQLSTATE: message".
CREATE FUNCTION door.try(verb text, model regclass, args jsonb) RETURNS text
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
GRANT EXECUTE ON FUNCTION door.try TO regress_forge_eve;

-- An include of a to-one relation into door_hidden: the superuser's call
-- plans and caches the statement ...
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Notes"}, "include": {"author": true}}');
-- ... eve's call of the same shape is refused, as a plain UPDATE naming
-- door_hidden.authors would be.
SET ROLE regress_forge_eve;
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Mine"}, "include": {"author": true}}');
-- The same through select, and through a relation filter.
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Mine"}, "select": {"id": true, "author": true}}');
RESET ROLE;
SELECT door.try('forge_update_many', 'door.posts',
  '{"where": {"author": {"is": {"name": "Ada"}}}, "data": {"title": "Notes"}}');
SET ROLE regress_forge_eve;
SELECT door.try('forge_update_many', 'door.posts',
  '{"where": {"author": {"is": {"name": "Ada"}}}, "data": {"title": "Mine"}}');
-- A many-to-many reads its join table, which is in door_hidden too: an
-- include of tags, and a filter on them, are refused.
RESET ROLE;
SELECT door.try('forge_delete_many', 'door.posts',
  '{"where": {"tags": {"some": {"name": "none"}}}}');
SELECT door.try('forge_update', 'door.tags',
  '{"where": {"id": 1}, "data": {"name": "math"}, "include": {"posts": true}}');
SET ROLE regress_forge_eve;
SELECT door.try('forge_delete_many', 'door.posts',
  '{"where": {"tags": {"some": {"name": "none"}}}}');
SELECT door.try('forge_update', 'door.tags',
  '{"where": {"id": 1}, "data": {"name": "mine"}, "include": {"posts": true}}');
-- A relation filter nested a level down reaches door_hidden as well.
SELECT door.try('forge_update_many', 'door.tags',
  '{"where": {"posts": {"some": {"author": {"is": {"name": "Ada"}}}}}, "data": {"name": "mine"}}');
-- Nested writes: a to-one connect reads door_hidden.authors, a
-- many-to-many connect writes door_hidden.post_tags.
SELECT door.try('forge_create', 'door.posts',
  '{"data": {"id": 2, "title": "x", "author": {"connect": {"id": 1}}}}');
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"tags": {"connect": {"id": 1}}}}');
-- Nothing eve tried was written.
RESET ROLE;
SELECT id, author_id, title FROM door.posts ORDER BY id;
SELECT * FROM door.tags;
-- With USAGE, eve's call reuses the same plan and succeeds.
GRANT USAGE ON SCHEMA door_hidden TO regress_forge_eve;
SET ROLE regress_forge_eve;
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Mine"}, "include": {"author": true}}');
SELECT door.try('forge_update', 'door.tags',
  '{"where": {"id": 1}, "data": {"name": "mine"}, "include": {"posts": true}}');
-- Taking USAGE away again is seen at once: the door's memory of which
-- role passed is cleared by the schema's invalidation.
RESET ROLE;
REVOKE USAGE ON SCHEMA door_hidden FROM regress_forge_eve;
SET ROLE regress_forge_eve;
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Mine"}, "include": {"author": true}}');
RESET ROLE;

-- The same holds for privileges a role has through another role: once
-- eve is no longer a member of a role with USAGE, she is refused.
CREATE ROLE regress_forge_readers NOLOGIN;
GRANT USAGE ON SCHEMA door_hidden TO regress_forge_readers;
GRANT regress_forge_readers TO regress_forge_eve;
SET ROLE regress_forge_eve;
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Mine"}, "include": {"author": true}}');
RESET ROLE;
REVOKE regress_forge_readers FROM regress_forge_eve;
SET ROLE regress_forge_eve;
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Mine"}, "include": {"author": true}}');
RESET ROLE;

-- A related table eve has no privilege on at all is refused before it is
-- locked, like the model.
GRANT USAGE ON SCHEMA door_hidden TO regress_forge_eve;
REVOKE ALL ON door_hidden.authors FROM regress_forge_eve;
SET ROLE regress_forge_eve;
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Mine"}, "include": {"author": true}}');
-- A column privilege is enough to pass the door; the statement then
-- checks the columns it reads.
RESET ROLE;
GRANT SELECT (id) ON door_hidden.authors TO regress_forge_eve;
SET ROLE regress_forge_eve;
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Mine"}, "include": {"author": {"select": {"id": true}}}}');
SELECT door.try('forge_update', 'door.posts',
  '{"where": {"id": 1}, "data": {"title": "Mine"}, "include": {"author": true}}');
RESET ROLE;

-- The verbs check the privilege they need on the model before locking
-- it: SELECT alone does not let a role queue for the RowExclusiveLock of
-- an update.
CREATE TABLE door.readonly (id int PRIMARY KEY, body text);
INSERT INTO door.readonly VALUES (1, 'x');
GRANT SELECT ON door.readonly TO regress_forge_eve;
BEGIN;
SET LOCAL ROLE regress_forge_eve;
SELECT door.try('forge_update', 'door.readonly', '{"where": {"id": 1}, "data": {"body": "y"}}');
SELECT door.try('forge_create', 'door.readonly', '{"data": {"id": 2}}');
SELECT door.try('forge_delete_many', 'door.readonly', '{}');
SELECT count(*) AS locks_on_readonly FROM pg_locks
 WHERE relation = 'door.readonly'::regclass AND pid = pg_backend_pid();
ROLLBACK;

-- forge_relations() goes through the door too: a role with no privilege
-- on a table (here pg_authid) is refused, and no lock is taken on it.
BEGIN;
SET LOCAL ROLE regress_forge_eve;
SELECT count(*) FROM forge_relations('pg_authid');
ROLLBACK;
BEGIN;
SET LOCAL ROLE regress_forge_eve;
CREATE FUNCTION pg_temp.relations_of(t regclass) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM forge_relations(t))::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
SELECT pg_temp.relations_of('pg_authid');
SELECT pg_temp.relations_of('door.posts');
SELECT relation::regclass, mode FROM pg_locks
 WHERE relation IN ('pg_authid'::regclass, 'door.posts'::regclass)
   AND pid = pg_backend_pid() ORDER BY 1;
ROLLBACK;

-- The same gap for the operators and types forge's SQL names by schema:
-- a citext column compares with OPERATOR(door_ext.=), and createMany
-- names its type door_ext.citext.  Without USAGE on door_ext, eve is
-- refused whether or not the superuser cached the shape first.
CREATE SCHEMA door_ext;
CREATE EXTENSION citext SCHEMA door_ext;
CREATE TABLE door.people (id int PRIMARY KEY, email door_ext.citext UNIQUE,
                          n int, manager door_ext.citext REFERENCES door.people (email));
INSERT INTO door.people VALUES (1, 'Ada@x', 0, NULL), (2, 'Bob@x', 0, 'ada@x');
GRANT ALL ON door.people TO regress_forge_eve;
SELECT door.try('forge_update', 'door.people', '{"where": {"email": "ada@x"}, "data": {"n": 1}}');
SELECT door.try('forge_create_many', 'door.people', '{"data": [{"id": 3, "email": "cy@x"}]}');
SELECT door.try('forge_update', 'door.people', '{"where": {"id": 2}, "data": {}, "include": {"people_manager_fkey": true}}');
SET ROLE regress_forge_eve;
SELECT door.try('forge_update', 'door.people', '{"where": {"email": "ada@x"}, "data": {"n": 2}}');
SELECT door.try('forge_create_many', 'door.people', '{"data": [{"id": 4, "email": "di@x"}]}');
SELECT door.try('forge_update', 'door.people', '{"where": {"id": 2}, "data": {}, "include": {"people_manager_fkey": true}}');
-- Columns whose operators are pg_catalog's need nothing more.
SELECT door.try('forge_update', 'door.people', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}');
RESET ROLE;
SELECT id, email, n FROM door.people ORDER BY id;

SET client_min_messages = warning;
DROP SCHEMA door_ext CASCADE;
DROP SCHEMA door, door_hidden CASCADE;
RESET client_min_messages;
DROP ROLE regress_forge_eve;
DROP ROLE regress_forge_readers;
