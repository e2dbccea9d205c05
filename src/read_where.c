/*-------------------------------------------------------------------------
 *
 * read_where.c
 *		  Read where: the filter tree, unique selectors and their keys.
 *
 * A where becomes a tree of ForgeFilter nodes: AND, OR, NOT, comparisons,
 * null tests and relation filters (some/none/every/is/isNot), each reading
 * one row alias.  A one-row verb's where must pin a unique key
 * (find_unique_key), and upsert's where also fills create (merge_pins).
 * Parameters a unique selector no longer needs are dropped at the end.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/read_where.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/heap.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "reader.h"

static const char *const filter_names[] = {
	"equals", "not", "in", "notIn", "lt", "lte", "gt", "gte",
	"contains", "startsWith", "endsWith", "mode",
	"has", "hasEvery", "hasSome", "isEmpty", NULL
};

/* The filters of a json or jsonb column (Prisma's Json filters). */
static const char *const json_filter_names[] = {
	"path", "equals", "not", "lt", "lte", "gt", "gte",
	"string_contains", "string_starts_with", "string_ends_with",
	"array_contains", "array_starts_with", "array_ends_with",
	"mode", "in", "notIn", NULL
};

static ForgeFilter *read_relation_filter(ForgeStmt *st, ForgeRelation *r,
										 const char *name, const JsonbValue *v,
										 int depth);

/*
 * new_filter
 *		A filter node of kind, counted against FORGE_MAX_CONDITIONS.
 */
static ForgeFilter *
new_filter(ForgeStmt *st, ForgeFilterKind kind, int col)
{
	ForgeFilter *f = palloc0(sizeof(ForgeFilter));

	if (++st->nconditions > FORGE_MAX_CONDITIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("where has more than %d conditions", FORGE_MAX_CONDITIONS),
				 errhint("Put a list of values in one \"in\" filter.")));
	f->kind = kind;
	f->col = col;
	f->rel = st->rel;
	f->level = st->level;
	return f;
}

/*
 * cmp_filter
 *		col <cmp> v, with v converted to the comparison type.
 */
static ForgeFilter *
cmp_filter(ForgeStmt *st, int col, ForgeCmp cmp, const JsonbValue *v,
		   const char *opname)
{
	ForgeColumn *c = &st->rel->cols[col];
	ForgeFilter *f = new_filter(st, FORGE_F_CMP, col);
	Oid			opr = InvalidOid;

	f->cmp = cmp;
	if (cmp == FORGE_LIKE || cmp == FORGE_ILIKE)
		elog(ERROR, "LIKE filters are built by like_filter");
	opr = forge_column_cmp_operator(c, cmp);
	if (!OidIsValid(opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("\"%s\" cannot compare column \"%s\" of type %s",
						opname, c->name, format_type_be(c->typid)),
				 errdetail("Type %s has no default btree operator class.",
						   format_type_be(c->typid))));
	forge_check_schema_usage(c->cmpnsp[cmp == FORGE_IN ? FORGE_EQ : cmp]);

	if (cmp == FORGE_IN)
	{
		if (!is_array(v))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" on column \"%s\" takes an array, not %s",
							opname, c->name, forge_json_type_name(v))));
		if (!OidIsValid(c->cmp->arraytype) || c->cmp->elem != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("\"%s\" is not supported on column \"%s\" of type %s",
							opname, c->name, format_type_be(c->typid))));
		f->param = add_param(st, c->cmp->arraytype,
							 forge_values_to_array(v, c->cmp, c), false);
	}
	else
	{
		if (v->type == jbvNull)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" on column \"%s\" cannot take null",
							opname, c->name)));
		f->param = add_value_param(st, c, c->cmp, v);
	}
	return f;
}

/*
 * like_filter
 *		col LIKE (or ILIKE) prefix || v || suffix, for the text operations.
 */
static ForgeFilter *
like_filter(ForgeStmt *st, int col, bool insensitive, const JsonbValue *v,
			const char *prefix, const char *suffix, const char *opname)
{
	ForgeColumn *c = &st->rel->cols[col];
	ForgeFilter *f;

	if (c->data->category != TYPCATEGORY_STRING)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" needs a text column, but \"%s\" is of type %s",
						opname, c->name, format_type_be(c->typid))));
	f = new_filter(st, FORGE_F_CMP, col);
	f->cmp = insensitive ? FORGE_ILIKE : FORGE_LIKE;
	f->param = add_param(st, TEXTOID,
						 forge_like_pattern(v, prefix, suffix, c, opname),
						 false);
	return f;
}

/*
 * lower_filter
 *		lt, lte, gt or gte with "mode": "insensitive" on a text column:
 *		lower(col) <cmp> lower($n), $n the text of v, as Prisma compares.
 */
static ForgeFilter *
lower_filter(ForgeStmt *st, int col, ForgeCmp cmp, const JsonbValue *v,
			 const char *opname)
{
	ForgeColumn *c = &st->rel->cols[col];
	ForgeFilter *f;

	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" with \"mode\": \"insensitive\" on column \"%s\" takes a string, not %s",
						opname, c->name, forge_json_type_name(v))));
	f = new_filter(st, FORGE_F_CMP, col);
	f->cmp = cmp;
	f->param = add_param(st, TEXTOID,
						 PointerGetDatum(cstring_to_text_with_len(v->val.string.val,
																  v->val.string.len)),
						 false);
	return f;
}

/*
 * ilike_any_filter
 *		col ILIKE ANY ($n), for "in" and "notIn" with "mode": "insensitive":
 *		$n is a text[] of the values as ILIKE patterns, escaped as the
 *		insensitive "equals" escapes its one, so that the plan does not
 *		depend on how many values there are.  A null element stays null
 *		and, as in "in" without mode, matches nothing.
 */
static ForgeFilter *
ilike_any_filter(ForgeStmt *st, int col, const JsonbValue *v,
				 const char *opname)
{
	ForgeColumn *c = &st->rel->cols[col];
	ForgeFilter *f;
	JsonbIterator *it;
	JsonbValue	elem;
	int			n,
				i = 0;
	Datum	   *elems;
	bool	   *nulls;
	int			dims[1];
	int			lbs[1] = {1};

	if (!is_array(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on column \"%s\" takes an array, not %s",
						opname, c->name, forge_json_type_name(v))));
	n = JsonContainerSize(v->val.binary.data);
	elems = palloc(sizeof(Datum) * Max(n, 1));
	nulls = palloc(sizeof(bool) * Max(n, 1));
	it = JsonbIteratorInit(v->val.binary.data);
	while (next_elem(&it, &elem))
	{
		nulls[i] = (elem.type == jbvNull);
		elems[i] = nulls[i] ? (Datum) 0 :
			forge_like_pattern(&elem, "", "", c, opname);
		i++;
	}
	dims[0] = i;
	f = new_filter(st, FORGE_F_CMP, col);
	f->cmp = FORGE_ILIKE_ANY;
	f->param = add_param(st, TEXTARRAYOID,
						 PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
															TEXTOID, -1, false,
															TYPALIGN_INT)),
						 false);
	return f;
}

/*
 * list_filter
 *		A filter on a scalar list (an array column), as Prisma's: "has" v
 *		(col @> ARRAY[v]), "hasEvery" (col @> $n), "hasSome" (col && $n),
 *		"isEmpty" true (col = '{}') or false (its negation).  pg_catalog's
 *		array operators, which a GIN index on the column serves.  A NULL
 *		list matches none of them, negated or not, as in Prisma.
 */
static ForgeFilter *
list_filter(ForgeStmt *st, int col, ForgeCmp cmp, const JsonbValue *v,
			const char *opname)
{
	ForgeColumn *c = &st->rel->cols[col];
	ForgeTypeIO *elem = c->data->elem;
	ForgeFilter *f;

	if (elem == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" needs an array column, but \"%s\" is of type %s",
						opname, c->name, format_type_be(c->typid))));
	if (!OidIsValid(lookup_type_cache(elem->typid, TYPECACHE_EQ_OPR)->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("\"%s\" cannot compare the elements of column \"%s\" of type %s",
						opname, c->name, format_type_be(c->typid)),
				 errdetail("Type %s has no default equality operator.",
						   format_type_be(elem->typid))));
	f = new_filter(st, FORGE_F_CMP, col);
	f->cmp = cmp;
	switch (cmp)
	{
		case FORGE_IS_EMPTY:
			if (v->type != jbvBool)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("\"isEmpty\" on column \"%s\" takes true or false, not %s",
								c->name, forge_json_type_name(v))));
			return v->val.boolean ? f : negate(f);
		case FORGE_HAS_EVERY:
		case FORGE_HAS_SOME:
			if (strcmp(opname, "has") == 0)
			{
				/* one element: an array of one, so that col @> it */
				Datum		d;
				bool		isnull;
				int			dims[1] = {1};
				int			lbs[1] = {1};

				if (v->type == jbvBinary)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("\"has\" on column \"%s\" takes one value, not %s",
									c->name, forge_json_type_name(v)),
							 errhint("Use \"hasEvery\" or \"hasSome\" for an array of values.")));
				d = forge_value_to_datum(v, elem, c, &isnull);
				f->param = add_param(st, c->data->typid,
									 PointerGetDatum(construct_md_array(&d, &isnull, 1, dims, lbs,
																		elem->typid, elem->typlen,
																		elem->typbyval, elem->typalign)),
									 false);
				return f;
			}
			if (!is_array(v))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("\"%s\" on column \"%s\" takes an array, not %s",
								opname, c->name, forge_json_type_name(v))));
			f->param = add_value_param(st, c, c->data, v);
			return f;
		default:
			elog(ERROR, "unexpected list filter %d", (int) cmp);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * negate
 *		NOT f.
 */
ForgeFilter *
negate(ForgeFilter *f)
{
	ForgeFilter *n = palloc0(sizeof(ForgeFilter));

	n->kind = FORGE_F_NOT;
	n->col = -1;
	n->args = list_make1(f);
	return n;
}

/*
 * json_filter
 *		A FORGE_F_JSON node: jop on json column col's value (or what the
 *		path $path_param extracts), with no parameter yet.
 */
static ForgeFilter *
json_filter(ForgeStmt *st, int col, ForgeJsonOp jop, int path_param)
{
	ForgeFilter *f = new_filter(st, FORGE_F_JSON, col);

	f->jop = jop;
	f->path_param = path_param;
	return f;
}

/*
 * json_param
 *		Append the JSON value v as a jsonb parameter.
 */
static int
json_param(ForgeStmt *st, const JsonbValue *v)
{
	return add_param(st, JSONBOID,
					 JsonbPGetDatum(JsonbValueToJsonb((JsonbValue *) v)), false);
}

/*
 * json_operand
 *		The JSON value v given to json filter opname on column c: itself,
 *		the JSON null of a JsonNull tag, the value of a Raw tag.  Neither
 *		SQL NULL (null, DbNull) nor AnyNull is a value to compare with.
 */
static const JsonbValue *
json_operand(const ForgeColumn *c, const JsonbValue *v, const char *opname)
{
	JsonbValue	raw;
	JsonbValue *copy;

	if (v->type != jbvNull)
		switch (json_tag(v, c->name, &raw))
		{
			case FORGE_TAG_NONE:
				return v;
			case FORGE_TAG_JSON_NULL:
				return json_null();
			case FORGE_TAG_RAW:
				if (raw.type == jbvNull)
					return json_null();
				copy = palloc(sizeof(JsonbValue));
				*copy = raw;
				return copy;
			case FORGE_TAG_DB_NULL:
			case FORGE_TAG_ANY_NULL:
				break;
		}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"%s\" on json column \"%s\" cannot take SQL NULL",
					opname, c->name),
			 errhint("Compare with the JSON value null as {\"$type\": \"Enum\", \"value\": \"JsonNull\"}; test SQL NULL with \"equals\".")));
	return NULL;				/* keep compiler quiet */
}

/*
 * json_equals_filter
 *		"equals" v on json column col (at path_param, or 0): v a JSON value,
 *		or null and DbNull for SQL NULL (at a path: the path extracts
 *		nothing), JsonNull for the JSON value null, AnyNull for either.
 */
static ForgeFilter *
json_equals_filter(ForgeStmt *st, int col, int path_param,
				   const JsonbValue *v)
{
	ForgeColumn *c = &st->rel->cols[col];
	JsonbValue	raw;
	ForgeJsonTag tag = v->type == jbvNull ? FORGE_TAG_DB_NULL :
		json_tag(v, c->name, &raw);
	ForgeFilter *f;
	ForgeFilter *g;

	switch (tag)
	{
		case FORGE_TAG_DB_NULL:
			if (path_param == 0)
				return new_filter(st, FORGE_F_ISNULL, col);
			return json_filter(st, col, FORGE_J_DBNULL, path_param);
		case FORGE_TAG_ANY_NULL:
			g = palloc0(sizeof(ForgeFilter));
			g->kind = FORGE_F_OR;
			g->col = -1;
			f = json_filter(st, col, FORGE_J_EQ, path_param);
			f->param = json_param(st, json_null());
			g->args = list_make2(f, path_param == 0 ?
								 new_filter(st, FORGE_F_ISNULL, col) :
								 json_filter(st, col, FORGE_J_DBNULL, path_param));
			return g;
		case FORGE_TAG_JSON_NULL:
			v = json_null();
			break;
		case FORGE_TAG_RAW:
			v = raw.type == jbvNull ? json_null() : &raw;
			break;
		case FORGE_TAG_NONE:
			break;
	}
	f = json_filter(st, col, FORGE_J_EQ, path_param);
	f->param = json_param(st, v);
	return f;
}

/*
 * json_path_param
 *		The path of a json filter, an array of strings (Prisma's form for
 *		PostgreSQL: object keys, or array indexes as strings), as a text[]
 *		parameter: one plan whatever its length.
 */
static int
json_path_param(ForgeStmt *st, const ForgeColumn *c, const JsonbValue *v)
{
	JsonbIterator *it;
	JsonbValue	elem;
	Datum	   *elems;
	int			n = 0;

	if (!is_array(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"path\" on json column \"%s\" must be an array of strings, not %s",
						c->name, forge_json_type_name(v))));
	elems = palloc(sizeof(Datum) * Max(JsonContainerSize(v->val.binary.data), 1));
	it = JsonbIteratorInit(v->val.binary.data);
	while (next_elem(&it, &elem))
	{
		if (elem.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"path\" on json column \"%s\" must be an array of strings, not of %s",
							c->name, forge_json_type_name(&elem)),
					 errhint("Write an array index as a string: [\"tags\", \"0\"].")));
		elems[n++] = PointerGetDatum(cstring_to_text_with_len(elem.val.string.val,
															  elem.val.string.len));
	}
	return add_param(st, TEXTARRAYOID,
					 PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
													 TYPALIGN_INT)),
					 false);
}

/*
 * read_json_filter
 *		Read the filter object v on json or jsonb column col: Prisma's Json
 *		filters, on the whole value or, with "path", on what the path
 *		extracts.  Each operation is a node of its own, ANDed.
 */
static ForgeFilter *
read_json_filter(ForgeStmt *st, int col, const JsonbValue *v)
{
	ForgeColumn *c = &st->rel->cols[col];
	JsonbContainer *ops = v->val.binary.data;
	JsonbValue *pathv = get_arg(ops, "path");
	JsonbValue *mode = get_arg(ops, "mode");
	int			path = 0;
	bool		insensitive = false;
	JsonbIterator *it;
	JsonbValue	key,
				val;
	List	   *args = NIL;
	ForgeFilter *f;

	if (pathv != NULL)
		path = json_path_param(st, c, pathv);
	if (mode != NULL)
	{
		if (key_is(mode, "insensitive"))
			insensitive = true;
		else if (!key_is(mode, "default"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"mode\" on column \"%s\" must be \"default\" or \"insensitive\"",
							c->name)));
	}

	it = JsonbIteratorInit(ops);
	while (next_pair(&it, &key, &val))
	{
		int			op = name_index(&key, json_filter_names, -1);
		const JsonbValue *operand;

		if (insensitive && op >= 1 && op <= 6)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("\"mode\": \"insensitive\" does not apply to \"%s\" on json column \"%s\"",
							json_filter_names[op], c->name),
					 errhint("It applies to string_contains, string_starts_with and string_ends_with.")));
		switch (op)
		{
			case 0:				/* path, read above */
			case 13:			/* mode, read above */
				continue;
			case 1:				/* equals */
				f = json_equals_filter(st, col, path, &val);
				break;
			case 2:				/* not: a value, never a nested filter */
				f = negate(json_equals_filter(st, col, path, &val));
				break;
			case 3:				/* lt, lte, gt, gte */
			case 4:
			case 5:
			case 6:
				operand = json_operand(c, &val, json_filter_names[op]);
				f = json_filter(st, col, FORGE_J_LT + (op - 3), path);
				f->param = json_param(st, operand);
				/* the same JSON type only: numbers with numbers, ... */
				f->type_param = add_param(st, TEXTOID,
										  DirectFunctionCall1(jsonb_typeof,
															  st->values[f->param - 1]),
										  false);
				break;
			case 7:				/* string_contains */
			case 8:				/* string_starts_with */
			case 9:				/* string_ends_with */
				f = json_filter(st, col, insensitive ? FORGE_J_ILIKE : FORGE_J_LIKE,
								path);
				f->param = add_param(st, TEXTOID,
									 forge_like_pattern(&val, op == 8 ? "" : "%",
														op == 9 ? "" : "%", c,
														json_filter_names[op]),
									 false);
				break;
			case 10:			/* array_contains */
			case 11:			/* array_starts_with */
			case 12:			/* array_ends_with */
				operand = json_operand(c, &val, json_filter_names[op]);
				f = json_filter(st, col, FORGE_J_ARRAY_CONTAINS + (op - 10),
								path);
				f->param = json_param(st, operand);
				break;
			case 14:			/* in, notIn: the whole value only */
			case 15:
				if (path != 0)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("\"%s\" on json column \"%s\" does not take a \"path\"",
									json_filter_names[op], c->name)));
				f = cmp_filter(st, col, FORGE_IN, &val, json_filter_names[op]);
				if (op == 15)
					f = negate(f);
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown filter \"%s\" on json column \"%s\"",
								key_text(&key), c->name),
						 errhint("Use a value, or an object of: %s.",
								 join_names(json_filter_names, -1))));
		}
		args = lappend(args, f);
	}

	if (args == NIL && path != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"path\" on json column \"%s\" needs a filter to apply there",
						c->name),
				 errhint("Add an operation to the object, such as \"equals\" or \"string_contains\".")));
	if (list_length(args) == 1)
		return linitial(args);
	f = palloc0(sizeof(ForgeFilter));
	f->kind = args == NIL ? FORGE_F_TRUE : FORGE_F_AND;
	f->col = -1;
	f->args = args;
	return f;
}

/*
 * read_column_filter
 *		Read the filter v on column col: a value (equality, or IS NULL), or
 *		an object of filter operations, ANDed.  With pin, a top-level
 *		equality remembers its value, for unique-key detection.  outer_mode
 *		is the "mode" of the object a "not" is in, or NULL: as in Prisma,
 *		{"not": {"in": […]}, "mode": "insensitive"} compares insensitively.
 */
static ForgeFilter *
read_column_filter(ForgeStmt *st, int col, const JsonbValue *v, bool pin,
				   const JsonbValue *outer_mode, int depth)
{
	ForgeColumn *c = &st->rel->cols[col];
	JsonbContainer *ops;
	JsonbValue *mode;
	bool		insensitive = false;
	JsonbIterator *it;
	JsonbValue	key,
				val;
	List	   *args = NIL;
	ForgeFilter *f;

	check_stack_depth();
	if (depth > FORGE_MAX_WHERE_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("where nests more than %d levels deep",
						FORGE_MAX_WHERE_DEPTH)));

	if (!is_object(v))
	{
		if (v->type == jbvNull)
			return new_filter(st, FORGE_F_ISNULL, col);
		f = cmp_filter(st, col, FORGE_EQ, v, "equals");
		if (pin && v->type != jbvBinary)
		{
			JsonbValue *copy = palloc(sizeof(JsonbValue));

			*copy = *v;			/* v is the caller's iteration variable */
			f->pinvalue = copy;
		}
		return f;
	}

	if (c->isjson)
		return read_json_filter(st, col, v);

	ops = v->val.binary.data;
	mode = get_arg(ops, "mode");
	if (mode == NULL)
		mode = (JsonbValue *) outer_mode;
	if (mode != NULL)
	{
		if (mode->type == jbvString &&
			mode->val.string.len == 11 &&
			memcmp(mode->val.string.val, "insensitive", 11) == 0)
			insensitive = true;
		else if (!(mode->type == jbvString && mode->val.string.len == 7 &&
				   memcmp(mode->val.string.val, "default", 7) == 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"mode\" on column \"%s\" must be \"default\" or \"insensitive\"",
							c->name)));
		if (insensitive && c->data->category != TYPCATEGORY_STRING)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"mode\": \"insensitive\" needs a text column, but \"%s\" is of type %s",
							c->name, format_type_be(c->typid))));
	}

	it = JsonbIteratorInit(ops);
	while (next_pair(&it, &key, &val))
	{
		int			op = name_index(&key, filter_names, -1);

		switch (op)
		{
			case 0:				/* equals */
				if (val.type == jbvNull)
					f = new_filter(st, FORGE_F_ISNULL, col);
				else if (insensitive)
					f = like_filter(st, col, true, &val, "", "", "equals");
				else
				{
					f = cmp_filter(st, col, FORGE_EQ, &val, "equals");
					if (pin && val.type != jbvBinary &&
						JsonContainerSize(ops) == 1)
						f->pinvalue = getKeyJsonValueFromContainer(ops, "equals", 6, NULL);
				}
				break;
			case 1:				/* not */
				if (val.type == jbvNull)
					f = new_filter(st, FORGE_F_NOTNULL, col);
				else if (is_object(&val))
					f = negate(read_column_filter(st, col, &val, false, mode,
												  depth + 1));
				else if (insensitive)
					f = negate(like_filter(st, col, true, &val, "", "", "not"));
				else
					f = negate(cmp_filter(st, col, FORGE_EQ, &val, "not"));
				break;
			case 2:				/* in */
			case 3:				/* notIn */
				if (insensitive)
					f = ilike_any_filter(st, col, &val, filter_names[op]);
				else
					f = cmp_filter(st, col, FORGE_IN, &val, filter_names[op]);
				if (op == 3)
					f = negate(f);
				break;
			case 4:
			case 5:
			case 6:
			case 7:
				if (insensitive)
					f = lower_filter(st, col, FORGE_LOWER_LT + (op - 4), &val,
									 filter_names[op]);
				else
					f = cmp_filter(st, col, FORGE_LT + (op - 4), &val,
								   filter_names[op]);
				break;
			case 8:
				f = like_filter(st, col, insensitive, &val, "%", "%",
								filter_names[op]);
				break;
			case 9:
				f = like_filter(st, col, insensitive, &val, "", "%",
								filter_names[op]);
				break;
			case 10:
				f = like_filter(st, col, insensitive, &val, "%", "",
								filter_names[op]);
				break;
			case 11:			/* mode, read above */
				continue;
			case 12:			/* has */
			case 13:			/* hasEvery */
				f = list_filter(st, col, FORGE_HAS_EVERY, &val,
								filter_names[op]);
				break;
			case 14:			/* hasSome */
				f = list_filter(st, col, FORGE_HAS_SOME, &val,
								filter_names[op]);
				break;
			case 15:			/* isEmpty */
				f = list_filter(st, col, FORGE_IS_EMPTY, &val,
								filter_names[op]);
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown filter \"%s\" on column \"%s\"",
								key_text(&key), c->name),
						 errhint("Use a value, or an object of: %s.",
								 join_names(filter_names, -1))));
		}
		args = lappend(args, f);
	}

	if (list_length(args) == 1)
		return linitial(args);
	f = palloc0(sizeof(ForgeFilter));
	f->kind = args == NIL ? FORGE_F_TRUE : FORGE_F_AND;
	f->col = -1;
	f->args = args;
	return f;
}

/*
 * pin_filter
 *		col = v (or col IS NULL), for a value a nested write pins; with top,
 *		it remembers its value as a top-level equality of a where does.
 */
ForgeFilter *
pin_filter(ForgeStmt *st, int col, const JsonbValue *v, bool top)
{
	ForgeFilter *f;

	if (v->type == jbvNull)
		return new_filter(st, FORGE_F_ISNULL, col);
	f = cmp_filter(st, col, FORGE_EQ, v, "equals");
	if (top)
		f->pinvalue = v;
	return f;
}

/*
 * read_compound
 *		A compound unique key selector {"a_b": {"a": 1, "b": 2}}: equality
 *		on each column of key, each pinned.
 */
static List *
read_compound(ForgeStmt *st, ForgeUniqueKey *key, const JsonbValue *v,
			  bool pin)
{
	JsonbContainer *jc = expect_object(v, key->joined);
	List	   *args = NIL;
	int			i;

	if ((int) JsonContainerSize(jc) != key->ncols)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unique key \"%s\" needs exactly its %d columns",
						key->joined, key->ncols)));
	for (i = 0; i < key->ncols; i++)
	{
		ForgeColumn *c = &st->rel->cols[key->cols[i]];
		JsonbValue *cv = getKeyJsonValueFromContainer(jc, c->name,
													  c->namelen, NULL);
		ForgeFilter *f;

		if (cv == NULL || cv->type == jbvNull || cv->type == jbvBinary)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unique key \"%s\" needs a value for column \"%s\"",
							key->joined, c->name)));
		f = cmp_filter(st, key->cols[i], FORGE_EQ, cv, "equals");
		if (pin)
			f->pinvalue = cv;
		args = lappend(args, f);
	}
	return args;
}

/*
 * find_key_by_name
 *		The unique key named name (joined columns, or index name), or -1.
 */
static int
find_key_by_name(ForgeRel *rel, const JsonbValue *name)
{
	int			i;

	for (i = 0; i < rel->nkeys; i++)
		if (key_is(name, rel->keys[i].joined) || key_is(name, rel->keys[i].name))
			return i;
	return -1;
}

/*
 * read_filter_list
 *		The filters of v (an array of objects, or with allow_object one
 *		object), for AND, OR and NOT.
 */
static List *
read_filter_list(ForgeStmt *st, const JsonbValue *v, const char *what,
				 bool allow_object, int depth)
{
	List	   *args = NIL;

	if (is_object(v) && allow_object)
		return list_make1(read_where(st, v->val.binary.data, depth + 1));
	if (!is_array(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" must be %s, not %s", what,
						allow_object ? "an object or an array of objects" : "an array of objects",
						forge_json_type_name(v))));
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbValue	elem;

		while (next_elem(&it, &elem))
		{
			if (!is_object(&elem))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("elements of \"%s\" must be objects, not %s",
								what, forge_json_type_name(&elem))));
			args = lappend(args, read_where(st, elem.val.binary.data,
											depth + 1));
		}
	}
	return args;
}

/*
 * read_where
 *		Read the where object jc.  The result is an AND of its entries (or
 *		TRUE when empty).  At depth 0, equalities remember their pinned
 *		values so that the caller can find the unique key they select.
 */
ForgeFilter *
read_where(ForgeStmt *st, JsonbContainer *jc, int depth)
{
	JsonbIterator *it;
	JsonbValue	key,
				val;
	ForgeFilter *f = palloc0(sizeof(ForgeFilter));
	bool		top = (depth == 0);

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	if (depth > FORGE_MAX_WHERE_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("where nests more than %d levels deep",
						FORGE_MAX_WHERE_DEPTH)));

	f->kind = FORGE_F_AND;
	f->col = -1;

	it = JsonbIteratorInit(jc);
	while (next_pair(&it, &key, &val))
	{
		int			col;

		if (key_is(&key, "AND") || key_is(&key, "OR") || key_is(&key, "NOT"))
		{
			ForgeFilter *g = palloc0(sizeof(ForgeFilter));
			char		k = key.val.string.val[0];

			g->col = -1;
			g->kind = k == 'A' ? FORGE_F_AND : k == 'O' ? FORGE_F_OR : FORGE_F_NOT;
			g->args = read_filter_list(st, &val, k == 'A' ? "AND" : k == 'O' ? "OR" : "NOT",
									   k != 'O', depth);

			/*
			 * NOT of an array is "none of these": the AND of each one
			 * negated (Prisma's meaning); NOT of an object negates it.
			 */
			if (g->kind == FORGE_F_NOT && is_array(&val))
			{
				ListCell   *lc;

				g->kind = FORGE_F_AND;
				foreach(lc, g->args)
					lfirst(lc) = negate(lfirst(lc));
			}
			f->args = lappend(f->args, g);
			continue;
		}

		if (key.val.string.len < NAMEDATALEN &&
			forge_column_lookup(st->rel, key.val.string.val,
								key.val.string.len) < 0)
		{
			int			k = find_key_by_name(st->rel, &key);

			if (k >= 0)
			{
				f->args = list_concat(f->args,
									  read_compound(st, &st->rel->keys[k],
													&val, top));
				continue;
			}
			else
			{
				ForgeRelation *r = forge_relation_lookup(st->rel,
														 key.val.string.val,
														 key.val.string.len);

				if (r != NULL)
				{
					f->args = lappend(f->args,
									  read_relation_filter(st, r, key_text(&key),
														   &val, depth));
					continue;
				}
			}
		}
		col = lookup_column(st, &key);
		f->args = lappend(f->args, read_column_filter(st, col, &val, top, NULL,
													  depth));
	}
	if (f->args == NIL)
		f->kind = FORGE_F_TRUE;
	return f;
}

/*
 * open_join
 *		Relation r is read: check USAGE on the schemas of the operators
 *		its join names, and for a many-to-many, open its join table through
 *		the door as the related table is (NULL for other kinds).
 */
ForgeRel *
open_join(ForgeRelation *r)
{
	int			i;

	/* the join compares with the foreign keys' own operators */
	for (i = 0; i < r->nopnsps; i++)
		forge_check_schema_usage(r->opnsps[i]);
	if (r->kind != FORGE_MANY_TO_MANY)
		return NULL;
	return forge_rel_open(r->join, ACL_SELECT, AccessShareLock);
}

/*
 * relation_test
 *		A relation filter: test related rows of r against the where obj of
 *		the other table (or, with obj NULL, just whether there are any).
 */
static ForgeFilter *
relation_test(ForgeStmt *st, ForgeRelation *r, ForgeRel *other,
			  ForgeRelTest test, JsonbContainer *obj, int depth,
			  const ForgePins *pins)
{
	ForgeFilter *f = palloc0(sizeof(ForgeFilter));

	if (st->level >= FORGE_MAX_RELATION_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("relation filters reach more than %d relations away",
						FORGE_MAX_RELATION_DEPTH)));
	f->kind = FORGE_F_RELATION;
	f->rel = st->rel;
	f->level = st->level;
	f->col = -1;
	f->relation = r;
	f->other = other;
	f->join = open_join(r);
	f->test = test;
	f->live = soft_live(st, other);
	if (obj != NULL || pins != NULL)
	{
		ForgeRel   *outer = st->rel;

		st->rel = other;
		st->level++;
		if (obj != NULL)
			f->args = list_make1(read_where(st, obj, depth + 1));
		else
		{
			/* a nested write's pins on the related row */
			ForgeFilter *g = palloc0(sizeof(ForgeFilter));

			g->kind = FORGE_F_AND;
			g->col = -1;
			g->args = pin_filters(st, pins, false);
			f->args = list_make1(g);
		}
		st->level--;
		st->rel = outer;
	}
	return f;
}

/*
 * read_relation_filter
 *		A filter on relation r: for a to-many or many-to-many,
 *		{"some"|"none"|"every": where}; for a to-one or one-to-one,
 *		{"is"|"isNot": where or null}, null (no related row), or a where
 *		(short for "is").
 */
static ForgeFilter *
read_relation_filter(ForgeStmt *st, ForgeRelation *r, const char *name,
					 const JsonbValue *v, int depth)
{
	bool		to_many = r->kind == FORGE_TO_MANY || r->kind == FORGE_MANY_TO_MANY;
	ForgeRel   *other;
	JsonbContainer *obj;
	JsonbIterator *it;
	JsonbValue	key,
				val;
	List	   *args = NIL;
	ForgeFilter *f;
	bool		ops = true;

	check_stack_depth();
	other = forge_rel_open(r->other, ACL_SELECT, AccessShareLock);

	if (v->type == jbvNull && !to_many)
		return relation_test(st, r, other, FORGE_NONE, NULL, depth, NULL);
	if (!is_object(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("filter on relation \"%s\" must be a JSON object, not %s",
						name, forge_json_type_name(v)),
				 errhint(to_many ? "A %s relation takes {\"some\": …}, {\"none\": …} or {\"every\": …}."
						 : "A %s relation takes {\"is\": …}, {\"isNot\": …}, null, or a where on the related row.",
						 forge_relation_kind_name(r->kind))));
	obj = v->val.binary.data;

	/* a to-one filter is {"is"/"isNot": ...} only if those are all its keys */
	if (!to_many)
	{
		it = JsonbIteratorInit(obj);
		while (next_pair(&it, &key, &val))
		{
			if (key_is(&key, "some") || key_is(&key, "none") || key_is(&key, "every"))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown filter \"%s\" on %s relation \"%s\"",
								key_text(&key), forge_relation_kind_name(r->kind), name),
						 errhint("Use \"is\" or \"isNot\"; \"some\", \"none\" and \"every\" are for to-many relations.")));
			ops &= key_is(&key, "is") || key_is(&key, "isNot");
		}
		if (!ops || JsonContainerSize(obj) == 0)
			return relation_test(st, r, other, FORGE_SOME, obj, depth, NULL);
	}

	it = JsonbIteratorInit(obj);
	while (next_pair(&it, &key, &val))
	{
		ForgeRelTest test;
		bool		is_op = to_many ?
			(key_is(&key, "some") || key_is(&key, "none") || key_is(&key, "every")) :
			(key_is(&key, "is") || key_is(&key, "isNot"));

		if (!is_op)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown filter \"%s\" on %s relation \"%s\"",
							key_text(&key), forge_relation_kind_name(r->kind), name),
					 errhint(to_many ? "Use \"some\", \"none\" or \"every\"; \"is\" and \"isNot\" are for to-one relations."
							 : "Use \"is\" or \"isNot\"; \"some\", \"none\" and \"every\" are for to-many relations.")));
		if (key_is(&key, "some") || key_is(&key, "is"))
			test = FORGE_SOME;
		else if (key_is(&key, "every"))
			test = FORGE_EVERY;
		else
			test = FORGE_NONE;
		if (val.type == jbvNull && !to_many)
			/* is: null means no related row, isNot: null one */
			f = relation_test(st, r, other,
							  test == FORGE_SOME ? FORGE_NONE : FORGE_SOME,
							  NULL, depth, NULL);
		else
			f = relation_test(st, r, other, test,
							  expect_object(&val, key_text(&key)), depth, NULL);
		args = lappend(args, f);
	}
	if (list_length(args) == 1)
		return linitial(args);
	f = palloc0(sizeof(ForgeFilter));
	f->kind = FORGE_F_AND;
	f->col = -1;
	f->args = args;
	return f;
}

/*
 * pinned_relation_filter
 *		A nested write's filter through relation r: a related row matches
 *		the where obj, or (obj NULL) has the values of pins.
 */
ForgeFilter *
pinned_relation_filter(ForgeStmt *st, ForgeRelation *r, JsonbContainer *obj,
					   const ForgePins *pins)
{
	ForgeRel   *other = forge_rel_open(r->other, ACL_SELECT, AccessShareLock);

	return relation_test(st, r, other, FORGE_SOME, obj, 0, pins);
}

/*
 * find_unique_key
 *		The unique key whose every column where pins by equality (the
 *		primary key first); an error naming the table's keys if none.
 *		for_upsert: the key must be able to arbitrate ON CONFLICT.
 */
int
find_unique_key(ForgeStmt *st, ForgeFilter *where, bool for_upsert)
{
	ForgeRel   *rel = st->rel;
	bool	   *pinned = palloc0(sizeof(bool) * Max(rel->ncols, 1));
	ListCell   *lc;
	int			i,
				j;
	StringInfoData detail;
	StringInfoData keys;

	foreach(lc, where->args)
	{
		ForgeFilter *f = lfirst(lc);

		if (f->pinvalue != NULL)
			pinned[f->col] = true;
	}

	/* the detail is made only for the error: not on every call */
	detail.data = NULL;
	for (i = 0; i < rel->nkeys; i++)
	{
		ForgeUniqueKey *key = &rel->keys[i];
		bool		all = true;

		for (j = 0; j < key->ncols; j++)
			all &= pinned[key->cols[j]];
		if (!all)
			continue;
		if (detail.data == NULL && (key->partial || key->loose != NULL ||
									key->deferrable))
			initStringInfo(&detail);
		if (key->partial)
			appendStringInfo(&detail, "Unique index \"%s\" is partial, so it cannot identify a row. ",
							 key->name);
		else if (key->loose != NULL)
			appendStringInfo(&detail, "%s ", key->loose);
		else if (for_upsert && key->deferrable)
			appendStringInfo(&detail, "Constraint \"%s\" is deferrable, so it cannot be an ON CONFLICT target. ",
							 key->name);
		else if (key->deferrable)
			appendStringInfo(&detail, "Constraint \"%s\" is deferrable: until it is checked, rows may share its values, so it cannot identify a row. ",
							 key->name);
		else
			return i;
	}

	if (detail.data == NULL)
		initStringInfo(&detail);
	initStringInfo(&keys);
	forge_rel_describe_keys(&keys, rel);
	if (detail.len > 0)
		detail.data[--detail.len] = '\0';
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
			 errmsg("%s needs a where that selects one row of \"%s\" by a unique key",
					forge_verb_name(st->verb), rel->relname),
			 detail.len > 0 ? errdetail_internal("%s", detail.data) : 0,
			 errhint("Pin every column of one unique key by equality; the unique keys of \"%s\" are: %s.",
					 rel->relname, keys.data)));
	return -1;					/* keep compiler quiet */
}

/*
 * read_where_arg
 *		Read args' where, which may be absent unless required.
 */
ForgeFilter *
read_where_arg(ForgeStmt *st, JsonbContainer *args, bool required)
{
	JsonbValue *v = required ? require_arg(args, "where", st->verb)
		: get_arg(args, "where");

	if (v == NULL)
		return NULL;
	return read_where(st, expect_object(v, "where"), 0);
}

/*
 * key_pin
 *		If filter f of where (an AND of filters) pins a column of key, the
 *		first filter of where that pins that column (f itself or an earlier
 *		one); else NULL.  A column can be pinned twice
 *		({"a_b": {"a": 1, "b": 2}, "a": 1}): the first pin is the key's, a
 *		later one is an extra filter, so that the create row gets the
 *		column once.
 */
static ForgeFilter *
key_pin(ForgeFilter *where, ForgeUniqueKey *key, ForgeFilter *f)
{
	ListCell   *lc;
	bool		inkey = false;
	int			i;

	if (f->pinvalue == NULL)
		return NULL;
	for (i = 0; i < key->ncols; i++)
		inkey |= (key->cols[i] == f->col);
	if (!inkey)
		return NULL;
	foreach(lc, where->args)
	{
		ForgeFilter *g = lfirst(lc);

		if (g == f || (g->pinvalue != NULL && g->col == f->col))
			return g;
	}
	return f;
}

/*
 * merge_pins
 *		Upsert: the create row carries the values the where pins on the
 *		conflict key that create gives (which must be equal) and, for a
 *		pinned column missing from create, the where's value, unless the
 *		column has a default, an identity or a generation expression: then
 *		the row created takes that, as Prisma's create does (and a GENERATED
 *		ALWAYS identity could not be set anyway, 428C9).  The row created
 *		then does not carry the where's key, so ON CONFLICT could not
 *		arbitrate: the upsert runs without it (st->by_update, see
 *		deparse.c).  Each column of a compound key is decided alone.
 */
void
merge_pins(ForgeStmt *st, ForgeUniqueKey *key, JsonbContainer *create,
		   const ForgePins *pins)
{
	ListCell   *lc;

	foreach(lc, st->where->args)
	{
		ForgeFilter *f = lfirst(lc);
		ForgeFilter *pin = key_pin(st->where, key, f);
		ForgeColumn *c;
		JsonbValue *given;

		if (pin == NULL)
			continue;
		c = &st->rel->cols[f->col];
		if (pin != f)
		{
			/* the column is pinned again: one key, so the same value */
			if (!forge_column_values_equal(c, pin->pinvalue, f->pinvalue))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("where pins column \"%s\" of the upsert's key to two different values",
								c->name),
						 errdetail("The where is the ON CONFLICT target, so the row created must carry one key.")));
			continue;
		}
		given = create == NULL ? NULL :
			getKeyJsonValueFromContainer(create, c->name, c->namelen, NULL);
		if (given == NULL)
			given = (JsonbValue *) pin_value(pins, false, c->name);
		if (given == NULL &&
			(c->identity != '\0' || c->hasdefault || c->generated != '\0'))
			st->by_update = true;
		else if (given == NULL)
			st->assigns = lappend(st->assigns,
								  new_assign(f->col, FORGE_SET,
											 add_value_param(st, c, c->data,
															 f->pinvalue)));
		else if (!forge_column_values_equal(c, given, f->pinvalue))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"create\" sets column \"%s\" to a value other than the where selects",
							c->name),
					 errdetail("The where is the ON CONFLICT target, so the row created must carry the same key.")));
	}
}

/*
 * connects_beyond_key
 *		Whether where (an AND of filters, as the reader leaves an upsert's)
 *		holds a filter a nested write's relation added (the row is connected
 *		to the one written) that the pins of key do not imply: a relation
 *		filter, or an equality on a column outside key.  Then a row with the
 *		key may be one that is not connected.
 */
bool
connects_beyond_key(ForgeFilter *where, ForgeUniqueKey *key)
{
	ListCell   *lc;
	int			i;

	foreach(lc, where->args)
	{
		ForgeFilter *f = lfirst(lc);
		bool		inkey = false;

		if (!f->connects)
			continue;
		if (f->pinvalue == NULL)
			return true;
		for (i = 0; i < key->ncols; i++)
			inkey |= (key->cols[i] == f->col);
		if (!inkey)
			return true;
	}
	return false;
}

/*
 * strip_key_filters
 *		Upsert: the equalities on the conflict key are enforced by ON
 *		CONFLICT; what is left of where filters the update (DO UPDATE ...
 *		WHERE), or nothing.
 */
ForgeFilter *
strip_key_filters(ForgeStmt *st, ForgeUniqueKey *key)
{
	ForgeFilter *rest = palloc0(sizeof(ForgeFilter));
	ListCell   *lc;

	rest->kind = FORGE_F_AND;
	rest->col = -1;
	foreach(lc, st->where->args)
	{
		ForgeFilter *f = lfirst(lc);

		if (key_pin(st->where, key, f) != f)
			rest->args = lappend(rest->args, f);
	}
	return rest->args == NIL ? NULL : rest;
}

/*
 * mark_filter_params
 *		Set used[n] for every parameter $n that filter f refers to.
 */
static void
mark_filter_params(ForgeFilter *f, bool *used)
{
	ListCell   *lc;

	check_stack_depth();
	if (f == NULL)
		return;
	if (f->kind == FORGE_F_CMP || f->kind == FORGE_F_JSON)
	{
		used[f->param] = true;
		used[f->path_param] = true;
		used[f->type_param] = true;
	}
	foreach(lc, f->args)
		mark_filter_params(lfirst(lc), used);
}

/*
 * renumber_filter_params
 *		Rewrite filter f's parameter numbers through map.
 */
static void
renumber_filter_params(ForgeFilter *f, const int *map)
{
	ListCell   *lc;

	check_stack_depth();
	if (f == NULL)
		return;
	if (f->kind == FORGE_F_CMP || f->kind == FORGE_F_JSON)
	{
		f->param = map[f->param];
		f->path_param = map[f->path_param];
		f->type_param = map[f->type_param];
	}
	foreach(lc, f->args)
		renumber_filter_params(lfirst(lc), map);
}

/*
 * drop_unused_params
 *		Upsert: the equalities on the conflict key were read as filters, but
 *		ON CONFLICT enforces them, so their parameters appear nowhere in the
 *		SQL.  Drop them and renumber the rest, so that $1..$n are all used.
 */
void
drop_unused_params(ForgeStmt *st)
{
	bool	   *used = palloc0(sizeof(bool) * (st->nparams + 1));
	int		   *map = palloc0(sizeof(int) * (st->nparams + 1));
	ListCell   *lc;
	int			n = 0;
	int			i;

	foreach(lc, st->assigns)
		used[((ForgeAssign *) lfirst(lc))->param] = true;
	foreach(lc, st->updates)
		used[((ForgeAssign *) lfirst(lc))->param] = true;
	mark_filter_params(st->where, used);
	used[st->guard] = st->guard > 0;

	for (i = 1; i <= st->nparams; i++)
	{
		if (!used[i])
			continue;
		map[i] = ++n;
		st->types[n - 1] = st->types[i - 1];
		st->values[n - 1] = st->values[i - 1];
		st->nulls[n - 1] = st->nulls[i - 1];
	}
	st->nparams = n;
	foreach(lc, st->assigns)
		((ForgeAssign *) lfirst(lc))->param = map[((ForgeAssign *) lfirst(lc))->param];
	foreach(lc, st->updates)
		((ForgeAssign *) lfirst(lc))->param = map[((ForgeAssign *) lfirst(lc))->param];
	renumber_filter_params(st->where, map);
	st->guard = map[st->guard];
	if (st->nested != NULL)
	{
		/* the key parameters that nested.c binds (read_nested.c) */
		List	   *all = list_concat_copy(st->nested->rels, st->nested->urels);

		foreach(lc, all)
		{
			ForgeNestedRel *nr = lfirst(lc);

			for (i = 0; i < nr->r->nkeys; i++)
				nr->params[i] = map[nr->params[i]];
		}
	}
}
