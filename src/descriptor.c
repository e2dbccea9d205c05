/*-------------------------------------------------------------------------
 *
 * descriptor.c
 *		  Read a verb's jsonb descriptor into ForgeStmts: each verb's keys
 *		  and the statements they make.
 *
 * The reader (this file and read_json.c, read_data.c, read_where.c,
 * read_select.c, read_nested.c, read_part.c; see reader.h) owns all input
 * validation: a descriptor that passes it deparses to SQL that parses.  As
 * it reads, it converts each value to a Datum of its column's type and
 * appends it to the statement's parameter arrays ($1, $2, ... in reading
 * order).
 *
 * Reading order is fixed per verb, and jsonb keeps object keys sorted, so
 * descriptors that differ only in values number their parameters alike
 * and read into trees of one shape, which plancache.c then finds one plan
 * for.  The reader records nothing for the plan cache: shape.c computes
 * the key from the finished tree.
 *
 * The same code reads the SQL call's descriptor (forge_read) and each part
 * of a nested write (forge_read_part, for nested.c): the where, data,
 * create or update the descriptor gave, with the columns the relation pins
 * added as parameters (read_part.c).  forge_open_model is the door every
 * table written (or read, by a nested connect) goes through.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/descriptor.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/heap.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "reader.h"

static const char *const verb_names[] = {
	"forge_create", "forge_create_many", "forge_update", "forge_update_many",
	"forge_upsert", "forge_delete", "forge_delete_many", "connect",
	"forge_create_many_and_return", "forge_update_many_and_return",
	"forge_soft_delete", "forge_soft_delete_many", "forge_restore",
	"forge_restore_many"
};

/* the events' "semanticOp" of each verb: NULL for the plain verbs */
static const char *const verb_semantics[] = {
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	"softDelete", "softDeleteMany", "restore", "restoreMany"
};

/* the keys each verb's args may hold, NULL-terminated */
static const char *const create_keys[] = {"data", "select", "omit", "include", "withDeleted", NULL};
static const char *const create_many_keys[] = {"data", "skipDuplicates", NULL};
static const char *const update_keys[] = {"where", "data", "select", "omit", "include", "withDeleted", NULL};
static const char *const update_many_keys[] = {"where", "data", "limit", "withDeleted", NULL};
static const char *const upsert_keys[] = {"where", "create", "update", "select", "omit", "include", "withDeleted", NULL};
static const char *const delete_keys[] = {"where", "select", "omit", "include", "withDeleted", NULL};
static const char *const delete_many_keys[] = {"where", "limit", "withDeleted", NULL};
static const char *const find_keys[] = {"where", "select", "omit", "include", NULL};
static const char *const create_many_return_keys[] = {"data", "skipDuplicates", "select", "omit", "include", NULL};
static const char *const update_many_return_keys[] = {"where", "data", "limit", "select", "omit", "include", "withDeleted", NULL};
static const char *const soft_keys[] = {"where", "select", "omit", "include", NULL};
static const char *const soft_many_keys[] = {"where", NULL};

static const char *const *const verb_keys[] = {
	create_keys, create_many_keys, update_keys, update_many_keys,
	upsert_keys, delete_keys, delete_many_keys, find_keys,
	create_many_return_keys, update_many_return_keys,
	soft_keys, soft_many_keys, soft_keys, soft_many_keys
};

/*
 * forge_verb_name
 *		The SQL function name of verb.
 */
const char *
forge_verb_name(ForgeVerb verb)
{
	return verb_names[verb];
}

/*
 * forge_verb_base
 *		The verb of verb's statements: an update for the soft-delete verbs,
 *		verb itself for the others.
 */
ForgeVerb
forge_verb_base(ForgeVerb verb)
{
	switch (verb)
	{
		case FORGE_SOFT_DELETE:
		case FORGE_RESTORE:
			return FORGE_UPDATE;
		case FORGE_SOFT_DELETE_MANY:
		case FORGE_RESTORE_MANY:
			return FORGE_UPDATE_MANY;
		default:
			return verb;
	}
}

/*
 * forge_verb_semantic
 *		The "semanticOp" of verb's events, or NULL.
 */
const char *
forge_verb_semantic(ForgeVerb verb)
{
	return verb_semantics[verb];
}

/*
 * check_args_keys
 *		Every key of args must be one the verb takes.
 */
static void
check_args_keys(JsonbContainer *args, ForgeVerb verb)
{
	JsonbIterator *it = JsonbIteratorInit(args);
	JsonbValue	key,
				val;

	while (next_pair(&it, &key, &val))
	{
		if (name_index(&key, verb_keys[verb], -1) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown key \"%s\" in %s args",
							key_text(&key), forge_verb_name(verb)),
					 errhint("Valid keys are: %s.",
							 join_names(verb_keys[verb], -1))));
	}
}

/*
 * read_create_many
 *		createMany: one statement that inserts the rows (an array, or one
 *		object: a row, as Prisma takes it) in the array's order
 *		(ids follow the array, as in Prisma), taking them as one jsonb array
 *		parameter, so the parameter count does not grow with the row count.
 *		Its columns are those any row gives, in table order; a column that
 *		some row leaves out takes its DEFAULT in that row (deparse.c), which
 *		is why the statement knows which columns every row gives.  Values
 *		are read as create reads them (forge_many_value rewrites the few
 *		that jsonb_to_record would read otherwise).  args is the descriptor,
 *		or NULL for a nested createMany (p): its rows, and the columns its
 *		relation sets in each (p->dpins); without rows, one row of just
 *		those.  No rows: no statement.
 */
static List *
read_create_many(ForgeRel *rel, JsonbContainer *args, ForgePart *p)
{
	JsonbValue *data;
	JsonbValue *skip;
	bool		skip_duplicates = p->skip_duplicates;
	JsonbIterator *it;
	JsonbValue	row;
	int			nrows;
	int		   *given;			/* per column: rows that give it */
	bool		rewrite = false;
	ForgeStmt  *st;
	int			i = 0;
	int			col;

	if (args != NULL)
	{
		data = require_arg(args, "data", FORGE_CREATE_MANY);
		skip = get_arg(args, "skipDuplicates");
		if (is_object(data))
			data = one_row_array(data); /* Prisma takes one row too */
	}
	else
	{
		data = p->data;
		skip = p->skip;
		if (data == NULL)
		{
			/* one row of the pins alone */
			Jsonb	   *one = DatumGetJsonbP(DirectFunctionCall1(jsonb_in,
																 CStringGetDatum("[{}]")));

			data = palloc(sizeof(JsonbValue));
			data->type = jbvBinary;
			data->val.binary.data = &one->root;
			data->val.binary.len = VARSIZE(one) - VARHDRSZ;
		}
	}
	if (!is_array(data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"data\" of forge_create_many must be an array of rows or one row, not %s",
						forge_json_type_name(data))));
	data = json_wrap_rows(rel, data);
	if (skip != NULL)
	{
		if (skip->type != jbvBool)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"skipDuplicates\" must be true or false, not %s",
							forge_json_type_name(skip))));
		skip_duplicates = skip->val.boolean;
	}

	nrows = JsonContainerSize(data->val.binary.data);
	if (nrows == 0)
		return NIL;
	st = new_stmt(FORGE_CREATE_MANY, rel);
	given = palloc0(sizeof(int) * Max(rel->ncols, 1));

	it = JsonbIteratorInit(data->val.binary.data);
	while (next_elem(&it, &row))
	{
		JsonbIterator *rit;
		JsonbValue	key,
					val;

		CHECK_FOR_INTERRUPTS();
		if (!is_object(&row))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("element %d of \"data\" must be an object, not %s",
							i, forge_json_type_name(&row))));

		rit = JsonbIteratorInit(row.val.binary.data);
		while (next_pair(&rit, &key, &val))
		{
			ForgeColumn *c;

			col = lookup_column(st, &key);
			c = &rel->cols[col];
			if (c->generated != '\0')
				ereport(ERROR,
						(errcode(ERRCODE_GENERATED_ALWAYS),
						 errmsg("column \"%s\" is a generated column", c->name),
						 errdetail("Generated columns cannot be written.")));
			if (val.type == jbvBinary && !c->isjson &&
				(is_object(&val) || c->data->elem == NULL))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("column \"%s\" of type %s cannot take a JSON %s",
								c->name, format_type_be(c->typid),
								forge_json_type_name(&val)),
						 errdetail("forge_create_many takes plain values, in element %d.", i)));
			if (!rewrite && !c->isjson &&
				forge_many_value(&val, c->data, c) != NULL)
				rewrite = true;
			given[col]++;
		}
		i++;
	}

	st->many_cols = palloc(sizeof(int) * Max(rel->ncols, 1));
	st->many_always = palloc(sizeof(bool) * Max(rel->ncols, 1));
	for (col = 0; col < rel->ncols; col++)
	{
		if (given[col] == 0)
			continue;
		st->many_always[st->nmany] = (given[col] == nrows);
		st->many_cols[st->nmany++] = col;
		/* the statement names the column's type */
		forge_check_schema_usage(rel->cols[col].typnsp);
	}
	st->skip_duplicates = skip_duplicates;

	/* rewrite the values jsonb_to_record would read otherwise */
	if (rewrite)
	{
		ForgeJsonbBuild state = {0};

		forge_jsonb_push(&state, WJB_BEGIN_ARRAY, NULL);
		it = JsonbIteratorInit(data->val.binary.data);
		while (next_elem(&it, &row))
		{
			JsonbIterator *rit = JsonbIteratorInit(row.val.binary.data);
			JsonbValue	key,
						val;

			CHECK_FOR_INTERRUPTS();
			forge_jsonb_push(&state, WJB_BEGIN_OBJECT, NULL);
			while (next_pair(&rit, &key, &val))
			{
				ForgeColumn *c = &rel->cols[lookup_column(st, &key)];
				JsonbValue *fixed = c->isjson ? NULL :
					forge_many_value(&val, c->data, c);

				forge_jsonb_push(&state, WJB_KEY, &key);
				forge_jsonb_push(&state, WJB_VALUE, fixed ? fixed : &val);
			}
			forge_jsonb_push(&state, WJB_END_OBJECT, NULL);
		}
		data = forge_jsonb_push(&state, WJB_END_ARRAY, NULL);
	}
	add_param(st, JSONBOID, JsonbPGetDatum(JsonbValueToJsonb(data)), false);
	st->assigns = pin_assigns(st, p->dpins, false);
	return list_make1(st);
}

/*
 * want_keys
 *		With forge.notify_keys (and events on), statements also return the
 *		primary keys they wrote, for the event.  A table without a primary
 *		key has none to give.
 */
static List *
want_keys(List *stmts, ForgeRel *rel)
{
	ListCell   *lc;

	if (!forge_notify_enabled || !forge_notify_keys || rel->pkey < 0)
		return stmts;
	foreach(lc, stmts)
		((ForgeStmt *) lfirst(lc))->with_keys = true;
	return stmts;
}

/*
 * read_limit
 *		The limit of an updateMany or deleteMany (args, the SQL call's
 *		descriptor; a nested one has none): a non-negative integer, as an
 *		int8 parameter in st->limit.  The statement then writes the rows
 *		of at most that many primary keys (deparse_limited), so the table
 *		needs one.
 */
static void
read_limit(ForgeStmt *st, JsonbContainer *args)
{
	JsonbValue *v = args != NULL ? get_arg(args, "limit") : NULL;
	Datum		d;

	if (v == NULL)
		return;
	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"limit\" must be a number, not %s",
						forge_json_type_name(v))));
	d = DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric));
	if (!DatumGetBool(DirectFunctionCall2(numeric_eq,
										  NumericGetDatum(v->val.numeric),
										  DirectFunctionCall1(int8_numeric, d))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"limit\" must be an integer")));
	if (DatumGetInt64(d) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"limit\" must not be negative"),
				 errdetail("A limit of 0 writes no row.")));
	if (st->rel->pkey < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("\"limit\" needs a primary key on \"%s\"",
						st->rel->model),
				 errdetail("The rows to write are picked and locked by their primary key.")));
	st->limit = add_param(st, INT8OID, d, false);
}

/*
 * arg_object
 *		A part of the descriptor, an object: with args (the SQL call's
 *		descriptor) its key name, required or not; else given, which the
 *		nested grammar checked (read_nested.c), or NULL.
 */
static JsonbContainer *
arg_object(JsonbContainer *args, JsonbValue *given, const char *name,
		   ForgeVerb verb, bool required)
{
	JsonbValue *v;

	if (args == NULL)
		return given != NULL ? given->val.binary.data : NULL;
	v = required ? require_arg(args, name, verb) : get_arg(args, name);
	return v != NULL ? expect_object(v, name) : NULL;
}

/*
 * read_where_part
 *		The where of st: args' (required or not), or the part's.
 */
static ForgeFilter *
read_where_part(ForgeStmt *st, JsonbContainer *args, ForgePart *p,
				bool required)
{
	if (args != NULL)
		return read_where_arg(st, args, required);
	return read_part_where(st, p);
}

/*
 * read_data_part
 *		Read the data object jc (may be NULL) and add the columns that pins
 *		set (nulls: to null); relation keys go to *relations.
 */
static List *
read_data_part(ForgeStmt *st, JsonbContainer *jc, bool insert,
			   const ForgePins *pins, bool nulls, List **relations)
{
	List	   *assigns = NIL;

	if (jc != NULL)
		assigns = read_data(st, jc, insert, relations);
	return list_concat(assigns, pin_assigns(st, pins, nulls));
}

static bool includes_read_written(ForgeStmt *st);
static bool writes_included_key(ForgeStmt *st, List *assigns);

/*
 * read_stmts
 *		Read the write of verb on rel into the list of statements to run
 *		(one, except for createMany): from args, the SQL call's descriptor,
 *		or from the part p of a nested write (args NULL).  p->args, if set,
 *		holds the select and include of the row returned.
 */
static List *
read_stmts(ForgeVerb verb, ForgeRel *rel, JsonbContainer *args, ForgePart *p)
{
	ForgeStmt  *st;
	List	   *pairs = NIL;
	List	   *upairs = NIL;
	bool		top = (args != NULL);

	if (verb == FORGE_CREATE_MANY)
		return want_keys(read_create_many(rel, args, p), rel);

	st = new_stmt(forge_verb_base(verb), rel);
	st->with_deleted = top ? read_with_deleted(args) : p->with_deleted;
	switch (verb)
	{
		case FORGE_SOFT_DELETE:
		case FORGE_SOFT_DELETE_MANY:
		case FORGE_RESTORE:
		case FORGE_RESTORE_MANY:
			read_soft(st, verb, args);
			break;

		case FORGE_CREATE:
			st->assigns = read_data_part(st,
										 arg_object(args, p->data, "data", verb, true),
										 true, p->dpins, p->dnulls, &pairs);
			read_nested(st, pairs, NIL, top, args);
			break;

		case FORGE_UPDATE:
		case FORGE_UPDATE_MANY:
			st->assigns = read_data_part(st,
										 arg_object(args, p->data, "data", verb, true),
										 false, p->dpins, p->dnulls, &pairs);
			read_nested(st, pairs, NIL, top, args);
			st->where = read_where_part(st, args, p, verb == FORGE_UPDATE);
			if (verb == FORGE_UPDATE_MANY)
				read_limit(st, args);
			if (verb == FORGE_UPDATE)
			{
				int			k = find_unique_key(st, st->where, false);

				if (st->assigns == NIL)
					st->assigns = keep_assign(keep_column(rel, k));
			}
			else if (st->assigns == NIL)
				st->assigns = keep_assign(keep_column(rel, -1));
			if (top || p->live)
				st->where = soft_where(st, st->where, true);
			break;

		case FORGE_UPSERT:
			{
				JsonbContainer *create;
				JsonbContainer *update;
				ForgeUniqueKey *key;

				st->where = read_where_part(st, args, p, true);
				st->conflict_key = find_unique_key(st, st->where, true);
				key = &rel->keys[st->conflict_key];
				create = arg_object(args, p->data, "create", verb, true);
				update = arg_object(args, p->update, "update", verb, true);
				st->assigns = read_data_part(st, create, true,
											 p->dpins, p->dnulls, &pairs);
				merge_pins(st, key, create, p->dpins);
				/* a nested upsert creates when no connected row has the key */
				if (p->connected && connects_beyond_key(st->where, key))
					st->by_update = true;
				st->updates = read_data_part(st, update, false,
											 p->upins, false, &upairs);
				read_nested(st, pairs, upairs, top, args);
				if (st->nested != NULL && st->nested->branch_first)
					st->guard = add_param(st, BOOLOID, BoolGetDatum(true),
										  false);
				if (st->updates == NIL)
					st->updates = keep_assign(keep_column(rel, st->conflict_key));

				/*
				 * A nested upsert or connectOrCreate finds the row before it
				 * inserts, as Prisma's (which reads, then writes) does, so a
				 * row that exists spends no sequence value on an INSERT
				 * that conflicts; the INSERT is still guarded by ON CONFLICT
				 * on the key against a row another session creates
				 * meanwhile.  So the ids a Prisma user's writes give are
				 * Prisma's, and the write stays race-free.
				 */
				if (!top && !st->by_update && !p->looked_up &&
					!(st->nested != NULL && st->nested->branch_first))
				{
					st->by_update = true;
					st->find_first = true;
				}

				/*
				 * by_update reads the pins from where, so it keeps them; so
				 * does an upsert that nested.c may run by update
				 * (upsert_by_branch)
				 */
				if (!st->by_update &&
					!(st->nested != NULL && st->nested->branch_first))
					st->where = strip_key_filters(st, key);
				/* a soft-deleted conflicting row fails the where: P2025 */
				if (top || p->live)
					st->where = soft_where(st, st->where, true);
				forge_citus_check_upsert(st);
				drop_unused_params(st);
				break;
			}

		case FORGE_DELETE:
			st->where = read_where_part(st, args, p, true);
			find_unique_key(st, st->where, false);
			if (top || p->live)
				st->where = soft_where(st, st->where, true);
			break;

		case FORGE_DELETE_MANY:
			st->where = read_where_part(st, args, p, false);
			read_limit(st, args);
			if (top || p->live)
				st->where = soft_where(st, st->where, true);
			break;

		case FORGE_FIND:
			st->where = read_where_part(st, args, p, true);
			find_unique_key(st, st->where, false);
			if (p->live)
				st->where = soft_where(st, st->where, true);
			break;

		case FORGE_CREATE_MANY:
		case FORGE_CREATE_MANY_RETURN:
		case FORGE_UPDATE_MANY_RETURN:
			Assert(false);
			break;
	}
	if (verb == FORGE_CREATE || verb == FORGE_UPDATE ||
		verb == FORGE_UPSERT || verb == FORGE_DELETE || verb == FORGE_FIND ||
		verb == FORGE_SOFT_DELETE || verb == FORGE_RESTORE)
	{
		if (st->nested != NULL && st->nested->after)
		{
			/* the row is read back as asked after the nested writes */
			if (top)
				read_back_select(st);
		}
		else if (p->args != NULL)
			read_select(st, p->args);
	}
	if (top && st->nested == NULL &&
		(forge_citus_reads_back(st) || includes_read_written(st)))
	{
		/*
		 * related rows of a Citus table, or related rows read from the
		 * table being written, are read back after the write
		 */
		ForgeNestedWrite *nw = palloc0(sizeof(ForgeNestedWrite));

		nw->top = true;
		nw->after = true;
		nw->args = args;
		st->nested = nw;
		st->select = NIL;
		st->includes = NIL;
		read_back_select(st);
		drop_unused_params(st);
	}
	if (verb == FORGE_FIND)
		return list_make1(st);	/* reads: no event, no keys */
	return want_keys(list_make1(st), rel);
}

/*
 * reads_table
 *		Whether the includes (and their _counts and orderBy relations) read
 *		table relid, at any depth.
 */
static bool
reads_table(List *includes, Oid relid)
{
	ListCell   *lc;

	check_stack_depth();
	foreach(lc, includes)
	{
		ForgeInclude *inc = lfirst(lc);
		ListCell   *oc;

		if (inc->relation == NULL)
		{
			foreach(oc, inc->counts)
			{
				ForgeCount *c = lfirst(oc);

				if (c->rel->relid == relid ||
					(c->join != NULL && c->join->relid == relid))
					return true;
			}
			continue;
		}
		if (inc->rel->relid == relid ||
			(inc->join != NULL && inc->join->relid == relid))
			return true;
		foreach(oc, inc->order)
		{
			ForgeOrder *o;

			for (o = lfirst(oc); o != NULL && o->relation != NULL; o = o->sub)
				if (o->other->relid == relid ||
					(o->join != NULL && o->join->relid == relid))
					return true;
		}
		if (reads_table(inc->includes, relid))
			return true;
	}
	return false;
}

/*
 * includes_read_written
 *		Whether st, a create, update or upsert with a primary key, returns
 *		related rows read from its own table (a post's author's posts, a
 *		_count of them): subqueries in RETURNING see the table as it was
 *		before the statement, so they would miss the row it writes.  Those
 *		are read back after the write instead, as Prisma reads them; so
 *		are related rows joined on a key the write changes.  A
 *		delete's related rows are as they were before it, as in Prisma.
 */
static bool
includes_read_written(ForgeStmt *st)
{
	if (st->verb != FORGE_CREATE && st->verb != FORGE_UPDATE &&
		st->verb != FORGE_UPSERT)
		return false;
	if (st->rel->pkey < 0)
		return false;
	return reads_table(st->includes, st->rel->relid) ||
		(st->verb != FORGE_CREATE &&
		 (writes_included_key(st, st->assigns) ||
		  writes_included_key(st, st->updates)));
}

/*
 * writes_included_key
 *		Whether assigns (st's data, or its upsert's update) set a column of
 *		this row that an included relation other than a to-one (or a
 *		_count) is joined on: the related rows then follow the new value
 *		only when their foreign key's ON UPDATE action runs, at the end of
 *		the statement, after RETURNING has read them by the new value
 *		(Prisma reads them afterwards, as the read back does).
 */
static bool
writes_included_key(ForgeStmt *st, List *assigns)
{
	ListCell   *ac;

	foreach(ac, assigns)
	{
		ForgeAssign *a = lfirst(ac);
		AttrNumber	attnum = st->rel->cols[a->col].attnum;
		ListCell   *ic;

		if (a->kind == FORGE_KEEP)
			continue;
		foreach(ic, st->includes)
		{
			ForgeInclude *inc = lfirst(ic);
			ListCell   *cc;
			int			i;

			if (inc->relation != NULL)
			{
				if (inc->relation->kind == FORGE_TO_ONE)
					continue;
				for (i = 0; i < inc->relation->nkeys; i++)
					if (inc->relation->local[i] == attnum)
						return true;
				continue;
			}
			foreach(cc, inc->counts)
			{
				ForgeCount *c = lfirst(cc);

				for (i = 0; i < c->relation->nkeys; i++)
					if (c->relation->local[i] == attnum)
						return true;
			}
		}
	}
	return false;
}

/*
 * read_returning
 *		The "and return" verbs: stmts, createMany's or updateMany's, also
 *		return the rows they write, shaped by args' select, omit and
 *		include.  As in Prisma, only to-one relations may be included: the
 *		statement reads related rows as they were before it ran, so a new
 *		row's to-many relations would always be empty.
 */
static List *
read_returning(List *stmts, JsonbContainer *args)
{
	ListCell   *lc;

	foreach(lc, stmts)
	{
		ForgeStmt  *st = lfirst(lc);
		ListCell   *ic;

		st->returning = true;
		read_select(st, args);
		foreach(ic, st->includes)
		{
			ForgeInclude *inc = lfirst(ic);

			if (inc->relation == NULL)	/* _count */
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s cannot include \"_count\"",
								forge_verb_name(st->verb == FORGE_CREATE_MANY ?
												FORGE_CREATE_MANY_RETURN :
												FORGE_UPDATE_MANY_RETURN)),
						 errdetail("Only to-one relations can be returned with the rows of a many-row write, as in Prisma.")));
			if (inc->relation->kind == FORGE_TO_MANY ||
				inc->relation->kind == FORGE_MANY_TO_MANY)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s cannot include %s relation \"%s\"",
								forge_verb_name(st->verb == FORGE_CREATE_MANY ?
												FORGE_CREATE_MANY_RETURN :
												FORGE_UPDATE_MANY_RETURN),
								forge_relation_kind_name(inc->relation->kind),
								inc->name),
						 errdetail("Only to-one relations can be returned with the rows of a many-row write, as in Prisma.")));
		}
		forge_citus_check_returning(st);
	}
	return stmts;
}

/*
 * forge_read
 *		Read args, the descriptor of verb on rel, into the list of statements
 *		to run (one, except for createMany).  A statement whose data names
 *		relations carries its nested writes (st->nested).
 */
List *
forge_read(ForgeVerb verb, ForgeRel *rel, Jsonb *args)
{
	JsonbContainer *jc = &args->root;
	ForgePart	p;

	if (!JB_ROOT_IS_OBJECT(args) || JB_ROOT_IS_SCALAR(args))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("args of %s must be a JSON object, not %s",
						forge_verb_name(verb),
						JB_ROOT_IS_SCALAR(args) ? "a scalar" : "an array")));
	check_args_keys(jc, verb);
	memset(&p, 0, sizeof(p));
	if (verb == FORGE_CREATE_MANY_RETURN)
		return read_returning(read_stmts(FORGE_CREATE_MANY, rel, jc, &p), jc);
	if (verb == FORGE_UPDATE_MANY_RETURN)
		return read_returning(read_stmts(FORGE_UPDATE_MANY, rel, jc, &p), jc);
	p.args = jc;
	return read_stmts(verb, rel, jc, &p);
}

/*
 * forge_read_part
 *		Open the table relid (into *rel) for a write of verb and read p, a
 *		part of a nested write (nested.c), into its statements (none for a
 *		createMany without rows).
 */
List *
forge_read_part(ForgeVerb verb, Oid relid, ForgePart *p, ForgeRel **rel)
{
	check_part(p);
	*rel = forge_open_model(verb, relid);
	return read_stmts(verb, *rel, NULL, p);
}

/*
 * verb_privilege
 *		The privilege a verb needs on its table: the statement checks the
 *		exact table and column privileges again, forge_rel_open checks this
 *		one before locking.
 */
static AclMode
verb_privilege(ForgeVerb verb)
{
	switch (verb)
	{
		case FORGE_CREATE:
		case FORGE_CREATE_MANY:
		case FORGE_CREATE_MANY_RETURN:
		case FORGE_UPSERT:
			return ACL_INSERT;
		case FORGE_UPDATE:
		case FORGE_UPDATE_MANY:
		case FORGE_UPDATE_MANY_RETURN:
		case FORGE_SOFT_DELETE:
		case FORGE_SOFT_DELETE_MANY:
		case FORGE_RESTORE:
		case FORGE_RESTORE_MANY:
			return ACL_UPDATE;
		case FORGE_DELETE:
		case FORGE_DELETE_MANY:
			return ACL_DELETE;
		case FORGE_FIND:
			return ACL_SELECT;
	}
	return ACL_SELECT;			/* keep compiler quiet */
}

/*
 * forge_open_model
 *		Open relid, the table a write of verb writes (or reads), through
 *		catalog.c's one door: check and lock first, as the statement itself
 *		would; the lock processes pending invalidations, so the ForgeRel
 *		reflects committed DDL.
 */
ForgeRel *
forge_open_model(ForgeVerb verb, Oid relid)
{
	ForgeRel   *rel = forge_rel_open(relid, verb_privilege(verb),
									 verb == FORGE_FIND ? AccessShareLock :
									 RowExclusiveLock);

	if (verb != FORGE_FIND)
		forge_citus_check_write(rel, forge_verb_base(verb));
	return rel;
}
