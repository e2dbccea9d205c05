/* forge--0.1.0.sql: the first release of forge's SQL surface */

\echo Use "CREATE EXTENSION forge" to load this file. \quit

-- The seven verbs.  Each takes the table and a jsonb descriptor.  None is
-- STRICT (a NULL argument is an error, not a silent NULL), none is SECURITY
-- DEFINER (they run as the caller, so grants and row-level security hold).

CREATE FUNCTION @extschema@.forge_create(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_create'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_create_many(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_create_many'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_update(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_update'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_update_many(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_update_many'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_upsert(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_upsert'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_delete(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_delete'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_delete_many(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_delete_many'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

-- Internal: forge_upsert wraps the first value of its DO UPDATE SET in this
-- function, which returns its argument and notes that the row existed (so
-- the event can say "update").  Not for direct use.
CREATE FUNCTION @extschema@.forge_upsert_mark(value pg_catalog.anyelement)
RETURNS pg_catalog.anyelement
AS 'MODULE_PATHNAME', 'forge_upsert_mark'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

-- The plan cache of the calling backend.
CREATE FUNCTION @extschema@.forge_plan_cache_stats(OUT hits pg_catalog.int8,
                                                   OUT misses pg_catalog.int8,
                                                   OUT entries pg_catalog.int8)
RETURNS record
AS 'MODULE_PATHNAME', 'forge_plan_cache_stats'
LANGUAGE C VOLATILE STRICT SECURITY INVOKER PARALLEL RESTRICTED;

CREATE FUNCTION @extschema@.forge_plan_cache_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'forge_plan_cache_reset'
LANGUAGE C VOLATILE STRICT SECURITY INVOKER PARALLEL RESTRICTED;

-- The channel that carries a table's events when forge.notify_model_channel
-- is on: the notify channel, ":" and schema.table (or the table's OID where
-- that is too long for a channel name).
CREATE FUNCTION @extschema@.forge_model_channel(model pg_catalog.regclass)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'forge_model_channel'
LANGUAGE C STABLE STRICT SECURITY INVOKER PARALLEL SAFE;

-- The durable outbox.  Each forge write on a table with the outbox enabled
-- also inserts its event here, in the same transaction.  Nobody but the
-- owner may touch it until granted: writers need INSERT (and USAGE on the
-- sequence), workers SELECT, UPDATE and DELETE (see README).
CREATE TABLE @extschema@.forge_outbox (
    id         bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    model      text NOT NULL,
    event      jsonb NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forge_outbox', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forge_outbox_id_seq', '');

CREATE FUNCTION @extschema@.forge_outbox_capture()
RETURNS trigger
AS 'MODULE_PATHNAME', 'forge_outbox_capture'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

-- Record forge's writes on model in the outbox; with changes, also each
-- written row's changed columns, old and new.  Needs the table's owner.
CREATE FUNCTION @extschema@.forge_outbox_enable(model pg_catalog.regclass,
                                                changes pg_catalog.bool DEFAULT false)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
DECLARE
    target text;
    what text := CASE WHEN changes THEN 'changes' ELSE 'keys' END;
BEGIN
    IF model IS NULL OR changes IS NULL THEN
        RAISE EXCEPTION 'forge_outbox_enable does not accept null arguments'
            USING ERRCODE = '22004';
    END IF;
    PERFORM @extschema@.forge_outbox_disable(model);
    SELECT format('%I.%I', n.nspname, c.relname) INTO STRICT target
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = model;
    EXECUTE format('CREATE TRIGGER forge_outbox_insert AFTER INSERT ON %s'
                   ' REFERENCING NEW TABLE AS forge_new FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION %I.forge_outbox_capture(%L)',
                   target, '@extschema@', what);
    EXECUTE format('CREATE TRIGGER forge_outbox_update AFTER UPDATE ON %s'
                   ' REFERENCING OLD TABLE AS forge_old NEW TABLE AS forge_new FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION %I.forge_outbox_capture(%L)',
                   target, '@extschema@', what);
    EXECUTE format('CREATE TRIGGER forge_outbox_delete AFTER DELETE ON %s'
                   ' REFERENCING OLD TABLE AS forge_old FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION %I.forge_outbox_capture(%L)',
                   target, '@extschema@', what);
END
$$;

-- Stop recording model's writes.  Events already recorded stay.
CREATE FUNCTION @extschema@.forge_outbox_disable(model pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
DECLARE
    target text;
BEGIN
    SELECT format('%I.%I', n.nspname, c.relname) INTO STRICT target
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = model;
    EXECUTE format('DROP TRIGGER IF EXISTS forge_outbox_insert ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS forge_outbox_update ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS forge_outbox_delete ON %s', target);
END
$$;

-- Hand a worker up to n events, oldest first, locked FOR UPDATE SKIP LOCKED
-- until its transaction ends: two workers never get the same event, and a
-- worker that dies before forge_outbox_ack (its transaction rolls back)
-- leaves its events to be claimed again.
CREATE FUNCTION @extschema@.forge_outbox_claim(n pg_catalog.int4)
RETURNS TABLE (id pg_catalog.int8, payload pg_catalog.jsonb)
LANGUAGE sql VOLATILE STRICT SECURITY INVOKER PARALLEL UNSAFE
AS $$
    SELECT o.id, o.event OPERATOR(pg_catalog.||)
                 pg_catalog.jsonb_build_object('id', o.id, 'createdAt', o.created_at)
      FROM @extschema@.forge_outbox o
     ORDER BY o.id
     LIMIT n
       FOR UPDATE SKIP LOCKED
$$;

-- Mark events done (they are deleted); returns how many were.
CREATE FUNCTION @extschema@.forge_outbox_ack(ids pg_catalog.int8[])
RETURNS pg_catalog.int8
LANGUAGE sql VOLATILE STRICT SECURITY INVOKER PARALLEL UNSAFE
AS $$
    WITH done AS (
        DELETE FROM @extschema@.forge_outbox o
         WHERE o.id OPERATOR(pg_catalog.=) ANY (ids)
        RETURNING 1)
    SELECT pg_catalog.count(*) FROM done
$$;

-- The relations of model, read from foreign keys: how a descriptor names
-- each (NULL where two would share a name), its kind, its constraint, and
-- the columns that join it.
CREATE FUNCTION @extschema@.forge_relations(model pg_catalog.regclass,
    OUT name pg_catalog.text, OUT kind pg_catalog.text,
    OUT constraint_name pg_catalog.text, OUT columns pg_catalog.text[],
    OUT target pg_catalog.regclass, OUT target_columns pg_catalog.text[],
    OUT join_table pg_catalog.regclass, OUT join_columns pg_catalog.text[],
    OUT join_target_columns pg_catalog.text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'forge_relations'
LANGUAGE C VOLATILE STRICT SECURITY INVOKER PARALLEL RESTRICTED;
