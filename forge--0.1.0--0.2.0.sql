/* forge--0.1.0--0.2.0.sql: from 0.1.0, the first release, to 0.2.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION forge UPDATE TO '0.2.0'" to load this file. \quit

-- issue 11: Citus

-- forge_outbox_enable refuses a table that Citus manages: the outbox's
-- statement triggers would run on the nodes holding the rows, outside the
-- forge call, and record nothing (Citus itself refuses the triggers unless
-- citus.enable_unsafe_triggers is on).  The rest is 0.1.0's function.
CREATE OR REPLACE FUNCTION @extschema@.forge_outbox_enable(model pg_catalog.regclass,
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
    -- target: the table's name if Citus manages it (then set below)
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT logicalrelid::pg_catalog.text FROM pg_catalog.pg_dist_partition'
                ' WHERE logicalrelid OPERATOR(pg_catalog.=) $1'
           INTO target USING model;
    END IF;
    IF target IS NOT NULL THEN
        RAISE EXCEPTION 'forge cannot record the outbox events of Citus table "%"', target
            USING ERRCODE = '0A000',
                  DETAIL = 'On a Citus table the outbox''s statement triggers run on the nodes that hold the rows, outside the forge call, and would record nothing.',
                  HINT = 'Use NOTIFY events, or keep the table out of Citus.';
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
