/*-------------------------------------------------------------------------
 *
 * forge.c
 *		  Module initialisation, GUCs, and the SQL-callable functions.
 *
 * Every verb takes (model regclass, args jsonb) and runs the same path:
 * open the table (catalog.c's one door: privileges, lock, ForgeRel), read
 * the descriptor into statements, and execute them (exec.c), or, when the
 * data names relations, run them as a nested write (nested.c).  The
 * functions are not STRICT, so that a NULL argument is an error rather than
 * a silent NULL result.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/forge.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/syscache.h"

#include "forge.h"

PG_MODULE_MAGIC;

bool		forge_notify_enabled = true;
char	   *forge_notify_channel = NULL;
int			forge_plan_cache_size = 1000;
bool		forge_notify_keys = false;
bool		forge_notify_timing = true;
bool		forge_notify_model_channel = false;

void		_PG_init(void);

/*
 * check_channel
 *		GUC check hook: a NOTIFY channel name is non-empty and shorter than
 *		NAMEDATALEN.
 */
static bool
check_channel(char **newval, void **extra, GucSource source)
{
	(void) extra;
	(void) source;
	if (*newval == NULL || (*newval)[0] == '\0')
	{
		GUC_check_errdetail("The channel name must not be empty.");
		return false;
	}
	if (strlen(*newval) >= NAMEDATALEN)
	{
		GUC_check_errdetail("The channel name must be shorter than %d bytes.",
							NAMEDATALEN);
		return false;
	}
	return true;
}

/*
 * _PG_init
 *		Define the GUCs and register the catalog invalidation callbacks.
 */
void
_PG_init(void)
{
	DefineCustomBoolVariable("forge.notify",
							 "Send a NOTIFY event for every forge write.",
							 NULL,
							 &forge_notify_enabled,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomStringVariable("forge.notify_channel",
							   "The NOTIFY channel of forge's events.",
							   NULL,
							   &forge_notify_channel,
							   "forge",
							   PGC_USERSET, 0,
							   check_channel, NULL, NULL);
	DefineCustomBoolVariable("forge.notify_keys",
							 "Add the primary keys of the rows written to each event.",
							 "Capped to keep the payload under 8000 bytes; \"keysTruncated\" says when.",
							 &forge_notify_keys,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("forge.notify_timing",
							 "Put duration_ms, startedAt and txid in each event.",
							 "Off gives payloads that depend only on the write, for tests and deduplication.",
							 &forge_notify_timing,
							 true,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("forge.notify_model_channel",
							 "Also send each event on the table's own channel.",
							 "The channel is forge_model_channel(table): the notify channel, a colon, and schema.table.",
							 &forge_notify_model_channel,
							 false,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("forge.plan_cache_size",
							"Most prepared plans forge keeps per backend (0 disables the cache).",
							NULL,
							&forge_plan_cache_size,
							1000, 0, 100000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("forge");
	forge_catalog_init();
	forge_events_init();
}

/*
 * forge_write
 *		Run one write of verb on the table relid, as described by args: the
 *		body of every verb.  Returns the row, {"count": n} or the array of
 *		rows written.  A write whose
 *		data names relations runs below this, in nested.c.
 */
static Datum
forge_write(ForgeVerb verb, Oid relid, Jsonb *args)
{
	ForgeRel   *rel;
	List	   *stmts;
	List	   *save;
	volatile Datum result = (Datum) 0;

	/* the ForgeRels this call opens stay pinned until it ends */
	forge_scope_begin(&save);
	PG_TRY();
	{
		rel = forge_open_model(verb, relid);
		stmts = forge_read(verb, rel, args);
		if (stmts != NIL && ((ForgeStmt *) linitial(stmts))->nested != NULL)
			result = forge_nested(linitial(stmts));
		else
			result = forge_exec(verb, rel, stmts);
	}
	PG_FINALLY();
	{
		forge_scope_end(save);
	}
	PG_END_TRY();
	return result;
}

/*
 * forge_run
 *		The SQL-callable verbs: check the arguments and write.
 */
static Datum
forge_run(FunctionCallInfo fcinfo, ForgeVerb verb)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s does not accept a null %s", forge_verb_name(verb),
						PG_ARGISNULL(0) ? "model" : "args")));
	return forge_write(verb, PG_GETARG_OID(0), PG_GETARG_JSONB_P(1));
}

PG_FUNCTION_INFO_V1(forge_create);
PG_FUNCTION_INFO_V1(forge_create_many);
PG_FUNCTION_INFO_V1(forge_update);
PG_FUNCTION_INFO_V1(forge_update_many);
PG_FUNCTION_INFO_V1(forge_upsert);
PG_FUNCTION_INFO_V1(forge_delete);
PG_FUNCTION_INFO_V1(forge_delete_many);
PG_FUNCTION_INFO_V1(forge_create_many_and_return);
PG_FUNCTION_INFO_V1(forge_update_many_and_return);
PG_FUNCTION_INFO_V1(forge_plan_cache_stats);
PG_FUNCTION_INFO_V1(forge_plan_cache_reset);
PG_FUNCTION_INFO_V1(forge_upsert_mark);
PG_FUNCTION_INFO_V1(forge_upsert_updated);
PG_FUNCTION_INFO_V1(forge_model_channel);

/* forge_create(model regclass, args jsonb) returns jsonb: the new row */
Datum
forge_create(PG_FUNCTION_ARGS)
{
	return forge_run(fcinfo, FORGE_CREATE);
}

/* forge_create_many(model, args) returns {"count": n} */
Datum
forge_create_many(PG_FUNCTION_ARGS)
{
	return forge_run(fcinfo, FORGE_CREATE_MANY);
}

/* forge_update(model, args) returns the updated row, or raises P2025 */
Datum
forge_update(PG_FUNCTION_ARGS)
{
	return forge_run(fcinfo, FORGE_UPDATE);
}

/* forge_update_many(model, args) returns {"count": n} */
Datum
forge_update_many(PG_FUNCTION_ARGS)
{
	return forge_run(fcinfo, FORGE_UPDATE_MANY);
}

/* forge_upsert(model, args) returns the created or updated row */
Datum
forge_upsert(PG_FUNCTION_ARGS)
{
	return forge_run(fcinfo, FORGE_UPSERT);
}

/* forge_delete(model, args) returns the deleted row, or raises P2025 */
Datum
forge_delete(PG_FUNCTION_ARGS)
{
	return forge_run(fcinfo, FORGE_DELETE);
}

/* forge_delete_many(model, args) returns {"count": n} */
Datum
forge_delete_many(PG_FUNCTION_ARGS)
{
	return forge_run(fcinfo, FORGE_DELETE_MANY);
}

/* forge_create_many_and_return(model, args) returns the array of new rows */
Datum
forge_create_many_and_return(PG_FUNCTION_ARGS)
{
	return forge_run(fcinfo, FORGE_CREATE_MANY_RETURN);
}

/* forge_update_many_and_return(model, args) returns the array of updated rows */
Datum
forge_update_many_and_return(PG_FUNCTION_ARGS)
{
	return forge_run(fcinfo, FORGE_UPDATE_MANY_RETURN);
}

/*
 * forge_plan_cache_stats
 *		() returns (hits bigint, misses bigint, entries bigint) of this
 *		backend's plan cache.
 */
Datum
forge_plan_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int64		hits,
				misses,
				entries;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	forge_plancache_stats(&hits, &misses, &entries);
	values[0] = Int64GetDatum(hits);
	values[1] = Int64GetDatum(misses);
	values[2] = Int64GetDatum(entries);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/*
 * forge_upsert_updated
 *		(bool) returns true: the function of the prefix operator <@~@>,
 *		which forge_upsert puts in its DO UPDATE's WHERE (deparse.c), so
 *		calling it means the update branch ran; the event's op then says
 *		"update".
 */
Datum
forge_upsert_updated(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	forge_note_upsert_update();
	PG_RETURN_BOOL(true);
}

/*
 * forge_upsert_mark
 *		(anyelement) returns its argument: 0.1.0's update-branch marker,
 *		which its install script creates (0.2.0 drops it: an exact-type
 *		overload created in its schema would beat it).
 */
Datum
forge_upsert_mark(PG_FUNCTION_ARGS)
{
	forge_note_upsert_update();
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/*
 * forge_model_channel
 *		(model regclass [, channel text]) returns text: the channel that
 *		carries model's events when forge.notify_model_channel is on and the
 *		notify channel is "channel" (by default forge.notify_channel as it
 *		is set now).
 */
Datum
forge_model_channel(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *relname = get_rel_name(relid);
	const char *base = forge_notify_channel;
	char		channel[NAMEDATALEN];

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (PG_NARGS() > 1)
	{
		base = text_to_cstring(PG_GETARG_TEXT_PP(1));
		if (base[0] == '\0' || strlen(base) >= NAMEDATALEN)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid channel name \"%s\"", base),
					 errdetail("A channel name is 1 to %d bytes long.",
							   NAMEDATALEN - 1)));
	}
	forge_model_channel_name(channel, base,
							 get_namespace_name(get_rel_namespace(relid)),
							 relname);
	PG_RETURN_TEXT_P(cstring_to_text(channel));
}

/*
 * forge_plan_cache_reset
 *		() drops this backend's cached plans and zeroes the counters.
 */
Datum
forge_plan_cache_reset(PG_FUNCTION_ARGS)
{
	forge_plancache_reset();
	PG_RETURN_VOID();
}
