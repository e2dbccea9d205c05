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

-- forge_column_default, which the statement calls, evaluates a default only
-- for a role allowed to INSERT into the column (it would advance the
-- identity's sequence), and only for a column that exists.
SET ROLE forge_adv4_attacker;
SELECT forge_column_default('adv4.t'::regclass, 1::int2, NULL::int);
RESET ROLE;
SELECT forge_column_default('adv4.t'::regclass, 99::int2, NULL::int);
SELECT forge_column_default('adv4.t'::regclass, 2::int2, NULL::text);

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
