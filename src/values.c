/*-------------------------------------------------------------------------
 *
 * values.c
 *		  Turn JSON values from a descriptor into Datums of a column's type.
 *
 * A value is converted by the target type's own input function, so that a
 * JSON string reaches a timestamptz, an enum or a uuid exactly as it would
 * through a text parameter, and PostgreSQL's errors (22P02, 22008, ...) pass
 * through unchanged.  json and jsonb take the JSON value itself.  A JSON
 * array reaches an array type element by element.  A timestamp (without
 * time zone) string is read as Prisma stores a DateTime: an offset gives
 * the UTC time of that instant (utc_timestamp).  createMany's rows reach
 * their columns through jsonb_to_record; forge_many_value rewrites the few
 * values it would read otherwise than create does.  The results are SPI
 * parameter values; they are never spliced into SQL text.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/values.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "pgtime.h"

#include "forge.h"

/*
 * forge_column_values_equal
 *		Whether two JSON scalars are the same value of column c: equal as
 *		JSON, and equal as c compares them (its equality operator, under its
 *		collation).  JSON alone is not enough: the numbers 1 and 1.0 are
 *		equal, but a text column reads them as "1" and "1.0".
 */
bool
forge_column_values_equal(const ForgeColumn *c, const JsonbValue *a,
						  const JsonbValue *b)
{
	Datum		da,
				db;
	bool		anull,
				bnull;

	if (!forge_json_scalar_equal(a, b))
		return false;
	if (a->type == jbvNull || !OidIsValid(c->eqopr))
		return true;
	da = forge_value_to_datum(a, c->data, c, &anull);
	db = forge_value_to_datum(b, c->data, c, &bnull);
	if (anull || bnull)
		return anull == bnull;
	return DatumGetBool(OidFunctionCall2Coll(get_opcode(c->eqopr),
											 c->collation, da, db));
}

/*
 * forge_json_type_name
 *		The JSON type of v, for messages.
 */
const char *
forge_json_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "string";
		case jbvNumeric:
			return "number";
		case jbvBool:
			return "boolean";
		case jbvBinary:
			if (JsonContainerIsArray(v->val.binary.data))
				return "array";
			return "object";
		default:
			return "value";
	}
}

/*
 * json_text
 *		The JSON text of v (a scalar or a container), palloc'd.
 */
static char *
json_text(const JsonbValue *v)
{
	Jsonb	   *jb = JsonbValueToJsonb((JsonbValue *) v);

	return JsonbToCString(NULL, &jb->root, VARSIZE(jb));
}

/*
 * scalar_text
 *		The text a JSON scalar stands for: a string's contents, a number's
 *		digits, "true" or "false".
 */
static char *
scalar_text(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	return NULL;				/* keep compiler quiet */
}

/*
 * append_array_literal
 *		Append the PostgreSQL array literal of the JSON array jc: {1,{2,3}}
 *		with every element double-quoted, NULL for null.  For arrays of more
 *		than one dimension, which array_in reads and checks.
 */
static void
append_array_literal(StringInfo buf, JsonbContainer *jc, const ForgeColumn *col)
{
	JsonbIterator *it = JsonbIteratorInit(jc);
	JsonbIteratorToken r;
	JsonbValue	v;
	bool		first = true;

	check_stack_depth();
	appendStringInfoChar(buf, '{');
	while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		const char *p;

		CHECK_FOR_INTERRUPTS();
		if (r != WJB_ELEM)
			continue;
		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		if (v.type == jbvNull)
		{
			appendStringInfoString(buf, "NULL");
			continue;
		}
		if (v.type == jbvBinary)
		{
			if (!JsonContainerIsArray(v.val.binary.data))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("column \"%s\" cannot take a JSON object inside an array",
								col->name)));
			append_array_literal(buf, v.val.binary.data, col);
			continue;
		}
		appendStringInfoChar(buf, '"');
		for (p = scalar_text(&v); *p; p++)
		{
			if (*p == '"' || *p == '\\')
				appendStringInfoChar(buf, '\\');
			appendStringInfoChar(buf, *p);
		}
		appendStringInfoChar(buf, '"');
	}
	appendStringInfoChar(buf, '}');
}

/*
 * has_nested_array
 *		Whether the JSON array jc holds an array.
 */
static bool
has_nested_array(JsonbContainer *jc)
{
	JsonbIterator *it = JsonbIteratorInit(jc);
	JsonbIteratorToken r;
	JsonbValue	v;

	while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (r == WJB_ELEM && v.type == jbvBinary &&
			JsonContainerIsArray(v.val.binary.data))
			return true;
	}
	return false;
}

/*
 * integer_text
 *		For an integer type, the digits of an integral JSON number without
 *		its zero fraction ("1.0" reads as "1", as JSON means the same number);
 *		any other number as it is, so the input function reports 1.5 and
 *		out-of-range values exactly as PostgreSQL does.
 */
static char *
integer_text(char *digits, Oid typid)
{
	char	   *dot;
	char	   *p;

	if (typid != INT2OID && typid != INT4OID && typid != INT8OID)
		return digits;
	dot = strchr(digits, '.');
	if (dot == NULL)
		return digits;
	for (p = dot + 1; *p == '0'; p++)
		;
	if (*p == '\0')
		*dot = '\0';
	return digits;
}

/*
 * forge_values_to_array
 *		Build a one-dimensional array of io's type from the JSON array arr
 *		(a jbvBinary array), element by element.
 */
Datum
forge_values_to_array(const JsonbValue *arr, ForgeTypeIO *io,
					  const ForgeColumn *col)
{
	JsonbContainer *jc = arr->val.binary.data;
	int			n = JsonContainerSize(jc);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	JsonbIterator *it = JsonbIteratorInit(jc);
	JsonbIteratorToken r;
	JsonbValue	v;
	int			i = 0;
	int			dims[1];
	int			lbs[1] = {1};

	while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (r != WJB_ELEM)
			continue;
		if (v.type == jbvBinary && JsonContainerIsArray(v.val.binary.data) &&
			io->typid != JSONBOID && io->typid != JSONOID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column \"%s\" cannot take a nested JSON array",
							col->name),
					 errdetail("forge reads one-dimensional arrays only.")));
		elems[i] = forge_value_to_datum(&v, io, col, &nulls[i]);
		i++;
	}
	dims[0] = i;
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  io->typid, io->typlen,
											  io->typbyval, io->typalign));
}

/*
 * utc_timestamp
 *		A timestamp (without time zone) from the string str, as Prisma stores
 *		a DateTime: a string with an offset or a zone name
 *		("2024-05-01T12:00:00+02:00") is the UTC wall-clock time of that
 *		instant (10:00), where timestamp_in would keep 12:00 and drop the
 *		offset; a string without one is the time as given.  Both are what
 *		timestamptz_in reads with the session's time zone set to UTC, whose
 *		Datum (microseconds since 2000-01-01 00:00 UTC) is that timestamp's.
 *		The session's TimeZone setting is restored at once, and never
 *		changes the result.
 */
static Datum
utc_timestamp(const char *str)
{
	static pg_tz *utc = NULL;
	pg_tz	   *save = session_timezone;
	Datum		result;

	if (utc == NULL)
	{
		utc = pg_tzset("UTC");
		if (utc == NULL)
			elog(ERROR, "could not load time zone \"UTC\"");
	}
	session_timezone = utc;
	PG_TRY();
	{
		result = DirectFunctionCall3(timestamptz_in, CStringGetDatum(str),
									 ObjectIdGetDatum(InvalidOid),
									 Int32GetDatum(-1));
	}
	PG_FINALLY();
	{
		session_timezone = save;
	}
	PG_END_TRY();
	return result;
}

/*
 * string_value
 *		A JSON string value of the C string str.
 */
static JsonbValue *
string_value(char *str)
{
	JsonbValue *r = palloc(sizeof(JsonbValue));

	r->type = jbvString;
	r->val.string.val = str;
	r->val.string.len = strlen(str);
	return r;
}

/*
 * forge_many_value
 *		createMany reads its rows with jsonb_to_record, which reads a value
 *		by its text through the input function.  Where create reads the
 *		JSON value v for io's type otherwise, return the value that
 *		jsonb_to_record reads as create reads v: an integral number with a
 *		zero fraction (1.0) for an integer type as its digits, an offset
 *		timestamp string as its UTC time (utc_timestamp), and arrays of
 *		them element by element.  NULL: v reads alike as it is.
 */
JsonbValue *
forge_many_value(JsonbValue *v, ForgeTypeIO *io, const ForgeColumn *col)
{
	check_stack_depth();
	if (v->type == jbvNumeric &&
		(io->basetypid == INT2OID || io->basetypid == INT4OID ||
		 io->basetypid == INT8OID))
	{
		char	   *digits;

		/*
		 * A number without fractional digits (JSON's 1, not 1.0) reads as
		 * it is: tell by its scale, without printing it (createMany asks
		 * this of every value of its rows).
		 */
		if (!numeric_is_nan(v->val.numeric) && !numeric_is_inf(v->val.numeric) &&
			DatumGetInt32(DirectFunctionCall1(numeric_scale,
											  NumericGetDatum(v->val.numeric))) == 0)
			return NULL;
		digits = scalar_text(v);
		if (strchr(digits, '.') == NULL)
			return NULL;
		integer_text(digits, io->basetypid);
		if (strchr(digits, '.') != NULL)
			return NULL;		/* 1.5: the input function says so */
		return string_value(digits);
	}
	if (v->type == jbvString && io->basetypid == TIMESTAMPOID)
	{
		char		buf[MAXDATELEN + 1];
		char	   *text = scalar_text(v);

		JsonEncodeDateTime(buf, utc_timestamp(text), TIMESTAMPOID, NULL);
		if (strcmp(buf, text) == 0)
			return NULL;
		return string_value(pstrdup(buf));
	}
	if (v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data) &&
		io->elem != NULL)
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbIteratorToken r;
		JsonbValue	e;
		List	   *fixed = NIL;
		bool		changed = false;
		ForgeJsonbBuild state = {0};
		ListCell   *lc;
		JsonbValue *arr;
		JsonbValue *result;
		Jsonb	   *jb;

		while ((r = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
		{
			JsonbValue *copy;
			JsonbValue *f;

			CHECK_FOR_INTERRUPTS();
			if (r != WJB_ELEM)
				continue;
			/* an element array is a dimension of the same array type */
			f = forge_many_value(&e, e.type == jbvBinary ? io : io->elem, col);
			if (f != NULL)
				changed = true;
			copy = palloc(sizeof(JsonbValue));
			*copy = f ? *f : e;
			fixed = lappend(fixed, copy);
		}
		if (!changed)
			return NULL;
		forge_jsonb_push(&state, WJB_BEGIN_ARRAY, NULL);
		foreach(lc, fixed)
			forge_jsonb_push(&state, WJB_ELEM, lfirst(lc));
		arr = forge_jsonb_push(&state, WJB_END_ARRAY, NULL);
		jb = JsonbValueToJsonb(arr);
		result = palloc(sizeof(JsonbValue));
		result->type = jbvBinary;
		result->val.binary.data = &jb->root;
		result->val.binary.len = VARSIZE(jb) - VARHDRSZ;
		return result;
	}
	return NULL;
}

/*
 * forge_value_to_datum
 *		Convert the JSON value v to a Datum of io's type, for column col.
 *		Sets *isnull for JSON null.
 */
Datum
forge_value_to_datum(const JsonbValue *v, ForgeTypeIO *io,
					 const ForgeColumn *col, bool *isnull)
{
	*isnull = false;
	if (v->type == jbvNull)
	{
		*isnull = true;
		return (Datum) 0;
	}

	/* json and jsonb take the value as it is, whatever its JSON type */
	if (io->typid == JSONBOID)
		return JsonbPGetDatum(JsonbValueToJsonb((JsonbValue *) v));
	if (io->typid == JSONOID)
		return InputFunctionCall(&io->input, json_text(v), io->ioparam, -1);

	if (v->type == jbvBinary)
	{
		if (JsonContainerIsArray(v->val.binary.data) && io->elem != NULL)
		{
			StringInfoData lit;

			if (!has_nested_array(v->val.binary.data))
				return forge_values_to_array(v, io->elem, col);
			initStringInfo(&lit);
			append_array_literal(&lit, v->val.binary.data, col);
			return InputFunctionCall(&io->input, lit.data, io->ioparam, -1);
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column \"%s\" of type %s cannot take a JSON %s",
						col->name, format_type_be(io->typid),
						forge_json_type_name(v))));
	}

	/* fast paths for the commonest types; the rest by input function */
	if (v->type == jbvString && (io->typid == TEXTOID || io->typid == VARCHAROID))
		return PointerGetDatum(cstring_to_text_with_len(v->val.string.val,
														v->val.string.len));
	if (v->type == jbvNumeric && io->typid == NUMERICOID)
		return NumericGetDatum(v->val.numeric);
	if (v->type == jbvNumeric)
		return InputFunctionCall(&io->input,
								 integer_text(scalar_text(v), io->basetypid),
								 io->ioparam, -1);
	if (v->type == jbvBool && io->typid == BOOLOID)
		return BoolGetDatum(v->val.boolean);
	if (v->type == jbvString && io->basetypid == TIMESTAMPOID)
	{
		/* an array's element may be a domain over timestamp: check it */
		Datum		d = utc_timestamp(scalar_text(v));

		if (io->typid != TIMESTAMPOID)
			domain_check(d, false, io->typid, NULL, NULL);
		return d;
	}

	return InputFunctionCall(&io->input, scalar_text(v), io->ioparam, -1);
}

/*
 * forge_like_pattern
 *		The LIKE pattern prefix || escaped(v) || suffix, as a text Datum.
 *		LIKE's wildcards and escape character in the value are escaped, so
 *		"contains": "50%" matches the three characters literally.
 */
Datum
forge_like_pattern(const JsonbValue *v, const char *prefix, const char *suffix,
				   const ForgeColumn *col, const char *op)
{
	StringInfoData buf;
	int			i;

	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on column \"%s\" takes a string, not a JSON %s",
						op, col->name, forge_json_type_name(v))));
	initStringInfo(&buf);
	appendStringInfoString(&buf, prefix);
	for (i = 0; i < v->val.string.len; i++)
	{
		char		c = v->val.string.val[i];

		if (c == '%' || c == '_' || c == '\\')
			appendStringInfoChar(&buf, '\\');
		appendStringInfoChar(&buf, c);
	}
	appendStringInfoString(&buf, suffix);
	return PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len));
}

/*
 * forge_json_scalar_equal
 *		Whether two JSON scalars are the same value (numbers by value).
 */
bool
forge_json_scalar_equal(const JsonbValue *a, const JsonbValue *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case jbvNull:
			return true;
		case jbvString:
			return a->val.string.len == b->val.string.len &&
				memcmp(a->val.string.val, b->val.string.val,
					   a->val.string.len) == 0;
		case jbvNumeric:
			return DatumGetBool(DirectFunctionCall2(numeric_eq,
													NumericGetDatum(a->val.numeric),
													NumericGetDatum(b->val.numeric)));
		case jbvBool:
			return a->val.boolean == b->val.boolean;
		default:
			return false;
	}
}
