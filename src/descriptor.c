/*-------------------------------------------------------------------------
 *
 * descriptor.c
 *		  Read a verb's jsonb descriptor into ForgeStmts, validating every key
 *		  and value against the table.
 *
 * This file owns all input validation: a descriptor that passes here
 * deparses to SQL that parses.  As it reads, it
 *
 *	- converts each value to a Datum of its column's type and appends it to
 *	  the statement's parameter arrays ($1, $2, ... in reading order), and
 *	- appends a token for each structural decision to the statement's shape
 *	  (columns, operations, filter operators, null tests, select list),
 *	  never a value.
 *
 * Reading order is fixed per verb, and jsonb keeps object keys sorted, so
 * equal shapes number their parameters alike: the shape alone determines
 * the SQL text, which is what lets plancache.c key plans by shape.
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

#include "forge.h"

/* shape tokens */
#define SHAPE_ASSIGN	'a'
#define SHAPE_UPDATE	'u'
#define SHAPE_WHERE		'w'
#define SHAPE_FILTER	'f'
#define SHAPE_END		')'
#define SHAPE_SELECT	's'
#define SHAPE_TARGET	'k'
#define SHAPE_MANY		'm'
#define SHAPE_SKIPDUP	'd'
#define SHAPE_KEYS		'K'
#define SHAPE_RELATION	'R'

/*
 * Filters nest at most this deep.  The SQL of a deeper where would pass
 * the PostgreSQL parser's own nesting limit and fail as a syntax error.
 */
#define FORGE_MAX_WHERE_DEPTH 500

/*
 * Relation filters and includes reach at most this many relations away:
 * each is a correlated subquery, and planning hundreds of nested ones
 * takes minutes.
 */
#define FORGE_MAX_RELATION_DEPTH 16

/*
 * A where holds at most this many conditions.  PostgreSQL's JIT compiles an
 * expression of 70,000 ORed equalities for most of a minute (found by the
 * fuzzer); a list of values belongs in "in", which is one condition.
 */
#define FORGE_MAX_CONDITIONS 1000

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

/* the operations of data, in ForgeAssignKind order, then "unset" */
static const char *const assign_names[] = {
	"increment", "decrement", "multiply", "divide", "set", "unset"
};
#define ASSIGN_UNSET 5
#define NUM_ASSIGN_NAMES 6

static const char *const filter_names[] = {
	"equals", "not", "in", "notIn", "lt", "lte", "gt", "gte",
	"contains", "startsWith", "endsWith", "mode", NULL
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
 * new_stmt
 *		An empty statement of verb on rel, its shape begun.
 */
static ForgeStmt *
new_stmt(ForgeVerb verb, ForgeRel *rel)
{
	ForgeStmt  *st = palloc0(sizeof(ForgeStmt));

	st->verb = verb;
	st->rel = rel;
	st->conflict_key = -1;
	initStringInfo(&st->shape);
	appendStringInfoChar(&st->shape, (char) ('A' + verb));
	appendBinaryStringInfo(&st->shape, (char *) &rel->relid, sizeof(Oid));
	return st;
}

/*
 * shape_token
 *		Append a token and a number to st's shape.
 */
static void
shape_token(ForgeStmt *st, char token, int n)
{
	int16		v = (int16) n;

	appendStringInfoChar(&st->shape, token);
	appendBinaryStringInfo(&st->shape, (char *) &v, sizeof(v));
}

/*
 * add_param
 *		Append a parameter of type typid; returns its number ($n).
 */
static int
add_param(ForgeStmt *st, Oid typid, Datum value, bool isnull)
{
	if (st->nparams == st->maxparams)
	{
		st->maxparams = st->maxparams == 0 ? 8 : st->maxparams * 2;
		if (st->types == NULL)
		{
			st->types = palloc(sizeof(Oid) * st->maxparams);
			st->values = palloc(sizeof(Datum) * st->maxparams);
			st->nulls = palloc(sizeof(char) * st->maxparams);
		}
		else
		{
			st->types = repalloc(st->types, sizeof(Oid) * st->maxparams);
			st->values = repalloc(st->values, sizeof(Datum) * st->maxparams);
			st->nulls = repalloc(st->nulls, sizeof(char) * st->maxparams);
		}
	}
	st->types[st->nparams] = typid;
	st->values[st->nparams] = value;
	st->nulls[st->nparams] = isnull ? 'n' : ' ';
	return ++st->nparams;
}

/*
 * add_value_param
 *		Convert v for column col through io and append it as a parameter.
 */
static int
add_value_param(ForgeStmt *st, const ForgeColumn *col, ForgeTypeIO *io,
				const JsonbValue *v)
{
	bool		isnull;
	Datum		d = forge_value_to_datum(v, io, col, &isnull);

	return add_param(st, io->typid, d, isnull);
}

/*
 * key_text
 *		A jsonb key as a C string, for messages.
 */
static char *
key_text(const JsonbValue *key)
{
	return pnstrdup(key->val.string.val, key->val.string.len);
}

/*
 * key_is
 *		Whether the jsonb string key equals the C string s.
 */
static bool
key_is(const JsonbValue *key, const char *s)
{
	int			len = strlen(s);

	return key->val.string.len == len &&
		memcmp(key->val.string.val, s, len) == 0;
}

/*
 * name_index
 *		Index of key in the NULL-terminated names, or -1.
 */
static int
name_index(const JsonbValue *key, const char *const *names, int n)
{
	int			i;

	for (i = 0; (n < 0 || i < n) && names[i] != NULL; i++)
		if (key_is(key, names[i]))
			return i;
	return -1;
}

/*
 * join_names
 *		"a, b, c" from the NULL-terminated names, for hints.
 */
static char *
join_names(const char *const *names, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; (n < 0 || i < n) && names[i] != NULL; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", names[i]);
	return buf.data;
}

/*
 * next_pair
 *		Step the object iterator *it to its next key and value; false at the
 *		end.  Nested containers come back as jbvBinary.
 */
static bool
next_pair(JsonbIterator **it, JsonbValue *key, JsonbValue *val)
{
	JsonbIteratorToken r;

	/* every descriptor loop over keys steps here: a long one stops when asked */
	CHECK_FOR_INTERRUPTS();
	while ((r = JsonbIteratorNext(it, key, true)) != WJB_DONE)
	{
		if (r == WJB_KEY)
		{
			r = JsonbIteratorNext(it, val, true);
			Assert(r == WJB_VALUE);
			return true;
		}
	}
	return false;
}

/*
 * next_elem
 *		Step the array iterator *it to its next element; false at the end.
 */
static bool
next_elem(JsonbIterator **it, JsonbValue *val)
{
	JsonbIteratorToken r;

	/* and every loop over rows and list elements */
	CHECK_FOR_INTERRUPTS();
	while ((r = JsonbIteratorNext(it, val, true)) != WJB_DONE)
	{
		if (r == WJB_ELEM)
			return true;
	}
	return false;
}

static bool
is_object(const JsonbValue *v)
{
	return v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data);
}

static bool
is_array(const JsonbValue *v)
{
	return v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data);
}

/*
 * expect_object
 *		The container of v, which must be a JSON object; what names v.
 */
static JsonbContainer *
expect_object(const JsonbValue *v, const char *what)
{
	if (!is_object(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" must be a JSON object, not %s",
						what, forge_json_type_name(v))));
	return v->val.binary.data;
}

/*
 * get_arg
 *		The value of key name in args (a copy on the stack of the caller's
 *		choosing), or NULL if absent.
 */
static JsonbValue *
get_arg(JsonbContainer *args, const char *name)
{
	return getKeyJsonValueFromContainer(args, name, strlen(name), NULL);
}

/*
 * require_arg
 *		Like get_arg, but a missing key is an error.
 */
static JsonbValue *
require_arg(JsonbContainer *args, const char *name, ForgeVerb verb)
{
	JsonbValue *v = get_arg(args, name);

	if (v == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs \"%s\"", verb_names[verb], name)));
	return v;
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
							key_text(&key), verb_names[verb]),
					 errhint("Valid keys are: %s.",
							 join_names(verb_keys[verb], -1))));
	}
}

/*
 * lookup_column
 *		Index of the column named by key in st's table.  Too-long names,
 *		system columns and unknown (or dropped) columns are errors.
 */
static int
lookup_column(ForgeStmt *st, const JsonbValue *key)
{
	int			idx;
	char	   *name;

	if (key->val.string.len >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("key \"%s\" is too long", key_text(key)),
				 errdetail("Column names are at most %d bytes; forge does not truncate them.",
						   NAMEDATALEN - 1)));
	idx = forge_column_lookup(st->rel, key->val.string.val,
							  key->val.string.len);
	if (idx >= 0)
		return idx;
	name = key_text(key);
	if (forge_relation_lookup(st->rel, key->val.string.val,
							  key->val.string.len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s cannot write relation \"%s\" of \"%s\"",
						verb_names[st->verb], name, st->rel->relname),
				 errdetail("Nested writes go in the data of forge_create and forge_update, and in the create and update of forge_upsert.")));
	if (SystemAttributeByName(name) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" is a system column", name),
				 errdetail("forge reads and writes user columns only.")));
	{
		StringInfoData rels;

		initStringInfo(&rels);
		forge_describe_relations(&rels, st->rel);
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						name, st->rel->relname),
				 st->rel->nrels > 0 ?
				 errhint("The relations of \"%s\" are: %s.", st->rel->relname, rels.data) : 0));
	}
	return -1;					/* keep compiler quiet */
}

/*
 * new_assign
 *		An assignment of kind to column col, with parameter param.
 */
static ForgeAssign *
new_assign(ForgeStmt *st, int col, ForgeAssignKind kind, int param,
		   char token)
{
	ForgeAssign *a = palloc(sizeof(ForgeAssign));

	a->col = col;
	a->kind = kind;
	a->param = param;
	shape_token(st, token, st->rel->cols[col].attnum);
	shape_token(st, token, kind);
	return a;
}

/*
 * read_assign_op
 *		Read the operation object ops ({"increment": 1}) on column col.
 */
static ForgeAssign *
read_assign_op(ForgeStmt *st, int col, JsonbContainer *ops, bool insert,
			   char token)
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
		else
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
		return new_assign(st, col, FORGE_SET,
						  add_param(st, c->data->typid, (Datum) 0, true),
						  token);
	}
	if (op == FORGE_SET)
		return new_assign(st, col, FORGE_SET,
						  add_value_param(st, c, c->data, &opval), token);

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
	return new_assign(st, col, (ForgeAssignKind) op,
					  add_value_param(st, c, c->data, &opval), token);
}

/*
 * read_data
 *		Read the data (or create, or update) object jc into assignments.
 *		insert: the row is new, so number operations are errors.
 */
static List *
read_data(ForgeStmt *st, JsonbContainer *jc, bool insert, char token)
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
			/* a relation: nested.c splits the descriptor and runs it */
			if (st->verb != FORGE_UPDATE_MANY &&
				key.val.string.len < NAMEDATALEN &&
				forge_relation_lookup(st->rel, key.val.string.val,
									  key.val.string.len) != NULL)
			{
				st->nested = true;
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
											 insert, token));
		else
			assigns = lappend(assigns,
							  new_assign(st, col, FORGE_SET,
										 add_value_param(st, c, c->data, &val),
										 token));
	}
	return assigns;
}

/*
 * new_filter
 *		A filter node of kind, recorded in st's shape.
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
	shape_token(st, SHAPE_FILTER, kind);
	if (col >= 0)
		shape_token(st, SHAPE_FILTER, st->rel->cols[col].attnum);
	return f;
}

/*
 * end_filter
 *		Close a node with children in the shape.
 */
static ForgeFilter *
end_filter(ForgeStmt *st, ForgeFilter *f)
{
	shape_token(st, SHAPE_END, list_length(f->args));
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
	shape_token(st, SHAPE_FILTER, cmp);
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
	shape_token(st, SHAPE_FILTER, f->cmp);
	f->param = add_param(st, TEXTOID,
						 forge_like_pattern(v, prefix, suffix, c, opname),
						 false);
	return f;
}

static ForgeFilter *read_where(ForgeStmt *st, JsonbContainer *jc, int depth);
static ForgeFilter *read_relation_filter(ForgeStmt *st, ForgeRelation *r,
										 const char *name, const JsonbValue *v,
										 int depth);

/*
 * negate
 *		NOT f.
 */
static ForgeFilter *
negate(ForgeStmt *st, ForgeFilter *f)
{
	ForgeFilter *n = palloc0(sizeof(ForgeFilter));

	n->kind = FORGE_F_NOT;
	n->col = -1;
	n->args = list_make1(f);
	shape_token(st, SHAPE_FILTER, FORGE_F_NOT);
	return n;
}

/*
 * read_column_filter
 *		Read the filter v on column col: a value (equality, or IS NULL), or
 *		an object of filter operations, ANDed.  With pin, a top-level
 *		equality remembers its value, for unique-key detection.
 */
static ForgeFilter *
read_column_filter(ForgeStmt *st, int col, const JsonbValue *v, bool pin,
				   int depth)
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

	ops = v->val.binary.data;
	mode = get_arg(ops, "mode");
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

	shape_token(st, SHAPE_FILTER, FORGE_F_AND);
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
					f = negate(st, read_column_filter(st, col, &val, false,
													  depth + 1));
				else if (insensitive)
					f = negate(st, like_filter(st, col, true, &val, "", "", "not"));
				else
					f = negate(st, cmp_filter(st, col, FORGE_EQ, &val, "not"));
				break;
			case 2:				/* in */
			case 3:				/* notIn */
				if (insensitive)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("\"mode\": \"insensitive\" does not apply to \"%s\"",
									filter_names[op])));
				f = cmp_filter(st, col, FORGE_IN, &val, filter_names[op]);
				if (op == 3)
					f = negate(st, f);
				break;
			case 4:
			case 5:
			case 6:
			case 7:
				if (insensitive)
					ereport(ERROR,
							(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							 errmsg("\"mode\": \"insensitive\" does not apply to \"%s\"",
									filter_names[op])));
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
	{
		shape_token(st, SHAPE_END, 1);
		return linitial(args);
	}
	f = palloc0(sizeof(ForgeFilter));
	f->kind = args == NIL ? FORGE_F_TRUE : FORGE_F_AND;
	f->col = -1;
	f->args = args;
	return end_filter(st, f);
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
static ForgeFilter *
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
	shape_token(st, SHAPE_WHERE, depth > 0);

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
			shape_token(st, SHAPE_FILTER, g->kind);
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
					lfirst(lc) = negate(st, lfirst(lc));
			}
			f->args = lappend(f->args, end_filter(st, g));
			continue;
		}

		if (key.val.string.len < NAMEDATALEN &&
			forge_column_lookup(st->rel, key.val.string.val,
								key.val.string.len) < 0)
		{
			int			k = find_key_by_name(st->rel, &key);

			if (k >= 0)
			{
				shape_token(st, SHAPE_TARGET, k);
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
		f->args = lappend(f->args, read_column_filter(st, col, &val, top,
													  depth));
	}
	if (f->args == NIL)
		f->kind = FORGE_F_TRUE;
	return end_filter(st, f);
}

/*
 * open_join
 *		Relation r is read: check USAGE on the schemas of the operators
 *		its join names, and for a many-to-many, open its join table through
 *		the door as the related table is (NULL for other kinds).
 */
static ForgeRel *
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
			  ForgeRelTest test, JsonbContainer *obj, int depth)
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
	appendStringInfoChar(&st->shape, SHAPE_RELATION);
	appendBinaryStringInfo(&st->shape, (char *) &r->conoid, sizeof(Oid));
	shape_token(st, SHAPE_RELATION, r->kind * 8 + test * 2 + (obj != NULL));
	if (obj != NULL)
	{
		ForgeRel   *outer = st->rel;

		st->rel = other;
		st->level++;
		f->args = list_make1(read_where(st, obj, depth + 1));
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
		return relation_test(st, r, other, FORGE_NONE, NULL, depth);
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
			return relation_test(st, r, other, FORGE_SOME, obj, depth);
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
							  NULL, depth);
		else
			f = relation_test(st, r, other, test,
							  expect_object(&val, key_text(&key)), depth);
		args = lappend(args, f);
	}
	if (list_length(args) == 1)
		return linitial(args);
	f = palloc0(sizeof(ForgeFilter));
	f->kind = FORGE_F_AND;
	f->col = -1;
	f->args = args;
	return end_filter(st, f);
}

/*
 * find_unique_key
 *		The unique key whose every column where pins by equality (the
 *		primary key first); an error naming the table's keys if none.
 *		for_upsert: the key must be able to arbitrate ON CONFLICT.
 */
static int
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

	initStringInfo(&detail);
	for (i = 0; i < rel->nkeys; i++)
	{
		ForgeUniqueKey *key = &rel->keys[i];
		bool		all = true;

		for (j = 0; j < key->ncols; j++)
			all &= pinned[key->cols[j]];
		if (!all)
			continue;
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

	initStringInfo(&keys);
	forge_rel_describe_keys(&keys, rel);
	if (detail.len > 0)
		detail.data[--detail.len] = '\0';
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
			 errmsg("%s needs a where that selects one row of \"%s\" by a unique key",
					verb_names[st->verb], rel->relname),
			 detail.len > 0 ? errdetail_internal("%s", detail.data) : 0,
			 errhint("Pin every column of one unique key by equality; the unique keys of \"%s\" are: %s.",
					 rel->relname, keys.data)));
	return -1;					/* keep compiler quiet */
}

static void read_shape(ForgeStmt *st, JsonbContainer *select,
					   JsonbContainer *include, List **cols, List **includes,
					   int depth);

static const char *const include_keys[] = {
	"select", "include", "where", "orderBy", "take", "skip", NULL
};

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
		shape_token(st, 'o', st->rel->cols[o->col].attnum * 2 + o->desc);
		order = lappend(order, o);
	}
	return order;
}

/*
 * read_include
 *		One included relation r, named name: v is true, or an object of
 *		select, include and, for a to-many, where, orderBy, take and skip.
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

	check_stack_depth();
	if (st->level >= FORGE_MAX_RELATION_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("include reaches more than %d relations away",
						FORGE_MAX_RELATION_DEPTH)));
	inc->name = key_text(key);
	inc->relation = r;
	inc->rel = forge_rel_open(r->other, ACL_SELECT, AccessShareLock);
	inc->join = open_join(r);
	inc->level = st->level + 1;

	appendStringInfoChar(&st->shape, SHAPE_RELATION);
	appendBinaryStringInfo(&st->shape, (char *) &r->conoid, sizeof(Oid));
	appendBinaryStringInfo(&st->shape, key->val.string.val, key->val.string.len);
	shape_token(st, 'i', key->val.string.len);

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

			if (i < 0 || (!to_many && i >= 2))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown key \"%s\" in the include of %s relation \"%s\"",
								key_text(&k), forge_relation_kind_name(r->kind),
								inc->name),
						 errhint(to_many ? "Valid keys are: select, include, where, orderBy, take, skip."
								 : "Valid keys are: select, include; where, orderBy, take and skip are for to-many relations.")));
		}
		sel = get_arg(opts, "select");
		incl = get_arg(opts, "include");
	}
	else if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("include of relation \"%s\" must be true or an object, not %s",
						inc->name, forge_json_type_name(v))));

	st->rel = inc->rel;
	st->level++;
	read_shape(st, sel ? expect_object(sel, "select") : NULL,
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
		shape_token(st, 't', (t != NULL) * 2 + (s != NULL));
		if (t != NULL)
			inc->take = read_count(st, t, "take");
		if (s != NULL)
			inc->skip = read_count(st, s, "skip");
	}
	st->level--;
	st->rel = outer;
	shape_token(st, SHAPE_END, 0);
	return inc;
}

/*
 * read_shape
 *		The returned row of st->rel: select (columns true or false, and
 *		relations) and include (relations added to every column).  Both
 *		may be NULL; cols and includes receive the result.
 */
static void
read_shape(ForgeStmt *st, JsonbContainer *select, JsonbContainer *include,
		   List **cols, List **includes, int depth)
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
				shape_token(st, SHAPE_SELECT, st->rel->cols[col].attnum);
				picked = true;
			}
		}
		if (!picked)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"select\" must pick at least one column")));
		if (*cols == NIL)		/* only relations: no column (-1) */
		{
			*cols = list_make1_int(-1);
			shape_token(st, SHAPE_SELECT, 0);
		}
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
 *		Read args' select and include into st->select and st->includes.
 */
static void
read_select(ForgeStmt *st, JsonbContainer *args)
{
	JsonbValue *s = get_arg(args, "select");
	JsonbValue *i = get_arg(args, "include");

	read_shape(st, s ? expect_object(s, "select") : NULL,
			   i ? expect_object(i, "include") : NULL,
			   &st->select, &st->includes, 0);
}

/*
 * keep_assign
 *		For an empty data or update: assign col to itself, so that the
 *		statement still locks and returns the row without changing it.
 */
static List *
keep_assign(ForgeStmt *st, int col, char token)
{
	return list_make1(new_assign(st, col, FORGE_KEEP, 0, token));
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
static int
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

/*
 * read_where_arg
 *		Read args' where, which may be absent unless required.
 */
static ForgeFilter *
read_where_arg(ForgeStmt *st, JsonbContainer *args, bool required)
{
	JsonbValue *v = required ? require_arg(args, "where", st->verb)
		: get_arg(args, "where");

	if (v == NULL)
		return NULL;
	return read_where(st, expect_object(v, "where"), 0);
}

/*
 * merge_pins
 *		Upsert: the create row must carry the values the where pins on the
 *		conflict key.  A pinned column missing from create takes the where's
 *		value; one present must be equal.  Except a GENERATED ALWAYS
 *		identity, which no write may set (428C9): the row created gets its
 *		next value instead, and the upsert runs without ON CONFLICT
 *		(st->by_update, see deparse.c).
 */
static void
merge_pins(ForgeStmt *st, ForgeUniqueKey *key, JsonbContainer *create)
{
	ListCell   *lc;
	int			i;

	foreach(lc, st->where->args)
	{
		ForgeFilter *f = lfirst(lc);
		ForgeColumn *c;
		JsonbValue *given;
		bool		inkey = false;

		if (f->pinvalue == NULL)
			continue;
		for (i = 0; i < key->ncols; i++)
			inkey |= (key->cols[i] == f->col);
		if (!inkey)
			continue;
		c = &st->rel->cols[f->col];
		given = getKeyJsonValueFromContainer(create, c->name, c->namelen, NULL);
		if (given == NULL && c->identity == ATTRIBUTE_IDENTITY_ALWAYS)
			st->by_update = true;
		else if (given == NULL)
			st->assigns = lappend(st->assigns,
								  new_assign(st, f->col, FORGE_SET,
											 add_value_param(st, c, c->data,
															 f->pinvalue),
											 SHAPE_ASSIGN));
		else if (!forge_json_scalar_equal(given, f->pinvalue))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"create\" sets column \"%s\" to a value other than the where selects",
							c->name),
					 errdetail("The where is the ON CONFLICT target, so the row created must carry the same key.")));
	}
}

/*
 * strip_key_filters
 *		Upsert: the equalities on the conflict key are enforced by ON
 *		CONFLICT; what is left of where filters the update (DO UPDATE ...
 *		WHERE), or nothing.
 */
static ForgeFilter *
strip_key_filters(ForgeStmt *st, ForgeUniqueKey *key)
{
	ForgeFilter *rest = palloc0(sizeof(ForgeFilter));
	ListCell   *lc;
	int			i;

	rest->kind = FORGE_F_AND;
	rest->col = -1;
	foreach(lc, st->where->args)
	{
		ForgeFilter *f = lfirst(lc);
		bool		inkey = false;

		if (f->pinvalue != NULL)
			for (i = 0; i < key->ncols; i++)
				inkey |= (key->cols[i] == f->col);
		if (!inkey)
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
	if (f->kind == FORGE_F_CMP)
		used[f->param] = true;
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
	if (f->kind == FORGE_F_CMP)
		f->param = map[f->param];
	foreach(lc, f->args)
		renumber_filter_params(lfirst(lc), map);
}

/*
 * drop_unused_params
 *		Upsert: the equalities on the conflict key were read as filters, but
 *		ON CONFLICT enforces them, so their parameters appear nowhere in the
 *		SQL.  Drop them and renumber the rest, so that $1..$n are all used.
 *		Deterministic for a shape, like the numbering it rewrites.
 */
static void
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
			for (j = 0; j < st->nmany; j++)
			{
				shape_token(st, SHAPE_MANY, rel->cols[st->many_cols[j]].attnum);
				/* the statement names each column's type */
				forge_check_schema_usage(rel->cols[st->many_cols[j]].typnsp);
			}
			st->skip_duplicates = skip_duplicates;
			if (skip_duplicates)
				shape_token(st, SHAPE_SKIPDUP, 1);
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
	{
		ForgeStmt  *st = lfirst(lc);

		st->with_keys = true;
		shape_token(st, SHAPE_KEYS, 1);
	}
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
						verb_names[verb],
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
									true, SHAPE_ASSIGN);
			if (st->nested)
				return list_make1(st);
			break;

		case FORGE_UPDATE:
		case FORGE_UPDATE_MANY:
			st->assigns = read_data(st,
									expect_object(require_arg(jc, "data", verb), "data"),
									false, SHAPE_ASSIGN);
			if (st->nested)
				return list_make1(st);
			st->where = read_where_arg(st, jc, verb == FORGE_UPDATE);
			if (verb == FORGE_UPDATE)
			{
				int			k = find_unique_key(st, st->where, false);

				if (st->assigns == NIL)
					st->assigns = keep_assign(st, keep_column(rel, k),
											  SHAPE_ASSIGN);
			}
			else if (st->assigns == NIL)
				st->assigns = keep_assign(st, keep_column(rel, -1),
										  SHAPE_ASSIGN);
			break;

		case FORGE_UPSERT:
			{
				JsonbContainer *create;
				JsonbContainer *update;
				ForgeUniqueKey *key;

				st->where = read_where_arg(st, jc, true);
				st->conflict_key = find_unique_key(st, st->where, true);
				key = &rel->keys[st->conflict_key];
				shape_token(st, SHAPE_TARGET, st->conflict_key);
				create = expect_object(require_arg(jc, "create", verb), "create");
				update = expect_object(require_arg(jc, "update", verb), "update");
				st->assigns = read_data(st, create, true, SHAPE_ASSIGN);
				merge_pins(st, key, create);
				st->updates = read_data(st, update, false, SHAPE_UPDATE);
				if (st->nested)
					return list_make1(st);
				if (st->updates == NIL)
					st->updates = keep_assign(st,
											  keep_column(rel, st->conflict_key),
											  SHAPE_UPDATE);
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
