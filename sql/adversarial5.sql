-- adversarial5: a role that may only REFERENCES another role's tables, and
-- the rest of a breaker's pass over issue 12.
\set VERBOSITY terse
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

-- 1. Default relation names taken away by another role's key.  Where two
-- relations would get one default name, neither takes it.  A role allowed
-- only to REFERENCES the victim's "users" made its own table "posts" with
-- a key to it: "users" had two to-many relations called "posts", and the
-- victim's nested create, include and relation filter by "posts" failed
-- (42703: no such column or relation).  A relation whose key is held by a
-- table whose owner lacks the privileges of the table's owner now takes no
-- name from the table's own relations (it keeps no name), nor their
-- constraint names or addresses.
CREATE ROLE regress_adv5_victim;
CREATE ROLE regress_adv5_attacker;
CREATE ROLE regress_adv5_team;
GRANT regress_adv5_victim TO regress_adv5_team;
CREATE SCHEMA adv5v AUTHORIZATION regress_adv5_victim;
CREATE SCHEMA adv5a AUTHORIZATION regress_adv5_attacker;
CREATE SCHEMA adv5t AUTHORIZATION regress_adv5_team;
GRANT USAGE ON SCHEMA adv5v TO regress_adv5_attacker, regress_adv5_team;
GRANT USAGE ON SCHEMA adv5a, adv5t TO regress_adv5_victim;
SET ROLE regress_adv5_victim;
CREATE TABLE adv5v.users (id int PRIMARY KEY, name text,
  invited_by_id int REFERENCES adv5v.users);
CREATE TABLE adv5v.posts (id serial PRIMARY KEY, author_id int REFERENCES adv5v.users, body text);
CREATE TABLE adv5v.profiles (id serial PRIMARY KEY, user_id int UNIQUE REFERENCES adv5v.users, bio text);
CREATE TABLE adv5v.tags (id serial PRIMARY KEY, name text UNIQUE);
CREATE TABLE adv5v.post_tags (post_id int REFERENCES adv5v.posts, tag_id int REFERENCES adv5v.tags,
  PRIMARY KEY (post_id, tag_id));
CREATE TABLE adv5v.events (id int, user_id int REFERENCES adv5v.users, at date)
  PARTITION BY RANGE (at);
CREATE TABLE adv5v.events_2024 PARTITION OF adv5v.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
GRANT REFERENCES ON adv5v.users, adv5v.posts, adv5v.tags TO regress_adv5_attacker, regress_adv5_team;
RESET ROLE;
SET ROLE regress_adv5_attacker;
-- to-many "posts", one-to-one "profiles", partitioned "events", self "users"
CREATE TABLE adv5a.posts (id serial PRIMARY KEY, author_id int REFERENCES adv5v.users, body text);
CREATE TABLE adv5a.profiles (id serial PRIMARY KEY, user_id int UNIQUE REFERENCES adv5v.users);
CREATE TABLE adv5a.events (id int, user_id int REFERENCES adv5v.users, at date) PARTITION BY RANGE (at);
CREATE TABLE adv5a.users (id int PRIMARY KEY REFERENCES adv5v.users);
-- "author", the to-one of the victim's posts; a table named after the
-- victim's constraint; many-to-many "tags" through its own join table
CREATE TABLE adv5a.author (id serial PRIMARY KEY, post_id int REFERENCES adv5v.posts);
CREATE TABLE adv5a.post_tags_tag_id_fkey (id serial PRIMARY KEY, post_id int REFERENCES adv5v.posts);
CREATE TABLE adv5a.tags (id serial PRIMARY KEY, name text UNIQUE);
CREATE TABLE adv5a.pt (post_id int REFERENCES adv5v.posts, tag_id int REFERENCES adv5a.tags,
  PRIMARY KEY (post_id, tag_id));
-- a key named as the victim's many-to-many's constraint, and as the address
-- by which a tag finds its way back to a post through the victim's join table
CREATE TABLE adv5a.x (id serial PRIMARY KEY, post_id int,
  CONSTRAINT post_tags_tag_id_fkey FOREIGN KEY (post_id) REFERENCES adv5v.posts);
CREATE TABLE adv5a.y (id serial PRIMARY KEY, tag_id int,
  CONSTRAINT "post_tags.post_tags_post_id_fkey" FOREIGN KEY (tag_id) REFERENCES adv5v.tags);
INSERT INTO adv5a.y (tag_id) SELECT NULL;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA adv5a TO regress_adv5_victim;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA adv5a TO regress_adv5_victim;
RESET ROLE;
SET ROLE regress_adv5_victim;
SET search_path = adv5v, public;
-- the victim's relations keep their names; the other role's have none
SELECT name, kind, constraint_name, target FROM forge_relations('users') ORDER BY target::text, kind;
SELECT name, kind, constraint_name, target, join_table FROM forge_relations('posts') ORDER BY target::text, kind;
SELECT forge_create('users', '{"data": {"id": 1, "name": "ada",
  "posts": {"create": {"body": "notes", "tags": {"create": {"name": "math"}}}},
  "profiles": {"create": {"bio": "first"}},
  "events": {"create": {"id": 1, "at": "2024-05-01"}},
  "users": {"create": {"id": 2, "name": "bob"}}},
  "include": {"posts": {"include": {"tags": true, "author": true}}, "profiles": true, "events": true,
              "users": true, "_count": true}}');
SELECT forge_update_many('users', '{"where": {"posts": {"some": {"tags": {"some": {"name": "math"}}}}}, "data": {"name": "ada2"}}');
-- addressed by their constraint names, the victim's relations again
SELECT forge_update('users', '{"where": {"id": 2}, "data": {"posts_author_id_fkey": {"create": {"body": "bob"}}},
  "include": {"posts_author_id_fkey": true}}');
SELECT forge_update('posts', '{"where": {"id": 1}, "data": {"post_tags_tag_id_fkey": {"create": {"name": "logic"}}},
  "include": {"post_tags_tag_id_fkey": true}}');
-- through the victim's join table, back from each tag: only the post's tags
-- (post 2 has none; the other role's key named as that way back is not it)
SELECT forge_update('posts', '{"where": {"id": 2}, "data": {"tags": {"updateMany": {"where": {}, "data": {"name": {"set": "t"}}}}}}');
SELECT forge_update('posts', '{"where": {"id": 2}, "data": {"tags": {"deleteMany": {}}}}');
SELECT forge_update('posts', '{"where": {"id": 1}, "data": {"tags": {"updateMany": {"where": {"name": "logic"}, "data": {"name": {"set": "logic2"}}}}}}');
RESET ROLE;
SELECT 'v' AS s, id, author_id, body FROM adv5v.posts UNION ALL SELECT 'a', id, author_id, body FROM adv5a.posts ORDER BY 1, 2;
SELECT * FROM adv5v.tags ORDER BY id;
SELECT (SELECT count(*) FROM adv5a.profiles) AS a_profiles, (SELECT count(*) FROM adv5a.events) AS a_events,
       (SELECT count(*) FROM adv5a.users) AS a_users, (SELECT count(*) FROM adv5a.pt) AS a_pt,
       (SELECT count(*) FROM adv5a.x) AS a_x, (SELECT count(*) FROM adv5a.post_tags_tag_id_fkey) AS a_ptf;
-- two relations whose keys are not trusted still clash with each other, and
-- an address they share is still 42710 (a relation of the other role's is
-- reached by a constraint name no trusted relation has)
SET ROLE regress_adv5_attacker;
CREATE TABLE adv5a.notes (id serial PRIMARY KEY, user_id int REFERENCES adv5v.users);
CREATE TABLE adv5a.notes2 (id serial PRIMARY KEY, user_id int,
  CONSTRAINT notes_user_id_fkey FOREIGN KEY (user_id) REFERENCES adv5v.users);
GRANT SELECT ON adv5a.notes, adv5a.notes2 TO regress_adv5_victim;
RESET ROLE;
SET ROLE regress_adv5_victim;
SELECT name, constraint_name, target FROM forge_relations('users') WHERE target::text LIKE '%notes%' ORDER BY target::text;
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {}, "include": {"notes_user_id_fkey": true}}')$$);
-- a member of the owner's role is trusted: its table clashes as the
-- owner's own would, and its comment names its relation
RESET ROLE;
SET ROLE regress_adv5_team;
CREATE TABLE adv5t.posts (id serial PRIMARY KEY, author_id int REFERENCES adv5v.users);
CREATE TABLE adv5t.memos (id serial PRIMARY KEY, user_id int REFERENCES adv5v.users);
COMMENT ON CONSTRAINT memos_user_id_fkey ON adv5t.memos IS '@foreignFieldName memos';
RESET ROLE;
SET ROLE regress_adv5_victim;
SELECT name, constraint_name, target FROM forge_relations('users')
 WHERE target IN ('adv5v.posts'::regclass, 'adv5t.posts', 'adv5a.posts', 'adv5t.memos') ORDER BY target::text;
RESET ROLE;
RESET search_path;
DROP SCHEMA adv5t CASCADE;
DROP SCHEMA adv5a CASCADE;
DROP SCHEMA adv5v CASCADE;
DROP ROLE regress_adv5_team;
DROP ROLE regress_adv5_victim;
DROP ROLE regress_adv5_attacker;

-- 2. createMany's DEFAULT of a column some rows leave out was a call of
-- forge_column_default(oid, int2, anyelement) by name, with a NULL of the
-- column's type choosing the result's type.  A role with CREATE on the
-- extension's schema added forge_column_default(oid, int2, text): an exact
-- match beats a polymorphic one, so createMany called it, as the caller,
-- and stored what it returned.  The default now comes from the operator
-- oid <@~~@> int2 (an exact operator match is looked up directly; a schema
-- holds one operator of a name and argument types), as text that the
-- statement casts to the column's type: a float keeps all its digits
-- whatever extra_float_digits the caller set.
CREATE ROLE regress_adv5_attacker;
GRANT CREATE ON SCHEMA public TO regress_adv5_attacker;
SET ROLE regress_adv5_attacker;
CREATE FUNCTION public.forge_column_default(oid, int2, text) RETURNS text LANGUAGE plpgsql AS
$$BEGIN RAISE NOTICE 'planted forge_column_default ran as %', current_user; RETURN 'pwned'; END$$;
CREATE FUNCTION public.forge_column_default(oid, int2, int DEFAULT 0) RETURNS text LANGUAGE plpgsql AS
$$BEGIN RAISE NOTICE 'planted forge_column_default ran as %', current_user; RETURN 'pwned'; END$$;
CREATE FUNCTION public.adv5_mark(oid, int2) RETURNS text LANGUAGE sql AS $$ SELECT 'pwned' $$;
CREATE OPERATOR public.<@~~@> (LEFTARG = oid, RIGHTARG = int2, FUNCTION = public.adv5_mark);
RESET ROLE;
CREATE SCHEMA adv5;
CREATE TABLE adv5.d (id int PRIMARY KEY, s text DEFAULT 'dflt', f float8 DEFAULT pi(),
  r real DEFAULT 0.1, at timestamptz DEFAULT '2024-05-01 12:00+02', a int[] DEFAULT '{1,2}',
  n serial);
SET extra_float_digits = -15;
SELECT forge_create_many('adv5.d', '{"data": [{"id": 1}, {"id": 2, "s": "given", "f": 1, "r": 1, "at": "2000-01-01T00:00:00Z", "a": [], "n": 10}]}');
RESET extra_float_digits;
SELECT id, s, f = pi() AS f_is_pi, r = 0.1::real AS r_is_0_1, at, a, n FROM adv5.d ORDER BY id;
DROP SCHEMA adv5 CASCADE;
DROP FUNCTION public.forge_column_default(oid, int2, text);
DROP FUNCTION public.forge_column_default(oid, int2, int);
DROP FUNCTION public.adv5_mark(oid, int2);
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM regress_adv5_attacker;
DROP ROLE regress_adv5_attacker;

-- 3. A type name without its typmod.  forge cast a value to a column's or
-- an operator's type as format_type printed it, and "bit" and "character"
-- printed so mean bit(1) and char(1): createMany's default of a char(3) or
-- bit(3) column some rows leave out was cut to its first character
-- ('abc' stored as 'a  ', B'101' refused), and a relation through a key
-- whose equality is outside pg_catalog (a unique index with its own
-- operator class) compared only the first character of char(3) keys, so a
-- relation filter matched other rows and wrote them.  The casts now name
-- the type without a typmod.
CREATE SCHEMA adv5;
CREATE TABLE adv5.ch (id int PRIMARY KEY, c char(3) DEFAULT 'abc', b bit(3) DEFAULT B'101', s text);
SELECT forge_create_many('adv5.ch', '{"data": [{"id": 1, "s": "x"}, {"id": 2}]}');
SELECT forge_create_many('adv5.ch', '{"data": [{"id": 3, "c": "xy", "b": "111"}, {"id": 4}]}');
SELECT * FROM adv5.ch ORDER BY id;
CREATE FUNCTION adv5.eq(bpchar, bpchar) RETURNS bool LANGUAGE internal IMMUTABLE STRICT AS 'bpchareq';
CREATE FUNCTION adv5.lt(bpchar, bpchar) RETURNS bool LANGUAGE internal IMMUTABLE STRICT AS 'bpcharlt';
CREATE FUNCTION adv5.le(bpchar, bpchar) RETURNS bool LANGUAGE internal IMMUTABLE STRICT AS 'bpcharle';
CREATE FUNCTION adv5.gt(bpchar, bpchar) RETURNS bool LANGUAGE internal IMMUTABLE STRICT AS 'bpchargt';
CREATE FUNCTION adv5.ge(bpchar, bpchar) RETURNS bool LANGUAGE internal IMMUTABLE STRICT AS 'bpcharge';
CREATE FUNCTION adv5.cmp(bpchar, bpchar) RETURNS int LANGUAGE internal IMMUTABLE STRICT AS 'bpcharcmp';
CREATE OPERATOR adv5.= (LEFTARG = bpchar, RIGHTARG = bpchar, FUNCTION = adv5.eq,
  COMMUTATOR = OPERATOR(adv5.=), RESTRICT = eqsel, JOIN = eqjoinsel, MERGES);
CREATE OPERATOR adv5.< (LEFTARG = bpchar, RIGHTARG = bpchar, FUNCTION = adv5.lt);
CREATE OPERATOR adv5.<= (LEFTARG = bpchar, RIGHTARG = bpchar, FUNCTION = adv5.le);
CREATE OPERATOR adv5.> (LEFTARG = bpchar, RIGHTARG = bpchar, FUNCTION = adv5.gt);
CREATE OPERATOR adv5.>= (LEFTARG = bpchar, RIGHTARG = bpchar, FUNCTION = adv5.ge);
CREATE OPERATOR CLASS adv5.bp_ops FOR TYPE bpchar USING btree AS
  OPERATOR 1 adv5.<, OPERATOR 2 adv5.<=, OPERATOR 3 adv5.=, OPERATOR 4 adv5.>=, OPERATOR 5 adv5.>,
  FUNCTION 1 adv5.cmp(bpchar, bpchar);
CREATE TABLE adv5.parent (code char(3) NOT NULL, name text);
CREATE UNIQUE INDEX parent_code ON adv5.parent (code adv5.bp_ops);
CREATE TABLE adv5.child (id int PRIMARY KEY, code char(3) REFERENCES adv5.parent (code), n int DEFAULT 0);
INSERT INTO adv5.parent VALUES ('abc', 'ABC'), ('abd', 'ABD');
INSERT INTO adv5.child (id, code) VALUES (1, 'abc'), (2, 'abd');
SELECT forge_update('adv5.child', '{"where": {"id": 1}, "data": {}, "include": {"child_code_fkey": true}}');
SELECT forge_update_many('adv5.child', '{"where": {"child_code_fkey": {"name": "ABD"}}, "data": {"n": {"increment": 1}}}');
SELECT * FROM adv5.child ORDER BY id;
DROP SCHEMA adv5 CASCADE;

-- 4. The way back of a many-to-many.  A nested update, delete or upsert
-- through posts.tags selects the tags linked to this post by the join
-- table: forge found that relation of tags by its address
-- "post_tags.post_tags_post_id_fkey", which another role's join table
-- called post_tags in its own schema has too (both untrusted when a third
-- role owns tags), and took the first it found: the other role's links
-- chose which tags the owner's nested updateMany changed.  forge now finds
-- its own way back by the key's identity, not by a name.
CREATE ROLE regress_adv5_victim;
CREATE ROLE regress_adv5_other;
CREATE ROLE regress_adv5_attacker;
CREATE SCHEMA adv5v AUTHORIZATION regress_adv5_victim;
CREATE SCHEMA adv5o AUTHORIZATION regress_adv5_other;
CREATE SCHEMA adv5a AUTHORIZATION regress_adv5_attacker;
GRANT USAGE ON SCHEMA adv5v, adv5o TO regress_adv5_victim, regress_adv5_attacker;
SET ROLE regress_adv5_other;
CREATE TABLE adv5o.tags (id int PRIMARY KEY, name text);
INSERT INTO adv5o.tags VALUES (1, 'linked'), (2, 'not linked');
GRANT SELECT, UPDATE, REFERENCES ON adv5o.tags TO regress_adv5_victim;
GRANT REFERENCES ON adv5o.tags TO regress_adv5_attacker;
RESET ROLE;
SET ROLE regress_adv5_victim;
CREATE TABLE adv5v.posts (id int PRIMARY KEY);
INSERT INTO adv5v.posts VALUES (1);
GRANT REFERENCES ON adv5v.posts TO regress_adv5_attacker;
RESET ROLE;
SET ROLE regress_adv5_attacker;
CREATE TABLE adv5a.post_tags (post_id int REFERENCES adv5v.posts, tag_id int REFERENCES adv5o.tags,
  PRIMARY KEY (post_id, tag_id));
INSERT INTO adv5a.post_tags VALUES (1, 2);
GRANT USAGE ON SCHEMA adv5a TO regress_adv5_victim;
GRANT SELECT ON adv5a.post_tags TO regress_adv5_victim;
RESET ROLE;
SET ROLE regress_adv5_victim;
CREATE TABLE adv5v.post_tags (post_id int REFERENCES adv5v.posts, tag_id int REFERENCES adv5o.tags,
  PRIMARY KEY (post_id, tag_id));
INSERT INTO adv5v.post_tags VALUES (1, 1);
SELECT forge_update('adv5v.posts', '{"where": {"id": 1}, "data": {"tags": {"updateMany": {"where": {}, "data": {"name": "changed"}}}},
  "include": {"tags": true}}');
SELECT forge_update('adv5v.posts', '{"where": {"id": 1}, "data": {"tags": {"update": {"where": {"id": 2}, "data": {"name": "changed"}}}}}');
RESET ROLE;
SELECT * FROM adv5o.tags ORDER BY id;
DROP SCHEMA adv5a CASCADE;
DROP SCHEMA adv5v CASCADE;
DROP SCHEMA adv5o CASCADE;
DROP ROLE regress_adv5_victim;
DROP ROLE regress_adv5_other;
DROP ROLE regress_adv5_attacker;

-- 5. A many-to-many's address "join_table.constraint" is shared by join
-- tables of one name, with keys of one name, in two schemas.  forge took
-- the first it found; now, as for a constraint name that keys of two
-- tables share (adversarial4), it is 42710 naming both join tables.
CREATE SCHEMA adv5;
CREATE SCHEMA adv5w;
CREATE TABLE adv5.posts (id int PRIMARY KEY);
CREATE TABLE adv5.tags (id int PRIMARY KEY, name text);
CREATE TABLE adv5.post_tags (post_id int REFERENCES adv5.posts, tag_id int REFERENCES adv5.tags,
  PRIMARY KEY (post_id, tag_id));
CREATE TABLE adv5w.post_tags (post_id int REFERENCES adv5.posts, tag_id int REFERENCES adv5.tags,
  PRIMARY KEY (post_id, tag_id));
INSERT INTO adv5.posts VALUES (1);
SELECT name, kind, join_table FROM forge_relations('adv5.posts') WHERE kind = 'many-to-many' ORDER BY join_table::text;
SELECT err($$forge_update('adv5.posts', '{"where": {"id": 1}, "data": {"post_tags.post_tags_tag_id_fkey": {"create": {"id": 1}}}}')$$);
SELECT count(*) AS tags FROM adv5.tags;
DROP SCHEMA adv5w CASCADE;
DROP SCHEMA adv5 CASCADE;
DROP FUNCTION err(text);
