/*-------------------------------------------------------------------------
 *
 * read_nested.c
 *		  Read nested writes: relation keys of data, and the parts of the
 *		  writes that nested.c runs for them.
 *
 * A key of data, create or update that names a relation instead of a
 * column is read here into a ForgeNestedRel, in the reader's one pass: its
 * actions (create, connect, connectOrCreate, set, disconnect, update,
 * updateMany, upsert, delete, deleteMany, createMany), each checked against
 * the relation's kind and against whether the row exists yet, and each
 * action's items with their parts (where, data, create, update) checked
 * for their keys and kinds.  The statement that writes the row gets:
 *
 *	- for a to-one create, connect or connectOrCreate, its key columns
 *	  assigned from parameters whose values nested.c binds once it has
 *	  written or found the related row (a to-one disconnect assigns null);
 *	- when something runs after the row is written, a select of just the
 *	  columns those writes read (the key, and the columns the relations
 *	  refer to); the row is then read back as asked (nested.c).
 *
 * The writes nested.c then runs are parts (ForgePart): the descriptor's
 * where, data, create or update as given, plus what the relation pins
 * from rows already written (a parent's key, the related row's key), read
 * by forge_read_part (descriptor.c, with read_part.c).
 *
 * Errors that concern one action carry the CONTEXT line "nested <action>
 * through relation ..." that nested.c's running actions carry too.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/read_nested.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

#include "reader.h"

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

static const char *const keys_where_data[] = {"where", "data", NULL};
static const char *const keys_where_create[] = {"where", "create", NULL};
static const char *const keys_upsert[] = {"where", "create", "update", NULL};
static const char *const keys_create_update[] = {"create", "update", NULL};
static const char *const keys_create_many[] = {"data", "skipDuplicates", NULL};

/*
 * forge_nested_action_name
 *		The descriptor's name of action a.
 */
const char *
forge_nested_action_name(ForgeNestedAction a)
{
	return action_names[a];
}

/*
 * action_context_callback
 *		Say which nested action an error came from.
 */
static void
action_context_callback(void *arg)
{
	ForgeNestedContext *c = arg;

	errcontext("nested %s through relation \"%s\" of \"%s\"",
			   c->action, c->relation, c->model);
}

/*
 * forge_nested_context_push
 *		Name action a on relation (of rel) in the CONTEXT of any error until
 *		forge_nested_context_pop (an error unwinds error_context_stack by
 *		itself).
 */
void
forge_nested_context_push(ForgeNestedContext *c, ForgeNestedAction a,
						  const char *relation, ForgeRel *rel)
{
	c->action = action_names[a];
	c->relation = relation;
	c->model = rel->relname;
	c->cb.callback = action_context_callback;
	c->cb.arg = c;
	c->cb.previous = error_context_stack;
	error_context_stack = &c->cb;
}

/* forge_nested_context_pop: end forge_nested_context_push */
void
forge_nested_context_pop(ForgeNestedContext *c)
{
	error_context_stack = c->cb.previous;
}

/*
 * forge_nested_runs_first
 *		Whether action a of nr runs before the row's own statement: a to-one
 *		create, connect, connectOrCreate or disconnect sets the row's key.
 */
bool
forge_nested_runs_first(ForgeNestedRel *nr, int a)
{
	return nr->r->kind == FORGE_TO_ONE &&
		(a == FORGE_NA_CREATE || a == FORGE_NA_CONNECT ||
		 a == FORGE_NA_CONNECT_OR_CREATE || a == FORGE_NA_DISCONNECT);
}

/* ---------------------------------------------------------------------
 * Relation keys
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
 *		column of the key (in table relid), or NULL.  The code is Prisma 7's:
 *		its client does not offer these actions on a required to-one
 *		relation (a validation error: 22023), and reports them on a to-many
 *		or one-to-one relation as P2014, the required relation violation.
 */
static void
check_nullable(ForgeNestedRel *nr, ForgeRel *rel, int action, Oid relid,
			   const char *required)
{
	if (required != NULL)
		ereport(ERROR,
				(errcode(nr->r->kind == FORGE_TO_ONE ?
						 ERRCODE_INVALID_PARAMETER_VALUE :
						 MAKE_SQLSTATE('P', '2', '0', '1', '4')),
				 errmsg("cannot %s through required relation \"%s\" of \"%s\"",
						action_names[action], nr->name, rel->relname),
				 errdetail("Column \"%s\" of \"%s\" is NOT NULL, so the key cannot be cleared.",
						   required, get_rel_name(relid))));
}

/*
 * read_relation_key
 *		Read the actions of relation key (value v) of a data object of rel.
 *		insert: the row is being created, so only actions that add rows
 *		apply.
 */
static ForgeNestedRel *
read_relation_key(ForgeRel *rel, JsonbValue *key, JsonbValue *v, bool insert)
{
	ForgeNestedRel *nr = palloc0(sizeof(ForgeNestedRel));
	JsonbIterator *it;
	JsonbValue	k,
				val;
	int			nactions = 0;
	ForgeRelationKind kind;

	nr->name = key_text(key);
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
	while (next_pair(&it, &k, &val))
	{
		int			a;

		CHECK_FOR_INTERRUPTS();
		for (a = 0; a < FORGE_NUM_ACTIONS; a++)
			if (key_is(&k, action_names[a]))
				break;
		if (a == FORGE_NUM_ACTIONS)
		{
			StringInfoData all;
			int			i;

			initStringInfo(&all);
			for (i = 0; i < FORGE_NUM_ACTIONS; i++)
				if (action_kinds[i] & (1 << kind))
					appendStringInfo(&all, "%s%s", all.len ? ", " : "",
									 action_names[i]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown nested action \"%s\" on relation \"%s\" of \"%s\"",
							key_text(&k), nr->name, rel->relname),
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
		if (kind == FORGE_TO_ONE &&
			(a == FORGE_NA_DISCONNECT || a == FORGE_NA_DELETE))
			check_nullable(nr, rel, a, rel->relid, nr->r->local_required);
		if ((kind == FORGE_TO_MANY || kind == FORGE_ONE_TO_ONE) &&
			(a == FORGE_NA_DISCONNECT || a == FORGE_NA_SET))
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

/* ---------------------------------------------------------------------
 * Items of an action
 * ---------------------------------------------------------------------
 */

/*
 * raw_items
 *		Action a's value as a list of objects: the object, or the elements
 *		of an array of objects where the kind takes several.
 */
static List *
raw_items(ForgeNestedRel *nr, int a, ForgeRel *rel)
{
	JsonbValue *v = &nr->val[a];
	bool		many = nr->r->kind == FORGE_TO_MANY ||
		nr->r->kind == FORGE_MANY_TO_MANY;
	List	   *list = NIL;

	if (is_object(v))
		return list_make1(v);
	/* createMany takes one object, whose data holds the rows */
	if (many && is_array(v) && a != FORGE_NA_CREATE_MANY)
	{
		JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
		JsonbValue	e;
		int			i = 0;

		while (next_elem(&it, &e))
		{
			CHECK_FOR_INTERRUPTS();
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
					many && a != FORGE_NA_CREATE_MANY ?
					"an object or an array of objects" : "an object",
					forge_json_type_name(v))));
	return NIL;					/* keep compiler quiet */
}

/*
 * expect_true
 *		A to-one or one-to-one disconnect or delete takes true.
 */
static void
expect_true(ForgeNestedRel *nr, int a, ForgeRel *rel)
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
	   const char *const *allowed, ForgeNestedRel *nr, int a)
{
	JsonbIterator *it = JsonbIteratorInit(item->val.binary.data);
	JsonbValue	k,
				val;
	JsonbValue *v;

	while (next_pair(&it, &k, &val))
	{
		CHECK_FOR_INTERRUPTS();
		if (name_index(&k, allowed, -1) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown key \"%s\" in \"%s\" on relation \"%s\"",
							key_text(&k), action_names[a], nr->name),
					 errhint("Valid keys are: %s.", join_names(allowed, -1))));
	}
	v = getKeyJsonValueFromContainer(item->val.binary.data, name,
									 strlen(name), NULL);
	if (v == NULL && required)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" on relation \"%s\" needs \"%s\"",
						action_names[a], nr->name, name)));
	if (v != NULL && !is_object(v) &&
		!(a == FORGE_NA_CREATE_MANY && is_array(v)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" of \"%s\" on relation \"%s\" must be %s, not %s",
						name, action_names[a], nr->name,
						a == FORGE_NA_CREATE_MANY ? "an array" : "an object",
						forge_json_type_name(v))));
	return v;
}

/*
 * one_row_array
 *		createMany's data given as one object (Prisma takes a row or an
 *		array of rows, nested and at the top): the array of that row.
 */
JsonbValue *
one_row_array(JsonbValue *row)
{
	ForgeJsonbBuild state = {0};
	JsonbValue *res;
	Jsonb	   *jb;

	/* forge_jsonb_push: PostgreSQL 19 changed pushJsonbValue (compat.h) */
	forge_jsonb_push(&state, WJB_BEGIN_ARRAY, NULL);
	forge_jsonb_push(&state, WJB_ELEM, row);
	jb = JsonbValueToJsonb(forge_jsonb_push(&state, WJB_END_ARRAY, NULL));
	res = palloc(sizeof(JsonbValue));
	res->type = jbvBinary;
	res->val.binary.data = &jb->root;
	res->val.binary.len = VARSIZE(jb) - VARHDRSZ;
	return res;
}

/*
 * update_with_where
 *		Whether item, the object of an update on a to-one or one-to-one nr,
 *		is Prisma's {"where": {...}, "data": {...}} form rather than the
 *		data itself: it has a "where" key, or its one key is "data" and the
 *		related table has no column of that name (whose value it would
 *		then set, as before this form existed).
 */
static bool
update_with_where(ForgeNestedRel *nr, JsonbValue *item)
{
	JsonbContainer *jc = item->val.binary.data;
	ForgeRel   *other;

	if (getKeyJsonValueFromContainer(jc, "where", 5, NULL) != NULL)
		return true;
	if (JsonContainerSize(jc) != 1 ||
		getKeyJsonValueFromContainer(jc, "data", 4, NULL) == NULL)
		return false;
	/* the door the update goes through anyway */
	other = forge_rel_open(nr->r->other, ACL_UPDATE, RowExclusiveLock);
	return forge_column_lookup(other, "data", 4) < 0;
}

/*
 * read_item
 *		The parts of item (an object) of action a on nr, checked in the
 *		order the action uses them.
 */
static ForgeNestedItem *
read_item(ForgeNestedRel *nr, int a, JsonbValue *item)
{
	ForgeNestedItem *it = palloc0(sizeof(ForgeNestedItem));
	ForgeRelationKind kind = nr->r->kind;
	bool		many = kind == FORGE_TO_MANY || kind == FORGE_MANY_TO_MANY;

	it->value = item;
	switch (a)
	{
		case FORGE_NA_UPDATE:
		case FORGE_NA_UPDATE_MANY:
			if (!many)
			{
				/* the data, or Prisma's {"where", "data"} (update_with_where) */
				if (update_with_where(nr, item))
				{
					it->where = member(item, "where", false, keys_where_data, nr, a);
					it->data = member(item, "data", true, keys_where_data, nr, a);
				}
				break;
			}
			it->where = member(item, "where", a == FORGE_NA_UPDATE,
							   keys_where_data, nr, a);
			it->data = member(item, "data", true, keys_where_data, nr, a);
			break;

		case FORGE_NA_UPSERT:
			if (kind == FORGE_TO_ONE)
			{
				it->data = member(item, "create", true, keys_create_update, nr, a);
				it->update = member(item, "update", true, keys_create_update, nr, a);
			}
			else if (kind == FORGE_ONE_TO_ONE)
			{
				it->update = member(item, "update", true, keys_create_update, nr, a);
				it->data = member(item, "create", true, keys_create_update, nr, a);
			}
			else if (kind == FORGE_TO_MANY)
			{
				it->where = member(item, "where", true, keys_upsert, nr, a);
				it->update = member(item, "update", true, keys_upsert, nr, a);
				it->data = member(item, "create", true, keys_upsert, nr, a);
			}
			else
			{
				it->where = member(item, "where", true, keys_upsert, nr, a);
				it->data = member(item, "create", true, keys_upsert, nr, a);
				it->update = member(item, "update", true, keys_upsert, nr, a);
			}
			break;

		case FORGE_NA_CONNECT_OR_CREATE:
			it->where = member(item, "where", true, keys_where_create, nr, a);
			it->data = member(item, "create", true, keys_where_create, nr, a);
			break;

		case FORGE_NA_CREATE_MANY:
			it->data = member(item, "data", true, keys_create_many, nr, a);
			nr->skip = getKeyJsonValueFromContainer(item->val.binary.data,
													"skipDuplicates", 14,
													NULL);
			if (is_object(it->data))
				it->data = one_row_array(it->data);	/* Prisma takes one row */
			if (!is_array(it->data))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("\"data\" of \"createMany\" on relation \"%s\" must be an array, not %s",
								nr->name, forge_json_type_name(it->data))));
			{
				JsonbIterator *ji = JsonbIteratorInit(it->data->val.binary.data);
				JsonbValue	e;

				while (next_elem(&ji, &e))
				{
					CHECK_FOR_INTERRUPTS();
					if (!is_object(&e))
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("\"data\" of \"createMany\" on relation \"%s\" must hold objects, not %s",
										nr->name, forge_json_type_name(&e))));
				}
			}
			break;

		default:
			break;				/* the item is a where, or create's data */
	}
	return it;
}

/*
 * read_action
 *		Check action a of nr (on a data object of rel) and read its items.
 */
static void
read_action(ForgeRel *rel, ForgeNestedRel *nr, int a)
{
	ForgeNestedContext ctx;
	ForgeRelationKind kind = nr->r->kind;
	ListCell   *lc;
	List	   *raw;

	forge_nested_context_push(&ctx, a, nr->name, rel);
	if ((kind == FORGE_TO_ONE || kind == FORGE_ONE_TO_ONE) &&
		(a == FORGE_NA_DISCONNECT || a == FORGE_NA_DELETE))
		expect_true(nr, a, rel);
	else
	{
		raw = raw_items(nr, a, rel);
		foreach(lc, raw)
		{
			CHECK_FOR_INTERRUPTS();
			nr->items[a] = lappend(nr->items[a], read_item(nr, a, lfirst(lc)));
		}
	}
	forge_nested_context_pop(&ctx);
}

/* ---------------------------------------------------------------------
 * The statement that writes the row
 * ---------------------------------------------------------------------
 */

/*
 * any_after
 *		Whether rels hold an action that runs after the row is written.
 */
static bool
any_after(List *rels)
{
	ListCell   *lc;
	int			a;

	foreach(lc, rels)
		for (a = 0; a < FORGE_NUM_ACTIONS; a++)
			if (((ForgeNestedRel *) lfirst(lc))->has[a] &&
				!forge_nested_runs_first(lfirst(lc), a))
				return true;
	return false;
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
		ForgeNestedRel *nr = lfirst(lc);

		if (nr->r->kind == FORGE_TO_ONE &&
			(nr->has[FORGE_NA_UPSERT] || nr->has[FORGE_NA_DELETE]))
			return true;
	}
	return false;
}

/*
 * read_keys
 *		The relation keys pairs (key and value, as read_data collected
 *		them) as ForgeNestedRels.
 */
static List *
read_keys(ForgeRel *rel, List *pairs, bool insert)
{
	List	   *rels = NIL;
	ListCell   *lc;

	foreach(lc, pairs)
	{
		JsonbValue *kv = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		rels = lappend(rels, read_relation_key(rel, &kv[0], &kv[1], insert));
	}
	return rels;
}

/*
 * set_key_params
 *		A to-one action that runs first (a of nr) sets this row's key
 *		columns: append their assignments to *assigns, from parameters that
 *		nested.c binds (disconnect: null).  A column data sets itself too
 *		is an error.
 */
static void
set_key_params(ForgeStmt *st, ForgeNestedRel *nr, int a, List **assigns)
{
	ForgeRelation *r = nr->r;
	ForgeNestedContext ctx;
	ListCell   *lc;
	int			i;

	forge_nested_context_push(&ctx, a, nr->name, st->rel);
	for (i = 0; i < r->nkeys; i++)
	{
		int			col = forge_column_lookup(st->rel, r->local_names[i],
											  strlen(r->local_names[i]));

		foreach(lc, *assigns)
			if (((ForgeAssign *) lfirst(lc))->col == col)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("column \"%s\" of \"%s\" is set both directly and through relation \"%s\"",
								r->local_names[i], st->rel->relname, nr->name)));
	}
	for (i = 0; i < r->nkeys; i++)
	{
		int			col = forge_column_lookup(st->rel, r->local_names[i],
											  strlen(r->local_names[i]));
		ForgeColumn *c = &st->rel->cols[col];

		nr->params[i] = add_param(st, c->data->typid, (Datum) 0, true);
		*assigns = lappend(*assigns,
						   new_assign(col, FORGE_SET, nr->params[i]));
	}
	forge_nested_context_pop(&ctx);
}

/*
 * read_rels_actions
 *		Check every action of rels and read its items; a to-one action that
 *		runs first gets its key parameters in *assigns.
 */
static void
read_rels_actions(ForgeStmt *st, List *rels, List **assigns)
{
	ListCell   *lc;
	int			a;

	foreach(lc, rels)
	{
		ForgeNestedRel *nr = lfirst(lc);

		for (a = 0; a < FORGE_NUM_ACTIONS; a++)
		{
			if (!nr->has[a])
				continue;
			read_action(st->rel, nr, a);
			if (forge_nested_runs_first(nr, a))
				set_key_params(st, nr, a, assigns);
		}
	}
}

/*
 * upsert_first
 *		Whether rels (of an upsert's create or update) hold a to-one create,
 *		connect or connectOrCreate: it must run before the upsert, and only
 *		when the upsert takes its branch (nested.c, upsert_by_branch).  A
 *		disconnect only sets the key to null, in its branch's own SET.
 */
static bool
upsert_first(List *rels)
{
	ListCell   *lc;
	int			a;

	foreach(lc, rels)
	{
		ForgeNestedRel *nr = lfirst(lc);

		for (a = 0; a < FORGE_NUM_ACTIONS; a++)
			if (nr->has[a] && forge_nested_runs_first(nr, a) &&
				a != FORGE_NA_DISCONNECT)
				return true;
	}
	return false;
}

/*
 * read_nested
 *		Read the relation keys that read_data found in data or create
 *		(pairs) and in upsert's update (upairs) into st->nested, and give st
 *		the key parameters of the to-one actions that run first.  top: st
 *		is the SQL call's statement, args its descriptor.
 */
void
read_nested(ForgeStmt *st, List *pairs, List *upairs, bool top,
			JsonbContainer *args)
{
	ForgeRel   *rel = st->rel;
	ForgeNestedWrite *nw;

	if (pairs == NIL && upairs == NIL)
		return;
	nw = palloc0(sizeof(ForgeNestedWrite));
	nw->top = top;
	nw->args = args;
	nw->rels = read_keys(rel, pairs, st->verb == FORGE_CREATE ||
						 st->verb == FORGE_UPSERT);
	nw->urels = read_keys(rel, upairs, false);

	if (rel->pkey < 0 &&
		((top && (any_after(nw->rels) || any_after(nw->urels))) ||
		 needs_key(nw->rels) || needs_key(nw->urels)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
				 errmsg("nested writes through \"%s\" need a primary key on it",
						rel->relname),
				 errdetail("The row is read back, or changed again, by its primary key after the nested writes.")));
	if (st->verb == FORGE_UPSERT)
		nw->branch_first = upsert_first(nw->rels) || upsert_first(nw->urels);

	read_rels_actions(st, nw->rels, &st->assigns);
	read_rels_actions(st, nw->urels, &st->updates);

	nw->after = any_after(nw->rels) || any_after(nw->urels);
	/* on a Citus table related rows are read back (citus.c) */
	if (top && rel->citus != FORGE_CITUS_NONE &&
		(get_arg(args, "select") != NULL || get_arg(args, "include") != NULL))
		nw->after = true;
	st->nested = nw;
}

/*
 * read_back_select
 *		The row written is read back after the nested writes: the statement
 *		returns only its primary key and the columns of it that the
 *		relations refer to, so that a role that may read only some columns
 *		(and asks for those) needs SELECT on no other.
 */
void
read_back_select(ForgeStmt *st)
{
	ForgeRel   *rel = st->rel;
	ForgeUniqueKey *key = &rel->keys[rel->pkey];
	List	   *all = NIL;
	ListCell   *lc;
	int			i;

	for (i = 0; i < key->ncols; i++)
		st->select = list_append_unique_int(st->select, key->cols[i]);
	if (st->nested != NULL)
		all = list_concat_copy(st->nested->rels, st->nested->urels);
	foreach(lc, all)
	{
		ForgeRelation *r = ((ForgeNestedRel *) lfirst(lc))->r;

		for (i = 0; i < r->nkeys; i++)
			st->select = list_append_unique_int(st->select,
												forge_column_lookup(rel, r->local_names[i],
																	strlen(r->local_names[i])));
	}
}
