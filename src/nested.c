/*-------------------------------------------------------------------------
 *
 * nested.c
 *		  Run nested writes: relation keys inside data, create and update.
 *
 * The reader (read_nested.c) has read every relation key of the
 * statement's data into a ForgeNestedRel, its actions and their items
 * checked, and given the statement the parameters of the key columns that
 * a to-one action sets.  This file runs the writes, in this order:
 *
 *	1. to-one relations that set this row's key (create, connect,
 *	   connectOrCreate, disconnect): the related row is written or found
 *	   first, and its key is bound to the statement's key parameters;
 *	2. this row's own statement, returning the row (the whole row, or at
 *	   the top just the columns step 3 reads);
 *	3. every other action, with the key values of the row just written:
 *	   to-many and one-to-one rows hold a key to this row, a many-to-many
 *	   goes through its join table, and a to-one update, upsert or delete
 *	   uses the key this row holds.
 *
 * An upsert whose create or update sets a to-one key (create, connect,
 * connectOrCreate) runs steps 1 and 2 for the branch it takes only
 * (upsert_by_branch): it locks its row if it exists, else creates in a
 * subtransaction that it retries as an update should another transaction
 * create the row meanwhile.
 *
 * Each write of an action is a part (ForgePart): the where, data, create
 * or update the descriptor gave, plus the columns the relation pins to
 * values of rows already written, read into statements by forge_read_part
 * (the reader opens its table through catalog.c's one door) and executed
 * by forge_exec_stmts.  So every value still travels as an SPI parameter
 * and every statement is planned and cached by shape like any other.  A
 * part's own data may nest further: it is run here again (the recursion
 * checks the stack).  A nested upsert is one statement: an UPDATE of the
 * row its where selects and, if there is none, an INSERT ... ON CONFLICT on
 * that key (deparse_upsert_by_update).  connectOrCreate reads the row by
 * that key first (upsert_other) and, only when there is none, runs INSERT
 * ... ON CONFLICT, which catches a row another session created meanwhile.
 * So a row that exists spends no sequence value, as in Prisma.  A connect through a to-one or a many-to-many reads the
 * related row by a unique key (a plain SELECT, so it needs only SELECT
 * privilege) and lets the foreign key lock it.
 *
 * The call is one SQL function call, so it is all-or-nothing.  Its events
 * are held until it has run and go out as one per table and operation,
 * with the rows summed (events.c).  When step 3 wrote anything, the row
 * returned (with its select and include) is read after all the writes, by
 * the table's primary key.
 *
 * Everything here is allocated in the calling function's memory context
 * and lives for the call.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/nested.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"

#include "forge.h"

/* the running call's "withDeleted" (read_soft.c), for the parts it reads */
static bool with_deleted = false;

/* Prisma's codes for what a nested write finds (README, Errors) */
#define ERRCODE_FORGE_NOT_FOUND MAKE_SQLSTATE('P','2','0','2','5')
#define ERRCODE_FORGE_REQUIRED_RELATION MAKE_SQLSTATE('P','2','0','1','4')
#define ERRCODE_FORGE_NOT_CONNECTED MAKE_SQLSTATE('P','2','0','1','7')
#define ERRCODE_FORGE_CONNECT_NOT_FOUND MAKE_SQLSTATE('P','2','0','1','8')

static ForgeResult nested_write(ForgeStmt *st, bool quiet);
static void let_go_rows(ForgeNestedRel *nr, ForgeRel *rel, int a, Oid relid,
						const ForgePins *pins, JsonbValue *where,
						const char *required, bool strict);

/* ---------------------------------------------------------------------
 * Pins and parts
 * ---------------------------------------------------------------------
 */

/*
 * pins_of
 *		Pin the n columns names (names from a ForgeRelation) to vals.
 */
static void
pins_of(ForgePins *pins, int n, char **names, const JsonbValue *vals)
{
	int			i;

	pins->n = n;
	for (i = 0; i < n; i++)
	{
		pins->cols[i] = names[i];
		pins->vals[i] = vals[i];
	}
}

/*
 * row_values
 *		The values of the n columns names in row (a row as to_jsonb makes
 *		it) into vals.  False if any is null.
 */
static bool
row_values(Jsonb *row, int n, char **names, JsonbValue *vals)
{
	int			i;
	bool		all = true;

	for (i = 0; i < n; i++)
	{
		JsonbValue *v = getKeyJsonValueFromContainer(&row->root, names[i],
													 strlen(names[i]), NULL);

		if (v == NULL)
			elog(ERROR, "column \"%s\" missing from a written row", names[i]);
		vals[i] = *v;
		if (v->type == jbvNull)
			all = false;
	}
	return all;
}

/*
 * key_pins
 *		The primary key of rel and its values in row (the reader checked
 *		that rel has one before anything was written).
 */
static void
key_pins(ForgePins *pins, ForgeRel *rel, Jsonb *row)
{
	ForgeUniqueKey *key = &rel->keys[rel->pkey];
	char	   *names[INDEX_MAX_KEYS];
	JsonbValue	vals[INDEX_MAX_KEYS];
	int			i;

	for (i = 0; i < key->ncols; i++)
		names[i] = rel->cols[key->cols[i]].name;
	row_values(row, key->ncols, names, vals);
	pins_of(pins, key->ncols, names, vals);
}

/*
 * run_part
 *		Read and run the write p of verb on the table relid.  Returns the
 *		row it wrote (or found), {"count": n}, or NULL when quiet and no
 *		row was found.  event: queue its event.
 */
static Jsonb *
run_part_event(ForgeVerb verb, Oid relid, ForgePart *p, bool quiet,
			   bool event)
{
	ForgeRel   *rel;
	List	   *stmts = forge_read_part(verb, relid, p, &rel);
	ForgeResult res;

	if (stmts != NIL && ((ForgeStmt *) linitial(stmts))->nested != NULL)
		res = nested_write(linitial(stmts), quiet);
	else
		res = forge_exec_stmts(verb, rel, stmts, quiet, event);
	if (quiet && !res.found)
		return NULL;
	return DatumGetJsonbP(res.value);
}

/* run_part: run_part_event with its event */
static Jsonb *
run_part(ForgeVerb verb, Oid relid, ForgePart *p, bool quiet)
{
	return run_part_event(verb, relid, p, quiet, true);
}

/*
 * part_of
 *		A part with the where, data and update given (each may be NULL).
 */
static ForgePart *
part_of(ForgePart *p, JsonbValue *where, JsonbValue *data, JsonbValue *update)
{
	memset(p, 0, sizeof(ForgePart));
	p->where = where;
	p->data = data;
	p->update = update;
	p->with_deleted = with_deleted;
	return p;
}

/*
 * live_part
 *		p, whose where the descriptor gave (or which selects the related
 *		row a nested action names): soft-deleted rows are not selected,
 *		unless the call says "withDeleted" (read_soft.c).
 */
static ForgePart *
live_part(ForgePart *p)
{
	p->live = true;
	return p;
}

/*
 * not_found
 *		The error for a nested action whose row does not exist (connect) or
 *		is not connected to this row (connected).  Its code is the one
 *		Prisma 7 gives: P2018 for a to-many connect (and set), P2017 for a
 *		to-many or many-to-many delete, else P2025.
 */
static void
not_found(int a, ForgeNestedRel *nr, ForgeRel *rel, bool connected)
{
	const char *other = get_rel_name(nr->r->other);
	ForgeRelationKind kind = nr->r->kind;
	int			code = ERRCODE_FORGE_NOT_FOUND;

	if (a == FORGE_NA_CONNECT && kind == FORGE_TO_MANY)
		code = ERRCODE_FORGE_CONNECT_NOT_FOUND;
	else if (a == FORGE_NA_DELETE &&
			 (kind == FORGE_TO_MANY || kind == FORGE_MANY_TO_MANY))
		code = ERRCODE_FORGE_NOT_CONNECTED;
	ereport(ERROR,
			(errcode(code),
			 errmsg("record to %s through relation \"%s\" of \"%s\" not found",
					forge_nested_action_name(a), nr->name, rel->relname),
			 connected ?
			 errdetail("No row of \"%s\" connected to this row of \"%s\" matches.",
					   other, rel->relname) :
			 errdetail("No row of \"%s\" matches the where of %s.",
					   other, forge_nested_action_name(a))));
}

/* first_item: the one item of an action on a to-one or one-to-one */
static ForgeNestedItem *
first_item(ForgeNestedRel *nr, int a)
{
	return linitial(nr->items[a]);
}

/*
 * upsert_other
 *		connectOrCreate or upsert (action a, described by item) of a row of
 *		the related table that holds no key to this one.  Returns the row.
 *
 *		connectOrCreate reads the row by its where's unique key first, as
 *		Prisma does, and connects a row it finds as it is: nothing is
 *		written to it (no UPDATE trigger fires, no sequence value is
 *		spent).  Only when there is none does it run INSERT ... ON CONFLICT
 *		on that key with an update that changes nothing, so a row another
 *		session creates meanwhile is found, not duplicated.  An upsert
 *		finds its row in its own statement (find_first, descriptor.c).
 */
static Jsonb *
upsert_other(ForgeNestedRel *nr, int a, ForgeNestedItem *item)
{
	ForgePart	p;

	if (a == FORGE_NA_CONNECT_OR_CREATE)
	{
		Jsonb	   *row = run_part(FORGE_FIND, nr->r->other,
								   live_part(part_of(&p, item->where, NULL,
													 NULL)),
								   true);

		if (row != NULL)
			return row;
	}
	part_of(&p, item->where, item->data,
			a == FORGE_NA_UPSERT ? item->update : NULL);
	p.looked_up = (a == FORGE_NA_CONNECT_OR_CREATE);
	return run_part(FORGE_UPSERT, nr->r->other, live_part(&p), false);
}

/*
 * update_part
 *		The part of a to-one or one-to-one update item: its data, with the
 *		where of the {"where", "data"} form ANDed below the pins that
 *		select the related row (so the where may name any column, and a
 *		related row it does not match is not found: P2025, as in Prisma).
 */
static ForgePart *
update_part(ForgePart *p, ForgeNestedItem *item)
{
	if (item->data == NULL)
		return part_of(p, NULL, item->value, NULL);
	part_of(p, item->where, item->data, NULL);
	p->and = true;
	return p;
}

/* ---------------------------------------------------------------------
 * Step 1: to-one relations that set this row's key
 * ---------------------------------------------------------------------
 */

/*
 * to_one_first
 *		A to-one create, connect or connectOrCreate (a disconnect's key
 *		parameters are null already): write or find the related row, and
 *		bind its key to st's key parameters.  creating: st creates its row
 *		(a create, or an upsert's create branch).
 */
static void
to_one_first(ForgeStmt *st, ForgeNestedRel *nr, int a, bool creating)
{
	ForgeRelation *r = nr->r;
	ForgeRel   *rel = st->rel;
	Jsonb	   *row = NULL;
	JsonbValue	vals[INDEX_MAX_KEYS];
	ForgePart	p;
	int			i;
	ForgeNestedContext ctx;

	if (a == FORGE_NA_DISCONNECT)
		return;
	forge_nested_context_push(&ctx, a, nr->name, rel);
	switch (a)
	{
		case FORGE_NA_CREATE:
			row = run_part(FORGE_CREATE, r->other,
						   part_of(&p, NULL, first_item(nr, a)->value, NULL),
						   false);
			break;
		case FORGE_NA_CONNECT:
			row = run_part(FORGE_FIND, r->other,
						   live_part(part_of(&p, first_item(nr, a)->value,
											 NULL, NULL)),
						   true);
			if (row == NULL)
				not_found(a, nr, rel, false);
			break;
		case FORGE_NA_CONNECT_OR_CREATE:
			row = upsert_other(nr, a, first_item(nr, a));
			break;
	}
	row_values(row, r->nkeys, r->foreign_names, vals);
	if (r->local_unique && creating && a != FORGE_NA_CREATE)
	{
		ForgePins	pins;

		/*
		 * creating a row on the key side of a one-to-one (a create, an
		 * upsert's create branch): a row of this table that holds the key
		 * of the row connected already lets go, as Prisma does (an update
		 * is left to the unique violation: the row it writes may be that
		 * row; a row just created is nobody's yet)
		 */
		pins_of(&pins, r->nkeys, r->local_names, vals);
		let_go_rows(nr, rel, a, rel->relid, &pins, NULL, r->local_required,
					a != FORGE_NA_CONNECT_OR_CREATE);
	}
	for (i = 0; i < r->nkeys; i++)
	{
		int			col = forge_column_lookup(rel, r->local_names[i],
											  strlen(r->local_names[i]));
		ForgeColumn *c = &rel->cols[col];
		bool		isnull;

		st->values[nr->params[i] - 1] =
			forge_value_to_datum(&vals[i], c->data, c, &isnull);
		st->nulls[nr->params[i] - 1] = isnull ? 'n' : ' ';
	}
	forge_nested_context_pop(&ctx);
}

/*
 * first_actions
 *		Step 1 for the relation keys rels of st's data.
 */
static void
first_actions(ForgeStmt *st, List *rels, bool creating)
{
	ListCell   *lc;
	int			a;

	foreach(lc, rels)
	{
		ForgeNestedRel *nr = lfirst(lc);

		for (a = 0; a < FORGE_NUM_ACTIONS; a++)
			if (nr->has[a] && forge_nested_runs_first(nr, a))
				to_one_first(st, nr, a, creating);
	}
}

/* ---------------------------------------------------------------------
 * Step 3: everything that needs this row
 * ---------------------------------------------------------------------
 */

/*
 * patch_row
 *		Set this row's key columns for to-one relation r to vals (NULL: to
 *		null), by its primary key: after a to-one upsert that created, and
 *		before a to-one delete.  Part of this row's own update, so it
 *		raises no event.
 */
static void
patch_row(ForgeRel *rel, Jsonb *row, ForgeRelation *r, JsonbValue *vals)
{
	ForgePins	key;
	ForgePins	set;
	ForgePart	p;

	key_pins(&key, rel, row);
	if (vals == NULL)
	{
		static const JsonbValue nulls[INDEX_MAX_KEYS];	/* jbvNull is 0 */

		StaticAssertStmt(jbvNull == 0, "jbvNull must be zero");
		vals = (JsonbValue *) nulls;
	}
	pins_of(&set, r->nkeys, r->local_names, vals);
	part_of(&p, NULL, NULL, NULL);
	p.wpins = &key;
	p.dpins = &set;
	run_part_event(FORGE_UPDATE, rel->relid, &p, false, false);
}

/*
 * to_one_after
 *		Step 3 for a to-one relation (in an update): update, upsert or
 *		delete the row that this row's key points to.
 */
static void
to_one_after(ForgeRel *rel, Jsonb *prow, ForgeNestedRel *nr, int a)
{
	ForgeRelation *r = nr->r;
	JsonbValue	vals[INDEX_MAX_KEYS];
	bool		connected = row_values(prow, r->nkeys, r->local_names, vals);
	ForgePins	other;			/* the related row's key */
	ForgePart	p;
	ForgeNestedContext ctx;

	forge_nested_context_push(&ctx, a, nr->name, rel);
	pins_of(&other, r->nkeys, r->foreign_names, vals);
	switch (a)
	{
		case FORGE_NA_UPDATE:
			update_part(&p, first_item(nr, a));
			p.wpins = &other;
			if (!connected ||
				run_part(FORGE_UPDATE, r->other, &p, true) == NULL)
				not_found(a, nr, rel, true);
			break;

		case FORGE_NA_UPSERT:
			{
				ForgeNestedItem *item = first_item(nr, a);
				Jsonb	   *row;

				if (connected)
				{
					part_of(&p, NULL, item->update, NULL);
					p.wpins = &other;
					if (run_part(FORGE_UPDATE, r->other, &p, true) == NULL)
						not_found(a, nr, rel, true);
					break;
				}
				row = run_part(FORGE_CREATE, r->other,
							   part_of(&p, NULL, item->data, NULL), false);
				row_values(row, r->nkeys, r->foreign_names, vals);
				patch_row(rel, prow, r, vals);
				break;
			}

		case FORGE_NA_DELETE:
			if (!connected)
				not_found(a, nr, rel, true);
			patch_row(rel, prow, r, NULL);
			part_of(&p, NULL, NULL, NULL);
			p.wpins = &other;
			if (run_part(FORGE_DELETE, r->other, &p, true) == NULL)
				not_found(a, nr, rel, true);
			break;
	}
	forge_nested_context_pop(&ctx);
}

/*
 * connected_actions
 *		delete, deleteMany, update or updateMany (action a) on the rows of a
 *		to-many or many-to-many relation, which touch only rows connected to
 *		this one: those that the pins (to-many), or the relation filter
 *		through many-to-many m2m's way back to this row's key (key), match
 *		too.  A unique where that matches no connected row is P2025.
 */
static void
connected_actions(ForgeRel *rel, ForgeNestedRel *nr, int a,
				  const ForgePins *pins, ForgeRelation *m2m,
				  const ForgePins *key)
{
	bool		many = (a == FORGE_NA_DELETE_MANY || a == FORGE_NA_UPDATE_MANY);
	bool		update = (a == FORGE_NA_UPDATE || a == FORGE_NA_UPDATE_MANY);
	ForgeVerb	verb = a == FORGE_NA_DELETE ? FORGE_DELETE :
		a == FORGE_NA_DELETE_MANY ? FORGE_DELETE_MANY :
		a == FORGE_NA_UPDATE ? FORGE_UPDATE : FORGE_UPDATE_MANY;
	ListCell   *lc;

	foreach(lc, nr->items[a])
	{
		ForgeNestedItem *item = lfirst(lc);
		ForgePart	p;

		CHECK_FOR_INTERRUPTS();
		live_part(part_of(&p, update ? item->where : item->value,
						  update ? item->data : NULL, NULL));
		if (update && pins != NULL)
		{
			p.keep = nr->r;
			p.keep_pins = pins;
		}
		/* a unique where stays one (extra filters at its top level) */
		p.and = many;
		p.wpins = pins;
		if (m2m != NULL)
		{
			p.wrel = m2m->back_conname;
			p.wrel_con = m2m->back_conoid;
			p.wrel_join = m2m->join;
			p.wrel_pins = key;
		}
		if (run_part(verb, nr->r->other, &p, !many) == NULL && !many)
			not_found(a, nr, rel, true);
	}
}

/*
 * may_let_go
 *		Whether the caller may run let_go_rows' update of table relid: read
 *		and update each key column (pins), by a grant on the table or on
 *		the column.  A role that may not cannot let go of anything; its
 *		write then meets the unique key as a plain INSERT or UPDATE would,
 *		and a write that no row is in the way of still runs.
 */
static bool
may_let_go(Oid relid, const ForgePins *pins)
{
	Oid			user = GetUserId();
	AclMode		modes[2] = {ACL_SELECT, ACL_UPDATE};
	int			i,
				m;

	for (m = 0; m < 2; m++)
	{
		if (pg_class_aclcheck(relid, user, modes[m]) == ACLCHECK_OK)
			continue;
		for (i = 0; i < pins->n; i++)
		{
			AttrNumber	attnum = get_attnum(relid, pins->cols[i]);

			if (attnum == InvalidAttrNumber ||
				pg_attribute_aclcheck(relid, attnum, user,
									  modes[m]) != ACLCHECK_OK)
				return false;
		}
	}
	return true;
}

/*
 * let_go_rows
 *		Rows of table relid whose key columns (pins) hold the key that a
 *		one-to-one create, connect or connectOrCreate (action a through
 *		nr of rel) gives another row, except the row where selects (NULL:
 *		none), let go of it: their key is cleared, so that the unique key
 *		takes the new row.  "Not selected" is where IS NOT TRUE: a row the
 *		where compares with null (a null in a nullable unique key) lets go
 *		too.  A NOT NULL key (required, its column) cannot let go: when
 *		strict, such a row is P2014, Prisma's "required relation" error,
 *		found by an update that sets the key to what it is (so it also
 *		locks the row); else it is left to the unique violation, as Prisma
 *		does for connectOrCreate.  So is everything when the caller may not
 *		update the key columns (may_let_go).
 */
static void
let_go_rows(ForgeNestedRel *nr, ForgeRel *rel, int a, Oid relid,
			const ForgePins *pins, JsonbValue *where, const char *required,
			bool strict)
{
	ForgePart	p;
	ForgeRel   *target;
	List	   *stmts;
	ListCell   *lc;
	Jsonb	   *res;
	JsonbValue	count;

	if ((required != NULL && !strict) || !may_let_go(relid, pins))
		return;
	part_of(&p, NULL, NULL, NULL);
	p.wpins = pins;
	p.wnot = where;
	p.dpins = pins;
	p.dnulls = (required == NULL);
	/* a let-go that writes no row is no event (the check's never is) */
	stmts = forge_read_part(FORGE_UPDATE_MANY, relid, &p, &target);
	foreach(lc, stmts)
		((ForgeStmt *) lfirst(lc))->event_if_rows = true;
	res = DatumGetJsonbP(forge_exec_stmts(FORGE_UPDATE_MANY, target, stmts,
										  false, p.dnulls).value);
	if (p.dnulls ||
		!getKeyJsonValueFromContainer(&res->root, "count", 5, &count) ||
		count.type != jbvNumeric ||
		DatumGetInt64(DirectFunctionCall1(numeric_int8,
										  NumericGetDatum(count.val.numeric))) == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FORGE_REQUIRED_RELATION),
			 errmsg("cannot %s through relation \"%s\" of \"%s\": another row is connected",
					forge_nested_action_name(a), nr->name, rel->relname),
			 errdetail("Column \"%s\" of \"%s\" is NOT NULL, so the row connected now cannot let go.",
					   required, get_rel_name(relid)),
			 errhint("Delete that row or connect it elsewhere first (Prisma reports this as P2014).")));
}

/*
 * let_go
 *		One-to-one create, connect and connectOrCreate (action a) from the
 *		side that holds no key: the row of the other table connected to
 *		this one before lets go (let_go_rows; pins: its key columns with
 *		this row's key).
 */
static void
let_go(ForgeNestedRel *nr, ForgeRel *rel, int a, const ForgePins *pins,
	   JsonbValue *where)
{
	let_go_rows(nr, rel, a, nr->r->other, pins, where,
				nr->r->foreign_required, a != FORGE_NA_CONNECT_OR_CREATE);
}

/*
 * inverse_after
 *		Step 3 for a to-many or one-to-one relation: the related rows hold
 *		a key to this row; pins are their key columns set to this row's key.
 *		created: this row was inserted by this call (nothing to let go).
 */
static void
inverse_after(ForgeRel *rel, ForgeNestedRel *nr, int a, const ForgePins *pins,
			  bool created)
{
	Oid			child = nr->r->other;
	bool		one = nr->r->kind == FORGE_ONE_TO_ONE;
	ForgePart	p;
	ListCell   *lc;
	ForgeNestedContext ctx;

	forge_nested_context_push(&ctx, a, nr->name, rel);
	switch (a)
	{
		case FORGE_NA_SET:
			/* disconnect them all, then connect the given ones */
			part_of(&p, NULL, NULL, NULL);
			p.wpins = pins;
			p.dpins = pins;
			p.dnulls = true;
			run_part(FORGE_UPDATE_MANY, child, &p, false);
			foreach(lc, nr->items[a])
			{
				CHECK_FOR_INTERRUPTS();
				live_part(part_of(&p, ((ForgeNestedItem *) lfirst(lc))->value,
								  NULL, NULL));
				p.dpins = pins;
				if (run_part(FORGE_UPDATE, child, &p, true) == NULL)
					not_found(FORGE_NA_CONNECT, nr, rel, false);
			}
			break;

		case FORGE_NA_DISCONNECT:
			if (one)
			{
				part_of(&p, NULL, NULL, NULL);
				p.wpins = pins;
				p.dpins = pins;
				p.dnulls = true;
				run_part(FORGE_UPDATE_MANY, child, &p, false);
				break;
			}
			foreach(lc, nr->items[a])
			{
				CHECK_FOR_INTERRUPTS();
				part_of(&p, ((ForgeNestedItem *) lfirst(lc))->value, NULL, NULL);
				p.wpins = pins;
				p.and = true;
				p.dpins = pins;
				p.dnulls = true;
				run_part(FORGE_UPDATE_MANY, child, &p, false);
			}
			break;

		case FORGE_NA_DELETE:
			if (one)
			{
				live_part(part_of(&p, NULL, NULL, NULL));
				p.wpins = pins;
				if (run_part(FORGE_DELETE, child, &p, true) == NULL)
					not_found(a, nr, rel, true);
				break;
			}
			connected_actions(rel, nr, a, pins, NULL, NULL);
			break;

		case FORGE_NA_DELETE_MANY:
		case FORGE_NA_UPDATE_MANY:
			connected_actions(rel, nr, a, pins, NULL, NULL);
			break;

		case FORGE_NA_UPDATE:
			if (!one)
			{
				connected_actions(rel, nr, a, pins, NULL, NULL);
				break;
			}
			live_part(update_part(&p, first_item(nr, a)));
			p.wpins = pins;
			p.keep = nr->r;
			p.keep_pins = pins;
			if (run_part(FORGE_UPDATE, child, &p, true) == NULL)
				not_found(a, nr, rel, true);
			break;

		case FORGE_NA_UPSERT:
			foreach(lc, nr->items[a])
			{
				ForgeNestedItem *item = lfirst(lc);

				CHECK_FOR_INTERRUPTS();
				/*
				 * ON CONFLICT on the where's key, the pins filtering the
				 * update; to-many: only a connected row is updated, else the
				 * row is created, as Prisma does (deparse_upsert_by_update)
				 */
				live_part(part_of(&p, one ? NULL : item->where, item->data,
								  item->update));
				p.wpins = pins;
				p.connected = !one;
				p.dpins = pins;
				p.keep = nr->r;
				p.keep_pins = pins;
				run_part(FORGE_UPSERT, child, &p, false);
			}
			break;

		case FORGE_NA_CREATE:
			if (one && !created)
				let_go(nr, rel, a, pins, NULL);
			foreach(lc, nr->items[a])
			{
				CHECK_FOR_INTERRUPTS();
				part_of(&p, NULL, ((ForgeNestedItem *) lfirst(lc))->value, NULL);
				p.dpins = pins;
				run_part(FORGE_CREATE, child, &p, false);
			}
			break;

		case FORGE_NA_CREATE_MANY:
			foreach(lc, nr->items[a])
			{
				part_of(&p, NULL, ((ForgeNestedItem *) lfirst(lc))->data, NULL);
				p.skip = nr->skip;
				p.dpins = pins;
				run_part(FORGE_CREATE_MANY, child, &p, false);
			}
			break;

		case FORGE_NA_CONNECT:
			foreach(lc, nr->items[a])
			{
				JsonbValue *where = ((ForgeNestedItem *) lfirst(lc))->value;

				CHECK_FOR_INTERRUPTS();
				if (one)
					let_go(nr, rel, a, pins, where);
				live_part(part_of(&p, where, NULL, NULL));
				p.dpins = pins;
				if (run_part(FORGE_UPDATE, child, &p, true) == NULL)
					not_found(a, nr, rel, false);
			}
			break;

		case FORGE_NA_CONNECT_OR_CREATE:
			foreach(lc, nr->items[a])
			{
				ForgeNestedItem *item = lfirst(lc);

				CHECK_FOR_INTERRUPTS();
				if (one)
					let_go(nr, rel, a, pins, item->where);
				/* created with the key, or found and given the key */
				live_part(part_of(&p, item->where, item->data, NULL));
				p.dpins = pins;
				p.upins = pins;
				run_part(FORGE_UPSERT, child, &p, false);
			}
			break;
	}
	forge_nested_context_pop(&ctx);
}

/*
 * link_rows
 *		Many-to-many: insert the join row from this row (jpins) to the
 *		related row crow, unless it is there already.
 */
static void
link_rows(ForgeRelation *r, const ForgePins *jpins, Jsonb *crow)
{
	JsonbValue	vals[INDEX_MAX_KEYS];
	ForgePins	both;
	ForgePart	p;
	int			i;

	row_values(crow, r->njoin_foreign, r->foreign_names, vals);
	both = *jpins;
	for (i = 0; i < r->njoin_foreign; i++)
	{
		both.cols[both.n] = r->join_foreign_names[i];
		both.vals[both.n++] = vals[i];
	}
	part_of(&p, NULL, NULL, NULL);
	p.dpins = &both;
	p.skip_duplicates = true;
	run_part(FORGE_CREATE_MANY, r->join, &p, false);
}

/*
 * many_to_many_after
 *		Step 3 for a many-to-many relation; pvals are this row's values of
 *		the columns the join table refers to.
 */
static void
many_to_many_after(ForgeRel *rel, ForgeNestedRel *nr, int a,
				   JsonbValue *pvals)
{
	ForgeRelation *r = nr->r;
	Oid			child = r->other;
	ForgePins	jpins;			/* the join table's key to this row */
	ForgePins	key;			/* this row's key */
	ForgePart	p;
	ListCell   *lc;
	ForgeNestedContext ctx;

	forge_nested_context_push(&ctx, a, nr->name, rel);
	pins_of(&jpins, r->nkeys, r->join_local_names, pvals);
	pins_of(&key, r->nkeys, r->local_names, pvals);

	switch (a)
	{
		case FORGE_NA_SET:
			part_of(&p, NULL, NULL, NULL);
			p.wpins = &jpins;
			run_part(FORGE_DELETE_MANY, r->join, &p, false);
			FORGE_FALLTHROUGH;
		case FORGE_NA_CONNECT:
			foreach(lc, nr->items[a])
			{
				Jsonb	   *crow;

				CHECK_FOR_INTERRUPTS();
				crow = run_part(FORGE_FIND, child,
								live_part(part_of(&p, ((ForgeNestedItem *) lfirst(lc))->value,
												  NULL, NULL)),
								true);
				if (crow == NULL)
					not_found(FORGE_NA_CONNECT, nr, rel, false);
				link_rows(r, &jpins, crow);
			}
			break;

		case FORGE_NA_DISCONNECT:
			/* the join rows from this row to rows matching the where */
			foreach(lc, nr->items[a])
			{
				CHECK_FOR_INTERRUPTS();
				part_of(&p, NULL, NULL, NULL);
				p.wpins = &jpins;
				p.wrel = r->conname;
				p.wrel_con = r->conoid;
				p.wrel_is = ((ForgeNestedItem *) lfirst(lc))->value;
				run_part(FORGE_DELETE_MANY, r->join, &p, false);
			}
			break;

		case FORGE_NA_DELETE:
		case FORGE_NA_DELETE_MANY:
		case FORGE_NA_UPDATE:
		case FORGE_NA_UPDATE_MANY:
			connected_actions(rel, nr, a, NULL, r, &key);
			break;

		case FORGE_NA_UPSERT:
			/* updates only a linked row; else creates the row and links it */
			foreach(lc, nr->items[a])
			{
				ForgeNestedItem *item = lfirst(lc);

				CHECK_FOR_INTERRUPTS();
				part_of(&p, item->where, item->data, item->update);
				p.wrel = r->back_conname;
				p.wrel_con = r->back_conoid;
				p.wrel_join = r->join;
				p.wrel_pins = &key;
				p.connected = true;
				link_rows(r, &jpins, run_part(FORGE_UPSERT, child, &p, false));
			}
			break;

		case FORGE_NA_CONNECT_OR_CREATE:
			foreach(lc, nr->items[a])
			{
				CHECK_FOR_INTERRUPTS();
				link_rows(r, &jpins, upsert_other(nr, a, lfirst(lc)));
			}
			break;

		case FORGE_NA_CREATE:
			foreach(lc, nr->items[a])
			{
				CHECK_FOR_INTERRUPTS();
				link_rows(r, &jpins,
						  run_part(FORGE_CREATE, child,
								   part_of(&p, NULL,
										   ((ForgeNestedItem *) lfirst(lc))->value,
										   NULL),
								   false));
			}
			break;
	}
	forge_nested_context_pop(&ctx);
}

/*
 * after_actions
 *		Step 3 for the relation keys rels, once this row is written (row;
 *		created: inserted by this call, so no row is connected to it yet).
 */
static void
after_actions(ForgeRel *rel, List *rels, Jsonb *row, bool created)
{
	ListCell   *lc;
	int			a;

	foreach(lc, rels)
	{
		ForgeNestedRel *nr = lfirst(lc);
		ForgeRelation *r = nr->r;
		JsonbValue	vals[INDEX_MAX_KEYS];
		ForgePins	pins;

		CHECK_FOR_INTERRUPTS();
		if (r->kind != FORGE_TO_ONE &&
			!row_values(row, r->nkeys, r->local_names, vals))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the row of \"%s\" has a null key for relation \"%s\"",
							rel->relname, nr->name),
					 errdetail("Rows related through \"%s\" refer to columns of \"%s\" that are null in this row.",
							   nr->name, rel->relname)));
		if (r->kind == FORGE_TO_MANY || r->kind == FORGE_ONE_TO_ONE)
			pins_of(&pins, r->nkeys, r->foreign_names, vals);
		for (a = 0; a < FORGE_NUM_ACTIONS; a++)
		{
			if (!nr->has[a] || forge_nested_runs_first(nr, a))
				continue;
			switch (r->kind)
			{
				case FORGE_TO_ONE:
					to_one_after(rel, row, nr, a);
					break;
				case FORGE_TO_MANY:
				case FORGE_ONE_TO_ONE:
					inverse_after(rel, nr, a, &pins, created);
					break;
				case FORGE_MANY_TO_MANY:
					many_to_many_after(rel, nr, a, vals);
					break;
			}
		}
	}
}

/* ---------------------------------------------------------------------
 * An upsert whose branches set its to-one keys
 * ---------------------------------------------------------------------
 */

/*
 * lock_row
 *		Whether the row an upsert's where pins by its conflict key exists,
 *		locking it FOR UPDATE if so: then no other transaction can delete
 *		it or change its key before this one ends, so the upsert will take
 *		its update branch.  A SELECT over st's own parameters.
 */
static bool
lock_row(ForgeStmt *st)
{
	ForgeUniqueKey *key = &st->rel->keys[st->conflict_key];
	ForgeStmt	find = *st;
	ForgeFilter *pins = palloc0(sizeof(ForgeFilter));
	ListCell   *lc;
	int			i;

	pins->kind = FORGE_F_AND;
	pins->col = -1;
	foreach(lc, st->where->args)
	{
		ForgeFilter *f = lfirst(lc);

		for (i = 0; i < key->ncols; i++)
			if (f->pinvalue != NULL && f->col == key->cols[i])
			{
				pins->args = lappend(pins->args, f);
				break;
			}
	}
	find.verb = FORGE_FIND;
	find.where = pins;
	find.lock = true;
	find.with_keys = false;
	find.select = NIL;
	for (i = 0; i < key->ncols; i++)
		find.select = lappend_int(find.select, key->cols[i]);
	find.includes = NIL;
	find.nested = NULL;
	find.by_update = false;
	return forge_exec_stmts(FORGE_FIND, st->rel, list_make1(&find), true,
							false).found;
}

/*
 * binds_key
 *		Whether rels hold a to-one action that binds key parameters
 *		(create, connect, connectOrCreate), and with writes, one that
 *		writes a row (create, connectOrCreate, or a connect of a one-to-one's
 *		key side, whose row that held the key lets go: let_go_rows).
 */
static bool
binds_key(List *rels, bool writes)
{
	ListCell   *lc;

	foreach(lc, rels)
	{
		ForgeNestedRel *nr = lfirst(lc);

		if (nr->r->kind != FORGE_TO_ONE)
			continue;
		if (nr->has[FORGE_NA_CREATE] || nr->has[FORGE_NA_CONNECT_OR_CREATE] ||
			((!writes || nr->r->local_unique) && nr->has[FORGE_NA_CONNECT]))
			return true;
	}
	return false;
}

/*
 * upsert_by_branch
 *		Steps 1 and 2 for an upsert whose create or update holds a to-one
 *		create, connect or connectOrCreate (branch_first): each runs only
 *		in the branch the upsert takes, as in Prisma, which reads the row
 *		and then creates or updates; here without a window between the
 *		read and the write.
 *
 *		The row is looked for by its key and locked (lock_row).  Found, it
 *		stays: the update's to-one actions run, then the upsert as an
 *		update (by_update, deparse.c), which updates that row (or, if the
 *		rest of the where rejects it, nothing: P2025).  Not found, the
 *		create's to-one actions run, then the upsert as INSERT ... ON
 *		CONFLICT, in a subtransaction: should another transaction have
 *		created the row meanwhile, ON CONFLICT takes the update branch, and
 *		if that needed the update's to-one keys, or the create's actions
 *		wrote rows, the subtransaction is rolled back (their rows and
 *		events with it) and the upsert starts again, to find the row now.
 *		A create whose actions only read (connect) and an update that needs
 *		none run without a subtransaction.
 */
static ForgeResult
upsert_by_branch(ForgeStmt *st, bool quiet)
{
	ForgeNestedWrite *nw = st->nested;
	bool		by_update = st->by_update;
	ForgeResult res;

	for (;;)
	{
		MemoryContext cxt = CurrentMemoryContext;
		ResourceOwner owner = CurrentResourceOwner;
		bool		ready;
		volatile bool sub;

		CHECK_FOR_INTERRUPTS();
		if (lock_row(st))
		{
			first_actions(st, nw->urels, false);
			st->by_update = true;
			res = forge_exec_stmts(st->verb, st->rel, list_make1(st), quiet,
								   true);
			st->by_update = by_update;
			return res;
		}

		/*
		 * The create branch.  ON CONFLICT may still find a row another
		 * transaction created meanwhile: the update branch may run only if
		 * it needs no key of its own (the guard), and must be undone if the
		 * create's actions wrote rows.
		 */
		ready = !binds_key(nw->urels, false);
		sub = !ready || binds_key(nw->rels, true);
		st->values[st->guard - 1] = BoolGetDatum(ready);
		if (sub)
		{
			BeginInternalSubTransaction(NULL);
			MemoryContextSwitchTo(cxt);
		}
		PG_TRY();
		{
			first_actions(st, nw->rels, true);
			res = forge_exec_stmts(st->verb, st->rel, list_make1(st), true,
								   true);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			if (!sub)
				PG_RE_THROW();
			MemoryContextSwitchTo(cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			ReThrowError(edata);
		}
		PG_END_TRY();
		if (sub && res.updated)
		{
			/* another transaction created the row: take the update branch */
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
			continue;
		}
		if (sub)
		{
			ReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(cxt);
			CurrentResourceOwner = owner;
		}
		if (!res.found && !quiet)
			forge_exec_not_found(st->verb, st->rel);
		return res;
	}
}

/*
 * nested_write
 *		Run st, a create, update or upsert whose data names relations (see
 *		the file header).  quiet: a one-row write that finds no row returns
 *		found false instead of raising P2025.
 */
static ForgeResult
nested_write(ForgeStmt *st, bool quiet)
{
	ForgeNestedWrite *nw = st->nested;
	ForgeRel   *rel = st->rel;
	ForgeResult res;
	Jsonb	   *row;
	ForgePins	key;
	ForgePart	p;

	check_stack_depth();

	if (nw->branch_first)
		res = upsert_by_branch(st, quiet);
	else
	{
		/* 1: to-one rows this row's key points to */
		first_actions(st, nw->rels, st->verb == FORGE_CREATE);
		if (st->verb == FORGE_UPSERT)
			first_actions(st, nw->urels, false);

		/* 2: this row */
		res = forge_exec_stmts(st->verb, rel, list_make1(st), quiet, true);
	}
	if ((quiet && !res.found) || !nw->after)
		return res;

	/* 3: everything that needs this row */
	row = DatumGetJsonbP(res.value);
	after_actions(rel, st->verb == FORGE_UPSERT && res.updated ?
				  nw->urels : nw->rels, row,
				  st->verb == FORGE_CREATE ||
				  (st->verb == FORGE_UPSERT && !res.updated));
	if (!nw->top)
		return res;

	/* the row as the writes left it, shaped as asked */
	key_pins(&key, rel, row);
	part_of(&p, NULL, NULL, NULL);
	p.wpins = &key;
	p.args = nw->args;
	res.value = JsonbPGetDatum(run_part(FORGE_FIND, rel->relid, &p, false));
	return res;
}

/*
 * forge_nested
 *		Run st, the statement of a SQL call whose data names relations (see
 *		the file header).  It holds the events of all its writes until it
 *		is done.
 */
Datum
forge_nested(ForgeStmt *st)
{
	ForgeEventHold save;
	ForgeResult res;
	bool		save_with_deleted = with_deleted;

	forge_events_hold(&save);
	with_deleted = st->with_deleted;
	PG_TRY();
	{
		res = nested_write(st, false);
	}
	PG_CATCH();
	{
		with_deleted = save_with_deleted;
		forge_events_release(&save, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	with_deleted = save_with_deleted;
	forge_events_release(&save, true);
	return res.value;
}
