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
