/*-------------------------------------------------------------------------
 *
 * descriptor.c
 *		  Read a verb's jsonb descriptor into ForgeStmts: each verb's keys
 *		  and the statements they make.
 *
 * The reader (this file and read_json.c, read_data.c, read_where.c,
 * read_select.c; see reader.h) owns all input validation: a descriptor that
 * passes it deparses to SQL that parses.  As it reads, it converts each
 * value to a Datum of its column's type and appends it to the statement's
 * parameter arrays ($1, $2, ... in reading order).
 *
 * Reading order is fixed per verb, and jsonb keeps object keys sorted, so
 * descriptors that differ only in values number their parameters alike
 * and read into trees of one shape, which plancache.c then finds one plan
 * for.  The reader records nothing for the plan cache: shape.c computes
 * the key from the finished tree.
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
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "reader.h"

static const char *const verb_names[] = {
	"forge_create", "forge_create_many", "forge_update", "forge_update_many",
	"forge_upsert", "forge_delete", "forge_delete_many", "connect"
};

/* the keys each verb's args may hold, NULL-terminated */
static const char *const create_keys[] = {"data", "select", "include", NULL};
static const char *const create_many_keys[] = {"data", "skipDuplicates", NULL};
static const char *const update_keys[] = {"where", "data", "select", "include", NULL};
static const char *const update_many_keys[] = {"where", "data", NULL};
static const char *const upsert_keys[] = {"where", "create", "update", "select", "include", NULL};
static const char *const delete_keys[] = {"where", "select", "include", NULL};
static const char *const delete_many_keys[] = {"where", NULL};
static const char *const find_keys[] = {"where", "select", "include", NULL};

static const char *const *const verb_keys[] = {
	create_keys, create_many_keys, update_keys, update_many_keys,
	upsert_keys, delete_keys, delete_many_keys, find_keys
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
 *		createMany: rows grouped by their set of keys, one statement per
 *		group, each taking its rows as one jsonb array parameter (so the
 *		parameter count does not grow with the row count).
 */
static List *
read_create_many(ForgeRel *rel, JsonbContainer *args)
{
	JsonbValue *data = require_arg(args, "data", FORGE_CREATE_MANY);
	JsonbValue *skip = get_arg(args, "skipDuplicates");
	bool		skip_duplicates = false;
	JsonbIterator *it;
	JsonbValue	row;
	int			nrows;
	int		   *rowgroup;
	List	   *groups = NIL;	/* of ForgeStmt */
	ForgeStmt  *probe;
	int			i = 0;
	ListCell   *lc;

	if (!is_array(data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"data\" of forge_create_many must be an array, not %s",
						forge_json_type_name(data))));
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
	rowgroup = palloc(sizeof(int) * Max(nrows, 1));
	probe = new_stmt(FORGE_CREATE_MANY, rel);
	probe->many_cols = palloc(sizeof(int) * Max(rel->ncols, 1));

	it = JsonbIteratorInit(data->val.binary.data);
	while (next_elem(&it, &row))
	{
		JsonbIterator *rit;
		JsonbValue	key,
					val;
		int			g;

		CHECK_FOR_INTERRUPTS();
		if (!is_object(&row))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("element %d of \"data\" must be an object, not %s",
							i, forge_json_type_name(&row))));

		/* the row's columns, in jsonb key order */
		probe->nmany = 0;
		rit = JsonbIteratorInit(row.val.binary.data);
		while (next_pair(&rit, &key, &val))
		{
			int			col = lookup_column(probe, &key);
			ForgeColumn *c = &rel->cols[col];

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
			probe->many_cols[probe->nmany++] = col;
		}

		/* find the group with this column set, or start one */
		g = 0;
		foreach(lc, groups)
		{
			ForgeStmt  *st = lfirst(lc);

			if (st->nmany == probe->nmany &&
				memcmp(st->many_cols, probe->many_cols,
					   sizeof(int) * probe->nmany) == 0)
				break;
			g++;
		}
		if (lc == NULL)
		{
			ForgeStmt  *st = new_stmt(FORGE_CREATE_MANY, rel);
			int			j;

			st->nmany = probe->nmany;
			st->many_cols = palloc(sizeof(int) * Max(st->nmany, 1));
			memcpy(st->many_cols, probe->many_cols, sizeof(int) * st->nmany);
			/* the statement names each column's type */
			for (j = 0; j < st->nmany; j++)
				forge_check_schema_usage(rel->cols[st->many_cols[j]].typnsp);
			st->skip_duplicates = skip_duplicates;
			groups = lappend(groups, st);
		}
		rowgroup[i++] = g;
	}

	/* one group: the data array is the parameter as it stands */
	if (list_length(groups) == 1)
	{
		ForgeStmt  *st = linitial(groups);

		add_param(st, JSONBOID, JsonbPGetDatum(JsonbValueToJsonb(data)), false);
		return groups;
	}

	/* several: split the rows into one array per group */
	{
		int			ngroups = list_length(groups);
		ForgeJsonbBuild *states = palloc0(sizeof(ForgeJsonbBuild) * Max(ngroups, 1));
		int			g;

		for (g = 0; g < ngroups; g++)
			forge_jsonb_push(&states[g], WJB_BEGIN_ARRAY, NULL);
		it = JsonbIteratorInit(data->val.binary.data);
		i = 0;
		while (next_elem(&it, &row))
			forge_jsonb_push(&states[rowgroup[i++]], WJB_ELEM, &row);
		g = 0;
		foreach(lc, groups)
		{
			JsonbValue *arr = forge_jsonb_push(&states[g++], WJB_END_ARRAY, NULL);

			add_param(lfirst(lc), JSONBOID,
					  JsonbPGetDatum(JsonbValueToJsonb(arr)), false);
		}
	}
	return groups;
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
 * forge_read
 *		Read args, the descriptor of verb on rel, into the list of statements
 *		to run (one, except for createMany).
 */
List *
forge_read(ForgeVerb verb, ForgeRel *rel, Jsonb *args)
{
	JsonbContainer *jc = &args->root;
	ForgeStmt  *st;

	if (!JB_ROOT_IS_OBJECT(args) || JB_ROOT_IS_SCALAR(args))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("args of %s must be a JSON object, not %s",
						forge_verb_name(verb),
						JB_ROOT_IS_SCALAR(args) ? "a scalar" : "an array")));
	check_args_keys(jc, verb);

	if (verb == FORGE_CREATE_MANY)
		return want_keys(read_create_many(rel, jc), rel);

	st = new_stmt(verb, rel);
	switch (verb)
	{
		case FORGE_CREATE:
			st->assigns = read_data(st,
									expect_object(require_arg(jc, "data", verb), "data"),
									true);
			if (st->nested)
				return list_make1(st);
			break;

		case FORGE_UPDATE:
		case FORGE_UPDATE_MANY:
			st->assigns = read_data(st,
									expect_object(require_arg(jc, "data", verb), "data"),
									false);
			if (st->nested)
				return list_make1(st);
			st->where = read_where_arg(st, jc, verb == FORGE_UPDATE);
			if (verb == FORGE_UPDATE)
			{
				int			k = find_unique_key(st, st->where, false);

				if (st->assigns == NIL)
					st->assigns = keep_assign(keep_column(rel, k));
			}
			else if (st->assigns == NIL)
				st->assigns = keep_assign(keep_column(rel, -1));
			break;

		case FORGE_UPSERT:
			{
				JsonbContainer *create;
				JsonbContainer *update;
				ForgeUniqueKey *key;

				st->where = read_where_arg(st, jc, true);
				st->conflict_key = find_unique_key(st, st->where, true);
				key = &rel->keys[st->conflict_key];
				create = expect_object(require_arg(jc, "create", verb), "create");
				update = expect_object(require_arg(jc, "update", verb), "update");
				st->assigns = read_data(st, create, true);
				merge_pins(st, key, create);
				st->updates = read_data(st, update, false);
				if (st->nested)
					return list_make1(st);
				if (st->updates == NIL)
					st->updates = keep_assign(keep_column(rel, st->conflict_key));
				/* by_update reads the pins from where, so it keeps them */
				if (!st->by_update)
					st->where = strip_key_filters(st, key);
				drop_unused_params(st);
				break;
			}

		case FORGE_DELETE:
			st->where = read_where_arg(st, jc, true);
			find_unique_key(st, st->where, false);
			break;

		case FORGE_DELETE_MANY:
			st->where = read_where_arg(st, jc, false);
			break;

		case FORGE_FIND:
			st->where = read_where_arg(st, jc, true);
			find_unique_key(st, st->where, false);
			break;

		case FORGE_CREATE_MANY:
			Assert(false);
			break;
	}
	if (verb == FORGE_CREATE || verb == FORGE_UPDATE ||
		verb == FORGE_UPSERT || verb == FORGE_DELETE || verb == FORGE_FIND)
		read_select(st, jc);
	if (verb == FORGE_FIND)
		return list_make1(st);	/* reads: no event, no keys */
	return want_keys(list_make1(st), rel);
}
