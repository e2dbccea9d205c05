/*-------------------------------------------------------------------------
 *
 * read_select.c
 *		  Read select and include: the columns and related rows returned.
 *
 * select names columns and relations; omit names columns left out (the
 * row then selects the others); include names relations, each with its
 * own select, omit, include, where, orderBy, take and skip.  Relations are
 * checked through catalog.c's one door (forge_rel_open) before their
 * tables are read.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/read_select.c
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

static void read_shape(ForgeStmt *st, JsonbContainer *select,
					   JsonbContainer *omit, JsonbContainer *include,
					   List **cols, List **includes, int depth);

/* the keys of an include; those after "omit" are for to-many relations */
static const char *const include_keys[] = {
	"select", "include", "omit", "where", "orderBy", "take", "skip", NULL
};
#define INCLUDE_TO_ONE_KEYS 3

/*
 * read_count
 *		A take or skip value: a non-negative integer, as an int8 parameter.
 */
static int
read_count(ForgeStmt *st, const JsonbValue *v, const char *what)
{
	Datum		d;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" must be a number, not %s", what,
						forge_json_type_name(v))));
	d = DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric));
	if (DatumGetInt64(d) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" must not be negative", what)));
	return add_param(st, INT8OID, d, false);
}

/*
 * read_order_entry
 *		One {"col": "asc"|"desc"} object of an orderBy, on table rel.
 */
static List *
read_order_entry(ForgeStmt *st, JsonbContainer *jc, List *order)
{
	JsonbIterator *it = JsonbIteratorInit(jc);
	JsonbValue	key,
				val;

	while (next_pair(&it, &key, &val))
	{
		ForgeOrder *o = palloc(sizeof(ForgeOrder));

		o->col = lookup_column(st, &key);
		if (val.type == jbvString && val.val.string.len == 3 &&
			memcmp(val.val.string.val, "asc", 3) == 0)
			o->desc = false;
		else if (val.type == jbvString && val.val.string.len == 4 &&
				 memcmp(val.val.string.val, "desc", 4) == 0)
			o->desc = true;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"orderBy\" of column \"%s\" must be \"asc\" or \"desc\"",
							key_text(&key))));
		order = lappend(order, o);
	}
	return order;
}

/*
 * read_include
 *		One included relation r, named name: v is true, or an object of
 *		select, omit, include and, for a to-many, where, orderBy, take and
 *		skip.
 */
static ForgeInclude *
read_include(ForgeStmt *st, ForgeRelation *r, const JsonbValue *key,
			 const JsonbValue *v, int depth)
{
	ForgeInclude *inc = palloc0(sizeof(ForgeInclude));
	bool		to_many = r->kind == FORGE_TO_MANY || r->kind == FORGE_MANY_TO_MANY;
	ForgeRel   *outer = st->rel;
	JsonbContainer *opts = NULL;
	JsonbValue *sel = NULL;
	JsonbValue *incl = NULL;
	JsonbValue *omit = NULL;

	check_stack_depth();
	if (st->level >= FORGE_MAX_RELATION_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("include reaches more than %d relations away",
						FORGE_MAX_RELATION_DEPTH)));
	inc->name = key_text(key);
	inc->relation = r;
	inc->rel = forge_rel_open(r->other, ACL_SELECT, AccessShareLock);
	inc->live = soft_live(st, inc->rel);
	inc->join = open_join(r);
	inc->level = st->level + 1;

	if (is_object(v))
	{
		JsonbIterator *it;
		JsonbValue	k,
					val;

		opts = v->val.binary.data;
		it = JsonbIteratorInit(opts);
		while (next_pair(&it, &k, &val))
		{
			int			i = name_index(&k, include_keys, -1);

			if (i < 0 || (!to_many && i >= INCLUDE_TO_ONE_KEYS))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown key \"%s\" in the include of %s relation \"%s\"",
								key_text(&k), forge_relation_kind_name(r->kind),
								inc->name),
						 errhint(to_many ? "Valid keys are: select, include, omit, where, orderBy, take, skip."
								 : "Valid keys are: select, include, omit; where, orderBy, take and skip are for to-many relations.")));
		}
		sel = get_arg(opts, "select");
		incl = get_arg(opts, "include");
		omit = get_arg(opts, "omit");
	}
	else if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("include of relation \"%s\" must be true or an object, not %s",
						inc->name, forge_json_type_name(v))));

	st->rel = inc->rel;
	st->level++;
	read_shape(st, sel ? expect_object(sel, "select") : NULL,
			   omit ? expect_object(omit, "omit") : NULL,
			   incl ? expect_object(incl, "include") : NULL,
			   &inc->select, &inc->includes, depth + 1);
	if (opts != NULL && to_many)
	{
		JsonbValue *w = get_arg(opts, "where");
		JsonbValue *o = get_arg(opts, "orderBy");
		JsonbValue *t = get_arg(opts, "take");
		JsonbValue *s = get_arg(opts, "skip");

		if (w != NULL)
			inc->where = read_where(st, expect_object(w, "where"), depth + 1);
		if (o != NULL && is_array(o))
		{
			JsonbIterator *it = JsonbIteratorInit(o->val.binary.data);
			JsonbValue	e;

			while (next_elem(&it, &e))
				inc->order = read_order_entry(st, expect_object(&e, "orderBy"),
											  inc->order);
		}
		else if (o != NULL)
			inc->order = read_order_entry(st, expect_object(o, "orderBy"), inc->order);
		if (t != NULL)
			inc->take = read_count(st, t, "take");
		if (s != NULL)
			inc->skip = read_count(st, s, "skip");
	}
	st->level--;
	st->rel = outer;
	return inc;
}

/*
 * read_omit
 *		omit: columns true (left out of the returned row) or false.  The row
 *		then selects every other column, in column order (cols); none left
 *		out keeps the whole row (NIL).  As in Prisma, at least one column
 *		must remain.
 */
static void
read_omit(ForgeStmt *st, JsonbContainer *omit, List **cols)
{
	JsonbIterator *it = JsonbIteratorInit(omit);
	JsonbValue	key,
				val;
	bool	   *omitted = palloc0(sizeof(bool) * Max(st->rel->ncols, 1));
	int			nomitted = 0;
	int			i;

	while (next_pair(&it, &key, &val))
	{
		int			col = -1;

		if (key.val.string.len < NAMEDATALEN)
			col = forge_column_lookup(st->rel, key.val.string.val,
									  key.val.string.len);
		if (col < 0 && key.val.string.len < NAMEDATALEN &&
			forge_relation_lookup(st->rel, key.val.string.val,
								  key.val.string.len) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"omit\" names columns, and \"%s\" is a relation",
							key_text(&key)),
					 errhint("A relation is returned only when include or select names it.")));
		if (col < 0)
			col = lookup_column(st, &key);	/* reports the error */
		if (val.type != jbvBool)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"omit\" of column \"%s\" must be true or false, not %s",
							key_text(&key), forge_json_type_name(&val))));
		if (val.val.boolean && !omitted[col])
		{
			omitted[col] = true;
			nomitted++;
		}
	}
	if (nomitted == 0)
		return;
	if (nomitted == st->rel->ncols)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"omit\" leaves out every column of \"%s\"",
						st->rel->relname),
				 errdetail("At least one column must be returned.")));
	for (i = 0; i < st->rel->ncols; i++)
		if (!omitted[i])
			*cols = lappend_int(*cols, i);
}

/*
 * read_shape
 *		The returned row of st->rel: select (columns true or false, and
 *		relations), or omit (columns left out), and include (relations
 *		added to the columns).  Each may be NULL; cols and includes receive
 *		the result.
 */
static void
read_shape(ForgeStmt *st, JsonbContainer *select, JsonbContainer *omit,
		   JsonbContainer *include, List **cols, List **includes, int depth)
{
	JsonbIterator *it;
	JsonbValue	key,
				val;
	bool		picked = false;

	if (select != NULL && include != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"select\" and \"include\" cannot be used together"),
				 errhint("Put the relations in \"select\" next to the columns.")));
	if (select != NULL && omit != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"select\" and \"omit\" cannot be used together"),
				 errhint("Use \"select\" to name the columns returned, or \"omit\" to name those left out.")));
	if (omit != NULL)
		read_omit(st, omit, cols);
	if (select != NULL)
	{
		it = JsonbIteratorInit(select);
		while (next_pair(&it, &key, &val))
		{
			ForgeRelation *r = NULL;
			int			col = -1;

			if (key.val.string.len < NAMEDATALEN)
				col = forge_column_lookup(st->rel, key.val.string.val,
										  key.val.string.len);
			if (col < 0 && key.val.string.len < NAMEDATALEN)
				r = forge_relation_lookup(st->rel, key.val.string.val,
										  key.val.string.len);
			if (col < 0 && r == NULL)
				col = lookup_column(st, &key);	/* reports the error */
			if (r != NULL)
			{
				if (val.type == jbvBool && !val.val.boolean)
					continue;
				*includes = lappend(*includes, read_include(st, r, &key, &val, depth));
				picked = true;
				continue;
			}
			if (val.type != jbvBool)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("\"select\" of column \"%s\" must be true or false, not %s",
								key_text(&key), forge_json_type_name(&val))));
			if (val.val.boolean)
			{
				*cols = lappend_int(*cols, col);
				picked = true;
			}
		}
		if (!picked)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"select\" must pick at least one column")));
		if (*cols == NIL)		/* only relations: no column (-1) */
			*cols = list_make1_int(-1);
	}
	if (include != NULL)
	{
		it = JsonbIteratorInit(include);
		while (next_pair(&it, &key, &val))
		{
			ForgeRelation *r = key.val.string.len < NAMEDATALEN ?
				forge_relation_lookup(st->rel, key.val.string.val,
									  key.val.string.len) : NULL;

			if (r == NULL)
			{
				StringInfoData rels;

				initStringInfo(&rels);
				forge_describe_relations(&rels, st->rel);
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("relation \"%s\" of \"%s\" does not exist",
								key_text(&key), st->rel->relname),
						 st->rel->nrels > 0 ?
						 errhint("The relations of \"%s\" are: %s.",
								 st->rel->relname, rels.data) :
						 errhint("\"%s\" has no foreign keys, so no relations.",
								 st->rel->relname)));
			}
			if (val.type == jbvBool && !val.val.boolean)
				continue;
			*includes = lappend(*includes, read_include(st, r, &key, &val, depth));
		}
	}
}

/*
 * read_select
 *		Read args' select, omit and include into st->select and
 *		st->includes.
 */
void
read_select(ForgeStmt *st, JsonbContainer *args)
{
	JsonbValue *s = get_arg(args, "select");
	JsonbValue *o = get_arg(args, "omit");
	JsonbValue *i = get_arg(args, "include");

	read_shape(st, s ? expect_object(s, "select") : NULL,
			   o ? expect_object(o, "omit") : NULL,
			   i ? expect_object(i, "include") : NULL,
			   &st->select, &st->includes, 0);
}
