-- adversarial4: attacks on what issue 12 added.
\set VERBOSITY terse

-- 1. createMany's DEFAULT for a column some rows leave out.  Prisma sends
-- DEFAULT in a multi-row INSERT; the table's default expression is bound
-- by OID.  forge evaluates the same stored expression (forge_column_default),
-- so a function another role plants in a schema on the caller's
-- search_path, with a better-matching signature than the one the default
-- names (concat(text, text) beside pg_catalog's variadic concat), is never
-- called -- and never runs as the caller.
CREATE ROLE forge_adv4_victim;
CREATE ROLE forge_adv4_attacker;
CREATE SCHEMA adv4 AUTHORIZATION forge_adv4_victim;
GRANT USAGE, CREATE ON SCHEMA adv4 TO forge_adv4_attacker;
SET ROLE forge_adv4_victim;
SET search_path = adv4, public;
CREATE TABLE adv4.t (
	id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	s text DEFAULT concat('a', 'b'),
	a int[] DEFAULT array_append(ARRAY[1], 2),
	tag text);
RESET ROLE;
SET ROLE forge_adv4_attacker;
CREATE FUNCTION adv4.concat(text, text) RETURNS text LANGUAGE plpgsql AS
$$BEGIN RAISE NOTICE 'planted concat ran as %', current_user; RETURN 'pwned'; END$$;
CREATE FUNCTION adv4.array_append(int[], int) RETURNS int[] LANGUAGE plpgsql AS
$$BEGIN RAISE NOTICE 'planted array_append ran as %', current_user; RETURN '{666}'; END$$;
RESET ROLE;
SET ROLE forge_adv4_victim;
SET search_path = adv4, public;
-- no notice: the defaults are pg_catalog's concat and array_append
SELECT forge_create_many('adv4.t', '{"data":[{"tag":"r1"},{"tag":"r2","s":"given","a":[]},{"tag":"r3"}]}');
-- twice: the cached plan too
SELECT forge_create_many('adv4.t', '{"data":[{"tag":"r4"},{"tag":"r5","s":"given"}]}');
SELECT id, s, a, tag FROM adv4.t ORDER BY id;
RESET ROLE;

-- forge_column_default (the operator oid <@~~@> int2 since adversarial5),
-- which the statement calls, evaluates a default only for a role allowed
-- to INSERT into the column (it would advance the identity's sequence),
-- and only for a column that exists.
SET ROLE forge_adv4_attacker;
SELECT forge_column_default('adv4.t'::regclass, 1::int2);
RESET ROLE;
SELECT forge_column_default('adv4.t'::regclass, 99::int2);
SELECT forge_column_default('adv4.t'::regclass, 2::int2);

-- 2. A NOT NULL domain with a default, left out by some rows: the row takes
-- the domain's default, as INSERT does (forge used to read the missing key
-- as a NULL of the domain, which the domain refused).  An explicit null
-- and a value the domain's CHECK refuses are still refused.
CREATE DOMAIN adv4.posint AS int NOT NULL DEFAULT 7 CHECK (VALUE > 0);
CREATE TABLE adv4.d (id int PRIMARY KEY, n adv4.posint);
SELECT forge_create_many('adv4.d', '{"data":[{"id":1,"n":3},{"id":2}]}');
SELECT * FROM adv4.d ORDER BY id;
SELECT forge_create_many('adv4.d', '{"data":[{"id":3},{"id":4,"n":null}]}');
SELECT forge_create_many('adv4.d', '{"data":[{"id":3},{"id":4,"n":-1}]}');
SELECT * FROM adv4.d ORDER BY id;

RESET search_path;
DROP SCHEMA adv4 CASCADE;
DROP ROLE forge_adv4_victim;
DROP ROLE forge_adv4_attacker;

-- 3. An array of a domain over timestamp takes each element's UTC time, as
-- a timestamp[] and a domain over timestamp do (its elements' offsets were
-- dropped: 12:00+02:00 was stored as 12:00), and the domain's CHECK still
-- holds for each element; an integral 1.0 is 1 in an array of a domain over
-- int too.
CREATE SCHEMA adv4;
CREATE DOMAIN adv4.tsd AS timestamp CHECK (VALUE > '2000-01-01');
CREATE DOMAIN adv4.small AS int CHECK (VALUE < 10);
CREATE TABLE adv4.ts (id int PRIMARY KEY, a timestamp[], b adv4.tsd, c adv4.tsd[], n adv4.small[]);
SET TimeZone = 'America/New_York';
SELECT forge_create('adv4.ts', '{"data":{"id":1,"a":["2024-05-01T12:00:00+02:00"],"b":"2024-05-01T12:00:00+02:00","c":["2024-05-01T12:00:00+02:00"],"n":[1.0]}}');
SELECT forge_create_many('adv4.ts', '{"data":[{"id":2,"c":["2024-05-01T12:00:00+02:00"],"n":[2.0]},{"id":3}]}');
SELECT forge_update('adv4.ts', '{"where":{"id":3},"data":{"c":{"push":"2024-05-01T12:00:00+02:00"}}}');
SELECT forge_update_many('adv4.ts', '{"where":{"c":{"has":"2024-05-01T12:00:00+02:00"}},"data":{"n":{"push":3}}}');
SELECT forge_create('adv4.ts', '{"data":{"id":4,"c":["1999-05-01T12:00:00+02:00"]}}');
SELECT forge_create_many('adv4.ts', '{"data":[{"id":4,"c":["1999-05-01T12:00:00+02:00"]}]}');
SELECT forge_create('adv4.ts', '{"data":{"id":4,"n":[10.0]}}');
SELECT * FROM adv4.ts ORDER BY id;
RESET TimeZone;
DROP SCHEMA adv4 CASCADE;

-- 4. include {"_count": ...} on a table with a column named _count: include
-- returns every column, so the counts would replace the column's value in
-- the result without a word.  It is 42710, as a relation name that is a
-- column is; in select, "_count" is the column.
CREATE SCHEMA adv4;
CREATE TABLE adv4.p (id int PRIMARY KEY, _count int);
CREATE TABLE adv4.c (id int PRIMARY KEY, p_id int REFERENCES adv4.p);
INSERT INTO adv4.p VALUES (1, 5);
INSERT INTO adv4.c VALUES (1, 1), (2, 1);
\set VERBOSITY default
SELECT forge_update('adv4.p', '{"where": {"id": 1}, "data": {}, "include": {"_count": true}}');
\set VERBOSITY terse
SELECT forge_update('adv4.c', '{"where": {"id": 1}, "data": {}, "include": {"p": {"include": {"_count": true}}}}');
SELECT forge_update('adv4.p', '{"where": {"id": 1}, "data": {}, "include": {"_count": false}}');
SELECT forge_update('adv4.p', '{"where": {"id": 1}, "data": {}, "select": {"_count": true}}');
DROP SCHEMA adv4 CASCADE;

-- 5. A relation's name declared in another role's foreign-key comment.  The
-- owner of the table holding a key can comment on it; a role allowed only
-- to REFERENCES the victim's table declared "@foreignFieldName posts" on
-- its own key, the victim's relation "posts" lost its name, and the
-- victim's nested create by that name wrote into the other role's table.
-- A name declared for a relation of another table now counts only if the
-- commenting table's owner has the privileges of that table's owner.
CREATE ROLE forge_adv4_victim;
CREATE ROLE forge_adv4_attacker;
CREATE SCHEMA adv4v AUTHORIZATION forge_adv4_victim;
CREATE SCHEMA adv4a AUTHORIZATION forge_adv4_attacker;
GRANT USAGE ON SCHEMA adv4v TO forge_adv4_attacker;
GRANT USAGE ON SCHEMA adv4a TO forge_adv4_victim;
SET ROLE forge_adv4_victim;
CREATE TABLE adv4v.users (id int PRIMARY KEY, name text);
CREATE TABLE adv4v.posts (id serial PRIMARY KEY, user_id int REFERENCES adv4v.users, body text);
-- the victim's own declared name counts (same owner)
CREATE TABLE adv4v.notes (id serial PRIMARY KEY, user_id int REFERENCES adv4v.users, body text);
COMMENT ON CONSTRAINT notes_user_id_fkey ON adv4v.notes IS '@foreignFieldName memos';
GRANT REFERENCES ON adv4v.users TO forge_adv4_attacker;
RESET ROLE;
SET ROLE forge_adv4_attacker;
CREATE TABLE adv4a.loot (id serial PRIMARY KEY, user_id int REFERENCES adv4v.users, body text);
GRANT SELECT, INSERT ON adv4a.loot TO forge_adv4_victim;
GRANT USAGE ON SEQUENCE adv4a.loot_id_seq TO forge_adv4_victim;
COMMENT ON CONSTRAINT loot_user_id_fkey ON adv4a.loot IS '@foreignFieldName posts';
RESET ROLE;
SET ROLE forge_adv4_victim;
SELECT name, constraint_name, target, declared_name FROM forge_relations('adv4v.users') ORDER BY constraint_name;
SELECT forge_create('adv4v.users', '{"data": {"id": 1, "name": "v", "posts": {"create": {"body": "secret"}}, "memos": {"create": {"body": "memo"}}}}');
RESET ROLE;
SELECT user_id, body FROM adv4v.posts;
SELECT user_id, body FROM adv4v.notes;
SELECT count(*) AS loot FROM adv4a.loot;
DROP SCHEMA adv4a CASCADE;
DROP SCHEMA adv4v CASCADE;
DROP ROLE forge_adv4_victim;
DROP ROLE forge_adv4_attacker;

-- 6. A relation addressed by its constraint's name, when another role's
-- table has a key to the same table under the same constraint name (names
-- are unique per table only).  A table a.posts referencing v.users takes
-- the default name "posts" from v.posts (neither has it), and both keys are
-- "posts_user_id_fkey": forge took the first it found -- the other role's
-- when its key was older -- and the victim's nested create went there.
-- Since adversarial5, a key of another role's table takes neither the name
-- nor the address from the victim's own relation; keys of two tables of
-- the victim that share a constraint name make that address 42710, naming
-- both tables.
CREATE ROLE forge_adv4_victim;
CREATE ROLE forge_adv4_attacker;
CREATE SCHEMA adv4v AUTHORIZATION forge_adv4_victim;
CREATE SCHEMA adv4a AUTHORIZATION forge_adv4_attacker;
GRANT USAGE ON SCHEMA adv4v TO forge_adv4_attacker;
GRANT USAGE ON SCHEMA adv4a TO forge_adv4_victim;
SET ROLE forge_adv4_victim;
CREATE TABLE adv4v.users (id int PRIMARY KEY, name text);
GRANT REFERENCES ON adv4v.users TO forge_adv4_attacker;
RESET ROLE;
SET ROLE forge_adv4_attacker;
CREATE TABLE adv4a.posts (id serial PRIMARY KEY, user_id int REFERENCES adv4v.users, body text);
GRANT SELECT, INSERT ON adv4a.posts TO forge_adv4_victim;
GRANT USAGE ON SEQUENCE adv4a.posts_id_seq TO forge_adv4_victim;
RESET ROLE;
SET ROLE forge_adv4_victim;
CREATE TABLE adv4v.posts (id serial PRIMARY KEY, user_id int REFERENCES adv4v.users, body text);
SELECT name, constraint_name, target FROM forge_relations('adv4v.users') ORDER BY target;
SELECT forge_create('adv4v.users', '{"data": {"id": 1, "name": "v", "posts_user_id_fkey": {"create": {"body": "secret"}}}}');
SELECT forge_update_many('adv4v.users', '{"where": {"posts_user_id_fkey": {"some": {}}}, "data": {}}');
-- a second table of the victim's with a key of the same name
RESET ROLE;
CREATE SCHEMA adv4w AUTHORIZATION forge_adv4_victim;
SET ROLE forge_adv4_victim;
CREATE TABLE adv4w.posts (id serial PRIMARY KEY, user_id int REFERENCES adv4v.users, body text);
\set VERBOSITY default
SELECT forge_create('adv4v.users', '{"data": {"id": 2, "name": "v", "posts_user_id_fkey": {"create": {"body": "secret"}}}}');
\set VERBOSITY terse
SELECT forge_update_many('adv4v.users', '{"where": {"posts_user_id_fkey": {"some": {}}}, "data": {}}');
-- the victim's own relation by a name it declares
COMMENT ON CONSTRAINT posts_user_id_fkey ON adv4v.posts IS '@foreignFieldName posts';
SELECT forge_create('adv4v.users', '{"data": {"id": 3, "name": "v", "posts": {"create": {"body": "secret"}}}}');
RESET ROLE;
SELECT 'v' AS schema, user_id, body FROM adv4v.posts UNION ALL SELECT 'w', user_id, body FROM adv4w.posts
  UNION ALL SELECT 'a', user_id, body FROM adv4a.posts;
DROP SCHEMA adv4w CASCADE;
DROP SCHEMA adv4a CASCADE;
DROP SCHEMA adv4v CASCADE;
DROP ROLE forge_adv4_victim;
DROP ROLE forge_adv4_attacker;
