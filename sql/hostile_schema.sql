--
-- hostile_schema: a role with CREATE on a schema that forge's statements
-- name must not get its own functions or operators run by forge's callers.
--
-- The extension lives in public, with citext (a type whose operators live
-- in public, not pg_catalog).  regress_forge_hostile has CREATE on public,
-- as the database owner has on PostgreSQL 14 and older, and creates there
-- every overload that could out-match what forge's generated SQL and its
-- install script's functions call: operators on a domain over citext that
-- match a domain-typed column more exactly than citext's own, the 0.1.0
-- upsert marker with an exact type, operators and functions of the names
-- forge calls, and an overload of the outbox helper the install script
-- calls.  Each trap records that it ran in hs_trapped.  Then the superuser
-- runs every kind of forge statement on tables with such columns: no trap
-- may run, and every call works.
--
SET client_min_messages = warning;
CREATE EXTENSION citext;
RESET client_min_messages;
CREATE ROLE regress_forge_hostile;
GRANT CREATE ON SCHEMA public TO regress_forge_hostile;
CREATE TABLE hs_trapped (trap text);
GRANT INSERT ON hs_trapped TO PUBLIC;

-- A domain over citext, as a key and as a foreign key.
CREATE DOMAIN hs_email AS citext;
CREATE TABLE hs_users (id hs_email PRIMARY KEY, name text, n int NOT NULL DEFAULT 0);
CREATE TABLE hs_posts (id int PRIMARY KEY, author hs_email REFERENCES hs_users, title text);
CREATE TABLE hs_tags (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label hs_email UNIQUE);

--
-- The hostile role sets its traps.
--
SET ROLE regress_forge_hostile;
CREATE FUNCTION hs_trap(name text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.hs_trapped VALUES (name);
    RETURN true;
END $$;
-- comparisons of a domain column: exact matches for (domain, citext) and
-- (domain, domain), which beat citext's own (citext, citext)
CREATE FUNCTION hs_dc(hs_email, citext) RETURNS bool LANGUAGE sql
    AS $$ SELECT hs_trap('compare hs_email with citext') $$;
CREATE FUNCTION hs_dd(hs_email, hs_email) RETURNS bool LANGUAGE sql
    AS $$ SELECT hs_trap('compare hs_email with hs_email') $$;
CREATE OPERATOR public.= (LEFTARG = hs_email, RIGHTARG = citext, FUNCTION = hs_dc);
CREATE OPERATOR public.< (LEFTARG = hs_email, RIGHTARG = citext, FUNCTION = hs_dc);
CREATE OPERATOR public.<= (LEFTARG = hs_email, RIGHTARG = citext, FUNCTION = hs_dc);
CREATE OPERATOR public.> (LEFTARG = hs_email, RIGHTARG = citext, FUNCTION = hs_dc);
CREATE OPERATOR public.>= (LEFTARG = hs_email, RIGHTARG = citext, FUNCTION = hs_dc);
CREATE OPERATOR public.= (LEFTARG = hs_email, RIGHTARG = hs_email, FUNCTION = hs_dd);
-- the marker 0.1.0's upserts called by name, with exact types
CREATE FUNCTION forge_upsert_mark(integer) RETURNS integer LANGUAGE sql
    AS $$ SELECT CASE WHEN hs_trap('forge_upsert_mark(integer)') THEN $1 END $$;
CREATE FUNCTION forge_upsert_mark(text) RETURNS text LANGUAGE sql
    AS $$ SELECT CASE WHEN hs_trap('forge_upsert_mark(text)') THEN $1 END $$;
-- 0.2.0's marker cannot be replaced or duplicated; an operator of its name
-- on another type is never chosen
CREATE FUNCTION hs_mark_int(integer) RETURNS bool LANGUAGE sql
    AS $$ SELECT hs_trap('<@~@> integer') $$;
CREATE OPERATOR public.<@~@> (RIGHTARG = integer, FUNCTION = hs_mark_int);
CREATE FUNCTION hs_mark_bool(bool) RETURNS bool LANGUAGE sql
    AS $$ SELECT hs_trap('<@~@> bool') $$;
CREATE OPERATOR public.<@~@> (RIGHTARG = bool, FUNCTION = hs_mark_bool);
CREATE FUNCTION forge_upsert_updated(bool) RETURNS bool LANGUAGE sql
    AS $$ SELECT hs_trap('forge_upsert_updated(bool)') $$;
CREATE FUNCTION forge_upsert_updated(bool, int DEFAULT 0) RETURNS bool LANGUAGE sql
    AS $$ SELECT hs_trap('forge_upsert_updated(bool, int)') $$;
-- functions and operators forge calls in pg_catalog, overloaded here
CREATE FUNCTION to_jsonb(hs_email) RETURNS jsonb LANGUAGE sql
    AS $$ SELECT CASE WHEN hs_trap('to_jsonb(hs_email)') THEN '{}'::jsonb END $$;
CREATE FUNCTION jsonb_build_object(text, hs_email) RETURNS jsonb LANGUAGE sql
    AS $$ SELECT CASE WHEN hs_trap('jsonb_build_object(text, hs_email)') THEN '{}'::jsonb END $$;
CREATE FUNCTION hs_concat(jsonb, jsonb) RETURNS jsonb LANGUAGE sql
    AS $$ SELECT CASE WHEN hs_trap('jsonb || jsonb') THEN $1 END $$;
CREATE OPERATOR public.|| (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = hs_concat);
-- the outbox helper forge_outbox_enable called in 0.1.0, made ambiguous
-- (a caller's own call of forge_outbox_disable by name is the caller's to
-- resolve: this overload makes it ambiguous too, so the test drops the
-- table instead)
CREATE FUNCTION forge_outbox_disable(regclass, int DEFAULT 0) RETURNS void LANGUAGE sql
    AS $$ SELECT hs_trap('forge_outbox_disable(regclass, int)') $$;
RESET ROLE;

--
-- The superuser writes through forge; every call works.
--
SELECT forge_outbox_enable('hs_users', true);
SELECT forge_create('hs_users', '{"data": {"id": "Ada@Example.com", "name": "Ada"}}');
SELECT forge_create('hs_posts', '{"data": {"id": 1, "author": "ada@example.com", "title": "Notes"}}');
-- where: =, <, <=, >, >=, in, on the domain column
SELECT forge_update('hs_users', '{"where": {"id": "ADA@example.com"}, "data": {"n": {"increment": 1}}}');
SELECT forge_update_many('hs_users', '{"where": {"id": {"lt": "b", "lte": "b", "gt": "a", "gte": "a"}}, "data": {"n": {"increment": 1}}}');
SELECT forge_update_many('hs_users', '{"where": {"id": {"in": ["ada@example.com"]}}, "data": {"name": "Ada L."}}');
-- upsert, both branches
SELECT forge_upsert('hs_users', '{"where": {"id": "ada@example.com"}, "create": {"name": "x"}, "update": {"n": 10}}');
SELECT forge_upsert('hs_users', '{"where": {"id": "bob@example.com"}, "create": {"name": "Bob"}, "update": {"n": 10}}');
SELECT forge_upsert('hs_users', '{"where": {"id": "bob@example.com"}, "create": {"name": "Bob"}, "update": {"name": "Bob B."}}');
-- an upsert on a key the where cannot copy into the row (an identity)
SELECT forge_create('hs_tags', '{"data": {"label": "a"}}');
SELECT forge_upsert('hs_tags', '{"where": {"id": 1}, "create": {"label": "b"}, "update": {"label": "A"}}');
-- relations: include both ways, and relation filters
SELECT forge_update('hs_users', '{"where": {"id": "ada@example.com"}, "data": {}, "include": {"hs_posts": true}}');
SELECT forge_update('hs_posts', '{"where": {"id": 1}, "data": {}, "include": {"hs_posts_author_fkey": true}}');
SELECT forge_update_many('hs_users', '{"where": {"hs_posts": {"some": {"title": "Notes"}}}, "data": {"n": 0}}');
-- nested writes through the relation
SELECT forge_create('hs_users', '{"data": {"id": "cy@example.com", "hs_posts": {"create": [{"id": 2, "title": "C"}]}}}');
-- delete
SELECT forge_delete('hs_posts', '{"where": {"id": 2}}');
SELECT forge_delete_many('hs_posts', '{"where": {"author": "cy@example.com"}}');
SELECT forge_delete('hs_users', '{"where": {"id": "CY@example.com"}}');
-- the outbox recorded the writes, old and new values of an update included
SELECT event->>'verb' AS verb, event->>'op' AS op, event->'keys' AS keys,
       event ? 'changes' AS changes
FROM forge_outbox WHERE model = 'public.hs_users' ORDER BY id;

-- No trap ran.
SELECT trap, count(*) FROM hs_trapped GROUP BY trap ORDER BY trap;

--
-- Clean up.
--
SET client_min_messages = warning;
DROP TABLE hs_posts, hs_users, hs_tags, hs_trapped;
DELETE FROM forge_outbox WHERE model LIKE 'public.hs_%';
DROP OWNED BY regress_forge_hostile;
DROP ROLE regress_forge_hostile;
DROP DOMAIN hs_email;
DROP EXTENSION citext;
RESET client_min_messages;
