/*-------------------------------------------------------------------------
 *
 * read_json.c
 *		  Jsonb helpers, parameters and column lookup for the reader.
 *
 * The small pieces every part of the reader uses: a statement begun, its
 * parameters appended (each value converted to a Datum of its column's
 * type), jsonb keys and iteration, and a column found by name with the
 * message that lists the table's columns.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/read_json.c
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

/*
 * new_stmt
 *		An empty statement of verb on rel.
 */
ForgeStmt *
new_stmt(ForgeVerb verb, ForgeRel *rel)
{
	ForgeStmt  *st = palloc0(sizeof(ForgeStmt));

	st->verb = verb;
	st->rel = rel;
	st->conflict_key = -1;
	return st;
}

/*
 * add_param
 *		Append a parameter of type typid; returns its number ($n).
 */
int
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
int
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
char *
key_text(const JsonbValue *key)
{
	return pnstrdup(key->val.string.val, key->val.string.len);
}

/*
 * key_is
 *		Whether the jsonb string key equals the C string s.
 */
bool
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
int
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
char *
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
bool
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
bool
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

bool
is_object(const JsonbValue *v)
{
	return v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data);
}

bool
is_array(const JsonbValue *v)
{
	return v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data);
}

/*
 * expect_object
 *		The container of v, which must be a JSON object; what names v.
 */
JsonbContainer *
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
JsonbValue *
get_arg(JsonbContainer *args, const char *name)
{
	return getKeyJsonValueFromContainer(args, name, strlen(name), NULL);
}

/*
 * require_arg
 *		Like get_arg, but a missing key is an error.
 */
JsonbValue *
require_arg(JsonbContainer *args, const char *name, ForgeVerb verb)
{
	JsonbValue *v = get_arg(args, name);

	if (v == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs \"%s\"", forge_verb_name(verb), name)));
	return v;
}

/*
 * lookup_column
 *		Index of the column named by key in st's table.  Too-long names,
 *		system columns and unknown (or dropped) columns are errors.
 */
int
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
						forge_verb_name(st->verb), name, st->rel->relname),
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
 * json_tag
 *		Whether v, the value given for a json or jsonb column (in data or in
 *		a filter), is one of the tags of Prisma's JSON protocol: an object
 *		of exactly the two keys "$type" and "value" whose "$type" is "Enum"
 *		(with "value" "JsonNull", "DbNull" or "AnyNull") or "Raw" (whose
 *		"value", set in *raw, is the JSON value itself, taken literally: a
 *		null there is the JSON value null, never SQL NULL).
 *		Every other value, any other object with a "$type" key included,
 *		is an ordinary JSON value; a tag is stored literally by wrapping it
 *		in "Raw", so that every JSON value stays writable.
 */
ForgeJsonTag
json_tag(const JsonbValue *v, const char *colname, JsonbValue *raw)
{
	JsonbContainer *jc;
	JsonbValue *type;
	JsonbValue *value;

	if (!is_object(v) || JsonContainerSize(v->val.binary.data) != 2)
		return FORGE_TAG_NONE;
	jc = v->val.binary.data;
	type = getKeyJsonValueFromContainer(jc, "$type", 5, NULL);
	value = getKeyJsonValueFromContainer(jc, "value", 5, NULL);
	if (type == NULL || value == NULL || type->type != jbvString)
		return FORGE_TAG_NONE;
	if (key_is(type, "Raw"))
	{
		*raw = *value;
		return FORGE_TAG_RAW;
	}
	if (!key_is(type, "Enum"))
		return FORGE_TAG_NONE;
	if (key_is(value, "JsonNull"))
		return FORGE_TAG_JSON_NULL;
	if (key_is(value, "DbNull"))
		return FORGE_TAG_DB_NULL;
	if (key_is(value, "AnyNull"))
		return FORGE_TAG_ANY_NULL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown \"Enum\" value for json column \"%s\"", colname),
			 errdetail("{\"$type\": \"Enum\", \"value\": …} takes \"JsonNull\", \"DbNull\" or \"AnyNull\"."),
			 errhint("To store such an object as it is, write {\"$type\": \"Raw\", \"value\": the object}.")));
	return FORGE_TAG_NONE;		/* keep compiler quiet */
}

/*
 * json_null
 *		A JSON null as a jbvBinary value, which the json and jsonb input
 *		stores as the JSON value null (a jbvNull would be SQL NULL).
 */
const JsonbValue *
json_null(void)
{
	JsonbValue	n;
	JsonbValue *v = palloc(sizeof(JsonbValue));
	Jsonb	   *jb;

	n.type = jbvNull;
	jb = JsonbValueToJsonb(&n);
	v->type = jbvBinary;
	v->val.binary.data = &jb->root;
	v->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	return v;
}
