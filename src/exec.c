/*-------------------------------------------------------------------------
 *
 * exec.c
 *		  Run a call's statements through SPI and shape the result.
 *
 * Each statement's plan comes from plancache.c; its parameters are the
 * Datums descriptor.c converted.  The returned row is computed by the
 * statement itself (RETURNING to_jsonb(t.*) or jsonb_build_object, or on a
 * Citus table a SELECT of them over the write's RETURNING t.*), so this
 * file only copies one jsonb Datum out of SPI's memory before SPI_finish.
 * The "and return" verbs' statements return the array of their rows, which
 * are concatenated when createMany runs several statements.
 * A verb that must touch one row and touched none is P2025.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/exec.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "optimizer/cost.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "forge.h"

#define ERRCODE_FORGE_NOT_FOUND MAKE_SQLSTATE('P','2','0','2','5')

/*
 * The forge call whose statement is running, innermost first.  Each call
 * pushes its own frame around SPI_execute_plan and pops it afterwards, even
 * on error, so a forge call nested in a trigger has a frame of its own:
 * the update-branch marker marks the right upsert, and the outbox trigger
 * (outbox.c) sees which forge call, if any, is writing its table.
 */
static ForgeActive *forge_active = NULL;

/*
 * forge_active_call
 *		The innermost running forge call, or NULL.
 */
ForgeActive *
forge_active_call(void)
{
	return forge_active;
}

/*
 * forge_note_upsert_update
 *		Called by the update-branch marker (forge_upsert_updated, the
 *		function of the operator <@~@>; 0.1.0's forge_upsert_mark): the ON
 *		CONFLICT update branch ran.
 */
void
forge_note_upsert_update(void)
{
	if (forge_active != NULL)
		forge_active->updated = true;
}

/*
 * execute_stmt
 *		SPI_execute_plan for st, inside frame.  The plan stays pinned while
 *		it runs (triggers may make forge calls that evict or replace it) and
 *		is released here, on error too.  With copysql, its SQL text is
 *		copied into *sql (SPI memory) first.
 */
static int
execute_stmt(ForgeStmt *st, ForgeActive *frame, bool copysql, char **sql)
{
	ForgePlan  *plan = forge_plan_get(st);
	volatile int rc = 0;
	int			save_nestlevel = -1;

	/*
	 * A read by a unique key (FORGE_FIND) reads the key's index.  On a
	 * table of a few hundred rows the planner prefers a sequential scan,
	 * which it costs by pages; but the scan evaluates the where on every
	 * row, and a lookup that a write waits for (connect, connectOrCreate)
	 * then costs more than the index probe that INSERT ... ON CONFLICT
	 * makes.  Sequential scans are turned off for the statement only
	 * (planned, if the plan cache replans it, and run here), as
	 * ri_triggers.c sets work_mem for its check: a new GUC nest level,
	 * popped below or, on error, by the (sub)transaction's abort.  No
	 * index, no harm: the planner still scans when nothing else can.
	 */
	if (st->verb == FORGE_FIND && enable_seqscan)
	{
		save_nestlevel = NewGUCNestLevel();
		(void) set_config_option("enable_seqscan", "off",
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}

	frame->outer = forge_active;
	forge_active = frame;
	PG_TRY();
	{
		/*
		 * Advance the command counter now, as SPI would before the
		 * statement: the statement then runs with exactly this command ID
		 * in its snapshot, by which the outbox trigger tells the
		 * statement's own write from a write made by a trigger (outbox.c).
		 */
		CommandCounterIncrement();
		frame->cid = GetCurrentCommandId(false);
		rc = SPI_execute_plan(forge_plan_spi(plan), st->values, st->nulls,
							  false, 0);
		if (copysql)
		{
			const char *text = forge_plan_sql(plan);

			*sql = SPI_palloc(strlen(text) + 1);
			strcpy(*sql, text);
		}
	}
	PG_FINALLY();
	{
		forge_active = frame->outer;
		forge_plan_release(plan);
	}
	PG_END_TRY();
	if (save_nestlevel >= 0)
		AtEOXact_GUC(true, save_nestlevel);
	return rc;
}

/*
 * expected_result
 *		The SPI result code statement st of verb returns on success.
 */
static int
expected_result(ForgeVerb verb, ForgeStmt *st)
{
	/*
	 * WITH ... (the write) SELECT the row, or the count and keys; an upsert
	 * by update is WITH u AS (...), i AS (...) SELECT the row
	 */
	if (st->by_update || forge_deparse_selects(st))
		return SPI_OK_SELECT;
	switch (verb)
	{
		case FORGE_CREATE:
		case FORGE_UPSERT:
			return SPI_OK_INSERT_RETURNING;
		case FORGE_CREATE_MANY:
			return SPI_OK_INSERT;
		case FORGE_UPDATE:
			return SPI_OK_UPDATE_RETURNING;
		case FORGE_UPDATE_MANY:
			return SPI_OK_UPDATE;
		case FORGE_DELETE:
			return SPI_OK_DELETE_RETURNING;
		case FORGE_DELETE_MANY:
			return SPI_OK_DELETE;
		case FORGE_FIND:
		case FORGE_CREATE_MANY_RETURN:
		case FORGE_UPDATE_MANY_RETURN:
			return SPI_OK_SELECT;
		case FORGE_SOFT_DELETE:
		case FORGE_SOFT_DELETE_MANY:
		case FORGE_RESTORE:
		case FORGE_RESTORE_MANY:
			break;				/* forge_verb_base maps them to updates */
	}
	return 0;					/* keep compiler quiet */
}

/*
 * not_found
 *		Raise P2025 for a verb that matched no row (or, for a create, whose
 *		row a BEFORE INSERT trigger skipped).
 */
static void
not_found(ForgeVerb verb, ForgeRel *rel)
{
	if (verb == FORGE_UPSERT)
		ereport(ERROR,
				(errcode(ERRCODE_FORGE_NOT_FOUND),
				 errmsg("record to upsert in \"%s\" failed the where filter",
						rel->model),
				 errdetail("A row with this key exists but does not match the rest of the where (or a BEFORE trigger skipped the row), so it was neither updated nor created.")));
	if (verb == FORGE_CREATE)
		ereport(ERROR,
				(errcode(ERRCODE_FORGE_NOT_FOUND),
				 errmsg("record to create in \"%s\" was not created", rel->model),
				 errdetail("A BEFORE INSERT trigger on the table returned NULL, so the row was not inserted.")));
	if (verb == FORGE_FIND)
		ereport(ERROR,
				(errcode(ERRCODE_FORGE_NOT_FOUND),
				 errmsg("record in \"%s\" not found", rel->model),
				 errdetail("No row matches the where.")));
	if (verb == FORGE_SOFT_DELETE || verb == FORGE_RESTORE)
		ereport(ERROR,
				(errcode(ERRCODE_FORGE_NOT_FOUND),
				 errmsg("record to %s in \"%s\" not found",
						verb == FORGE_SOFT_DELETE ? "soft-delete" : "restore",
						rel->model),
				 errdetail("No %s row matches the where of %s.",
						   verb == FORGE_SOFT_DELETE ? "live" : "soft-deleted",
						   forge_verb_name(verb))));
	ereport(ERROR,
			(errcode(ERRCODE_FORGE_NOT_FOUND),
			 errmsg("record to %s in \"%s\" not found",
					verb == FORGE_UPDATE ? "update" : "delete", rel->model),
			 errdetail("No row matches the where of %s.",
					   forge_verb_name(verb))));
}

/*
 * forge_exec_not_found
 *		P2025 for a one-row write of verb on rel that nested.c ran quietly.
 */
void
forge_exec_not_found(ForgeVerb verb, ForgeRel *rel)
{
	not_found(verb, rel);
}

/*
 * count_result
 *		{"count": n}
 */
static Datum
count_result(uint64 n)
{
	ForgeJsonbBuild state = {0};
	JsonbValue	key;
	JsonbValue	val;

	key.type = jbvString;
	key.val.string.val = "count";
	key.val.string.len = 5;
	val.type = jbvNumeric;
	val.val.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric,
														  Int64GetDatum((int64) n)));
	forge_jsonb_push(&state, WJB_BEGIN_OBJECT, NULL);
	forge_jsonb_push(&state, WJB_KEY, &key);
	forge_jsonb_push(&state, WJB_VALUE, &val);
	return JsonbPGetDatum(JsonbValueToJsonb(forge_jsonb_push(&state,
														   WJB_END_OBJECT,
														   NULL)));
}

/*
 * forge_exec_stmts
 *		Run stmts, the statements of one write of verb on rel, and return
 *		its result: the row, or {"count": n}, and whether a one-row verb
 *		found its row and an upsert took its update branch.  quiet: a
 *		one-row verb that finds no row returns found false (value (Datum)
 *		0) instead of raising P2025, for a nested write that says why
 *		itself.  event: queue the write's event (a nested write's own
 *		follow-up update of its row raises none).
 */
ForgeResult
forge_exec_stmts(ForgeVerb call_verb, ForgeRel *rel, List *stmts, bool quiet,
				 bool event)
{
	ForgeVerb	verb = forge_verb_base(call_verb);
	ForgeActive frame;
	ForgeResult res;
	Datum		result = (Datum) 0;
	bool		returns_row = false;
	uint64		total = 0;
	char	   *firstsql = NULL;
	ForgeJsonbBuild keystate = {0};
	Jsonb	   *keys = NULL;
	Datum		rows = (Datum) 0;	/* an "and return" verb's rows */
	const char *op;
	ListCell   *lc;
	int			rc;

	memset(&frame, 0, sizeof(frame));
	frame.rel = rel;
	frame.verb = call_verb;		/* the outbox's event names it */
	frame.started = GetCurrentTimestamp();

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));

	foreach(lc, stmts)
	{
		ForgeStmt  *st = lfirst(lc);
		int			expected = expected_result(verb, st);
		TupleDesc	tupdesc;
		HeapTuple	tup;
		bool		isnull;

		/* the event names the first statement */
		rc = execute_stmt(st, &frame,
						  firstsql == NULL && forge_notify_enabled &&
						  verb != FORGE_FIND, &firstsql);

		/*
		 * An unconditional DO INSTEAD rule on the table replaced the
		 * statement (with NOTHING, or another command): no row of this
		 * table was written, as PostgreSQL's own command tag says
		 * ("UPDATE 0").  A verb that returns its row cannot: the rule's
		 * RETURNING rows (without one PostgreSQL refuses the statement
		 * itself) are not the statement's result.
		 */
		if (rc == SPI_OK_REWRITTEN)
		{
			if (expected == SPI_OK_INSERT || expected == SPI_OK_UPDATE ||
				expected == SPI_OK_DELETE)
				continue;
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s cannot write \"%s\": a DO INSTEAD rule replaces the statement",
							forge_verb_name(verb), rel->model),
					 errdetail("The rule's command ran instead, so no row of the table was written to return.")));
		}
		if (rc != expected)
			elog(ERROR, "unexpected result of %s: %s", forge_verb_name(verb),
				 SPI_result_code_string(rc));

		if (expected == SPI_OK_INSERT || expected == SPI_OK_UPDATE ||
			expected == SPI_OK_DELETE)
		{
			total += SPI_processed;
			continue;
		}
		tupdesc = SPI_tuptable->tupdesc;
		if (st->returning)
		{
			/* one row of (count, rows written, first keys) */
			Datum		r;
			Datum		k;

			total += DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												 tupdesc, 1, &isnull));
			r = SPI_getbinval(SPI_tuptable->vals[0], tupdesc, 2, &isnull);
			Assert(!isnull);
			rows = rows == (Datum) 0 ? r :
				DirectFunctionCall2(jsonb_concat, rows, r);
			if (st->with_keys)
			{
				k = SPI_getbinval(SPI_tuptable->vals[0], tupdesc, 3, &isnull);
				if (!isnull)
					forge_keys_append(&keystate, DatumGetJsonbP(k), true);
			}
			continue;
		}
		if (expected == SPI_OK_SELECT && (verb == FORGE_CREATE_MANY ||
										  verb == FORGE_UPDATE_MANY ||
										  verb == FORGE_DELETE_MANY))
		{
			/* with keys: one row of (count, first keys) */
			Datum		k;

			total += DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												 tupdesc, 1, &isnull));
			k = SPI_getbinval(SPI_tuptable->vals[0], tupdesc, 2, &isnull);
			if (!isnull)
				forge_keys_append(&keystate, DatumGetJsonbP(k), true);
			continue;
		}

		/* a verb that returns the row it wrote (or found) */
		if (SPI_processed == 0)
		{
			if (!quiet)
				not_found(call_verb, rel);
			continue;
		}
		total += SPI_processed;
		tup = SPI_tuptable->vals[0];
		result = SPI_getbinval(tup, tupdesc, 1, &isnull);
		Assert(!isnull);
		result = SPI_datumTransfer(result, false, -1);
		returns_row = true;
		if (st->verb == FORGE_UPSERT && rel->citus != FORGE_CITUS_NONE)
		{
			/* the branch taken, returned last (deparse_returning) */
			Datum		u = SPI_getbinval(tup, tupdesc, tupdesc->natts,
										  &isnull);

			frame.updated = !isnull && DatumGetBool(u);
		}
		if (st->with_keys)
		{
			Datum		k = SPI_getbinval(tup, tupdesc, 2, &isnull);

			if (!isnull)
				forge_keys_append(&keystate, DatumGetJsonbP(k), false);
		}
	}
	if (keystate.parseState != NULL)
	{
		/* built in SPI's memory: copy out before SPI_finish */
		Jsonb	   *jb = JsonbValueToJsonb(forge_jsonb_push(&keystate,
														  WJB_END_ARRAY, NULL));

		keys = SPI_palloc(VARSIZE(jb));
		memcpy(keys, jb, VARSIZE(jb));
	}
	if (rows != (Datum) 0)
		rows = SPI_datumTransfer(rows, false, -1);

	if ((rc = SPI_finish()) != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));

	switch (verb)
	{
		case FORGE_CREATE:
		case FORGE_CREATE_MANY:
		case FORGE_CREATE_MANY_RETURN:
			op = "insert";
			break;
		case FORGE_UPSERT:
			op = frame.updated ? "update" : "insert";
			break;
		case FORGE_DELETE:
		case FORGE_DELETE_MANY:
			op = "delete";
			break;
		default:
			op = "update";
			break;
	}
	res.found = returns_row;
	res.updated = frame.updated;
	res.value = result;
	if (verb == FORGE_FIND)
		return res;
	if (event &&
		(total > 0 || stmts == NIL || !((ForgeStmt *) linitial(stmts))->event_if_rows))
		forge_event(rel, call_verb, op, total, firstsql ? firstsql : "",
					frame.started, keys);
	if (verb == FORGE_CREATE_MANY_RETURN || verb == FORGE_UPDATE_MANY_RETURN)
		res.value = rows != (Datum) 0 ? rows :
			DirectFunctionCall1(jsonb_in, CStringGetDatum("[]"));
	else if (verb != FORGE_CREATE && verb != FORGE_UPDATE &&
			 verb != FORGE_UPSERT && verb != FORGE_DELETE)
		res.value = count_result(total);
	return res;
}

/*
 * forge_exec
 *		Run stmts, the statements of one call of verb on rel, queue its
 *		event and return its result: the row, or {"count": n}.
 */
Datum
forge_exec(ForgeVerb verb, ForgeRel *rel, List *stmts)
{
	return forge_exec_stmts(verb, rel, stmts, false, true).value;
}
