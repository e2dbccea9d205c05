/*-------------------------------------------------------------------------
 *
 * outbox.c
 *		  The durable outbox: a trigger that records forge's writes in
 *		  forge_outbox, in the writing transaction.
 *
 * forge_outbox_enable(table) puts three AFTER ... FOR EACH STATEMENT
 * triggers on the table, with transition tables (forge_new, forge_old),
 * all calling forge_outbox_capture().  When one fires inside a forge call on
 * that table (exec.c's forge_active_call() says which call is running), it
 * inserts one event: the call's model, op, verb and start time, plus, read
 * from the transition tables, the row count, the primary keys and, opted in
 * per table, each row's changed values old and new.  A write that is not a
 * forge call, or a forge call on another table whose trigger writes this
 * one, records nothing: the trigger records only the statement that the
 * innermost forge call is running, which it knows by the command ID of the
 * active snapshot (exec.c notes the statement's); a plain SQL statement
 * that a trigger runs during the call has a later one.
 *
 * The trigger runs as the writing role (no function of forge is SECURITY
 * DEFINER), so writers need INSERT on forge_outbox.  Its statement is
 * prepared once per (table, op, changes) and kept; it is rebuilt when the
 * plan is invalid or the table's ForgeRel was rebuilt (DDL).  A plan being
 * run is pinned: a trigger on the outbox may make forge calls that need
 * the same entry rebuilt, and the old plan is freed when its last run ends.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/outbox.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "forge.h"

typedef struct OutboxPlanKey
{
	Oid			relid;
	char		op;				/* 'i', 'u', 'd' */
	bool		changes;
} OutboxPlanKey;

typedef struct OutboxPlanEntry
{
	OutboxPlanKey key;
	uint32		generation;		/* of the ForgeRel the SQL was built from */
	SPIPlanPtr	plan;
	int			running;		/* runs of this entry's plans in progress */
	List	   *stale;			/* replaced plans, freed when none runs */
} OutboxPlanEntry;

static HTAB *outbox_plans = NULL;

/*
 * outbox_plan
 *		The kept plan that records op on rel; built on first use and when
 *		invalid.  The outbox lives in the schema of capture_fn (the trigger
 *		function), the extension's; looked up only when the plan is built.
 */
static OutboxPlanEntry *
outbox_plan(ForgeRel *rel, char op, bool changes, Oid capture_fn)
{
	OutboxPlanKey key;
	OutboxPlanEntry *entry;
	bool		found;
	StringInfoData sql;
	Oid			types[2] = {TEXTOID, JSONBOID};
	SPIPlanPtr	plan;

	if (outbox_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(OutboxPlanKey);
		ctl.entrysize = sizeof(OutboxPlanEntry);
		outbox_plans = hash_create("forge outbox plans", 16, &ctl,
								   HASH_ELEM | HASH_BLOBS);
	}
	memset(&key, 0, sizeof(key));
	key.relid = rel->relid;
	key.op = op;
	key.changes = changes;
	entry = hash_search(outbox_plans, &key, HASH_ENTER, &found);
	if (!found)
	{
		entry->plan = NULL;
		entry->running = 0;
		entry->stale = NIL;
	}
	if (entry->plan != NULL)
	{
		if (entry->generation == rel->generation &&
			SPI_plan_is_valid(entry->plan))
			return entry;
		if (entry->running > 0)
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			entry->stale = lappend(entry->stale, entry->plan);
			MemoryContextSwitchTo(old);
		}
		else
			SPI_freeplan(entry->plan);
	}
	entry->plan = NULL;

	initStringInfo(&sql);
	forge_deparse_outbox(&sql, rel, op, changes,
						 quote_qualified_identifier(get_namespace_name(get_func_namespace(capture_fn)),
													"forge_outbox"));
	plan = SPI_prepare(sql.data, 2, types);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s",
			 sql.data, SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	entry->plan = plan;
	entry->generation = rel->generation;
	return entry;
}

/*
 * outbox_run_done
 *		A run of entry's plan ended (or failed): the last one frees the
 *		plans replaced meanwhile.
 */
static void
outbox_run_done(OutboxPlanEntry *entry)
{
	ListCell   *lc;

	if (--entry->running > 0)
		return;
	foreach(lc, entry->stale)
		SPI_freeplan((SPIPlanPtr) lfirst(lc));
	list_free(entry->stale);
	entry->stale = NIL;
}

PG_FUNCTION_INFO_V1(forge_outbox_capture);

/*
 * forge_outbox_capture
 *		Statement trigger: record the forge call that wrote this table.
 *		Its one argument is "changes" to record the changed values too, or
 *		"keys".
 */
Datum
forge_outbox_capture(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	ForgeActive *call = forge_active_call();
	Trigger    *trigger;
	bool		changes;
	char		op;
	const char *opname;
	StringInfoData event;
	Datum		values[2];
	OutboxPlanEntry *entry;
	volatile int rc = 0;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("forge_outbox_capture must be an AFTER ... FOR EACH STATEMENT trigger"),
				 errhint("Use forge_outbox_enable() to create it.")));

	/*
	 * Only the statement of the forge call that writes this very table is
	 * recorded, not a statement a trigger runs during the call.
	 */
	if (call == NULL ||
		call->rel->relid != RelationGetRelid(trigdata->tg_relation) ||
		!ActiveSnapshotSet() || GetActiveSnapshot()->curcid != call->cid)
		return PointerGetDatum(NULL);

	trigger = trigdata->tg_trigger;
	changes = trigger->tgnargs > 0 && strcmp(trigger->tgargs[0], "changes") == 0;
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		op = 'i', opname = "insert";
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		op = 'u', opname = "update";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		op = 'd', opname = "delete";
	else
		return PointerGetDatum(NULL);	/* TRUNCATE: not a forge write */

	initStringInfo(&event);
	appendStringInfoString(&event, "{\"adapter\":\"postgres\",\"model\":");
	escape_json(&event, call->rel->model);
	appendStringInfo(&event, ",\"op\":\"%s\",\"verb\":\"%s\",\"semanticOp\":null,\"startedAt\":",
					 opname, forge_verb_name(call->verb));
	forge_append_iso_timestamp(&event, call->started);
	appendStringInfoChar(&event, '}');


	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	if ((rc = SPI_register_trigger_data(trigdata)) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed: %s",
			 SPI_result_code_string(rc));
	values[0] = CStringGetTextDatum(call->rel->model);
	values[1] = DirectFunctionCall1(jsonb_in, CStringGetDatum(event.data));
	entry = outbox_plan(call->rel, op, changes, fcinfo->flinfo->fn_oid);
	entry->running++;
	PG_TRY();
	{
		rc = SPI_execute_plan(entry->plan, values, NULL, false, 0);
	}
	PG_FINALLY();
	{
		outbox_run_done(entry);
	}
	PG_END_TRY();
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "unexpected result of the outbox insert: %s",
			 SPI_result_code_string(rc));
	if ((rc = SPI_finish()) != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
	return PointerGetDatum(NULL);
}
