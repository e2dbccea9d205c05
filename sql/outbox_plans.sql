--
-- outbox_plans: the outbox trigger's plans live in forge's one plan cache
-- (plancache.c), under its rules.
--
-- Each forge write on an outbox table runs two plans of the trigger's: the
-- query that computes the event from the transition tables, and the
-- INSERT into forge_outbox.  They count in forge_plan_cache_stats(), are
-- bounded by forge.plan_cache_size with the verbs' statements, are
-- dropped by forge_plan_cache_reset(), are rebuilt when DDL changes the
-- table (a renamed key column changes the query's text), and stay pinned
-- while they run: a trigger of the outbox's own INSERT or of the write may
-- make forge calls that evict them, reset the cache or replace them.
--
TRUNCATE forge_outbox RESTART IDENTITY;
CREATE SCHEMA op;
SET search_path = op, public;
CREATE FUNCTION drain() RETURNS TABLE (model text, event jsonb)
LANGUAGE sql AS $$
    WITH d AS (DELETE FROM public.forge_outbox RETURNING id, model, event)
    SELECT model, event - 'startedAt' - 'txid' FROM d ORDER BY id
$$;
CREATE TABLE items (id int PRIMARY KEY, v text);
CREATE TABLE audit (id serial PRIMARY KEY, what text);
SELECT forge_outbox_enable('op.items', true);
SELECT forge_outbox_enable('op.audit');

-- A verb's statement, the event query and the INSERT: three plans.
SELECT forge_plan_cache_reset();
SELECT forge_create('items', '{"data": {"id": 1, "v": "a"}}');
SELECT hits, misses, entries FROM forge_plan_cache_stats();
-- The same write again: all three found.
SELECT forge_create('items', '{"data": {"id": 2, "v": "b"}}');
SELECT hits, misses, entries FROM forge_plan_cache_stats();
-- forge_plan_cache_reset() drops the outbox's too.
SELECT forge_plan_cache_reset();
SELECT hits, misses, entries FROM forge_plan_cache_stats();
SELECT * FROM drain();

-- The key column renamed: the event query is built again from the new
-- table (its text names the key), and the keys are still right.
ALTER TABLE items RENAME COLUMN id TO item_id;
SELECT forge_update('items', '{"where": {"item_id": 1}, "data": {"v": "a2"}}');
SELECT * FROM drain();

-- A cache of one plan.  The write's trigger makes forge calls on another
-- outbox table, whose statement and outbox plans evict the running ones;
-- one of them resets the cache.  Each running plan stays alive until it
-- is done, and every write is recorded.
CREATE FUNCTION items_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM forge_create('op.audit', pg_catalog.jsonb_build_object(
        'data', pg_catalog.jsonb_build_object('what', 'first ' || NEW.v)));
    PERFORM forge_create('op.audit', pg_catalog.jsonb_build_object(
        'data', pg_catalog.jsonb_build_object('what', 'second ' || NEW.v),
        'select', pg_catalog.jsonb_build_object('id', true)));
    IF NEW.v = 'reset' THEN
        PERFORM forge_plan_cache_reset();
    END IF;
    PERFORM forge_update_many('op.audit', pg_catalog.jsonb_build_object(
        'where', pg_catalog.jsonb_build_object('what', 'first ' || NEW.v),
        'data', pg_catalog.jsonb_build_object('what', 'first of ' || NEW.v)));
    RETURN NULL;
END $$;
CREATE TRIGGER items_audit AFTER UPDATE ON items
    FOR EACH ROW EXECUTE FUNCTION items_audit();
SET forge.plan_cache_size = 1;
SELECT forge_update('items', '{"where": {"item_id": 1}, "data": {"v": "x"}}');
SELECT forge_update('items', '{"where": {"item_id": 1}, "data": {"v": "reset"}}');
SELECT forge_update('items', '{"where": {"item_id": 2}, "data": {"v": "y"}}');
SELECT entries FROM forge_plan_cache_stats();
SELECT * FROM drain();

-- No cache at all: every plan is the call's own, freed when it is done.
SET forge.plan_cache_size = 0;
SELECT forge_update('items', '{"where": {"item_id": 2}, "data": {"v": "z"}}');
SELECT forge_delete('items', '{"where": {"item_id": 2}}');
SELECT entries FROM forge_plan_cache_stats();
SELECT * FROM drain();
RESET forge.plan_cache_size;

SELECT forge_outbox_disable('op.items');
SELECT forge_outbox_disable('op.audit');
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA op CASCADE;
RESET client_min_messages;
