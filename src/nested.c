/*-------------------------------------------------------------------------
 *
 * nested.c
 *		  Nested writes: relation keys inside data, create and update.
 *
 * descriptor.c marks a statement "nested" when its data names a relation
 * instead of a column.  Such a call is split here into writes of their own,
 * each an ordinary forge write (forge_write) with a descriptor built here,
 * so every value still travels as an SPI parameter, every where and data is
 * validated by descriptor.c, and every statement is planned and cached by
 * shape like any other.  The writes run in this order:
 *
 *	1. to-one relations that set this row's key (create, connect,
 *	   connectOrCreate, disconnect): the related row is written or found
 *	   first, and its key goes into this row's data;
 *	2. this row's own statement, returning the whole row;
 *	3. every other action, with the key values of the row just written:
 *	   to-many and one-to-one rows hold a key to this row, a many-to-many
 *	   goes through its join table, and a to-one update, upsert or delete
 *	   uses the key this row holds.
 *
 * Each nested action is itself a forge write, so its own data may nest
 * further (the recursion checks the stack).  connectOrCreate and a nested
 * upsert are INSERT ... ON CONFLICT on the unique key of their where, never
 * a lookup followed by an insert.  A connect through a to-one or a
 * many-to-many reads the related row by a unique key (a plain SELECT, so
 * it needs only SELECT privilege) and lets the foreign key lock it.
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

#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "forge.h"

#define ERRCODE_FORGE_NOT_FOUND MAKE_SQLSTATE('P','2','0','2','5')

/*
 * The nested actions, in the order one relation's actions run: what
 * removes, then what changes, then what adds (so "set": [] and a
 * connectOrCreate replace a post's tags).
 */
typedef enum NestedAction
{
	NA_SET,
	NA_DISCONNECT,
	NA_DELETE,
	NA_DELETE_MANY,
	NA_UPDATE,
	NA_UPDATE_MANY,
	NA_UPSERT,
	NA_CREATE,
	NA_CREATE_MANY,
	NA_CONNECT,
	NA_CONNECT_OR_CREATE,
	NUM_ACTIONS
} NestedAction;

static const char *const action_names[] = {
	"set", "disconnect", "delete", "deleteMany", "update", "updateMany",
	"upsert", "create", "createMany", "connect", "connectOrCreate"
};

#define K_ONE	(1 << FORGE_TO_ONE)
#define K_MANY	(1 << FORGE_TO_MANY)
#define K_11	(1 << FORGE_ONE_TO_ONE)
#define K_M2M	(1 << FORGE_MANY_TO_MANY)
#define K_ALL	(K_ONE | K_MANY | K_11 | K_M2M)

/* the relation kinds each action applies to */
static const int action_kinds[] = {
	K_MANY | K_M2M,				/* set */
	K_ALL,						/* disconnect */
	K_ALL,						/* delete */
	K_MANY | K_M2M,				/* deleteMany */
	K_ALL,						/* update */
	K_MANY | K_M2M,				/* updateMany */
	K_ALL,						/* upsert */
	K_ALL,						/* create */
	K_MANY,						/* createMany */
	K_ALL,						/* connect */
	K_ALL						/* connectOrCreate */
};

/* whether an action needs the row to exist already (not in a create) */
static const bool action_needs_row[] = {
	true, true, true, true, true, true, true, false, false, false, false
};

/* One relation key of a data object, and its actions. */
typedef struct NestedRel
{
	char	   *name;			/* as the descriptor names it */
	ForgeRelation *r;
	bool		has[NUM_ACTIONS];
	JsonbValue	val[NUM_ACTIONS];
} NestedRel;

/* Columns and their values: a row's key, or what a relation sets. */
typedef struct Pins
{
	int			n;
	const char *cols[INDEX_MAX_KEYS];
	JsonbValue	vals[INDEX_MAX_KEYS];
} Pins;

/* The error context of a running nested action. */
typedef struct ActionContext
{
	ErrorContextCallback cb;
	const char *action;
	const char *relation;
	const char *model;
} ActionContext;

/*
 * action_context_callback
 *		Say which nested action an error came from.
 */
static void
action_context_callback(void *arg)
{
	ActionContext *c = arg;

	errcontext("nested %s through relation \"%s\" of \"%s\"",
			   c->action, c->relation, c->model);
}

/*
 * push_context
 *		Name action on relation nr of rel in the CONTEXT of any error until
 *		pop_context (an error unwinds error_context_stack by itself).
 */
static void
push_context(ActionContext *c, int action, NestedRel *nr, ForgeRel *rel)
{
	c->action = action_names[action];
	c->relation = nr->name;
	c->model = rel->relname;
	c->cb.callback = action_context_callback;
	c->cb.arg = c;
	c->cb.previous = error_context_stack;
	error_context_stack = &c->cb;
}

/* pop_context: end push_context */
static void
pop_context(ActionContext *c)
{
	error_context_stack = c->cb.previous;
}

/* ---------------------------------------------------------------------
 * Building descriptors
 * ---------------------------------------------------------------------
 */

/* is_object: whether v is a JSON object */
static bool
is_object(const JsonbValue *v)
{
	return v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data);
}

/* is_array: whether v is a JSON array */
static bool
is_array(const JsonbValue *v)
{
	return v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data);
}

/* obj_key: append key k to the object being built in *ps */
static void
obj_key(ForgeJsonbBuild *ps, const char *k)
{
	JsonbValue	kv;

	kv.type = jbvString;
	kv.val.string.val = (char *) k;
	kv.val.string.len = strlen(k);
	forge_jsonb_push(ps, WJB_KEY, &kv);
}

/* obj_put: append k: v (v may be a container) */
static void
obj_put(ForgeJsonbBuild *ps, const char *k, JsonbValue *v)
{
	obj_key(ps, k);
	forge_jsonb_push(ps, WJB_VALUE, v);
}

/* obj_put_pins: append each pinned column and its value */
static void
obj_put_pins(ForgeJsonbBuild *ps, const Pins *pins, bool nulls)
{
	JsonbValue	null;
	int			i;

	null.type = jbvNull;
	for (i = 0; i < pins->n; i++)
		obj_put(ps, pins->cols[i], nulls ? &null : (JsonbValue *) &pins->vals[i]);
}

/*
 * obj_put_pairs
 *		Append every pair of the object obj.  None may name a column of
 *		pins, nor key: the nested write sets those itself.
 */
static void
obj_put_pairs(ForgeJsonbBuild *ps, JsonbValue *obj, const Pins *pins,
			  const char *key, const char *what)
{
	JsonbIterator *it = JsonbIteratorInit(obj->val.binary.data);
	JsonbValue	v;
	JsonbIteratorToken r;
	int			i;

	while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		CHECK_FOR_INTERRUPTS();
		if (r == WJB_KEY)
		{
			const char *clash = NULL;

			for (i = 0; pins != NULL && i < pins->n; i++)
				if ((int) strlen(pins->cols[i]) == v.val.string.len &&
					memcmp(pins->cols[i], v.val.string.val, v.val.string.len) == 0)
					clash = pins->cols[i];
			if (key != NULL && (int) strlen(key) == v.val.string.len &&
				memcmp(key, v.val.string.val, v.val.string.len) == 0)
				clash = key;
			if (clash != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s names \"%s\", which the relation sets",
								what, clash),
						 errdetail("A nested write takes its key from the row it is nested in.")));
			forge_jsonb_push(ps, WJB_KEY, &v);
		}
		else if (r == WJB_VALUE)
			forge_jsonb_push(ps, WJB_VALUE, &v);
	}
}

/*
 * check_keeps_key
 *		The data of a nested update, updateMany or upsert's update (data,
 *		an object) of rows that hold relation nr's key to this row (pins)
 *		may not change that key: neither by its columns nor through the
 *		related table's to-one relation over the same foreign key, which
 *		would move the rows to another parent.
 */
static void
check_keeps_key(NestedRel *nr, JsonbValue *data, const Pins *pins)
{
	JsonbIterator *it = JsonbIteratorInit(data->val.binary.data);
	JsonbValue	v;
	JsonbIteratorToken r;
	ForgeRel   *child = NULL;
	int			i;

	while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		const char *clash = NULL;

		if (r != WJB_KEY)
			continue;
		for (i = 0; i < pins->n; i++)
			if ((int) strlen(pins->cols[i]) == v.val.string.len &&
				memcmp(pins->cols[i], v.val.string.val, v.val.string.len) == 0)
				clash = pins->cols[i];
		if (clash == NULL)
		{
			ForgeRelation *back;

			if (child == NULL)
				child = forge_rel_open(nr->r->other, ACL_UPDATE,
									   RowExclusiveLock);
			if (forge_column_lookup(child, v.val.string.val,
									v.val.string.len) < 0 &&
				(back = forge_relation_lookup(child, v.val.string.val,
											  v.val.string.len)) != NULL &&
				back->kind == FORGE_TO_ONE && back->conoid == nr->r->conoid)
				clash = pnstrdup(v.val.string.val, v.val.string.len);
		}
		if (clash != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the data of a nested write names \"%s\", which the relation sets",
							clash),
					 errdetail("A nested write takes its key from the row it is nested in.")));
	}
}

/* obj_end: finish the outermost object */
static Jsonb *
obj_end(ForgeJsonbBuild *ps)
{
	return JsonbValueToJsonb(forge_jsonb_push(ps, WJB_END_OBJECT, NULL));
}

/* jb_value: a Jsonb as a container JsonbValue */
static JsonbValue *
jb_value(Jsonb *j)
{
	JsonbValue *v = palloc(sizeof(JsonbValue));

	v->type = jbvBinary;
	v->val.binary.data = &j->root;
	v->val.binary.len = VARSIZE(j) - VARHDRSZ;
	return v;
}

/*
 * where_value
 *		A where: w's pairs (w may be NULL), the pins and the pair key: value
 *		(either optional) at the top level, so that a unique selector in w
 *		stays one and the rest are extra filters; or, with and,
 *		{"AND": [w, {pins, key: value}]}, for a where of any shape.
 */
static JsonbValue *
where_value(JsonbValue *w, const Pins *pins, const char *key,
			JsonbValue *value, bool and)
{
	ForgeJsonbBuild ps = {0};

	forge_jsonb_push(&ps, WJB_BEGIN_OBJECT, NULL);
	if (and && w != NULL)
	{
		obj_key(&ps, "AND");
		forge_jsonb_push(&ps, WJB_BEGIN_ARRAY, NULL);
		forge_jsonb_push(&ps, WJB_ELEM, w);
		forge_jsonb_push(&ps, WJB_BEGIN_OBJECT, NULL);
	}
	else if (w != NULL)
		obj_put_pairs(&ps, w, pins, key, "the where of a nested write");
	if (pins != NULL)
		obj_put_pins(&ps, pins, false);
	if (key != NULL)
		obj_put(&ps, key, value);
	if (and && w != NULL)
	{
		forge_jsonb_push(&ps, WJB_END_OBJECT, NULL);
		forge_jsonb_push(&ps, WJB_END_ARRAY, NULL);
	}
	return jb_value(obj_end(&ps));
}

/*
 * data_value
 *		A data (or create, or update) object: data's pairs (data may be
 *		NULL) and the pins, or nulls for the pins' columns.
 */
static JsonbValue *
data_value(JsonbValue *data, const Pins *pins, bool nulls)
{
	ForgeJsonbBuild ps = {0};

	forge_jsonb_push(&ps, WJB_BEGIN_OBJECT, NULL);
	if (data != NULL)
		obj_put_pairs(&ps, data, pins, NULL, "the data of a nested write");
	if (pins != NULL)
		obj_put_pins(&ps, pins, nulls);
	return jb_value(obj_end(&ps));
}

/*
 * args_of
 *		The args object {k1: v1, k2: v2, k3: v3}, leaving out NULL keys.
 */
static Jsonb *
args_of(const char *k1, JsonbValue *v1, const char *k2, JsonbValue *v2,
		const char *k3, JsonbValue *v3)
{
	ForgeJsonbBuild ps = {0};

	forge_jsonb_push(&ps, WJB_BEGIN_OBJECT, NULL);
	if (k1 != NULL)
		obj_put(&ps, k1, v1);
	if (k2 != NULL)
		obj_put(&ps, k2, v2);
	if (k3 != NULL)
		obj_put(&ps, k3, v3);
	return obj_end(&ps);
}

/*
 * pins_of
 *		Pin the n columns names (names from a ForgeRelation) to vals.
 */
static void
pins_of(Pins *pins, int n, char **names, const JsonbValue *vals)
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
 *		The values of the n columns names in row (a whole row, as to_jsonb
 *		makes it) into vals.  False if any is null.
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
 *		The primary key of rel and its values in row (nested_write checked
 *		that rel has one before writing anything).
 */
static void
key_pins(Pins *pins, ForgeRel *rel, Jsonb *row)
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
 * nested_call
 *		A nested write of verb on relid.  Returns the row it wrote (the
 *		whole row), {"count": n}, or NULL when quiet and no row was found.
 */
static Jsonb *
nested_call(ForgeVerb verb, Oid relid, Jsonb *args, bool quiet)
{
	ForgeWriteInfo info;
	Datum		d;

	memset(&info, 0, sizeof(info));
	info.quiet = quiet;
	d = forge_write(verb, relid, args, &info);
	if (quiet && !info.found)
		return NULL;
	return DatumGetJsonbP(d);
}

/* ---------------------------------------------------------------------
 * Reading relation keys
 * ---------------------------------------------------------------------
 */

/*
 * join_kinds
 *		The kinds an action applies to, for a message.
 */
static char *
join_kinds(int kinds)
{
	StringInfoData buf;
	int			k;

	int			n = 0;
	int			left;

	for (k = FORGE_TO_ONE; k <= FORGE_MANY_TO_MANY; k++)
		n += (kinds & (1 << k)) != 0;
	left = n;
	initStringInfo(&buf);
	for (k = FORGE_TO_ONE; k <= FORGE_MANY_TO_MANY; k++)
	{
		if (!(kinds & (1 << k)))
			continue;
		if (left < n)
			appendStringInfoString(&buf, left == 1 ? " and " : ", ");
		appendStringInfoString(&buf, forge_relation_kind_name(k));
		left--;
	}
	return buf.data;
}

/*
 * check_nullable
 *		An action that clears a key (disconnect, set, a to-one delete) needs
 *		its columns nullable: say so before writing.  required is a NOT NULL
 *		column of the key (in table relid), or NULL.
 */
static void
check_nullable(NestedRel *nr, ForgeRel *rel, int action, Oid relid,
			   const char *required)
{
	if (required != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("cannot %s through required relation \"%s\" of \"%s\"",
						action_names[action], nr->name, rel->relname),
				 errdetail("Column \"%s\" of \"%s\" is NOT NULL, so the key cannot be cleared.",
						   required, get_rel_name(relid))));
}

/*
 * read_relation_key
 *		Read the actions of relation key name (value v) of a data object of
 *		rel.  insert: the row is being created, so only actions that add
 *		rows apply.
 */
static NestedRel *
read_relation_key(ForgeRel *rel, JsonbValue *key, JsonbValue *v, bool insert)
{
	NestedRel  *nr = palloc0(sizeof(NestedRel));
	JsonbIterator *it;
	JsonbValue	k,
				val;
	JsonbIteratorToken r;
	int			nactions = 0;
	ForgeRelationKind kind;

	nr->name = pnstrdup(key->val.string.val, key->val.string.len);
	nr->r = forge_relation_lookup(rel, key->val.string.val,
								  key->val.string.len);
	Assert(nr->r != NULL);
	kind = nr->r->kind;
	if (!is_object(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation \"%s\" of \"%s\" takes an object of nested actions, not %s",
						nr->name, rel->relname, forge_json_type_name(v)),
				 errhint("For example {\"connect\": {...}} or {\"create\": {...}}.")));

	it = JsonbIteratorInit(v->val.binary.data);
	while ((r = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		int			a;

		CHECK_FOR_INTERRUPTS();
		if (r != WJB_KEY)
			continue;
		r = JsonbIteratorNext(&it, &val, true);
		for (a = 0; a < NUM_ACTIONS; a++)
			if ((int) strlen(action_names[a]) == k.val.string.len &&
				memcmp(action_names[a], k.val.string.val, k.val.string.len) == 0)
				break;
		if (a == NUM_ACTIONS)
		{
			StringInfoData all;
			int			i;

			initStringInfo(&all);
			for (i = 0; i < NUM_ACTIONS; i++)
				if (action_kinds[i] & (1 << kind))
					appendStringInfo(&all, "%s%s", all.len ? ", " : "",
									 action_names[i]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown nested action \"%s\" on relation \"%s\" of \"%s\"",
							pnstrdup(k.val.string.val, k.val.string.len),
							nr->name, rel->relname),
					 errhint("A %s relation takes: %s.",
							 forge_relation_kind_name(kind), all.data)));
		}
		if (!(action_kinds[a] & (1 << kind)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is not allowed on %s relation \"%s\" of \"%s\"",
							action_names[a], forge_relation_kind_name(kind),
							nr->name, rel->relname),
					 errdetail("\"%s\" applies to %s relations.",
							   action_names[a], join_kinds(action_kinds[a]))));
		if (insert && action_needs_row[a])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" on relation \"%s\" of \"%s\" needs an existing row",
							action_names[a], nr->name, rel->relname),
					 errdetail("A row being created takes create, createMany, connect and connectOrCreate on its relations.")));
		nr->has[a] = true;
		nr->val[a] = val;
		nactions++;

		/* clearing a key needs it nullable */
		if (kind == FORGE_TO_ONE && (a == NA_DISCONNECT || a == NA_DELETE))
			check_nullable(nr, rel, a, rel->relid, nr->r->local_required);
		if ((kind == FORGE_TO_MANY || kind == FORGE_ONE_TO_ONE) &&
			(a == NA_DISCONNECT || a == NA_SET))
			check_nullable(nr, rel, a, nr->r->other, nr->r->foreign_required);
	}
	if (nactions == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relation \"%s\" of \"%s\" has no nested action",
						nr->name, rel->relname)));
	if (nactions > 1 && (kind == FORGE_TO_ONE || kind == FORGE_ONE_TO_ONE))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s relation \"%s\" of \"%s\" takes one nested action, not %d",
						forge_relation_kind_name(kind), nr->name, rel->relname,
						nactions)));
	return nr;
}

/*
 * split_data
 *		Copy the column keys of the data object data into *cols (begun
 *		here) and return its relation keys as NestedRels.  *set gets the
 *		indexes of the columns it sets.
 */
static List *
split_data(ForgeRel *rel, JsonbValue *data, bool insert,
		   ForgeJsonbBuild *cols, Bitmapset **set)
{
	JsonbIterator *it = JsonbIteratorInit(data->val.binary.data);
	JsonbValue	key,
				val;
	JsonbIteratorToken r;
	List	   *rels = NIL;

	forge_jsonb_push(cols, WJB_BEGIN_OBJECT, NULL);
	while ((r = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		int			col;

		CHECK_FOR_INTERRUPTS();
		if (r != WJB_KEY)
			continue;
		JsonbIteratorNext(&it, &val, true);
		col = forge_column_lookup(rel, key.val.string.val, key.val.string.len);
		if (col >= 0)
		{
			forge_jsonb_push(cols, WJB_KEY, &key);
			forge_jsonb_push(cols, WJB_VALUE, &val);
			*set = bms_add_member(*set, col);
			continue;
		}
		rels = lappend(rels, read_relation_key(rel, &key, &val, insert));
	}
	return rels;
}

/* ---------------------------------------------------------------------
 * Running actions
 * ---------------------------------------------------------------------
 */

/*
 * items
 *		An action's value as a list of objects: the object, or the elements
 *		of an array of objects where the kind takes several.
 */
static List *
items(NestedRel *nr, int a, ForgeRel *rel)
{
	JsonbValue *v = &nr->val[a];
	bool		many = nr->r->kind == FORGE_TO_MANY ||
		nr->r->kind == FORGE_MANY_TO_MANY;
	List	   *list = NIL;

	if (is_object(v))
		return list_make1(v);
	if (many && is_array(v))
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbValue	e;
		JsonbIteratorToken r;
		int			i = 0;

		while ((r = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
		{
			CHECK_FOR_INTERRUPTS();
			if (r != WJB_ELEM)
				continue;
			if (!is_object(&e))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("element %d of \"%s\" on relation \"%s\" of \"%s\" must be an object, not %s",
								i, action_names[a], nr->name, rel->relname,
								forge_json_type_name(&e))));
			list = lappend(list, memcpy(palloc(sizeof(JsonbValue)), &e,
										sizeof(JsonbValue)));
			i++;
		}
		return list;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("\"%s\" on relation \"%s\" of \"%s\" takes %s, not %s",
					action_names[a], nr->name, rel->relname,
					many ? "an object or an array of objects" : "an object",
					forge_json_type_name(v))));
	return NIL;					/* keep compiler quiet */
}

/*
 * expect_true
 *		A to-one or one-to-one disconnect or delete takes true.
 */
static void
expect_true(NestedRel *nr, int a, ForgeRel *rel)
{
	JsonbValue *v = &nr->val[a];

	if (v->type != jbvBool || !v->val.boolean)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on %s relation \"%s\" of \"%s\" takes true, not %s",
						action_names[a], forge_relation_kind_name(nr->r->kind),
						nr->name, rel->relname,
						v->type == jbvBool ? "false" : forge_json_type_name(v))));
}

/*
 * member
 *		Key name of the object item: required ones must be there, and item
 *		may hold only the keys in allowed (NULL-terminated).
 */
static JsonbValue *
member(JsonbValue *item, const char *name, bool required,
	   const char *const *allowed, NestedRel *nr, int a)
{
	JsonbIterator *it = JsonbIteratorInit(item->val.binary.data);
	JsonbValue	k;
	JsonbIteratorToken r;
	JsonbValue *v;

	while ((r = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		const char *const *p;

		CHECK_FOR_INTERRUPTS();
		if (r != WJB_KEY)
			continue;
		for (p = allowed; *p != NULL; p++)
			if ((int) strlen(*p) == k.val.string.len &&
				memcmp(*p, k.val.string.val, k.val.string.len) == 0)
				break;
		if (*p == NULL)
		{
			StringInfoData all;

			initStringInfo(&all);
			for (p = allowed; *p != NULL; p++)
				appendStringInfo(&all, "%s%s", all.len ? ", " : "", *p);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown key \"%s\" in \"%s\" on relation \"%s\"",
							pnstrdup(k.val.string.val, k.val.string.len),
							action_names[a], nr->name),
					 errhint("Valid keys are: %s.", all.data)));
		}
	}
	v = getKeyJsonValueFromContainer(item->val.binary.data, name,
									 strlen(name), NULL);
	if (v == NULL && required)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on relation \"%s\" needs \"%s\"",
						action_names[a], nr->name, name)));
	if (v != NULL && !is_object(v) && !(a == NA_CREATE_MANY && is_array(v)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" of \"%s\" on relation \"%s\" must be %s, not %s",
						name, action_names[a], nr->name,
						a == NA_CREATE_MANY ? "an array" : "an object",
						forge_json_type_name(v))));
	return v;
}

static const char *const keys_where_data[] = {"where", "data", NULL};
static const char *const keys_where_create[] = {"where", "create", NULL};
static const char *const keys_upsert[] = {"where", "create", "update", NULL};
static const char *const keys_create_update[] = {"create", "update", NULL};
static const char *const keys_create_many[] = {"data", "skipDuplicates", NULL};


/*
 * upsert_other
 *		connectOrCreate or upsert (action a, described by item) of a row of
 *		the related table that holds no key to this one: ON CONFLICT on the
 *		unique key of its where.  connectOrCreate's update changes nothing
 *		and only returns the row found.  Returns the row.
 */
static Jsonb *
upsert_other(NestedRel *nr, int a, JsonbValue *item)
{
	const char *const *keys = a == NA_UPSERT ? keys_upsert : keys_where_create;

	return nested_call(FORGE_UPSERT, nr->r->other,
					   args_of("where", member(item, "where", true, keys, nr, a),
							   "create", member(item, "create", true, keys, nr, a),
							   "update", a == NA_UPSERT ?
							   member(item, "update", true, keys, nr, a) :
							   data_value(NULL, NULL, false)),
					   false);
}

/*
 * not_found
 *		P2025 for a nested action whose row does not exist (connect) or is
 *		not connected to this row (connected).
 */
static void
not_found(int a, NestedRel *nr, ForgeRel *rel, bool connected)
{
	const char *other = get_rel_name(nr->r->other);

	ereport(ERROR,
			(errcode(ERRCODE_FORGE_NOT_FOUND),
			 errmsg("record to %s through relation \"%s\" of \"%s\" not found",
					action_names[a], nr->name, rel->relname),
			 connected ?
			 errdetail("No row of \"%s\" connected to this row of \"%s\" matches.",
					   other, rel->relname) :
			 errdetail("No row of \"%s\" matches the where of %s.",
					   other, action_names[a])));
}

/*
 * to_one_first
 *		Step 1: a to-one create, connect, connectOrCreate or disconnect.
 *		Writes or finds the related row, then appends this row's key
 *		columns, set to the related row's key, to the data in *cols.
 *		set: the columns data sets itself.
 */
static void
to_one_first(ForgeRel *rel, NestedRel *nr, int a, ForgeJsonbBuild *cols,
			 Bitmapset *set)
{
	ForgeRelation *r = nr->r;
	Jsonb	   *row = NULL;
	JsonbValue	vals[INDEX_MAX_KEYS];
	Pins		pins;
	int			i;
	ActionContext ctx;

	push_context(&ctx, a, nr, rel);
	switch (a)
	{
		case NA_CREATE:
			row = nested_call(FORGE_CREATE, r->other,
						args_of("data", linitial(items(nr, a, rel)),
								NULL, NULL, NULL, NULL),
						false);
			break;
		case NA_CONNECT:
			row = nested_call(FORGE_FIND, r->other,
						args_of("where", linitial(items(nr, a, rel)),
								NULL, NULL, NULL, NULL),
						true);
			if (row == NULL)
				not_found(a, nr, rel, false);
			break;
		case NA_CONNECT_OR_CREATE:
			row = upsert_other(nr, a, linitial(items(nr, a, rel)));
			break;
		case NA_DISCONNECT:
			expect_true(nr, a, rel);
			break;
	}
	if (row != NULL)
		row_values(row, r->nkeys, r->foreign_names, vals);
	else
		for (i = 0; i < r->nkeys; i++)
			vals[i].type = jbvNull;
	pins_of(&pins, r->nkeys, r->local_names, vals);
	for (i = 0; i < r->nkeys; i++)
	{
		int			col = forge_column_lookup(rel, pins.cols[i],
											  strlen(pins.cols[i]));

		if (bms_is_member(col, set))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("column \"%s\" of \"%s\" is set both directly and through relation \"%s\"",
							pins.cols[i], rel->relname, nr->name)));
	}
	obj_put_pins(cols, &pins, false);
	pop_context(&ctx);
}

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
	Pins		key;
	Pins		set;
	JsonbValue	nulls[INDEX_MAX_KEYS];
	ForgeWriteInfo info;
	int			i;

	for (i = 0; i < r->nkeys; i++)
		nulls[i].type = jbvNull;
	key_pins(&key, rel, row);
	pins_of(&set, r->nkeys, r->local_names, vals ? vals : nulls);
	memset(&info, 0, sizeof(info));
	info.silent = true;
	forge_write(FORGE_UPDATE, rel->relid,
				args_of("where", where_value(NULL, &key, NULL, NULL, false),
						"data", data_value(NULL, &set, false),
						NULL, NULL),
				&info);
}

/*
 * to_one_after
 *		Step 3 for a to-one relation (in an update): update, upsert or
 *		delete the row that this row's key points to.
 */
static void
to_one_after(ForgeRel *rel, Jsonb *prow, NestedRel *nr, int a)
{
	ForgeRelation *r = nr->r;
	JsonbValue	vals[INDEX_MAX_KEYS];
	bool		connected = row_values(prow, r->nkeys, r->local_names, vals);
	Pins		other;			/* the related row's key */
	JsonbValue *where;
	ActionContext ctx;

	push_context(&ctx, a, nr, rel);
	pins_of(&other, r->nkeys, r->foreign_names, vals);
	where = where_value(NULL, &other, NULL, NULL, false);
	switch (a)
	{
		case NA_UPDATE:
			if (!connected ||
				nested_call(FORGE_UPDATE, r->other,
					  args_of("where", where,
							  "data", linitial(items(nr, a, rel)), NULL, NULL),
					  true) == NULL)
				not_found(a, nr, rel, true);
			break;

		case NA_UPSERT:
			{
				JsonbValue *item = linitial(items(nr, a, rel));
				JsonbValue *create = member(item, "create", true, keys_create_update, nr, a);
				JsonbValue *update = member(item, "update", true, keys_create_update, nr, a);
				Jsonb	   *row;

				if (connected)
				{
					if (nested_call(FORGE_UPDATE, r->other,
							  args_of("where", where, "data", update, NULL, NULL),
							  true) == NULL)
						not_found(a, nr, rel, true);
					break;
				}
				row = nested_call(FORGE_CREATE, r->other,
							args_of("data", create, NULL, NULL, NULL, NULL),
							false);
				row_values(row, r->nkeys, r->foreign_names, vals);
				patch_row(rel, prow, r, vals);
				break;
			}

		case NA_DELETE:
			expect_true(nr, a, rel);
			if (!connected)
				not_found(a, nr, rel, true);
			patch_row(rel, prow, r, NULL);
			if (nested_call(FORGE_DELETE, r->other,
					  args_of("where", where, NULL, NULL, NULL, NULL),
					  true) == NULL)
				not_found(a, nr, rel, true);
			break;
	}
	pop_context(&ctx);
}

/*
 * connected_actions
 *		delete, deleteMany, update or updateMany (action a) on the rows of a
 *		to-many or many-to-many relation, which touch only rows connected to
 *		this one: those that the extra filter (pins, or the pair key: value)
 *		matches too.  A unique where that matches no connected row is P2025.
 */
static void
connected_actions(ForgeRel *rel, NestedRel *nr, int a, const Pins *pins,
				  const char *key, JsonbValue *value)
{
	bool		many = (a == NA_DELETE_MANY || a == NA_UPDATE_MANY);
	bool		update = (a == NA_UPDATE || a == NA_UPDATE_MANY);
	ForgeVerb	verb = a == NA_DELETE ? FORGE_DELETE :
		a == NA_DELETE_MANY ? FORGE_DELETE_MANY :
		a == NA_UPDATE ? FORGE_UPDATE : FORGE_UPDATE_MANY;
	ListCell   *lc;

	foreach(lc, items(nr, a, rel))
	{
		JsonbValue *item = lfirst(lc);
		JsonbValue *where = update ?
		member(item, "where", !many, keys_where_data, nr, a) : item;

		JsonbValue *data = update ?
		member(item, "data", true, keys_where_data, nr, a) : NULL;

		if (data != NULL && pins != NULL)
			check_keeps_key(nr, data, pins);
		/* a unique where stays one (extra filters at its top level) */
		where = where_value(where, pins, key, value, many);
		if (nested_call(verb, nr->r->other,
						args_of("where", where,
								update ? "data" : NULL, data,
								NULL, NULL),
						!many) == NULL && !many)
			not_found(a, nr, rel, true);
	}
}

/*
 * let_go
 *		One-to-one connect and connectOrCreate: the row connected to this
 *		one before, unless it is the one where selects, lets go of it (its
 *		key is cleared), so that the unique key takes the new one.  A NOT
 *		NULL key cannot let go: the unique violation then says why.
 */
static void
let_go(NestedRel *nr, const Pins *pins, JsonbValue *where)
{
	if (nr->r->foreign_required != NULL)
		return;
	nested_call(FORGE_UPDATE_MANY, nr->r->other,
				args_of("where", where_value(NULL, pins, "NOT", where, false),
						"data", data_value(NULL, pins, true), NULL, NULL),
				false);
}

/*
 * inverse_after
 *		Step 3 for a to-many or one-to-one relation: the related rows hold
 *		a key to this row; pins are their key columns set to this row's key.
 */
static void
inverse_after(ForgeRel *rel, NestedRel *nr, int a, const Pins *pins)
{
	Oid			child = nr->r->other;
	bool		one = nr->r->kind == FORGE_ONE_TO_ONE;
	JsonbValue *mine = where_value(NULL, pins, NULL, NULL, false);
	JsonbValue *clear = data_value(NULL, pins, true);
	JsonbValue *connect = data_value(NULL, pins, false);
	ListCell   *lc;
	ActionContext ctx;

	push_context(&ctx, a, nr, rel);
	switch (a)
	{
		case NA_SET:
			/* disconnect them all, then connect the given ones */
			nested_call(FORGE_UPDATE_MANY, child,
				  args_of("where", mine, "data", clear, NULL, NULL),
				  false);
			foreach(lc, items(nr, a, rel))
				if (nested_call(FORGE_UPDATE, child,
						  args_of("where", lfirst(lc), "data", connect,
								  NULL, NULL),
						  true) == NULL)
					not_found(NA_CONNECT, nr, rel, false);
			break;

		case NA_DISCONNECT:
			if (one)
			{
				expect_true(nr, a, rel);
				nested_call(FORGE_UPDATE_MANY, child,
					  args_of("where", mine, "data", clear, NULL, NULL),
					  false);
				break;
			}
			foreach(lc, items(nr, a, rel))
				nested_call(FORGE_UPDATE_MANY, child,
					  args_of("where", where_value(lfirst(lc), pins, NULL, NULL, true),
							  "data", clear, NULL, NULL),
					  false);
			break;

		case NA_DELETE:
			if (one)
			{
				expect_true(nr, a, rel);
				if (nested_call(FORGE_DELETE, child,
						  args_of("where", mine, NULL, NULL, NULL, NULL),
						  true) == NULL)
					not_found(a, nr, rel, true);
				break;
			}
			connected_actions(rel, nr, a, pins, NULL, NULL);
			break;

		case NA_DELETE_MANY:
		case NA_UPDATE_MANY:
			connected_actions(rel, nr, a, pins, NULL, NULL);
			break;

		case NA_UPDATE:
			if (!one)
			{
				connected_actions(rel, nr, a, pins, NULL, NULL);
				break;
			}
			check_keeps_key(nr, linitial(items(nr, a, rel)), pins);
			if (nested_call(FORGE_UPDATE, child,
							args_of("where", mine,
									"data", linitial(items(nr, a, rel)),
									NULL, NULL),
							true) == NULL)
				not_found(a, nr, rel, true);
			break;

		case NA_UPSERT:
			foreach(lc, items(nr, a, rel))
			{
				JsonbValue *item = lfirst(lc);
				const char *const *keys = one ? keys_create_update : keys_upsert;
				JsonbValue *where = one ? mine :
				where_value(member(item, "where", true, keys, nr, a),
							pins, NULL, NULL, false);

				check_keeps_key(nr, member(item, "update", true, keys, nr, a),
								pins);
				/* ON CONFLICT on the where's key; the pins filter the update */
				nested_call(FORGE_UPSERT, child,
					  args_of("where", where,
							  "create", data_value(member(item, "create", true, keys, nr, a),
												   pins, false),
							  "update", member(item, "update", true, keys, nr, a)),
					  false);
			}
			break;

		case NA_CREATE:
			foreach(lc, items(nr, a, rel))
				nested_call(FORGE_CREATE, child,
					  args_of("data", data_value(lfirst(lc), pins, false),
							  NULL, NULL, NULL, NULL),
					  false);
			break;

		case NA_CREATE_MANY:
			{
				JsonbValue *item = linitial(items(nr, a, rel));
				JsonbValue *data = member(item, "data", true, keys_create_many, nr, a);
				JsonbValue *skip = getKeyJsonValueFromContainer(item->val.binary.data,
																"skipDuplicates",
																14, NULL);
				ForgeJsonbBuild ps = {0};
				JsonbIterator *it;
				JsonbValue	e;
				JsonbIteratorToken r;

				if (!is_array(data))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("\"data\" of \"createMany\" on relation \"%s\" must be an array, not %s",
									nr->name, forge_json_type_name(data))));
				forge_jsonb_push(&ps, WJB_BEGIN_ARRAY, NULL);
				it = JsonbIteratorInit(data->val.binary.data);
				while ((r = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
				{
					CHECK_FOR_INTERRUPTS();
					if (r != WJB_ELEM)
						continue;
					if (!is_object(&e))
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("\"data\" of \"createMany\" on relation \"%s\" must hold objects, not %s",
										nr->name, forge_json_type_name(&e))));
					forge_jsonb_push(&ps, WJB_ELEM, data_value(&e, pins, false));
				}
				nested_call(FORGE_CREATE_MANY, child,
					  args_of("data",
							  jb_value(JsonbValueToJsonb(forge_jsonb_push(&ps, WJB_END_ARRAY, NULL))),
							  skip ? "skipDuplicates" : NULL, skip, NULL, NULL),
					  false);
				break;
			}

		case NA_CONNECT:
			foreach(lc, items(nr, a, rel))
			{
				if (one)
					let_go(nr, pins, lfirst(lc));
				if (nested_call(FORGE_UPDATE, child,
						  args_of("where", lfirst(lc), "data", connect, NULL, NULL),
						  true) == NULL)
					not_found(a, nr, rel, false);
			}
			break;

		case NA_CONNECT_OR_CREATE:
			foreach(lc, items(nr, a, rel))
			{
				JsonbValue *item = lfirst(lc);

				if (one)
					let_go(nr, pins, member(item, "where", true, keys_where_create, nr, a));
				/* created with the key, or found and given the key */
				nested_call(FORGE_UPSERT, child,
					  args_of("where", member(item, "where", true, keys_where_create, nr, a),
							  "create", data_value(member(item, "create", true, keys_where_create, nr, a),
												   pins, false),
							  "update", connect),
					  false);
			}
			break;
	}
	pop_context(&ctx);
}

/*
 * link_rows
 *		Many-to-many: insert the join row from this row (jpins) to the
 *		related row crow, unless it is there already.
 */
static void
link_rows(ForgeRelation *r, const Pins *jpins, Jsonb *crow)
{
	JsonbValue	vals[INDEX_MAX_KEYS];
	Pins		other;
	ForgeJsonbBuild ps = {0};
	JsonbValue	t;

	row_values(crow, r->njoin_foreign, r->foreign_names, vals);
	pins_of(&other, r->njoin_foreign, r->join_foreign_names, vals);
	forge_jsonb_push(&ps, WJB_BEGIN_ARRAY, NULL);
	forge_jsonb_push(&ps, WJB_BEGIN_OBJECT, NULL);
	obj_put_pins(&ps, jpins, false);
	obj_put_pins(&ps, &other, false);
	forge_jsonb_push(&ps, WJB_END_OBJECT, NULL);
	t.type = jbvBool;
	t.val.boolean = true;
	nested_call(FORGE_CREATE_MANY, r->join,
		  args_of("data",
				  jb_value(JsonbValueToJsonb(forge_jsonb_push(&ps, WJB_END_ARRAY, NULL))),
				  "skipDuplicates", &t, NULL, NULL),
		  false);
}

/*
 * many_to_many_after
 *		Step 3 for a many-to-many relation; pvals are this row's values of
 *		the columns the join table refers to.
 */
static void
many_to_many_after(ForgeRel *rel, NestedRel *nr, int a, JsonbValue *pvals)
{
	ForgeRelation *r = nr->r;
	Oid			child = r->other;
	Pins		jpins;			/* the join table's key to this row */
	const char *back = NULL;	/* the related table's relation back here */
	JsonbValue *mine = NULL;	/* {"some": {this row's key}} */
	ListCell   *lc;
	ActionContext ctx;

	push_context(&ctx, a, nr, rel);
	pins_of(&jpins, r->nkeys, r->join_local_names, pvals);
	if (a == NA_DELETE || a == NA_DELETE_MANY || a == NA_UPDATE ||
		a == NA_UPDATE_MANY)
	{
		Pins		key;

		back = r->back_conname;
		pins_of(&key, r->nkeys, r->local_names, pvals);
		mine = where_value(NULL, NULL, "some",
						   where_value(NULL, &key, NULL, NULL, false), false);
	}

	switch (a)
	{
		case NA_SET:
			nested_call(FORGE_DELETE_MANY, r->join,
				  args_of("where", where_value(NULL, &jpins, NULL, NULL, false),
						  NULL, NULL, NULL, NULL),
				  false);
			FORGE_FALLTHROUGH;
		case NA_CONNECT:
			foreach(lc, items(nr, a, rel))
			{
				Jsonb	   *crow = nested_call(FORGE_FIND, child,
										 args_of("where", lfirst(lc),
												 NULL, NULL, NULL, NULL),
										 true);

				if (crow == NULL)
					not_found(NA_CONNECT, nr, rel, false);
				link_rows(r, &jpins, crow);
			}
			break;

		case NA_DISCONNECT:
			/* the join rows from this row to rows matching the where */
			foreach(lc, items(nr, a, rel))
				nested_call(FORGE_DELETE_MANY, r->join,
					  args_of("where",
							  where_value(NULL, &jpins, r->conname,
										  where_value(NULL, NULL, "is", lfirst(lc), false),
										  false),
							  NULL, NULL, NULL, NULL),
					  false);
			break;

		case NA_DELETE:
		case NA_DELETE_MANY:
		case NA_UPDATE:
		case NA_UPDATE_MANY:
			connected_actions(rel, nr, a, NULL, back, mine);
			break;

		case NA_UPSERT:
		case NA_CONNECT_OR_CREATE:
			foreach(lc, items(nr, a, rel))
				link_rows(r, &jpins, upsert_other(nr, a, lfirst(lc)));
			break;

		case NA_CREATE:
			foreach(lc, items(nr, a, rel))
				link_rows(r, &jpins,
					 nested_call(FORGE_CREATE, child,
						   args_of("data", lfirst(lc), NULL, NULL, NULL, NULL),
						   false));
			break;

	}
	pop_context(&ctx);
}

/*
 * runs_first
 *		Whether action a of nr runs before this row's statement (step 1).
 */
static bool
runs_first(NestedRel *nr, int a)
{
	return nr->r->kind == FORGE_TO_ONE &&
		(a == NA_CREATE || a == NA_CONNECT || a == NA_CONNECT_OR_CREATE ||
		 a == NA_DISCONNECT);
}

/*
 * first_actions
 *		Step 1 for the relation keys rels of a data object: run the to-one
 *		actions that set this row's key, appending it to *cols, and say
 *		whether any action is left for step 3.  upsert: this data is a
 *		branch of an upsert, which cannot write before it knows the branch.
 */
static bool
first_actions(ForgeRel *rel, List *rels, ForgeJsonbBuild *cols,
			  Bitmapset *set, bool upsert)
{
	ListCell   *lc;
	bool		after = false;
	int			a;

	foreach(lc, rels)
	{
		NestedRel  *nr = lfirst(lc);

		for (a = 0; a < NUM_ACTIONS; a++)
		{
			if (!nr->has[a])
				continue;
			if (!runs_first(nr, a))
			{
				after = true;
				continue;
			}
			if (upsert && a != NA_DISCONNECT)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("\"%s\" through to-one relation \"%s\" is not supported in an upsert",
								action_names[a], nr->name),
						 errdetail("It would write the related row before the upsert knows whether it creates or updates."),
						 errhint("Set the key column of \"%s\" in create or update, or connect in a separate write.",
								 rel->relname)));
			to_one_first(rel, nr, a, cols, set);
		}
	}
	return after;
}

/*
 * after_actions
 *		Step 3 for the relation keys rels, once this row is written (row).
 */
static void
after_actions(ForgeRel *rel, List *rels, Jsonb *row)
{
	ListCell   *lc;
	int			a;

	foreach(lc, rels)
	{
		NestedRel  *nr = lfirst(lc);
		ForgeRelation *r = nr->r;
		JsonbValue	vals[INDEX_MAX_KEYS];
		Pins		pins;

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
		for (a = 0; a < NUM_ACTIONS; a++)
		{
			if (!nr->has[a] || runs_first(nr, a))
				continue;
			switch (r->kind)
			{
				case FORGE_TO_ONE:
					to_one_after(rel, row, nr, a);
					break;
				case FORGE_TO_MANY:
				case FORGE_ONE_TO_ONE:
					inverse_after(rel, nr, a, &pins);
					break;
				case FORGE_MANY_TO_MANY:
					many_to_many_after(rel, nr, a, vals);
					break;
			}
		}
	}
}

/*
 * needs_key
 *		Whether rels hold a to-one update, upsert or delete, which may
 *		change this row again by its primary key.
 */
static bool
needs_key(List *rels)
{
	ListCell   *lc;

	foreach(lc, rels)
	{
		NestedRel  *nr = lfirst(lc);

		if (nr->r->kind == FORGE_TO_ONE &&
			(nr->has[NA_UPSERT] || nr->has[NA_DELETE]))
			return true;
	}
	return false;
}

/*
 * any_after
 *		Whether rels hold an action for step 3.
 */
static bool
any_after(List *rels)
{
	ListCell   *lc;
	int			a;

	foreach(lc, rels)
		for (a = 0; a < NUM_ACTIONS; a++)
			if (((NestedRel *) lfirst(lc))->has[a] &&
				!runs_first(lfirst(lc), a))
				return true;
	return false;
}

/*
 * read_back_select
 *		The select {"col": true, ...} of the columns that step 3 reads from
 *		this row: its primary key and the columns of it that the relations
 *		in rels and urels refer to.
 */
static JsonbValue *
read_back_select(ForgeRel *rel, List *rels, List *urels)
{
	ForgeJsonbBuild ps = {0};
	List	   *names = NIL;
	List	   *all = list_concat_copy(rels, urels);
	ForgeUniqueKey *key = &rel->keys[rel->pkey];
	JsonbValue	yes;
	ListCell   *lc;
	int			i;

	for (i = 0; i < key->ncols; i++)
		names = lappend(names, rel->cols[key->cols[i]].name);
	foreach(lc, all)
	{
		ForgeRelation *r = ((NestedRel *) lfirst(lc))->r;

		for (i = 0; i < r->nkeys; i++)
		{
			ListCell   *lc2;
			bool		seen = false;

			foreach(lc2, names)
				seen |= strcmp(lfirst(lc2), r->local_names[i]) == 0;
			if (!seen)
				names = lappend(names, r->local_names[i]);
		}
	}
	yes.type = jbvBool;
	yes.val.boolean = true;
	forge_jsonb_push(&ps, WJB_BEGIN_OBJECT, NULL);
	foreach(lc, names)
		obj_put(&ps, lfirst(lc), &yes);
	return jb_value(obj_end(&ps));
}

/*
 * nested_write
 *		Run a create, update or upsert whose data names relations.
 */
static Datum
nested_write(ForgeVerb verb, ForgeRel *rel, Jsonb *args, ForgeWriteInfo *info)
{
	JsonbContainer *jc = &args->root;
	JsonbValue *where = getKeyJsonValueFromContainer(jc, "where", 5, NULL);
	JsonbValue *select = getKeyJsonValueFromContainer(jc, "select", 6, NULL);
	JsonbValue *include = getKeyJsonValueFromContainer(jc, "include", 7, NULL);
	ForgeJsonbBuild cols = {0};
	ForgeJsonbBuild ucols = {0};
	Bitmapset  *set = NULL;
	Bitmapset  *uset = NULL;
	List	   *rels;
	List	   *urels = NIL;
	bool		after;
	bool		top = (info == NULL);	/* the SQL call itself */
	ForgeWriteInfo pinfo;
	ForgeJsonbBuild ps = {0};
	Datum		result;
	Jsonb	   *row;

	check_stack_depth();

	/* split the data into columns and relations; check the relations */
	if (verb == FORGE_UPSERT)
	{
		rels = split_data(rel, getKeyJsonValueFromContainer(jc, "create", 6, NULL),
						  true, &cols, &set);
		urels = split_data(rel, getKeyJsonValueFromContainer(jc, "update", 6, NULL),
						   false, &ucols, &uset);
	}
	else
		rels = split_data(rel, getKeyJsonValueFromContainer(jc, "data", 4, NULL),
						  verb == FORGE_CREATE, &cols, &set);
	if (rel->pkey < 0 &&
		((top && (any_after(rels) || any_after(urels))) ||
		 needs_key(rels) || needs_key(urels)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
				 errmsg("nested writes through \"%s\" need a primary key on it",
						rel->relname),
				 errdetail("The row is read back, or changed again, by its primary key after the nested writes.")));

	/* 1: to-one rows this row's key points to */
	after = first_actions(rel, rels, &cols, set, verb == FORGE_UPSERT);
	if (verb == FORGE_UPSERT)
		after |= first_actions(rel, urels, &ucols, uset, true);
	/* on a Citus table related rows are read back (citus.c) */
	if (top && rel->citus != FORGE_CITUS_NONE &&
		(select != NULL || include != NULL))
		after = true;

	/* 2: this row */
	forge_jsonb_push(&ps, WJB_BEGIN_OBJECT, NULL);
	if (where != NULL)
		obj_put(&ps, "where", where);
	if (verb == FORGE_UPSERT)
	{
		obj_put(&ps, "create", jb_value(obj_end(&cols)));
		obj_put(&ps, "update", jb_value(obj_end(&ucols)));
	}
	else
		obj_put(&ps, "data", jb_value(obj_end(&cols)));
	if (top && !after)
	{
		/* nothing runs after: the statement returns the row as asked */
		if (select != NULL)
			obj_put(&ps, "select", select);
		if (include != NULL)
			obj_put(&ps, "include", include);
	}
	else if (top)
	{
		/*
		 * Step 3 reads only the key and the columns the relations refer
		 * to, and the row is then read again as asked: return just those,
		 * so that a role that may read only some columns (and asks for
		 * those) needs SELECT on no other.
		 */
		obj_put(&ps, "select", read_back_select(rel, rels, urels));
	}
	memset(&pinfo, 0, sizeof(pinfo));
	pinfo.quiet = info != NULL && info->quiet;
	result = forge_write(verb, rel->relid, obj_end(&ps), &pinfo);
	if (info != NULL)
	{
		info->found = pinfo.found;
		info->updated = pinfo.updated;
	}
	if (pinfo.quiet && !pinfo.found)
		return result;
	if (!after)
		return result;

	/* 3: everything that needs this row */
	row = DatumGetJsonbP(result);
	after_actions(rel, verb == FORGE_UPSERT && pinfo.updated ? urels : rels,
				  row);
	if (!top)
		return result;

	/* the row as the writes left it, shaped as asked */
	{
		Pins		key;

		key_pins(&key, rel, row);
		return forge_write(FORGE_FIND, rel->relid,
						   args_of("where", where_value(NULL, &key, NULL, NULL, false),
								   select ? "select" : NULL, select,
								   include ? "include" : NULL, include),
						   NULL);
	}
}

/*
 * forge_nested
 *		Run a write whose data names relations (see the file header).  The
 *		outermost one holds the events of all its writes until it is done.
 */
Datum
forge_nested(ForgeVerb verb, ForgeRel *rel, Jsonb *args, ForgeWriteInfo *info)
{
	ForgeEventHold save;
	Datum		result = (Datum) 0;

	if (info != NULL)
		return nested_write(verb, rel, args, info);

	forge_events_hold(&save);
	PG_TRY();
	{
		result = nested_write(verb, rel, args, info);
	}
	PG_CATCH();
	{
		forge_events_release(&save, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	forge_events_release(&save, true);
	return result;
}
