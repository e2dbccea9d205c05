/*-------------------------------------------------------------------------
 *
 * read_select.c
 *		  Read select and include: the columns and related rows returned.
 *
 * select names columns and relations; omit names columns left out (the
 * row then selects the others); include names relations, each with its
 * own select, omit, include, where, orderBy, cursor, take and skip.  select
 * and include also take "_count": the number of rows of to-many relations.
 * Relations are
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
	"select", "include", "omit", "where", "orderBy", "cursor", "take", "skip", NULL
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
 * read_take
 *		An include's take as a parameter: its magnitude; a negative take
 *		(Prisma: the last rows of the order, returned in that order) sets
 *		*last (with a cursor, the caller refuses it: 0A000).
 */
static int
read_take(ForgeStmt *st, const JsonbValue *v, bool *last)
{
	Datum		d;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"take\" must be a number, not %s",
						forge_json_type_name(v))));
	d = DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric));
	*last = DatumGetInt64(d) < 0;
	if (DatumGetInt64(d) == PG_INT64_MIN)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("\"take\" is out of range")));
	if (*last)
		d = Int64GetDatum(-DatumGetInt64(d));
	return add_param(st, INT8OID, d, false);
}

/*
 * only_pair
 *		The one key and value of object jc; what names it in the error
 *		when jc has none or several (jsonb keeps no key order, so an order
 *		of several keys is an array of one-key objects).
 */
static void
only_pair(JsonbContainer *jc, JsonbValue *key, JsonbValue *val,
		  const char *what)
{
	JsonbIterator *it = JsonbIteratorInit(jc);
	JsonbValue	k2,
				v2;

	if (!next_pair(&it, key, val) || next_pair(&it, &k2, &v2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have exactly one key", what),
				 errhint("Order by several keys with an array of objects: [{\"a\": \"asc\"}, {\"b\": \"desc\"}].")));
}

/*
 * read_direction
 *		"asc" (false) or "desc" (true), the direction of orderBy entry
 *		name.
 */
static bool
read_direction(const JsonbValue *val, const char *name)
{
	if (val->type == jbvString && val->val.string.len == 3 &&
		memcmp(val->val.string.val, "asc", 3) == 0)
		return false;
	if (val->type == jbvString && val->val.string.len == 4 &&
		memcmp(val->val.string.val, "desc", 4) == 0)
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"orderBy\" of %s must be \"asc\" or \"desc\"", name)));
	return false;				/* keep compiler quiet */
}

/*
 * read_sort
 *		The direction of column orderBy entry name into o: "asc" or
 *		"desc", or Prisma's {"sort": "asc"|"desc", "nulls": "first"|"last"}
 *		(without nulls, ORDER BY's default: last ascending, first
 *		descending).
 */
static void
read_sort(ForgeOrder *o, const JsonbValue *val, const char *name)
{
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbValue *sort;

	if (!is_object(val))
	{
		o->desc = read_direction(val, name);
		o->nulls_first = o->desc;
		return;
	}
	it = JsonbIteratorInit(val->val.binary.data);
	while (next_pair(&it, &k, &v))
		if (!key_is(&k, "sort") && !key_is(&k, "nulls"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown key \"%s\" in the \"orderBy\" of %s",
							key_text(&k), name),
					 errhint("Write \"asc\", \"desc\" or {\"sort\": \"asc\", \"nulls\": \"last\"}.")));
	sort = get_arg(val->val.binary.data, "sort");
	if (sort == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"orderBy\" of %s needs \"sort\"", name)));
	o->desc = read_direction(sort, name);
	o->nulls_first = o->desc;
	sort = get_arg(val->val.binary.data, "nulls");
	if (sort == NULL)
		return;
	if (sort->type == jbvString && sort->val.string.len == 5 &&
		memcmp(sort->val.string.val, "first", 5) == 0)
		o->nulls_first = true;
	else if (sort->type == jbvString && sort->val.string.len == 4 &&
			 memcmp(sort->val.string.val, "last", 4) == 0)
		o->nulls_first = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"nulls\" in the \"orderBy\" of %s must be \"first\" or \"last\"",
						name)));
}

/*
 * read_order_key
 *		One orderBy key of a row of table rel and its value: a column and
 *		its direction, a to-one relation and an object ordering the related
 *		row, or a to-many relation and {"_count": direction}.  hops counts
 *		the relations followed so far.
 */
static ForgeOrder *
read_order_key(ForgeStmt *st, ForgeRel *rel, const JsonbValue *key,
			   const JsonbValue *val, int hops)
{
	ForgeOrder *o = palloc0(sizeof(ForgeOrder));
	ForgeRelation *r = NULL;
	ForgeRel   *outer = st->rel;
	bool		to_many;
	JsonbValue	k,
				v;
	char	   *name = key_text(key);

	check_stack_depth();
	o->rel = rel;
	o->col = -1;
	if (key->val.string.len < NAMEDATALEN)
		o->col = forge_column_lookup(rel, key->val.string.val,
									 key->val.string.len);
	if (o->col >= 0)
	{
		ForgeColumn *c = &rel->cols[o->col];

		if (!OidIsValid(c->ltopr))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("cannot order by column \"%s\" of type %s",
							c->name, format_type_be(c->typid)),
					 errdetail("Type %s has no default btree operator class.",
							   format_type_be(c->typid))));
		read_sort(o, val, psprintf("column \"%s\"", name));
		return o;
	}
	if (key->val.string.len < NAMEDATALEN)
		r = forge_relation_lookup(rel, key->val.string.val,
								  key->val.string.len);
	if (r == NULL)
	{
		st->rel = rel;
		(void) lookup_column(st, key);	/* reports the error */
		st->rel = outer;
	}
	if (hops >= FORGE_MAX_RELATION_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("orderBy reaches more than %d relations away",
						FORGE_MAX_RELATION_DEPTH)));
	to_many = r->kind == FORGE_TO_MANY || r->kind == FORGE_MANY_TO_MANY;
	if (!is_object(val))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"orderBy\" of %s relation \"%s\" must be an object, not %s",
						forge_relation_kind_name(r->kind), name,
						forge_json_type_name(val)),
				 to_many ?
				 errhint("Order by the number of related rows: {\"%s\": {\"_count\": \"asc\"}}.", name) :
				 errhint("Order by a column of the related row: {\"%s\": {\"column\": \"asc\"}}.", name)));
	only_pair(val->val.binary.data, &k, &v,
			  psprintf("\"orderBy\" of relation \"%s\"", name));
	o->relation = r;
	o->other = forge_rel_open(r->other, ACL_SELECT, AccessShareLock);
	o->join = open_join(r);
	o->live = soft_live(st, o->other);
	if (to_many)
	{
		if (!key_is(&k, "_count"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot order by \"%s\" of %s relation \"%s\"",
							key_text(&k), forge_relation_kind_name(r->kind),
							name),
					 errdetail("A to-many relation has many rows, so no one value of theirs orders this row."),
					 errhint("Order by the number of related rows: {\"%s\": {\"_count\": \"asc\"}}.",
							 name)));
		o->desc = read_direction(&v, psprintf("\"_count\" of relation \"%s\"",
											  name));
		o->nulls_first = o->desc;	/* a count is never null */
		return o;
	}
	if (key_is(&k, "_count") &&
		forge_column_lookup(o->other, "_count", 6) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot order by \"_count\" of %s relation \"%s\"",
						forge_relation_kind_name(r->kind), name),
				 errdetail("\"_count\" orders by the number of rows of a to-many or many-to-many relation.")));
	o->sub = read_order_key(st, o->other, &k, &v, hops + 1);
	o->desc = o->sub->desc;
	o->nulls_first = o->sub->nulls_first;
	return o;
}

/*
 * read_order
 *		An include's orderBy v (an object of one key, or an array of them)
 *		on table rel, appended to order.
 */
static List *
read_order(ForgeStmt *st, ForgeRel *rel, const JsonbValue *v, List *order)
{
	JsonbValue	key,
				val;

	if (is_array(v))
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbValue	e;

		while (next_elem(&it, &e))
		{
			only_pair(expect_object(&e, "orderBy"), &key, &val,
					  "an \"orderBy\" entry");
			order = lappend(order, read_order_key(st, rel, &key, &val, 0));
		}
		return order;
	}
	only_pair(expect_object(v, "orderBy"), &key, &val, "\"orderBy\"");
	return lappend(order, read_order_key(st, rel, &key, &val, 0));
}

/*
 * order_by_key
 *		Append to order the columns of unique key ukey of rel that no entry
 *		orders by already, ascending: they break the ties of the entries
 *		before them, so that the order (and a cursor) is total.
 */
static List *
order_by_key(List *order, ForgeRel *rel, ForgeUniqueKey *ukey)
{
	int			i;

	for (i = 0; i < ukey->ncols; i++)
	{
		ListCell   *lc;
		bool		found = false;
		ForgeOrder *o;

		foreach(lc, order)
		{
			o = lfirst(lc);
			if (o->relation == NULL && o->col == ukey->cols[i])
				found = true;
		}
		if (found)
			continue;
		o = palloc0(sizeof(ForgeOrder));
		o->rel = rel;
		o->col = ukey->cols[i];
		order = lappend(order, o);
	}
	return order;
}

/*
 * cursor_key
 *		The unique key that cursor (read at depth 0 on inc->rel) pins by
 *		equality; an error naming the keys of the table if none.
 */
static ForgeUniqueKey *
cursor_key(ForgeInclude *inc, ForgeFilter *cursor)
{
	ForgeRel   *rel = inc->rel;
	bool	   *pinned = palloc0(sizeof(bool) * Max(rel->ncols, 1));
	ListCell   *lc;
	int			i,
				j;
	StringInfoData keys;

	foreach(lc, cursor->args)
	{
		ForgeFilter *f = lfirst(lc);

		if (f->pinvalue != NULL)
			pinned[f->col] = true;
	}
	for (i = 0; i < rel->nkeys; i++)
	{
		ForgeUniqueKey *key = &rel->keys[i];
		bool		all = !key->partial && key->loose == NULL;

		for (j = 0; j < key->ncols; j++)
			all &= pinned[key->cols[j]];
		if (all)
			return key;
	}
	initStringInfo(&keys);
	forge_rel_describe_keys(&keys, rel);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
			 errmsg("\"cursor\" of relation \"%s\" must select one row of \"%s\" by a unique key",
					inc->name, rel->relname),
			 errhint("Pin every column of one unique key by equality; the unique keys of \"%s\" are: %s.",
					 rel->relname, keys.data)));
	return NULL;				/* keep compiler quiet */
}

/*
 * check_cursor_order
 *		A cursor compares the order's values of each row with the cursor
 *		row's, by the operators of each column's default btree operator
 *		class, named with their schemas: check USAGE on those schemas.
 */
static void
check_cursor_order(ForgeOrder *o)
{
	ForgeColumn *c;

	for (; o->sub != NULL; o = o->sub)
		;
	if (o->relation != NULL)
		return;					/* a _count: bigint, in pg_catalog */
	c = &o->rel->cols[o->col];
	forge_check_schema_usage(c->cmpnsp[FORGE_EQ]);
	forge_check_schema_usage(c->cmpnsp[FORGE_LT]);
	forge_check_schema_usage(c->cmpnsp[FORGE_GT]);
}

/*
 * list_relation_counts
 *		The ForgeCount of every to-many and many-to-many relation of rel
 *		(_count: true), under its name or, where it has none, its
 *		constraint name.  A to-many relation to the join table of one of
 *		rel's many-to-many relations is left out: it counts the same links.
 *		So is one whose key is not trusted (relations.c): another role's
 *		table that references rel is not one of rel's own relations, and
 *		counting it would need its SELECT privilege (it can be counted by
 *		its constraint name).
 */
static List *
list_relation_counts(ForgeRel *rel)
{
	List	   *counts = NIL;
	int			i,
				j;

	forge_rel_relations(rel);
	for (i = 0; i < rel->nrels; i++)
	{
		ForgeRelation *r = &rel->rels[i];
		ForgeCount *c;
		bool		join = false;

		if ((r->kind != FORGE_TO_MANY && r->kind != FORGE_MANY_TO_MANY) ||
			!r->trusted)
			continue;
		for (j = 0; j < rel->nrels && r->kind == FORGE_TO_MANY; j++)
			if (rel->rels[j].kind == FORGE_MANY_TO_MANY &&
				rel->rels[j].join == r->other)
				join = true;
		if (join)
			continue;
		c = palloc0(sizeof(ForgeCount));
		c->name = r->name != NULL ? r->name :
			r->kind == FORGE_MANY_TO_MANY ? r->address : r->conname;
		c->relation = r;
		counts = lappend(counts, c);
	}
	return counts;
}

/*
 * read_relation_count
 *		_count: true, or {"select": {relation: true | false | {"where":
 *		…}}}, of the rows of st->rel at alias level st->level.
 */
static ForgeInclude *
read_relation_count(ForgeStmt *st, const JsonbValue *v, int depth)
{
	ForgeInclude *inc = palloc0(sizeof(ForgeInclude));
	ForgeRel   *outer = st->rel;
	ListCell   *lc;

	check_stack_depth();
	if (st->level >= FORGE_MAX_RELATION_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("include reaches more than %d relations away",
						FORGE_MAX_RELATION_DEPTH)));
	inc->name = "_count";
	inc->rel = st->rel;
	inc->level = st->level;
	if (v->type == jbvBool)
		inc->counts = list_relation_counts(st->rel);
	else if (is_object(v))
	{
		JsonbValue	key,
					val;
		JsonbIterator *it;
		JsonbValue *sel;

		only_pair(v->val.binary.data, &key, &val, "\"_count\"");
		if (!key_is(&key, "select"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown key \"%s\" in \"_count\"", key_text(&key)),
					 errhint("Write \"_count\": true, or \"_count\": {\"select\": {\"relation\": true}}.")));
		sel = get_arg(v->val.binary.data, "select");
		it = JsonbIteratorInit(expect_object(sel, "\"select\" of \"_count\""));
		while (next_pair(&it, &key, &val))
		{
			ForgeRelation *r = key.val.string.len < NAMEDATALEN ?
				forge_relation_lookup(st->rel, key.val.string.val,
									  key.val.string.len) : NULL;
			ForgeCount *c;

			if (r == NULL)
			{
				(void) lookup_column(st, &key); /* a column: reports it */
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("cannot count column \"%s\" of \"%s\"",
								key_text(&key), st->rel->relname),
						 errdetail("\"_count\" counts the rows of to-many and many-to-many relations.")));
			}
			if (r->kind != FORGE_TO_MANY && r->kind != FORGE_MANY_TO_MANY)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("cannot count %s relation \"%s\"",
								forge_relation_kind_name(r->kind), key_text(&key)),
						 errdetail("\"_count\" counts the rows of to-many and many-to-many relations.")));
			if (val.type == jbvBool && !val.val.boolean)
				continue;
			c = palloc0(sizeof(ForgeCount));
			c->name = key_text(&key);
			c->relation = r;
			if (is_object(&val))
			{
				JsonbValue	k2,
							w;

				only_pair(val.val.binary.data, &k2, &w,
						  psprintf("\"_count\" of relation \"%s\"", c->name));
				if (!key_is(&k2, "where"))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("unknown key \"%s\" in the \"_count\" of relation \"%s\"",
									key_text(&k2), c->name),
							 errhint("Write true, or {\"where\": {...}}.")));
				c->rel = forge_rel_open(r->other, ACL_SELECT, AccessShareLock);
				st->rel = c->rel;
				st->level++;
				c->where = read_where(st, expect_object(&w, "where"), depth + 1);
				st->level--;
				st->rel = outer;
			}
			else if (val.type != jbvBool)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("\"_count\" of relation \"%s\" must be true, false or an object, not %s",
								c->name, forge_json_type_name(&val))));
			inc->counts = lappend(inc->counts, c);
		}
		if (inc->counts == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"select\" of \"_count\" must pick at least one relation")));
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"_count\" must be true or an object, not %s",
						forge_json_type_name(v))));
	foreach(lc, inc->counts)
	{
		ForgeCount *c = lfirst(lc);

		if (c->rel == NULL)
			c->rel = forge_rel_open(c->relation->other, ACL_SELECT,
									AccessShareLock);
		c->join = open_join(c->relation);
		c->live = soft_live(st, c->rel);
	}
	return inc;
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
						 errhint(to_many ? "Valid keys are: select, include, omit, where, orderBy, cursor, take, skip."
								 : "Valid keys are: select, include, omit; where, orderBy, cursor, take and skip are for to-many relations.")));
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
		JsonbValue *c = get_arg(opts, "cursor");
		JsonbValue *t = get_arg(opts, "take");
		JsonbValue *s = get_arg(opts, "skip");

		if (w != NULL)
			inc->where = read_where(st, expect_object(w, "where"), depth + 1);
		if (o != NULL)
			inc->order = read_order(st, inc->rel, o, NIL);
		if (c != NULL)
		{
			ListCell   *lc;

			/* the cursor row is aliased one level below the rows */
			st->level++;
			inc->cursor = read_where(st, expect_object(c, "cursor"), 0);
			st->level--;
			inc->order = order_by_key(inc->order, inc->rel,
									  cursor_key(inc, inc->cursor));
			foreach(lc, inc->order)
				check_cursor_order(lfirst(lc));
		}
		if (t != NULL)
			inc->take = read_take(st, t, &inc->take_last);
		if (inc->take_last && inc->cursor != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("a negative \"take\" with a \"cursor\" is not supported in include"),
					 errhint("Reverse the orderBy and take the rows from the cursor on.")));
		if (s != NULL)
			inc->skip = read_count(st, s, "skip");
	}
	/* the primary key breaks ties: the same rows in the same order */
	if (to_many && inc->rel->pkey >= 0)
		inc->order = order_by_key(inc->order, inc->rel,
								  &inc->rel->keys[inc->rel->pkey]);
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
			if (col < 0 && r == NULL && key_is(&key, "_count"))
			{
				if (val.type == jbvBool && !val.val.boolean)
					continue;
				*includes = lappend(*includes, read_relation_count(st, &val, depth));
				picked = true;
				continue;
			}
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

			if (r == NULL && key_is(&key, "_count"))
			{
				if (val.type == jbvBool && !val.val.boolean)
					continue;

				/*
				 * The row already has a key "_count": the column, which
				 * include returns with every column.  The counts would
				 * replace its value in the result without a word.
				 */
				if (forge_column_lookup(st->rel, "_count", 6) >= 0)
					ereport(ERROR,
							(errcode(ERRCODE_DUPLICATE_OBJECT),
							 errmsg("\"_count\" in \"include\" is a column of table \"%s\"",
									st->rel->model),
							 errdetail("The relation counts would replace the column's value in the result."),
							 errhint("Name the column in \"select\" instead: there \"_count\" is the column.")));
				*includes = lappend(*includes, read_relation_count(st, &val, depth));
				continue;
			}
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
