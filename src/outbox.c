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
 * DEFINER, and nothing here changes the role), so writers need INSERT on
 * forge_outbox.  That grant alone would let a writer insert any event it
 * likes; forge_outbox_guard, a row trigger on forge_outbox, refuses every
 * insert that does not come from this trigger (and every update) to roles
 * that do not own the table.  The trigger computes the event first (a
 * query over the transition tables, one per (table, op, changes), which
 * deparse_outbox_query writes), and only then, with a flag set that the
 * guard reads, runs the one fixed INSERT of that value into the
 * forge_outbox of the extension's schema (forge_extension_schema): no code
 * a writer controls runs while the flag is set.  Both plans come from
 * plancache.c, under keys of their own, with its rules: bounded by
 * forge.plan_cache_size, rebuilt when invalid (and
 * the event query when the table's ForgeRel was rebuilt by DDL, which
 * PostgreSQL cannot see in a query over transition tables), pinned while
 * they run, since a trigger may make forge calls that evict or replace
 * them.
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
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "forge.h"

/*
 * The key of an outbox plan in plancache.c: the event query of one table,
 * op and "changes", or (relid InvalidOid) the INSERT into the forge_outbox
 * of schema nsp.  Zeroed before filling: its bytes are the key.
 */
typedef struct OutboxPlanKey
{
	Oid			relid;
	Oid			nsp;
	char		op;				/* 'i', 'u', 'd'; 0 for the INSERT */
	bool		changes;
} OutboxPlanKey;

/* what outbox_event_deparse needs */
typedef struct OutboxEventArg
{
	ForgeRel   *rel;
	char		op;
	bool		changes;
} OutboxEventArg;

/*
 * Set while forge_outbox_capture runs its INSERT: the only time the guard
 * trigger lets a role that does not own forge_outbox insert into it.  Only
 * the INSERT of a value already computed runs meanwhile, so no code a
 * writer controls can see it set.
 */
static int	capturing = 0;

/*
 * deparse_changed
 *		Append a jsonb object of the columns of row a whose values differ in
 *		row b: {"col": a's value, ...}, {} when none do.
 */
static void
deparse_changed(StringInfo buf, const char *a, const char *b)
{
	appendStringInfo(buf,
					 "COALESCE((SELECT pg_catalog.jsonb_object_agg(e.key, e.value)"
					 " FROM pg_catalog.jsonb_each(pg_catalog.to_jsonb(%s.*)) e"
					 " WHERE NOT (e.value OPERATOR(pg_catalog.=)"
					 " (pg_catalog.to_jsonb(%s.*) OPERATOR(pg_catalog.->) e.key))),"
					 " '{}'::pg_catalog.jsonb)",
					 a, b);
}

/*
 * deparse_key_present
 *		Append "alias.first_key_column IS [NOT] NULL": whether the outer join
 *		found a row on that side (key columns are never NULL).
 */
static void
deparse_key_present(StringInfo buf, ForgeRel *rel, const char *alias,
					bool present)
{
	ForgeUniqueKey *key = &rel->keys[rel->pkey];

	appendStringInfo(buf, "%s.%s IS %sNULL", alias,
					 quote_identifier(rel->cols[key->cols[0]].name),
					 present ? "NOT " : "");
}

/*
 * deparse_outbox_query
 *		Append the query the outbox trigger runs for one statement of a
 *		forge call on rel that did op ('i', 'u' or 'd'): it reads the
 *		trigger's transition tables (forge_new, forge_old) and returns one
 *		event, $1 (the call's fields, jsonb) with the row count, the primary
 *		keys and, with changes, each row's values: new for an insert, old
 *		for a delete, and for an update the columns that changed, old and
 *		new; or no row when the statement wrote none.  An update pairs old
 *		and new rows by primary key (FULL JOIN): a row whose key changed
 *		shows as its old row gone and its new row come.  It runs as the
 *		writer; outbox.c inserts what it returns.
 */
static void
deparse_outbox_query(StringInfo buf, ForgeRel *rel, char op, bool changes)
{
	bool		haskey = rel->pkey >= 0;
	bool		pair = changes && op == 'u' && haskey;
	int			i;

	appendStringInfoString(buf, "SELECT $1 OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
						   "'rowCount', ");
	if (pair)
	{
		/* the rows written are the new ones */
		appendStringInfoString(buf, "pg_catalog.count(*) FILTER (WHERE ");
		deparse_key_present(buf, rel, "r", true);
		appendStringInfoString(buf, "), 'keys', pg_catalog.jsonb_agg(");
		forge_deparse_key(buf, rel, "r");
		appendStringInfoString(buf, ") FILTER (WHERE ");
		deparse_key_present(buf, rel, "r", true);
		appendStringInfoString(buf, "), 'changes', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('key', CASE WHEN ");
		deparse_key_present(buf, rel, "r", true);
		appendStringInfoString(buf, " THEN ");
		forge_deparse_key(buf, rel, "r");
		appendStringInfoString(buf, " ELSE ");
		forge_deparse_key(buf, rel, "o");
		appendStringInfoString(buf, " END, 'old', CASE WHEN ");
		deparse_key_present(buf, rel, "o", false);
		appendStringInfoString(buf, " THEN NULL WHEN ");
		deparse_key_present(buf, rel, "r", false);
		appendStringInfoString(buf, " THEN pg_catalog.to_jsonb(o.*) ELSE ");
		deparse_changed(buf, "o", "r");
		appendStringInfoString(buf, " END, 'new', CASE WHEN ");
		deparse_key_present(buf, rel, "r", false);
		appendStringInfoString(buf, " THEN NULL WHEN ");
		deparse_key_present(buf, rel, "o", false);
		appendStringInfoString(buf, " THEN pg_catalog.to_jsonb(r.*) ELSE ");
		deparse_changed(buf, "r", "o");
		appendStringInfoString(buf, " END)))");
	}
	else
	{
		appendStringInfoString(buf, "pg_catalog.count(*), 'keys', ");
		if (haskey)
		{
			appendStringInfoString(buf, "pg_catalog.jsonb_agg(");
			forge_deparse_key(buf, rel, "r");
			appendStringInfoChar(buf, ')');
		}
		else
			appendStringInfoString(buf, "NULL::pg_catalog.jsonb");
		if (changes && op != 'u')
		{
			appendStringInfoString(buf, ", 'changes', pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(");
			if (haskey)
			{
				appendStringInfoString(buf, "'key', ");
				forge_deparse_key(buf, rel, "r");
				appendStringInfoString(buf, ", ");
			}
			appendStringInfo(buf, "'%s', pg_catalog.to_jsonb(r.*)))",
							 op == 'i' ? "new" : "old");
		}
		appendStringInfoChar(buf, ')');
	}
	appendStringInfo(buf, " FROM %s r", op == 'd' ? "forge_old" : "forge_new");
	if (pair)
	{
		ForgeUniqueKey *key = &rel->keys[rel->pkey];

		appendStringInfoString(buf, " FULL JOIN forge_old o ON (");
		for (i = 0; i < key->ncols; i++)
		{
			ForgeColumn *c = &rel->cols[key->cols[i]];

			if (i > 0)
				appendStringInfoString(buf, " AND ");
			forge_deparse_compare(buf, psprintf("o.%s", quote_identifier(c->name)),
							c->eqopr,
							psprintf("r.%s", quote_identifier(c->name)),
							false);
		}
		appendStringInfoChar(buf, ')');
	}
	appendStringInfoString(buf, " HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0");
}

/*
 * outbox_event_deparse
 *		ForgePlanSource.deparse of the event query.
 */
static void
outbox_event_deparse(StringInfo buf, void *arg)
{
	OutboxEventArg *a = arg;

	deparse_outbox_query(buf, a->rel, a->op, a->changes);
}

/*
 * outbox_event_plan
 *		The plan, pinned, that computes the event of op on rel from the
 *		transition tables.  Its text depends on rel's columns and primary
 *		key, and it reads no table PostgreSQL would invalidate it for, so
 *		its version is the generation of the ForgeRel it was built from: a
 *		table rebuilt by DDL gets a new plan.
 */
static ForgePlan *
outbox_event_plan(ForgeRel *rel, char op, bool changes)
{
	OutboxPlanKey key;
	OutboxEventArg arg;
	ForgePlanSource src;
	Oid			types[1] = {JSONBOID};

	memset(&key, 0, sizeof(key));
	key.relid = rel->relid;
	key.op = op;
	key.changes = changes;
	arg.rel = rel;
	arg.op = op;
	arg.changes = changes;
	memset(&src, 0, sizeof(src));
	src.owner = FORGE_PLAN_OUTBOX;
	src.key = &key;
	src.keylen = sizeof(key);
	src.version = rel->generation;
	src.deparse = outbox_event_deparse;
	src.arg = &arg;
	src.nargs = 1;
	src.argtypes = types;
	return forge_plan_lookup(&src);
}

/*
 * outbox_insert_deparse
 *		ForgePlanSource.deparse of the INSERT into the forge_outbox of the
 *		schema *arg.
 */
static void
outbox_insert_deparse(StringInfo buf, void *arg)
{
	Oid			nsp = *(Oid *) arg;
	char	   *nspname = get_namespace_name(nsp);

	if (nspname == NULL)
		elog(ERROR, "cache lookup failed for namespace %u", nsp);
	appendStringInfo(buf, "INSERT INTO %s (model, event) VALUES ($1, $2)",
					 quote_qualified_identifier(nspname, "forge_outbox"));
}

/*
 * outbox_insert
 *		Run INSERT INTO forge_outbox (model, event) VALUES (values), into
 *		the extension's forge_outbox, with capturing set so that
 *		forge_outbox_guard lets it through.  Returns SPI_execute_plan's
 *		result.
 */
static int
outbox_insert(Datum *values)
{
	OutboxPlanKey key;
	ForgePlanSource src;
	Oid			types[2] = {TEXTOID, JSONBOID};
	ForgePlan  *plan;
	volatile int rc = 0;

	memset(&key, 0, sizeof(key));
	key.nsp = forge_extension_schema();
	memset(&src, 0, sizeof(src));
	src.owner = FORGE_PLAN_OUTBOX;
	src.key = &key;
	src.keylen = sizeof(key);
	src.deparse = outbox_insert_deparse;
	src.arg = &key.nsp;
	src.nargs = 2;
	src.argtypes = types;
	plan = forge_plan_lookup(&src);

	capturing++;
	PG_TRY();
	{
		rc = SPI_execute_plan(forge_plan_spi(plan), values, NULL, false, 0);
	}
	PG_FINALLY();
	{
		capturing--;
		forge_plan_release(plan);
	}
	PG_END_TRY();
	return rc;
}

PG_FUNCTION_INFO_V1(forge_outbox_capture);

/*
 * forge_outbox_capture
 *		Statement trigger: record the forge call that wrote this table.
 *		Its one argument is "changes" to record the changed values too, or
 *		"keys".
 *
 *		The event is computed from the transition tables as the writer;
 *		then, with capturing set, the fixed INSERT of that value runs, also
 *		as the writer (who needs INSERT on forge_outbox).  Nothing here
 *		changes the role.
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
	ForgeEventFields fields;
	StringInfoData event;
	Datum		values[2];
	ForgePlan  *plan;
	bool		isnull;
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

	/* the call's fields; the outbox query adds rowCount, keys, changes */
	memset(&fields, 0, sizeof(fields));
	fields.model = call->rel->model;
	fields.nspname = call->rel->nspname;
	fields.relname = call->rel->relname;
	fields.op = opname;
	fields.verb = call->verb;
	fields.with_txid = true;
	fields.with_started = true;
	fields.started = call->started;
	initStringInfo(&event);
	forge_event_payload(&event, &fields);

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
	if ((rc = SPI_register_trigger_data(trigdata)) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed: %s",
			 SPI_result_code_string(rc));

	/* the event, as the writer: no row when the statement wrote none */
	values[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(event.data));
	plan = outbox_event_plan(call->rel, op, changes);
	PG_TRY();
	{
		rc = SPI_execute_plan(forge_plan_spi(plan), values, NULL, false, 0);
	}
	PG_FINALLY();
	{
		forge_plan_release(plan);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "unexpected result of the outbox query: %s",
			 SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		values[0] = CStringGetTextDatum(call->rel->model);
		values[1] = SPI_getbinval(SPI_tuptable->vals[0],
								  SPI_tuptable->tupdesc, 1, &isnull);
		if (isnull)
			elog(ERROR, "the outbox query returned a null event");

		rc = outbox_insert(values);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "unexpected result of the outbox insert: %s",
				 SPI_result_code_string(rc));
	}
	if ((rc = SPI_finish()) != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(forge_outbox_guard);

/*
 * forge_outbox_guard
 *		BEFORE INSERT OR UPDATE ... FOR EACH ROW trigger on forge_outbox: a
 *		row may be inserted only by forge_outbox_capture (capturing) or by a
 *		role with the privileges of forge_outbox's owner (who could drop
 *		this trigger anyway; pg_restore loads the table's data so), and
 *		updated only by the latter.  So a writer granted INSERT, and a
 *		worker granted UPDATE, cannot put an event there that no forge
 *		write made.
 */
Datum
forge_outbox_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	bool		insert;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ||
		  TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("forge_outbox_guard must be a BEFORE INSERT OR UPDATE ... FOR EACH ROW trigger")));

	rel = trigdata->tg_relation;
	insert = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	if (!(insert && capturing > 0) &&
		!has_privs_of_role(GetUserId(), rel->rd_rel->relowner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only forge may %s events in \"%s\"",
						insert ? "insert" : "update",
						RelationGetRelationName(rel)),
				 errdetail("Events are recorded by forge's outbox trigger when a forge call writes a table, and are not changed afterwards."),
				 errhint("Write the table with a forge function; to remove an event, use forge_outbox_ack().")));
	return PointerGetDatum(insert ? trigdata->tg_trigtuple : trigdata->tg_newtuple);
}
