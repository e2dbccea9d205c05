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
Oid			forge_calling_function = InvalidOid;	/* the verb being run */

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
							 "Put duration_ms and startedAt in each event.",
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
}

/*
 * check_may_touch
 *		Before locking relid: the caller must have some privilege on it (on
 *		the table or on one of its columns) and USAGE on its schema, as a
 *		statement naming it would.  Without this, a role with no rights
 *		could queue for a lock on any table by passing its OID.  The
 *		statement itself then checks the exact privileges it needs, so the
 *		check is skipped for the role that last passed it on this table
 *		(forge_rel_checked): after a REVOKE that role may at worst queue
 *		once more, then fail in the statement.
 */
static void
check_may_touch(Oid relid)
{
	Oid			userid = GetUserId();
	Oid			nsp;
	AclResult	acl;

	if (pg_class_aclmask(relid, userid,
						 ACL_SELECT | ACL_INSERT | ACL_UPDATE | ACL_DELETE,
						 ACLMASK_ANY) == 0 &&
		pg_attribute_aclcheck_all(relid, userid,
								  ACL_SELECT | ACL_INSERT | ACL_UPDATE,
								  ACLMASK_ANY) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV,
					   get_relkind_objtype(get_rel_relkind(relid)),
					   get_rel_name(relid));
	nsp = get_rel_namespace(relid);
	acl = forge_namespace_aclcheck(nsp, userid, ACL_USAGE);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_SCHEMA, get_namespace_name(nsp));
}

/*
 * forge_write
 *		Run one write of verb on the table relid, as described by args: the
 *		body of every verb, and of every nested write (nested.c), which
 *		passes info.  Returns the row or {"count": n}.
 */
Datum
forge_write(ForgeVerb verb, Oid relid, Jsonb *args, ForgeWriteInfo *info)
{
	ForgeRel   *rel;
	List	   *stmts;

	/*
	 * Lock first, as the statement itself would: this processes pending
	 * invalidations, so the ForgeRel below reflects committed DDL.
	 */
	if (!forge_rel_checked(relid, GetUserId()))
		check_may_touch(relid);
	LockRelationOid(relid, verb == FORGE_FIND ? AccessShareLock :
					RowExclusiveLock);
	rel = forge_rel_get(relid);
	rel->checked_user = GetUserId();
	if (verb != FORGE_FIND)
		forge_citus_check_write(rel);
	stmts = forge_read(verb, rel, args);
	if (stmts != NIL && ((ForgeStmt *) linitial(stmts))->nested)
		return forge_nested(verb, rel, args, info);
	if (stmts != NIL && forge_citus_reads_back(linitial(stmts)))
		return forge_nested(verb, rel, args, info);
	return forge_exec(verb, rel, stmts, info);
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
	forge_calling_function = fcinfo->flinfo->fn_oid;
	return forge_write(verb, PG_GETARG_OID(0), PG_GETARG_JSONB_P(1), NULL);
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
PG_FUNCTION_INFO_V1(forge_upsert_mark);
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
 * forge_upsert_mark
 *		(anyelement) returns its argument.  forge_upsert wraps the first
 *		value of its DO UPDATE SET in it, so calling it means the update
 *		branch ran; the event's op then says "update".
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
 *		(model regclass) returns text: the channel that carries model's
 *		events when forge.notify_model_channel is on.
 */
Datum
forge_model_channel(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	char	   *relname = get_rel_name(relid);
	char		channel[NAMEDATALEN];

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	forge_model_channel_name(channel,
							 psprintf("%s.%s",
									  get_namespace_name(get_rel_namespace(relid)),
									  relname),
							 relid);
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
