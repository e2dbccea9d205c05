/*-------------------------------------------------------------------------
 *
 * forge.c
 *		  Module initialisation, GUCs, and the SQL-callable functions.
 *
 * Every verb takes (model regclass, args jsonb) and runs the same path:
 * lock the table, get its ForgeRel, read the descriptor, execute.  The
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
#include "storage/lmgr.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/syscache.h"

#include "forge.h"

PG_MODULE_MAGIC;

bool		forge_notify_enabled = true;
char	   *forge_notify_channel = NULL;
int			forge_plan_cache_size = 1000;

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
	DefineCustomIntVariable("forge.plan_cache_size",
							"Most prepared plans forge keeps per backend (0 disables the cache).",
							NULL,
							&forge_plan_cache_size,
							1000, 0, 100000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("forge");
#else
	EmitWarningsOnPlaceholders("forge");
#endif
	forge_catalog_init();
}

/*
 * forge_run
 *		The body of every verb.
 */
static Datum
forge_run(FunctionCallInfo fcinfo, ForgeVerb verb)
{
	Oid			relid;
	Jsonb	   *args;
	ForgeRel   *rel;
	List	   *stmts;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s does not accept a null %s", forge_verb_name(verb),
						PG_ARGISNULL(0) ? "model" : "args")));
	relid = PG_GETARG_OID(0);
	args = PG_GETARG_JSONB_P(1);

	/*
	 * Lock first, as the statement itself would: this processes pending
	 * invalidations, so the ForgeRel below reflects committed DDL.
	 */
	LockRelationOid(relid, RowExclusiveLock);
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	rel = forge_rel_get(relid);
	stmts = forge_read(verb, rel, args);
	return forge_exec(verb, rel, stmts);
}

PG_FUNCTION_INFO_V1(forge_create);
PG_FUNCTION_INFO_V1(forge_create_many);
PG_FUNCTION_INFO_V1(forge_update);
PG_FUNCTION_INFO_V1(forge_update_many);
PG_FUNCTION_INFO_V1(forge_upsert);
PG_FUNCTION_INFO_V1(forge_delete);
PG_FUNCTION_INFO_V1(forge_delete_many);
PG_FUNCTION_INFO_V1(forge_plan_cache_stats);
PG_FUNCTION_INFO_V1(forge_plan_cache_reset);

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
 * forge_plan_cache_reset
 *		() drops this backend's cached plans and zeroes the counters.
 */
Datum
forge_plan_cache_reset(PG_FUNCTION_ARGS)
{
	forge_plancache_reset();
	PG_RETURN_VOID();
}
