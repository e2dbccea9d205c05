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
