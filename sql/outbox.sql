--
-- outbox: forge_outbox_enable, forge_outbox_disable, and what each forge
-- write records in forge_outbox.
--
-- forge_outbox_enable(table, changes default false) puts three statement
-- triggers on the table; each forge call that writes it then inserts one
-- event per statement into forge_outbox, in the same transaction: model,
-- op, verb, semanticOp, rowCount, the primary keys written ("keys": the
-- value of a one-column key, an array for a compound one) and, with
-- changes, each row's changed columns, old and new; "schema" and "table"
-- name the table whatever characters the names hold, and "txid" is the
-- writing transaction's.  Only forge calls on
-- the table itself are recorded.  forge_outbox_claim / forge_outbox_ack
-- hand the events to workers (test/isolation/specs/outbox.spec runs them
-- concurrently); here they show what each role may do.
--
-- The outbox is shared by the whole database: start it empty, with ids
-- from 1.  ob.drain() deletes and returns the recorded events, oldest
-- first, without "startedAt" and "txid" (a timestamp and a transaction id,
-- which change from run to run); ob.try(sql) runs a statement
-- and returns "ok" or "SQLSTATE: message".
--
TRUNCATE forge_outbox RESTART IDENTITY;
CREATE SCHEMA ob;
CREATE FUNCTION ob.drain() RETURNS TABLE (model text, event jsonb)
LANGUAGE sql AS $$
    WITH d AS (DELETE FROM forge_outbox RETURNING id, model, event)
    SELECT model, event - 'startedAt' - 'txid' FROM d ORDER BY id
$$;
CREATE FUNCTION ob.try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- A table with a one-column primary key.
CREATE TABLE ob.items (
    id    int PRIMARY KEY,
    email text UNIQUE,
    name  text,
    qty   int NOT NULL DEFAULT 0
);

--
-- forge_outbox_enable: three AFTER ... FOR EACH STATEMENT triggers with
-- transition tables, recording keys only by default.
--
SELECT forge_outbox_enable('ob.items');
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
WHERE tgrelid = 'ob.items'::regclass ORDER BY tgname;
-- Enabling again replaces them: still three.
SELECT forge_outbox_enable('ob.items');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'ob.items'::regclass;
-- Null arguments are refused.
SELECT forge_outbox_enable('ob.items', NULL);
SELECT forge_outbox_enable(NULL);

--
-- Each verb's event: op, verb, rowCount and the keys written.
--
SELECT forge_create('ob.items', '{"data": {"id": 1, "name": "one"}}');
SELECT forge_create_many('ob.items', '{"data": [{"id": 2, "name": "two"}, {"id": 3, "name": "three"}]}');
SELECT forge_update('ob.items', '{"where": {"id": 1}, "data": {"qty": {"increment": 5}}}');
SELECT forge_update_many('ob.items', '{"where": {"id": {"in": [2, 3]}}, "data": {"qty": 7}}');
SELECT forge_upsert('ob.items', '{"where": {"email": "ada@example.com"}, "create": {"id": 4}, "update": {"qty": {"increment": 1}}}');
SELECT forge_upsert('ob.items', '{"where": {"email": "ada@example.com"}, "create": {"id": 4}, "update": {"qty": {"increment": 1}}}');
SELECT forge_delete('ob.items', '{"where": {"id": 4}}');
SELECT forge_delete_many('ob.items', '{"where": {"id": {"in": [2, 3]}}}');
-- Eight calls, eight events in call order; an upsert says what it did.
SELECT * FROM ob.drain();
-- The event's startedAt is an ISO 8601 UTC timestamp, created_at is set.
SELECT forge_update('ob.items', '{"where": {"id": 1}, "data": {"name": "uno"}}');
SELECT event->>'startedAt' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$' AS started_at_iso,
       created_at IS NOT NULL AS has_created_at
FROM forge_outbox;
SELECT count(*) AS drained FROM ob.drain();
-- "txid" is pg_current_xact_id() of the writing transaction: the events of
-- one transaction share it, and a handler can group them by it.
BEGIN;
SELECT forge_update('ob.items', '{"where": {"id": 1}, "data": {"name": "one"}}');
SELECT forge_update('ob.items', '{"where": {"id": 1}, "data": {"qty": 0}}');
SELECT count(*) AS events, count(DISTINCT event->'txid') AS txids,
       bool_and((event->>'txid')::xid8 = pg_current_xact_id()) AS is_this_transaction
FROM forge_outbox;
COMMIT;
SELECT count(*) AS drained FROM ob.drain();

-- "model" is schema.table as the names are, so two tables can share it;
-- "schema" and "table" cannot.
CREATE SCHEMA "ob.x";
CREATE TABLE "ob.x".y (id int PRIMARY KEY);
CREATE TABLE ob."x.y" (id int PRIMARY KEY);
SELECT forge_outbox_enable('"ob.x".y');
SELECT forge_outbox_enable('ob."x.y"');
SELECT forge_create('"ob.x".y', '{"data": {"id": 1}}');
SELECT forge_create('ob."x.y"', '{"data": {"id": 1}}');
SELECT event->>'model' AS model, event->>'schema' AS schema, event->>'table' AS table
FROM ob.drain();
DROP SCHEMA "ob.x" CASCADE;
DROP TABLE ob."x.y";

-- createMany runs one statement per distinct set of columns, and each
-- statement is one event: here two, of one row each.
SELECT forge_create_many('ob.items', '{"data": [{"id": 5, "name": "five"}, {"id": 6}]}');
SELECT * FROM ob.drain();
-- A many-row write that matches no row writes nothing and records nothing.
SELECT forge_update_many('ob.items', '{"where": {"id": 99}, "data": {"qty": 1}}');
SELECT forge_delete_many('ob.items', '{"where": {"id": 99}}');
SELECT * FROM ob.drain();

--
-- A table with a compound primary key: each key is an array of its
-- columns, in the key's order.
--
CREATE TABLE ob.lines (
    order_id int,
    line_no  int,
    sku      text NOT NULL,
    qty      int NOT NULL DEFAULT 1,
    PRIMARY KEY (order_id, line_no)
);
SELECT forge_outbox_enable('ob.lines');
SELECT forge_create('ob.lines', '{"data": {"order_id": 10, "line_no": 1, "sku": "A"}}');
SELECT forge_create_many('ob.lines', '{"data": [{"order_id": 10, "line_no": 2, "sku": "B"}, {"order_id": 11, "line_no": 1, "sku": "C"}]}');
SELECT forge_update('ob.lines', '{"where": {"order_id_line_no": {"order_id": 10, "line_no": 2}}, "data": {"qty": 3}}');
SELECT forge_update_many('ob.lines', '{"where": {"order_id": 10}, "data": {"qty": {"increment": 1}}}');
SELECT forge_upsert('ob.lines', '{"where": {"order_id_line_no": {"order_id": 11, "line_no": 2}}, "create": {"sku": "D"}, "update": {"qty": {"increment": 1}}}');
SELECT forge_upsert('ob.lines', '{"where": {"order_id_line_no": {"order_id": 11, "line_no": 2}}, "create": {"sku": "D"}, "update": {"qty": {"increment": 1}}}');
SELECT forge_delete('ob.lines', '{"where": {"order_id_line_no": {"order_id": 11, "line_no": 1}}}');
SELECT forge_delete_many('ob.lines', '{"where": {"order_id": 10}}');
SELECT * FROM ob.drain();

-- A table without a primary key: "keys" is null.
CREATE TABLE ob.log (msg text NOT NULL);
SELECT forge_outbox_enable('ob.log');
SELECT forge_create_many('ob.log', '{"data": [{"msg": "a"}, {"msg": "b"}]}');
SELECT forge_delete_many('ob.log', '{"where": {"msg": "a"}}');
SELECT * FROM ob.drain();

--
-- changes = true: each row's values too.  insert: the new row; update:
-- only the columns that changed, old and new; delete: the old row.
--
SELECT forge_outbox_enable('ob.items', true);
SELECT count(*) AS triggers,
       bool_and(pg_get_triggerdef(oid) LIKE '%forge_outbox_capture(''changes'')') AS changes
FROM pg_trigger WHERE tgrelid = 'ob.items'::regclass;
SELECT forge_create('ob.items', '{"data": {"id": 7, "email": "g@example.com", "name": "seven"}}');
-- name is set to the value it has: only qty changed.
SELECT forge_update('ob.items', '{"where": {"id": 7}, "data": {"name": "seven", "qty": {"increment": 2}}}');
SELECT forge_update_many('ob.items', '{"where": {"id": {"in": [5, 6]}}, "data": {"name": "many"}}');
SELECT forge_upsert('ob.items', '{"where": {"email": "g@example.com"}, "create": {"id": 8}, "update": {"email": "h@example.com"}}');
SELECT forge_delete('ob.items', '{"where": {"id": 7}}');
SELECT * FROM ob.drain();
-- A compound key pairs the rows of an update by that key.
SELECT forge_outbox_enable('ob.lines', true);
SELECT forge_create('ob.lines', '{"data": {"order_id": 20, "line_no": 1, "sku": "E"}}');
SELECT forge_update('ob.lines', '{"where": {"order_id_line_no": {"order_id": 20, "line_no": 1}}, "data": {"sku": "F", "qty": 4}}');
SELECT forge_delete('ob.lines', '{"where": {"order_id_line_no": {"order_id": 20, "line_no": 1}}}');
SELECT * FROM ob.drain();
-- An update that changes the primary key itself is a forge write on the
-- table like any other and must be recorded: op, verb, rowCount and keys
-- (the new ones) do not depend on pairing old and new rows by key.  (How
-- "changes" pairs such rows is not shown here.)
SELECT forge_update('ob.items', '{"where": {"id": 5}, "data": {"id": 50}}');
SELECT event->>'op' AS op, event->>'verb' AS verb,
       event->'rowCount' AS row_count, event->'keys' AS keys
FROM ob.drain();
SELECT forge_update_many('ob.items', '{"where": {"id": {"in": [6, 50]}}, "data": {"id": {"increment": 100}}}');
SELECT event->>'op' AS op, event->>'verb' AS verb,
       event->'rowCount' AS row_count, event->'keys' AS keys
FROM ob.drain();
-- Some of the rows keep their key, some do not: both rows count.
INSERT INTO ob.items (id) VALUES (0);
SELECT forge_update_many('ob.items', '{"where": {"id": {"in": [0, 1]}}, "data": {"id": {"multiply": 2}}}');
SELECT event->>'op' AS op, event->>'verb' AS verb,
       event->'rowCount' AS row_count, jsonb_array_length(event->'keys') AS keys
FROM ob.drain();

-- Back to keys only, where the same key changes are recorded.
SELECT forge_outbox_enable('ob.items');
SELECT forge_update_many('ob.items', '{"where": {"id": {"in": [106, 150]}}, "data": {"id": {"decrement": 100}}}');
SELECT forge_update('ob.items', '{"where": {"id": 50}, "data": {"id": 5}}');
SELECT event->>'op' AS op, event->>'verb' AS verb,
       event->'rowCount' AS row_count, event->'keys' AS keys
FROM ob.drain();

--
-- Writes that are not forge calls on the table record nothing.
--
-- Plain INSERT, UPDATE, DELETE.
INSERT INTO ob.items (id, name) VALUES (30, 'plain');
UPDATE ob.items SET qty = qty + 1 WHERE id = 30;
DELETE FROM ob.items WHERE id = 30;
SELECT * FROM ob.drain();
-- A forge write that rolls back, whole or to a savepoint.
BEGIN;
SELECT forge_create('ob.items', '{"data": {"id": 31}}');
ROLLBACK;
BEGIN;
SELECT forge_create('ob.items', '{"data": {"id": 32}}');
SAVEPOINT s;
SELECT forge_update('ob.items', '{"where": {"id": 32}, "data": {"qty": 1}}');
ROLLBACK TO SAVEPOINT s;
COMMIT;
-- Only the create of 32, committed outside the savepoint.
SELECT * FROM ob.drain();
-- A forge write that fails (a duplicate key) records nothing either.
SELECT forge_create('ob.items', '{"data": {"id": 32}}');
SELECT * FROM ob.drain();
-- A forge write on another table whose trigger writes ob.items: the
-- trigger's INSERT is not a forge call on ob.items.
CREATE TABLE ob.orders (id int PRIMARY KEY, item int NOT NULL);
CREATE FUNCTION ob.orders_touch_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ob.items (id, name) VALUES (NEW.item, 'from trigger');
    RETURN NEW;
END
$$;
CREATE TRIGGER touch_item AFTER INSERT ON ob.orders
    FOR EACH ROW EXECUTE FUNCTION ob.orders_touch_item();
SELECT forge_create('ob.orders', '{"data": {"id": 1, "item": 40}}');
SELECT id, name FROM ob.items WHERE id = 40;
SELECT * FROM ob.drain();
-- But a forge call in that trigger is a forge write on ob.items, and is
-- recorded, as that call's forge_create.
CREATE OR REPLACE FUNCTION ob.orders_touch_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM forge_create('ob.items', jsonb_build_object('data', jsonb_build_object('id', NEW.item)));
    RETURN NEW;
END
$$;
SELECT forge_create('ob.orders', '{"data": {"id": 2, "item": 41}}');
SELECT * FROM ob.drain();

--
-- forge_outbox_disable: the triggers go, forge writes record nothing, and
-- events already recorded stay.
--
SELECT forge_create('ob.items', '{"data": {"id": 50}}');
SELECT forge_outbox_disable('ob.items');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'ob.items'::regclass;
SELECT forge_create('ob.items', '{"data": {"id": 51}}');
SELECT * FROM ob.drain();
-- Disabling twice is harmless.
SELECT forge_outbox_disable('ob.items');
SELECT forge_outbox_enable('ob.items');

--
-- Privileges.  No function is SECURITY DEFINER: the trigger inserts as
-- the writing role, and claim and ack read and delete as the worker.
--
CREATE ROLE regress_forge_ob_writer NOLOGIN;
CREATE ROLE regress_forge_ob_worker NOLOGIN;
GRANT USAGE ON SCHEMA ob TO regress_forge_ob_writer, regress_forge_ob_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON ob.items TO regress_forge_ob_writer;
SELECT forge_create('ob.items', '{"data": {"id": 60}}');
SELECT count(*) AS recorded FROM forge_outbox;

SET ROLE regress_forge_ob_writer;
-- Only the table's owner may enable or disable the outbox.
SELECT ob.try($$SELECT forge_outbox_enable('ob.items')$$);
SELECT ob.try($$SELECT forge_outbox_disable('ob.items')$$);
-- The writer may write ob.items, but not insert into forge_outbox: a forge
-- write fails whole (42501), and a plain INSERT, which records nothing,
-- still works.
SELECT ob.try($$SELECT forge_create('ob.items', '{"data": {"id": 61}}')$$);
SELECT ob.try($$SELECT forge_update('ob.items', '{"where": {"id": 60}, "data": {"qty": 9}}')$$);
SELECT ob.try($$SELECT forge_delete_many('ob.items', '{"where": {"id": 60}}')$$);
SELECT ob.try($$INSERT INTO ob.items (id) VALUES (62)$$);
-- Nor read it.
SELECT ob.try($$SELECT count(*) FROM forge_outbox$$);
RESET ROLE;
-- Nothing of those forge calls was written or recorded.
SELECT id, qty FROM ob.items WHERE id BETWEEN 60 AND 62 ORDER BY id;
SELECT count(*) AS recorded FROM forge_outbox;

-- INSERT on the outbox alone is not enough: the id comes from its sequence.
GRANT INSERT ON forge_outbox TO regress_forge_ob_writer;
SET ROLE regress_forge_ob_writer;
SELECT ob.try($$SELECT forge_create('ob.items', '{"data": {"id": 61}}')$$);
RESET ROLE;
GRANT USAGE ON SEQUENCE forge_outbox_id_seq TO regress_forge_ob_writer;
SET ROLE regress_forge_ob_writer;
SELECT forge_create('ob.items', '{"data": {"id": 61}}');
SELECT forge_update('ob.items', '{"where": {"id": 60}, "data": {"qty": 9}}');
-- Still not allowed to read the outbox.
SELECT ob.try($$SELECT count(*) FROM forge_outbox$$);
RESET ROLE;

--
-- The hostile writer.  With exactly the grants a writer needs, it still
-- cannot put an event in the outbox that no forge write made: not a
-- "delete" on a table it has no privilege on, not anything.  Only forge's
-- capture of a forge write inserts there (forge_outbox_guard, a trigger on
-- forge_outbox, refuses the rest), and nothing changes the role to do it.
--
CREATE TABLE ob.secret (id int PRIMARY KEY);
INSERT INTO ob.secret VALUES (1);
SELECT count(*) AS recorded_before FROM forge_outbox;
SET ROLE regress_forge_ob_writer;
SELECT ob.try($$SELECT count(*) FROM ob.secret$$);
SELECT ob.try($$INSERT INTO forge_outbox (model, event) VALUES ('ob.secret',
    '{"adapter": "postgres", "model": "ob.secret", "schema": "ob", "table": "secret",
      "op": "delete", "verb": "forge_delete", "semanticOp": null, "rowCount": 1, "keys": [1]}')$$);
SELECT ob.try($$INSERT INTO forge_outbox (model, event)
    SELECT model, event || '{"op": "delete"}' FROM (VALUES ('ob.items', '{}'::jsonb)) v (model, event)$$);
RESET ROLE;
-- Nor can code of the writer's that runs while forge computes an event:
-- a json cast of a type of the table, called by to_jsonb for "changes",
-- runs as the writer before the capture inserts, and gets the same answer
-- (so the forge call fails whole).
CREATE TYPE ob.mood AS ENUM ('calm', 'sly');
CREATE FUNCTION ob.mood_json(m ob.mood) RETURNS json LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO forge_outbox (model, event) VALUES ('ob.secret', '{"op": "delete"}');
    RETURN to_json(m::text);
END
$$;
CREATE CAST (ob.mood AS json) WITH FUNCTION ob.mood_json(ob.mood);
CREATE TABLE ob.moods (id int PRIMARY KEY, m ob.mood);
SELECT forge_outbox_enable('ob.moods', true);
GRANT SELECT, INSERT ON ob.moods TO regress_forge_ob_writer;
SET ROLE regress_forge_ob_writer;
SELECT ob.try($$SELECT forge_create('ob.moods', '{"data": {"id": 1, "m": "sly"}}')$$);
RESET ROLE;
SELECT count(*) AS moods FROM ob.moods;
SELECT count(*) AS recorded_after FROM forge_outbox;
DROP TABLE ob.moods;
DROP CAST (ob.mood AS json);
-- A worker may claim and delete events, never change one.
GRANT SELECT, UPDATE ON forge_outbox TO regress_forge_ob_worker;
SET ROLE regress_forge_ob_worker;
SELECT ob.try($$UPDATE forge_outbox SET event = event || '{"op": "delete"}'$$);
RESET ROLE;
REVOKE ALL ON forge_outbox FROM regress_forge_ob_worker;
-- The table's owner may (it could drop the trigger anyway): that is how
-- pg_restore loads the outbox's data.
INSERT INTO forge_outbox (model, event) VALUES ('ob.secret', '{"restored": true}');
SELECT count(*) AS restored FROM forge_outbox WHERE event ? 'restored';
DELETE FROM forge_outbox WHERE event ? 'restored';

-- A worker with no grant can neither claim nor ack.
SET ROLE regress_forge_ob_worker;
SELECT ob.try($$SELECT * FROM forge_outbox_claim(10)$$);
SELECT ob.try($$SELECT forge_outbox_ack(ARRAY[1]::bigint[])$$);
RESET ROLE;
-- SELECT alone: claim locks FOR UPDATE, which needs UPDATE.
GRANT SELECT ON forge_outbox TO regress_forge_ob_worker;
SET ROLE regress_forge_ob_worker;
SELECT ob.try($$SELECT * FROM forge_outbox_claim(10)$$);
RESET ROLE;
-- SELECT and UPDATE: claim works, ack needs DELETE.
GRANT UPDATE ON forge_outbox TO regress_forge_ob_worker;
SET ROLE regress_forge_ob_worker;
BEGIN;
SELECT payload - 'id' - 'createdAt' - 'startedAt' - 'txid' AS payload FROM forge_outbox_claim(10);
SELECT ob.try($$SELECT forge_outbox_ack(ARRAY(SELECT id FROM forge_outbox))$$);
ROLLBACK;
RESET ROLE;
-- SELECT, UPDATE and DELETE: claim, ack, commit; the outbox is empty.
GRANT DELETE ON forge_outbox TO regress_forge_ob_worker;
SET ROLE regress_forge_ob_worker;
BEGIN;
SELECT count(*) AS claimed FROM forge_outbox_claim(10);
SELECT forge_outbox_ack(ARRAY(SELECT id FROM forge_outbox));
COMMIT;
SELECT count(*) AS left_over FROM forge_outbox;
RESET ROLE;

--
-- Writes that are not forge calls record nothing, even when a trigger makes
-- them during a forge call on the same table: here a row trigger copies
-- each new item into a second row with a plain INSERT.  Only the forge
-- call's own statement is recorded (one row, key 10), and the plain
-- INSERT's statement, which fires the outbox trigger again inside the
-- call, records nothing.  Rolling back a trigger's forge call in an
-- exception block takes its event back with its row.
--
SELECT * FROM ob.drain();
CREATE FUNCTION ob.copy_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id < 100 THEN
        INSERT INTO ob.items (id, name) VALUES (NEW.id + 100, 'copy');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER copy_item AFTER INSERT ON ob.items
    FOR EACH ROW EXECUTE FUNCTION ob.copy_item();
SELECT forge_create('ob.items', '{"data": {"id": 10, "name": "x"}}');
SELECT id, name FROM ob.items WHERE id IN (10, 110) ORDER BY id;
SELECT * FROM ob.drain();
CREATE OR REPLACE FUNCTION ob.copy_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id < 100 THEN
        BEGIN
            PERFORM forge_create('ob.items', jsonb_build_object('data',
                jsonb_build_object('id', NEW.id + 100, 'name', 'undone')));
            RAISE EXCEPTION 'undo';
        EXCEPTION WHEN raise_exception THEN NULL;
        END;
        PERFORM forge_create('ob.items', jsonb_build_object('data',
            jsonb_build_object('id', NEW.id + 200, 'name', 'kept')));
    END IF;
    RETURN NULL;
END $$;
SELECT forge_create('ob.items', '{"data": {"id": 11, "name": "y"}}');
SELECT id, name FROM ob.items WHERE id IN (11, 111, 211) ORDER BY id;
SELECT * FROM ob.drain();
DROP TRIGGER copy_item ON ob.items;

--
-- Clean up.
--
SET client_min_messages = warning;
DROP SCHEMA ob CASCADE;
RESET client_min_messages;
REVOKE ALL ON forge_outbox FROM regress_forge_ob_writer, regress_forge_ob_worker;
REVOKE ALL ON SEQUENCE forge_outbox_id_seq FROM regress_forge_ob_writer;
DROP ROLE regress_forge_ob_writer;
DROP ROLE regress_forge_ob_worker;
TRUNCATE forge_outbox RESTART IDENTITY;
