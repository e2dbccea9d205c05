/* forge--0.1.0--0.2.0.sql: forge 0.1.0 to 0.2.0 */

\echo Use "ALTER EXTENSION forge UPDATE TO '0.2.0'" to load this file. \quit

-- issue 13: events

-- Only forge may put an event in the outbox.  Writers of outbox-enabled
-- tables hold INSERT on forge_outbox (the capture trigger runs as them, and
-- nothing of forge is SECURITY DEFINER), so this row trigger refuses every
-- insert that does not come from forge's capture of a forge write, and
-- every update, to roles without the privileges of the table's owner (who
-- could drop the trigger anyway, and whose pg_restore loads the data).
CREATE FUNCTION @extschema@.forge_outbox_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'forge_outbox_guard'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE TRIGGER forge_outbox_guard
    BEFORE INSERT OR UPDATE ON @extschema@.forge_outbox
    FOR EACH ROW EXECUTE FUNCTION @extschema@.forge_outbox_guard();

-- The channel of model's events under a given notify channel (the
-- one-argument form uses forge.notify_channel as it is set now).
CREATE FUNCTION @extschema@.forge_model_channel(model pg_catalog.regclass,
                                                channel pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'forge_model_channel'
LANGUAGE C STABLE STRICT SECURITY INVOKER PARALLEL SAFE;
