/*-------------------------------------------------------------------------
 *
 * read_data.c
 *		  Read data: the assignments of create, update and upsert.
 *
 * Each key of data is a column (a relation key is read_nested.c's), its value
 * either a value to set or an object of one operation (set, increment,
 * decrement, multiply, divide, unset; on an array column push, remove,
 * addUnique).  Values become parameters.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/read_data.c
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

/*
 * the operations of data: the number operations and "set" in
 * ForgeAssignKind order, then "unset", then the scalar list operations
 */
static const char *const assign_names[] = {
	"increment", "decrement", "multiply", "divide", "set", "unset",
	"push", "remove", "addUnique"
};
#define ASSIGN_UNSET 5
#define ASSIGN_PUSH 6
#define NUM_ASSIGN_NAMES 9

/* the ForgeAssignKind of a list operation's index in assign_names */
static const ForgeAssignKind list_kinds[] = {
	FORGE_PUSH, FORGE_REMOVE, FORGE_ADD_UNIQUE
};

/*
 * new_assign
 *		An assignment of kind to column col, with parameter param.
 */
ForgeAssign *
new_assign(int col, ForgeAssignKind kind, int param)
{
	ForgeAssign *a = palloc(sizeof(ForgeAssign));

	a->col = col;
	a->kind = kind;
	a->param = param;
	return a;
}

/*
 * read_list_op
 *		Read the scalar list operation kind (push, remove, addUnique; its
 *		name opname) on the array column col with the value v: one element
 *		or a JSON array of them.  The parameter is always an array of the
 *		column's type, so a value and a list of values share one plan.  The
 *		operations compile to expressions over the stored array
 *		(deparse_list_op), so that concurrent writers never lose each
 *		other's elements.
 */
static ForgeAssign *
read_list_op(ForgeStmt *st, int col, ForgeAssignKind kind,
			 const char *opname, const JsonbValue *v, bool insert)
{
	ForgeColumn *c = &st->rel->cols[col];
	ForgeTypeIO *io = c->data;
	Datum		d;
	bool		isnull;

	if (io->elem == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" needs an array column, but \"%s\" is of type %s",
						opname, c->name, format_type_be(c->typid))));
	if (insert)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on column \"%s\" needs an existing row",
						opname, c->name),
				 errdetail("List operations apply to update, not create; "
						   "create takes the list as a value or \"set\".")));
	if (kind != FORGE_PUSH &&
		!OidIsValid(lookup_type_cache(io->elem->typid,
									  TYPECACHE_EQ_OPR)->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on column \"%s\" needs an equality for type %s",
						opname, c->name, format_type_be(io->elem->typid))));
	if (v->type == jbvNull)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on column \"%s\" takes a value or an array, not null",
						opname, c->name),
				 errhint("To %s a null element, write [null].", opname)));
	if (is_array(v))
	{
		d = forge_value_to_datum(v, io, c, &isnull);
		/* a list of arrays is a two-dimensional array: elements are rows */
		if (kind != FORGE_PUSH &&
			ARR_NDIM(DatumGetArrayTypeP(d)) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" on column \"%s\" takes scalar elements",
							opname, c->name)));
	}
	else
	{
		Datum		elem;
		int			dims[1] = {1};
		int			lbs[1] = {1};

		if (is_object(v) && io->elem->typid != JSONBOID &&
			io->elem->typid != JSONOID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" on column \"%s\" takes a value or an array, not an object",
							opname, c->name)));
		elem = forge_value_to_datum(v, io->elem, c, &isnull);
		d = PointerGetDatum(construct_md_array(&elem, &isnull, 1, dims, lbs,
											   io->elem->typid,
											   io->elem->typlen,
											   io->elem->typbyval,
											   io->elem->typalign));
	}
	return new_assign(col, kind, add_param(st, io->typid, d, false));
}

/*
 * read_assign_op
 *		Read the operation object ops ({"increment": 1}) on column col.
 */
static ForgeAssign *
read_assign_op(ForgeStmt *st, int col, JsonbContainer *ops, bool insert)
{
	ForgeColumn *c = &st->rel->cols[col];
	JsonbIterator *it = JsonbIteratorInit(ops);
	JsonbValue	key,
				val;
	JsonbValue	opval;
	int			op = -1;
	int			nops = 0;
	bool		has_set = false;
	int			arith = -1;

	while (next_pair(&it, &key, &val))
	{
		int			i = name_index(&key, assign_names, NUM_ASSIGN_NAMES);

		if (i < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown operation \"%s\" on column \"%s\"",
							key_text(&key), c->name),
					 errhint("Use a value, or one of: %s.",
							 join_names(assign_names, NUM_ASSIGN_NAMES))));
		if (i == FORGE_SET || i == ASSIGN_UNSET)
			has_set = true;
		else if (i < FORGE_SET)
			arith = i;
		op = i;
		opval = val;
		nops++;
	}
	if (nops == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("empty operation object on column \"%s\"", c->name),
				 errhint("Use a value, or one of: %s.",
						 join_names(assign_names, NUM_ASSIGN_NAMES))));
	if (nops > 1 && has_set && arith >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column \"%s\" mixes \"set\" with \"%s\"",
						c->name, assign_names[arith]),
				 errdetail("A column takes either a value or one number operation.")));
	if (nops > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column \"%s\" has %d operations", c->name, nops),
				 errdetail("A column takes one operation per write.")));

	if (op == ASSIGN_UNSET)
	{
		if (opval.type != jbvBool || !opval.val.boolean)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"unset\" on column \"%s\" takes true", c->name)));
		return new_assign(col, FORGE_SET,
						  add_param(st, c->data->typid, (Datum) 0, true));
	}
	if (op == FORGE_SET)
		return new_assign(col, FORGE_SET,
						  add_value_param(st, c, c->data, &opval));
	if (op >= ASSIGN_PUSH)
		return read_list_op(st, col, list_kinds[op - ASSIGN_PUSH],
							assign_names[op], &opval, insert);

	/* a number operation */
	if (insert)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on column \"%s\" needs an existing row",
						assign_names[op], c->name),
				 errdetail("Number operations apply to update, not create.")));
	if (!OidIsValid(c->arithopr[op]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" needs a number column, but \"%s\" is of type %s",
						assign_names[op], c->name, format_type_be(c->typid))));
	forge_check_schema_usage(c->arithnsp[op]);
	if (opval.type != jbvNumeric && opval.type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on column \"%s\" takes a number, not %s",
						assign_names[op], c->name,
						forge_json_type_name(&opval))));
	return new_assign(col, (ForgeAssignKind) op,
					  add_value_param(st, c, c->data, &opval));
}

/*
 * json_data_value
 *		The value to write to json column c for v: v itself, unless it is a
 *		tag (json_tag): JsonNull writes the JSON value null, DbNull SQL NULL
 *		(as a plain null does), Raw its value literally.
 */
const JsonbValue *
json_data_value(const JsonbValue *v, const ForgeColumn *c)
{
	JsonbValue	raw;
	JsonbValue *copy;

	switch (json_tag(v, c->name, &raw))
	{
		case FORGE_TAG_NONE:
			return v;
		case FORGE_TAG_JSON_NULL:
			return json_null();
		case FORGE_TAG_DB_NULL:
			copy = palloc0(sizeof(JsonbValue));
			copy->type = jbvNull;
			return copy;
		case FORGE_TAG_RAW:
			if (raw.type == jbvNull)
				return json_null(); /* the JSON value, literally */
			copy = palloc(sizeof(JsonbValue));
			*copy = raw;
			return copy;
		case FORGE_TAG_ANY_NULL:
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"AnyNull\" cannot be written to json column \"%s\"", c->name),
			 errhint("Write {\"$type\": \"Enum\", \"value\": \"JsonNull\"} for the JSON value null, or \"DbNull\" (or null) for SQL NULL.")));
	return NULL;				/* keep compiler quiet */
}

/*
 * json_wrap_rows
 *		createMany's rows (data, an array) with every value of a json column
 *		of rel wrapped in an array of one, or SQL NULL: jsonb_to_recordset
 *		reads a JSON null as SQL NULL, so the statement reads the value back
 *		as "-> 0" (deparse_create_many), which keeps the JSON null that a
 *		JsonNull tag writes.  Tags are read as json_data_value reads them.
 *		data itself when rel has no json column.
 */
JsonbValue *
json_wrap_rows(ForgeRel *rel, JsonbValue *data)
{
	ForgeJsonbBuild b;
	JsonbIterator *it;
	JsonbValue	row;
	JsonbValue	nullv;
	int			i;
	bool		any = false;

	for (i = 0; i < rel->ncols; i++)
		any |= rel->cols[i].isjson;
	if (!any)
		return data;

	memset(&b, 0, sizeof(b));
	nullv.type = jbvNull;
	forge_jsonb_push(&b, WJB_BEGIN_ARRAY, NULL);
	it = JsonbIteratorInit(data->val.binary.data);
	while (next_elem(&it, &row))
	{
		JsonbIterator *rit;
		JsonbValue	key,
					val;

		CHECK_FOR_INTERRUPTS();
		if (!is_object(&row))
		{
			forge_jsonb_push(&b, WJB_ELEM, &row);	/* an error later */
			continue;
		}
		forge_jsonb_push(&b, WJB_BEGIN_OBJECT, NULL);
		rit = JsonbIteratorInit(row.val.binary.data);
		while (next_pair(&rit, &key, &val))
		{
			int			col = forge_column_lookup(rel, key.val.string.val,
												  key.val.string.len);
			const JsonbValue *v;

			forge_jsonb_push(&b, WJB_KEY, &key);
			if (col < 0 || !rel->cols[col].isjson)
			{
				forge_jsonb_push(&b, WJB_VALUE, &val);
				continue;
			}
			v = json_data_value(&val, &rel->cols[col]);
			if (v->type == jbvNull)
			{
				forge_jsonb_push(&b, WJB_VALUE, &nullv);
				continue;
			}
			forge_jsonb_push(&b, WJB_BEGIN_ARRAY, NULL);
			if (v->type == jbvBinary &&
				JsonContainerIsScalar(v->val.binary.data))
				forge_jsonb_push(&b, WJB_ELEM, &nullv); /* json_null() */
			else
				forge_jsonb_push(&b, WJB_ELEM, (JsonbValue *) v);
			forge_jsonb_push(&b, WJB_END_ARRAY, NULL);
		}
		forge_jsonb_push(&b, WJB_END_OBJECT, NULL);
	}
	{
		Jsonb	   *jb = JsonbValueToJsonb(forge_jsonb_push(&b, WJB_END_ARRAY,
															NULL));
		JsonbValue *result = palloc(sizeof(JsonbValue));

		result->type = jbvBinary;
		result->val.binary.data = &jb->root;
		result->val.binary.len = VARSIZE(jb) - VARHDRSZ;
		return result;
	}
}

/*
 * read_data
 *		Read the data (or create, or update) object jc into assignments.
 *		insert: the row is new, so number operations are errors.  Keys that
 *		name a relation are appended to *relations (key and value, a pair of
 *		JsonbValues) for read_nested, once every column is read.
 */
List *
read_data(ForgeStmt *st, JsonbContainer *jc, bool insert, List **relations)
{
	JsonbIterator *it = JsonbIteratorInit(jc);
	JsonbValue	key,
				val;
	List	   *assigns = NIL;

	while (next_pair(&it, &key, &val))
	{
		int			col = forge_column_lookup(st->rel, key.val.string.val,
											  key.val.string.len);
		ForgeColumn *c;

		if (col < 0)
		{
			/* a relation: a nested write (read_nested.c) */
			if (st->verb != FORGE_UPDATE_MANY &&
				key.val.string.len < NAMEDATALEN &&
				forge_relation_lookup(st->rel, key.val.string.val,
									  key.val.string.len) != NULL)
			{
				JsonbValue *pair = palloc(sizeof(JsonbValue) * 2);

				pair[0] = key;
				pair[1] = val;
				*relations = lappend(*relations, pair);
				continue;
			}
			col = lookup_column(st, &key);
		}
		c = &st->rel->cols[col];
		if (c->generated != '\0')
			ereport(ERROR,
					(errcode(ERRCODE_GENERATED_ALWAYS),
					 errmsg("column \"%s\" is a generated column", c->name),
					 errdetail("Generated columns cannot be written.")));
		if (is_object(&val) && !c->isjson)
			assigns = lappend(assigns,
							  read_assign_op(st, col, val.val.binary.data,
											 insert));
		else
			assigns = lappend(assigns,
							  new_assign(col, FORGE_SET,
										 add_value_param(st, c, c->data,
														 c->isjson ? json_data_value(&val, c) : &val)));
	}
	return assigns;
}

/*
 * keep_assign
 *		For an empty data or update: assign col to itself, so that the
 *		statement still locks and returns the row without changing it.
 */
List *
keep_assign(int col)
{
	return list_make1(new_assign(col, FORGE_KEEP, 0));
}

/*
 * self_assignable
 *		Whether col = col is a valid assignment: not for a generated column,
 *		nor for a GENERATED ALWAYS identity (SQLSTATE 428C9: it can only be
 *		updated to DEFAULT, which would give it a new value).
 */
static bool
self_assignable(const ForgeColumn *c)
{
	return c->generated == '\0' && c->identity != ATTRIBUTE_IDENTITY_ALWAYS;
}

/*
 * keep_column
 *		The column that keep_assign assigns to itself: the first of key (an
 *		index into rel->keys, or -1) that can be, else the first column of
 *		the table that can be.
 */
int
keep_column(ForgeRel *rel, int key)
{
	int			i;

	if (key >= 0)
		for (i = 0; i < rel->keys[key].ncols; i++)
			if (self_assignable(&rel->cols[rel->keys[key].cols[i]]))
				return rel->keys[key].cols[i];
	for (i = 0; i < rel->ncols; i++)
		if (self_assignable(&rel->cols[i]))
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("relation \"%s\" has no column that can be written",
					rel->relname)));
	return -1;					/* keep compiler quiet */
}
