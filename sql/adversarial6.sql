-- adversarial6: a breaker's pass over the one-to-one let-go, the unique-key
-- read's enable_seqscan, and createMany's left-out defaults.
\set VERBOSITY terse
-- err() runs a call and prints SQLSTATE: message.
CREATE FUNCTION err(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text;
BEGIN
  EXECUTE 'SELECT ' || call;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN st || ': ' || msg;
END $$;
-- the tables live in a schema of their own (the suite's database has "users")
CREATE SCHEMA adv6;
SET search_path = adv6, public;

-- model User     { id, email @unique, profile Profile?, passport Passport? }
-- model Profile  { id, bio, userId Int @unique, user User }         (required key)
-- model Passport { id, number, userId Int? @unique, user User? }    (optional key)
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE profiles (id serial PRIMARY KEY, bio text NOT NULL,
                       user_id int NOT NULL UNIQUE REFERENCES users);
CREATE TABLE passports (id serial PRIMARY KEY, number text NOT NULL,
                        user_id int UNIQUE REFERENCES users);
COMMENT ON CONSTRAINT profiles_user_id_fkey ON profiles IS E'@fieldName user\n@foreignFieldName profile';
COMMENT ON CONSTRAINT passports_user_id_fkey ON passports IS E'@fieldName user\n@foreignFieldName passport';
INSERT INTO users (email) VALUES ('ada@x'), ('bob@x'), ('cy@x');

-- 1. A one-to-one create, connect or connectOrCreate lets the row that held
-- the key go (Prisma does), by an UPDATE of that row's key.  That UPDATE ran
-- for every such write, so a role allowed to INSERT (and read) but not to
-- UPDATE the key's table could no longer create a row that no other row was
-- in the way of: 42501 for a create that a plain INSERT makes.  Now the
-- let-go runs only for a role that may read and update the key columns; a
-- role that may not meets the unique key as a plain INSERT would (23505).
CREATE ROLE regress_adv6_writer;
GRANT USAGE ON SCHEMA adv6 TO regress_adv6_writer;
GRANT SELECT, INSERT ON users, profiles, passports TO regress_adv6_writer;
GRANT UPDATE ON users TO regress_adv6_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA adv6 TO regress_adv6_writer;
SET ROLE regress_adv6_writer;
-- from the key side: nobody holds Ada's key yet
SELECT forge_create('passports', '{"data": {"number": "P1", "user": {"connect": {"id": 1}}}}');
SELECT forge_create('profiles', '{"data": {"bio": "math", "user": {"connect": {"id": 1}}}}');
-- from the other side: Bob has neither
SELECT forge_update('users', '{"where": {"id": 2}, "data": {"passport": {"create": {"number": "P2"}}}}');
SELECT forge_update('users', '{"where": {"id": 2}, "data": {"profile": {"create": {"bio": "art"}}}}');
-- a row that holds the key cannot be let go by this role: the unique key says so
SELECT err($$forge_create('passports', '{"data": {"number": "P3", "user": {"connect": {"id": 1}}}}')$$);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {"profile": {"create": {"bio": "again"}}}}')$$);
RESET ROLE;
-- a grant on the key column is enough: the old passport lets go
GRANT UPDATE (user_id) ON passports TO regress_adv6_writer;
SET ROLE regress_adv6_writer;
SELECT forge_create('passports', '{"data": {"number": "P3", "user": {"connect": {"id": 1}}}}');
RESET ROLE;
SELECT id, number, user_id FROM passports ORDER BY id;
SELECT id, bio, user_id FROM profiles ORDER BY id;

-- 2. The read by a unique key (a nested connect) runs with enable_seqscan
-- off at a GUC level of its own.  A policy that raises inside it, caught by
-- a savepoint or an exception block, leaves the caller's setting as it was;
-- a caller's SET LOCAL stays; the policy sees the read's setting.
CREATE FUNCTION adv6_policy(id int) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
  IF id = 3 THEN
    RAISE EXCEPTION 'policy refuses % (enable_seqscan %)', id, current_setting('enable_seqscan');
  END IF;
  RETURN true;
END $$;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY adv6 ON users USING (adv6_policy(id));
GRANT UPDATE ON passports TO regress_adv6_writer;
SET ROLE regress_adv6_writer;
BEGIN;
SAVEPOINT s;
SELECT forge_create('passports', '{"data": {"number": "P4", "user": {"connect": {"id": 3}}}}');
ROLLBACK TO s;
SHOW enable_seqscan;
SELECT err($$forge_create('passports', '{"data": {"number": "P4", "user": {"connect": {"id": 3}}}}')$$);
SHOW enable_seqscan;
SET LOCAL enable_seqscan = off;
SELECT forge_create('passports', '{"data": {"number": "P4", "user": {"connect": {"id": 2}}}}');
SHOW enable_seqscan;
COMMIT;
SHOW enable_seqscan;
RESET ROLE;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;

-- 3. createMany evaluates a default that some rows leave out itself and
-- gives it as text, which the statement casts to the column's type.  xml's
-- input reads the text as xmloption says: a content default (text beside an
-- element) failed under xmloption = document (2200N), where INSERT's own
-- default is never read back.  It is now read by XMLPARSE (CONTENT ...
-- PRESERVE WHITESPACE), which takes a document too and keeps the text.
CREATE DOMAIN adv6_xml AS xml CHECK (VALUE IS NOT NULL);
CREATE TABLE notes (k int PRIMARY KEY, x xml DEFAULT 'abc<b/>  ',
                    y adv6_xml DEFAULT '<!DOCTYPE a><a> z </a>');
SET xmloption = document;
SELECT forge_create_many('notes', '{"data": [{"k": 1, "x": "<q/>", "y": "<q/>"}, {"k": 2}]}');
RESET xmloption;
INSERT INTO notes (k) VALUES (3);
SELECT k, x::text, y::text FROM notes ORDER BY k;

-- 4. The same text, a timestamptz: DateStyle SQL, Postgres and German write
-- its zone as an abbreviation, which input reads by timezone_abbreviations,
-- not by the zone that wrote it.  Under timezone Asia/Kolkata ("IST", which
-- the Default set reads as Israel's +02) a left-out default came back 3.5
-- hours off, silently.  The default is now written in ISO style (the
-- offset as a number), which every DateStyle reads back.
CREATE TABLE stamps (k int PRIMARY KEY,
                     at timestamptz DEFAULT '2026-03-29 01:30:00+00',
                     ats timestamptz[] DEFAULT ARRAY['2026-03-29 01:30:00+00'::timestamptz],
                     day date DEFAULT '2026-03-04');
SET timezone = 'Asia/Kolkata';
SET DateStyle = 'SQL, DMY';
SELECT forge_create_many('stamps', '{"data": [{"k": 1, "at": null, "ats": null, "day": null}, {"k": 2}]}');
SET DateStyle = 'German';
SELECT forge_create_many('stamps', '{"data": [{"k": 3, "at": null, "ats": null, "day": null}, {"k": 4}]}');
RESET DateStyle;
RESET timezone;
INSERT INTO stamps (k) VALUES (5);
SELECT k, at OPERATOR(pg_catalog.=) '2026-03-29 01:30:00+00' AS right_instant, at, ats, day
  FROM stamps WHERE k IN (2, 4, 5) ORDER BY k;

RESET search_path;
DROP SCHEMA adv6 CASCADE;
DROP FUNCTION err(text);
DROP OWNED BY regress_adv6_writer;
DROP ROLE regress_adv6_writer;
