--
-- adversarial: attacks found by breaking forge on purpose, each kept as
-- the regression test of its fix.
--

--
-- 1. forge_outbox_enable in a schema whose name needs quoting.
--
-- The extension script's @extschema@ is already a quoted identifier; the
-- function quoted it again (%I), so in "Forge" it named the schema
-- spelled "Forge" with the quotes, and failed, or, once a role with CREATE
-- on the database had made that schema and planted a trigger function
-- there, put the planted function on the table, to run as every writer.
-- Two databases of their own: a fresh install, and 0.1.0 updated.
--
SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_forge_adversarial;
DROP ROLE IF EXISTS regress_adv_planter;
DROP ROLE IF EXISTS regress_adv_writer;
RESET client_min_messages;
CREATE ROLE regress_adv_planter;
CREATE ROLE regress_adv_writer;
CREATE DATABASE regress_forge_adversarial;
\c regress_forge_adversarial
GRANT CREATE ON DATABASE regress_forge_adversarial TO regress_adv_planter;

-- The planter makes the schema the doubly quoted name meant, and a
-- trigger function of forge's name in it.
SET ROLE regress_adv_planter;
CREATE SCHEMA """Forge""";
CREATE TABLE """Forge""".ran (who text);
GRANT USAGE ON SCHEMA """Forge""" TO PUBLIC;
GRANT INSERT ON """Forge""".ran TO PUBLIC;
CREATE FUNCTION """Forge""".forge_outbox_capture() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO """Forge""".ran VALUES (current_user);
    RETURN NULL;
END $$;
RESET ROLE;

CREATE SCHEMA "Forge";
CREATE EXTENSION forge SCHEMA "Forge";
CREATE TABLE items (id int PRIMARY KEY, v text);
GRANT SELECT, INSERT ON items TO regress_adv_writer;
GRANT USAGE ON SCHEMA "Forge" TO regress_adv_writer;
GRANT INSERT ON "Forge".forge_outbox TO regress_adv_writer;
GRANT USAGE ON SEQUENCE "Forge".forge_outbox_id_seq TO regress_adv_writer;
SELECT "Forge".forge_outbox_enable('items', true);
-- the triggers call forge's own function
SELECT t.tgname, t.tgfoid::regprocedure AS function
FROM pg_trigger t WHERE t.tgrelid = 'items'::regclass ORDER BY 1;
SET ROLE regress_adv_writer;
SELECT "Forge".forge_create('items', '{"data":{"id":1,"v":"a"}}');
RESET ROLE;
SELECT model, event->'op' AS op, event->'keys' AS keys FROM "Forge".forge_outbox;
SELECT who AS planted_function_ran_as FROM """Forge""".ran;
SELECT "Forge".forge_outbox_disable('items');
DROP EXTENSION forge;
DROP TABLE items;

-- Installed at 0.1.0 in "forge ext" and updated.
CREATE SCHEMA "forge ext";
CREATE EXTENSION forge SCHEMA "forge ext" VERSION '0.1.0';
ALTER EXTENSION forge UPDATE TO '0.2.0';
CREATE TABLE items (id int PRIMARY KEY, v text);
SELECT "forge ext".forge_outbox_enable('items');
SELECT t.tgname, t.tgfoid::regprocedure AS function
FROM pg_trigger t WHERE t.tgrelid = 'items'::regclass ORDER BY 1;
SELECT "forge ext".forge_update_many('items', '{"where":{},"data":{"v":"b"}}');
SELECT "forge ext".forge_create('items', '{"data":{"id":2,"v":"c"}}');
SELECT model, event->'op' AS op, event->'keys' AS keys FROM "forge ext".forge_outbox;

\c :regress_db
DROP DATABASE regress_forge_adversarial;
DROP ROLE regress_adv_planter;
DROP ROLE regress_adv_writer;

--
-- 2. A BEFORE INSERT trigger that returns NULL: the create writes no row.
-- The message said "record to delete ... not found".
--
CREATE TABLE adv_p (id serial PRIMARY KEY, name text);
CREATE TABLE adv_c (id serial PRIMARY KEY, p_id int REFERENCES adv_p, v text);
CREATE FUNCTION adv_skip() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_catalog.to_jsonb(NEW) ->> 'name' = 'skip' OR
       pg_catalog.to_jsonb(NEW) ->> 'v' = 'skip' THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER adv_skip BEFORE INSERT ON adv_p FOR EACH ROW EXECUTE FUNCTION adv_skip();
CREATE TRIGGER adv_skip BEFORE INSERT ON adv_c FOR EACH ROW EXECUTE FUNCTION adv_skip();
\set VERBOSITY default
SELECT forge_create('adv_p', '{"data":{"name":"skip"}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT forge_create('adv_p', '{"data":{"name":"kept","adv_c":{"create":[{"v":"a"},{"v":"skip"}]}}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an upsert's create skipped so: no row has the key, the detail says
-- what else it may be
SELECT forge_upsert('adv_p', '{"where":{"id":100},"create":{"name":"skip"},"update":{"name":"u"}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- createMany counts what was inserted
SELECT forge_create_many('adv_p', '{"data":[{"name":"skip"},{"name":"y"}]}');
SELECT name FROM adv_p;
SELECT count(*) AS children FROM adv_c;

--
-- 3. Tables with DO INSTEAD rules.  SPI reports a statement that an
-- unconditional INSTEAD rule replaced as SPI_OK_REWRITTEN, which every
-- verb took for an internal error (XX000 "unexpected result").  A verb
-- that counts now counts what PostgreSQL's command tag does (no row of
-- the table: "DELETE 0"); a verb that returns its row is refused (0A000),
-- having no row to return, and writes nothing.
--
CREATE TABLE adv_soft (id serial PRIMARY KEY, name text, deleted bool NOT NULL DEFAULT false);
INSERT INTO adv_soft (name) VALUES ('a'), ('b');
CREATE RULE adv_soft_delete AS ON DELETE TO adv_soft
    DO INSTEAD UPDATE adv_soft SET deleted = true WHERE id = OLD.id RETURNING adv_soft.*;
CREATE TABLE adv_frozen (id serial PRIMARY KEY, name text);
INSERT INTO adv_frozen (name) VALUES ('a');
CREATE RULE adv_frozen_update AS ON UPDATE TO adv_frozen DO INSTEAD NOTHING;
CREATE TABLE adv_sink (id serial PRIMARY KEY, name text);
CREATE RULE adv_sink_insert AS ON INSERT TO adv_sink DO INSTEAD NOTHING;
SELECT forge_delete_many('adv_soft', '{"where":{"id":1}}');
SELECT forge_update_many('adv_frozen', '{"where":{},"data":{"name":"x"}}');
SELECT forge_create_many('adv_sink', '{"data":[{"name":"x"}]}');
SELECT forge_delete('adv_soft', '{"where":{"id":2}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM adv_soft ORDER BY id;
SELECT count(*) AS sunk FROM adv_sink;
SELECT name FROM adv_frozen;
\set VERBOSITY terse
DROP TABLE adv_soft, adv_frozen, adv_sink, adv_c, adv_p;
DROP FUNCTION adv_skip();

--
-- 4. A nested write by a role that may read only some columns.  The row
-- is written first and its key and related columns read back for the
-- nested writes, then read again as asked; the first read took every
-- column (RETURNING to_jsonb(t.*)), so a role with SELECT on (id, pub)
-- that asked for just those was refused (42501) for the columns it
-- neither asked for nor may read.  Asking for the whole row still is.
--
CREATE ROLE regress_adv_cols;
CREATE TABLE adv_doc (id serial PRIMARY KEY, pub text, secret text);
CREATE TABLE adv_note (id serial PRIMARY KEY, doc_id int REFERENCES adv_doc, v text);
INSERT INTO adv_doc (pub, secret) VALUES ('p', 'hidden');
GRANT INSERT, UPDATE ON adv_doc TO regress_adv_cols;
GRANT SELECT (id, pub) ON adv_doc TO regress_adv_cols;
GRANT USAGE ON SEQUENCE adv_doc_id_seq, adv_note_id_seq TO regress_adv_cols;
GRANT SELECT, INSERT, UPDATE ON adv_note TO regress_adv_cols;
SET forge.notify = off;
SET ROLE regress_adv_cols;
SELECT forge_create('adv_doc', '{"data":{"pub":"a","secret":"s","adv_note":{"create":[{"v":"n1"}]}},"select":{"id":true,"pub":true,"adv_note":{"select":{"v":true}}}}');
SELECT forge_update('adv_doc', '{"where":{"id":1},"data":{"pub":"q","adv_note":{"create":{"v":"n2"},"updateMany":{"where":{},"data":{"v":"n3"}}}},"select":{"id":true}}');
SELECT forge_upsert('adv_doc', '{"where":{"id":1},"create":{"pub":"c"},"update":{"pub":"u","adv_note":{"create":{"v":"n4"}}},"select":{"pub":true}}');
SELECT forge_create('adv_doc', '{"data":{"pub":"b","adv_note":{"create":[{"v":"n5"}]}}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
RESET forge.notify;
SELECT d.id, d.pub, d.secret, n.v FROM adv_doc d JOIN adv_note n ON n.doc_id = d.id ORDER BY n.id;
DROP TABLE adv_note, adv_doc;
DROP ROLE regress_adv_cols;

--
-- 5. An upsert whose where pins a GENERATED ALWAYS identity runs an UPDATE
-- of the pinned row, else an INSERT (deparse_upsert_by_update).  Its
-- update-branch marker sat in the UPDATE's WHERE, where a sequential scan
-- evaluated it on every row it read: an upsert that created its row said
-- "update" and ran the update branch's nested writes on the new row.
--
CREATE TABLE adv_g (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
CREATE TABLE adv_gc (id serial PRIMARY KEY, g_id int REFERENCES adv_g, v text);
INSERT INTO adv_g (name) VALUES ('a'), ('b'), ('c');
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT forge_upsert('adv_g', '{"where":{"id":100},"create":{"name":"created","adv_gc":{"create":{"v":"from create"}}},"update":{"name":"updated","adv_gc":{"create":{"v":"from update"}}}}');
SELECT forge_upsert('adv_g', '{"where":{"id":1},"create":{"name":"created","adv_gc":{"create":{"v":"from create"}}},"update":{"name":"updated","adv_gc":{"create":{"v":"from update"}}}}');
RESET enable_indexscan;
RESET enable_bitmapscan;
SELECT g.id, g.name, c.v FROM adv_g g JOIN adv_gc c ON c.g_id = g.id ORDER BY g.id;
DROP TABLE adv_gc, adv_g;
