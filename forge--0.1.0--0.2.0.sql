/* forge--0.1.0--0.2.0.sql: from 0.1.0 to 0.2.0 */

\echo Use "ALTER EXTENSION forge UPDATE TO '0.2.0'" to load this file. \quit

-- issue 10: hardening
--
-- An upsert's DO UPDATE marks that it took the update branch with a prefix
-- operator on exactly pg_catalog.bool, applied to a bool constant in its
-- WHERE.  0.1.0 called forge_upsert_mark(anyelement) by name in DO UPDATE
-- SET, and any role with CREATE on this schema could out-match that call
-- with an exact-type overload that then ran as the caller.  An exact
-- operator match is looked up directly, and a schema holds only one
-- operator of a name and argument type, so nothing can stand in for this
-- one.  Internal: not for direct use.
CREATE FUNCTION @extschema@.forge_upsert_updated(pg_catalog.bool)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'forge_upsert_updated'
LANGUAGE C VOLATILE STRICT SECURITY INVOKER PARALLEL UNSAFE;

CREATE OPERATOR @extschema@.<@~@> (
    RIGHTARG = pg_catalog.bool,
    FUNCTION = @extschema@.forge_upsert_updated
);

DROP FUNCTION @extschema@.forge_upsert_mark(pg_catalog.anyelement);

-- forge_outbox_enable called forge_outbox_disable by name: an overload
-- with a defaulted extra argument, created in this schema, made the call
-- ambiguous (and so the function unusable).  It now drops the old
-- triggers itself and calls nothing of this schema by name.  And it
-- refuses a table that Citus manages (issue 11), whose events the
-- outbox's statement triggers would never record.
--
-- It also named the trigger function's schema with format's %I applied to
-- '@extschema@', which the script's substitution has already quoted: in a
-- schema that needs quoting ("Forge", "forge ext") it named a schema
-- spelled with the quotes themselves, so the function failed, or, where
-- a role with CREATE on the database had made that schema and a
-- forge_outbox_capture() in it, put that role's function on the table, to
-- run as every writer.  The name is now used as substituted (%s).
DROP FUNCTION @extschema@.forge_outbox_enable(pg_catalog.regclass, pg_catalog.bool);
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
    -- target: the table's name if Citus manages it (issue 11): the outbox's
    -- statement triggers would run on the nodes that hold the rows, outside
    -- the forge call, and record nothing
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
    SELECT format('%I.%I', n.nspname, c.relname) INTO STRICT target
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = model;
    EXECUTE format('DROP TRIGGER IF EXISTS forge_outbox_insert ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS forge_outbox_update ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS forge_outbox_delete ON %s', target);
    EXECUTE format('CREATE TRIGGER forge_outbox_insert AFTER INSERT ON %s'
                   ' REFERENCING NEW TABLE AS forge_new FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION %s.forge_outbox_capture(%L)',
                   target, '@extschema@', what);
    EXECUTE format('CREATE TRIGGER forge_outbox_update AFTER UPDATE ON %s'
                   ' REFERENCING OLD TABLE AS forge_old NEW TABLE AS forge_new FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION %s.forge_outbox_capture(%L)',
                   target, '@extschema@', what);
    EXECUTE format('CREATE TRIGGER forge_outbox_delete AFTER DELETE ON %s'
                   ' REFERENCING OLD TABLE AS forge_old FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION %s.forge_outbox_capture(%L)',
                   target, '@extschema@', what);
END
$$;

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

-- issue 12: returned rows and limit
--
-- Prisma's createManyAndReturn and updateManyAndReturn: the write of
-- forge_create_many and forge_update_many in one statement, returning the
-- jsonb array of the rows written (select, omit and to-one include shape
-- them).  The other verbs gained keys (omit; limit on update_many and
-- delete_many) without a change of signature.
CREATE FUNCTION @extschema@.forge_create_many_and_return(model pg_catalog.regclass,
                                                         args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_create_many_and_return'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_update_many_and_return(model pg_catalog.regclass,
                                                         args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_update_many_and_return'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

-- issue 12: relation names
--
-- A foreign key's comment may declare its relations' names, in
-- PostGraphile's smart-comment tags (@fieldName, @foreignFieldName,
-- @manyToManyFieldName; src/comments.c, src/relations.c), so that a
-- descriptor uses the names a Prisma schema gives them.  forge_relations
-- shows what a comment declares in a new last column, declared_name.
DROP FUNCTION @extschema@.forge_relations(pg_catalog.regclass);
CREATE FUNCTION @extschema@.forge_relations(model pg_catalog.regclass,
    OUT name pg_catalog.text, OUT kind pg_catalog.text,
    OUT constraint_name pg_catalog.text, OUT columns pg_catalog.text[],
    OUT target pg_catalog.regclass, OUT target_columns pg_catalog.text[],
    OUT join_table pg_catalog.regclass, OUT join_columns pg_catalog.text[],
    OUT join_target_columns pg_catalog.text[],
    OUT declared_name pg_catalog.text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'forge_relations'
LANGUAGE C VOLATILE STRICT SECURITY INVOKER PARALLEL RESTRICTED;

-- COMMENT sends no invalidation, and every backend caches a table's
-- relations: this event trigger, at the end of each COMMENT, invalidates
-- the commented table (or the table of a commented column or constraint)
-- and the table a commented foreign key references, so that every session
-- reads their relations again.  It fires for any role that may comment
-- (the owner), runs as that role, and only sends invalidations.
-- Internal: not for direct use.
CREATE FUNCTION @extschema@.forge_comment_invalidate()
RETURNS pg_catalog.event_trigger
AS 'MODULE_PATHNAME', 'forge_comment_invalidate'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE EVENT TRIGGER forge_comment_invalidate ON ddl_command_end
    WHEN TAG IN ('COMMENT')
    EXECUTE FUNCTION @extschema@.forge_comment_invalidate();

-- issue 12: soft delete
--
-- The soft-delete verbs: each is one UPDATE of the table's soft-delete
-- column, the column whose comment has the tag @softDelete (a nullable
-- timestamptz or timestamp).  Like the seven verbs, they run as the caller
-- and are not STRICT.
CREATE FUNCTION @extschema@.forge_soft_delete(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_soft_delete'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_soft_delete_many(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_soft_delete_many'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_restore(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_restore'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.forge_restore_many(model pg_catalog.regclass, args pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'forge_restore_many'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

-- issue 12: createMany's defaults, bound by OID
--
-- The DEFAULT of a column some rows of a createMany leave out, evaluated
-- from the catalog's expression (functions and operators bound by OID, not
-- looked up again in the caller's search_path).  createMany's statement
-- calls it; it runs as the caller, who must be allowed to INSERT into the
-- column.  type is a NULL of the column's type, giving the result's type.
CREATE FUNCTION @extschema@.forge_column_default(rel pg_catalog.oid, attnum pg_catalog.int2, type anyelement)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'forge_column_default'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

-- brk2: createMany's defaults through an operator of exact types
--
-- forge_column_default(oid, int2, anyelement) was called by name with a
-- NULL of the column's type giving the result's type: a role with CREATE on
-- this schema could add forge_column_default(oid, int2, text), an exact
-- match that beats the polymorphic one, and createMany then called it, as
-- the caller, for the default of a text column some rows left out (the
-- issue-10 class of forge_upsert_mark).  The default now comes from the
-- operator oid <@~~@> int2, as text that the statement casts to the
-- column's type: an exact operator match is looked up directly, and a
-- schema holds only one operator of a name and argument types.  Internal:
-- not for direct use.
DROP FUNCTION @extschema@.forge_column_default(pg_catalog.oid, pg_catalog.int2, anyelement);
CREATE FUNCTION @extschema@.forge_column_default(rel pg_catalog.oid, attnum pg_catalog.int2)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'forge_column_default'
LANGUAGE C VOLATILE SECURITY INVOKER PARALLEL UNSAFE;

CREATE OPERATOR @extschema@.<@~~@> (
    LEFTARG = pg_catalog.oid,
    RIGHTARG = pg_catalog.int2,
    FUNCTION = @extschema@.forge_column_default
);
