/*-------------------------------------------------------------------------
 *
 * read_part.c
 *		  Read the parts of nested writes: what a relation pins.
 *
 * nested.c runs each nested action as parts (ForgePart): the where, data,
 * create or update the descriptor gave (checked by read_nested.c), plus
 * the columns the relation pins to values of rows already written (a
 * parent's key, the related row's key): equalities added to the where,
 * at its top level so that a unique selector stays one or ANDed with it;
 * a relation filter to rows with a key; the rows a where does not select
 * (IS NOT TRUE); assignments added to data, create or update.  forge_read_part (descriptor.c) reads a part
 * with the helpers here.  Every pinned value becomes a parameter like any
 * other value; no descriptor is built.  Before a part is read, check_part
 * makes sure the descriptor's own where and data name nothing the
 * relation sets.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/read_part.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "reader.h"

/*
 * pinned
 *		Whether pins (may be NULL) hold column name (len bytes).
 */
static bool
pinned(const ForgePins *pins, const char *name, int len)
{
	int			i;

	for (i = 0; pins != NULL && i < pins->n; i++)
		if ((int) strlen(pins->cols[i]) == len &&
			memcmp(pins->cols[i], name, len) == 0)
			return true;
	return false;
}

/*
 * check_names
 *		No key of the object obj may name a column of pins, nor key: the
 *		nested write sets those itself.
 */
static void
check_names(JsonbValue *obj, const ForgePins *pins, const char *key,
			const char *what)
{
	JsonbIterator *it;
	JsonbValue	k,
				v;

	if (obj == NULL || (pins == NULL && key == NULL))
		return;
	it = JsonbIteratorInit(obj->val.binary.data);
	while (next_pair(&it, &k, &v))
	{
		CHECK_FOR_INTERRUPTS();
		if (pinned(pins, k.val.string.val, k.val.string.len) ||
			(key != NULL && key_is(&k, key)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s names \"%s\", which the relation sets",
							what, key_text(&k)),
					 errdetail("A nested write takes its key from the row it is nested in.")));
	}
}

/*
 * sets_pinned
 *		Whether the to-one relation back sets any column of pins: another
 *		foreign key that shares a column with the one the rows hold to this
 *		row (posts (author_id, org_id) -> members beside posts (author_id)
 *		-> users) moves them too when it connects or disconnects.
 */
static bool
sets_pinned(ForgeRelation *back, const ForgePins *pins)
{
	int			i;

	for (i = 0; i < back->nkeys; i++)
		if (pinned(pins, back->local_names[i], strlen(back->local_names[i])))
			return true;
	return false;
}

/*
 * check_keeps_key
 *		The data of a nested update, updateMany or upsert's update (data,
 *		an object) of rows that hold relation r's key to this row (pins)
 *		may not change that key: neither by its columns nor through a to-one
 *		relation of the related table that sets one of them (the same
 *		foreign key, or another sharing a column), which would move the
 *		rows to another parent.
 */
static void
check_keeps_key(ForgeRelation *r, JsonbValue *data, const ForgePins *pins)
{
	JsonbIterator *it = JsonbIteratorInit(data->val.binary.data);
	JsonbValue	k,
				v;
	ForgeRel   *child = NULL;

	while (next_pair(&it, &k, &v))
	{
		bool		clash = pinned(pins, k.val.string.val, k.val.string.len);

		if (!clash)
		{
			ForgeRelation *back;

			if (child == NULL)
				child = forge_rel_open(r->other, ACL_UPDATE, RowExclusiveLock);
			clash = forge_column_lookup(child, k.val.string.val,
										k.val.string.len) < 0 &&
				(back = forge_relation_lookup(child, k.val.string.val,
											  k.val.string.len)) != NULL &&
				back->kind == FORGE_TO_ONE &&
				(back->conoid == r->conoid || sets_pinned(back, pins));
		}
		if (clash)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the data of a nested write names \"%s\", which the relation sets",
							key_text(&k)),
					 errdetail("A nested write takes its key from the row it is nested in.")));
	}
}

/*
 * check_part
 *		Before a part is read: its data may not change the key the relation
 *		keeps, and its where and data may not name what the relation sets.
 */
void
check_part(ForgePart *p)
{
	if (p->keep != NULL)
	{
		JsonbValue *data = p->update != NULL ? p->update : p->data;

		if (data != NULL)
			check_keeps_key(p->keep, data, p->keep_pins);
	}
	if (!(p->and && p->where != NULL))
		check_names(p->where, p->wpins,
					p->wrel != NULL ? p->wrel : p->wnot != NULL ? "NOT" : NULL,
					"the where of a nested write");
	if (p->data != NULL && is_array(p->data))
	{
		JsonbIterator *it = JsonbIteratorInit(p->data->val.binary.data);
		JsonbValue	e;

		while (next_elem(&it, &e))
			check_names(&e, p->dpins, NULL, "the data of a nested write");
	}
	else
		check_names(p->data, p->dpins, NULL, "the data of a nested write");
}

/*
 * pin_filters
 *		Equalities of the columns of pins (on st->rel) to their values, as
 *		filters; with top, each remembers its value, as a top-level
 *		equality of a where does.
 */
List *
pin_filters(ForgeStmt *st, const ForgePins *pins, bool top)
{
	List	   *list = NIL;
	int			i;

	for (i = 0; pins != NULL && i < pins->n; i++)
	{
		int			col = forge_column_lookup(st->rel, pins->cols[i],
											  strlen(pins->cols[i]));

		if (col < 0)
			elog(ERROR, "column \"%s\" of a relation not found", pins->cols[i]);
		list = lappend(list, pin_filter(st, col, &pins->vals[i], top));
	}
	return list;
}

/*
 * read_part_where
 *		The where of a part: the where given (or none) with the pins, the
 *		relation filter and the NOT the relation adds, at its top level (so
 *		that a unique selector in it stays one) or, with p->and, ANDed with
 *		it.
 */
ForgeFilter *
read_part_where(ForgeStmt *st, ForgePart *p)
{
	ForgeFilter *f;
	bool		and = p->and && p->where != NULL;
	List	   *pins;
	ListCell   *lc;

	if (and)
	{
		f = palloc0(sizeof(ForgeFilter));
		f->kind = FORGE_F_AND;
		f->col = -1;
		f->args = list_make1(read_where(st, p->where->val.binary.data, 1));
	}
	else if (p->where != NULL)
	{
		f = read_where(st, p->where->val.binary.data, 0);
	}
	else
	{
		f = palloc0(sizeof(ForgeFilter));
		f->col = -1;
	}
	/* a one-row update's pins stay its unique selector (nested.c) */
	pins = pin_filters(st, p->wpins, !and || st->verb == FORGE_UPDATE);
	foreach(lc, pins)
		((ForgeFilter *) lfirst(lc))->connects = true;
	f->args = list_concat(f->args, pins);
	if (p->wrel != NULL)
	{
		ForgeRelation *r = forge_relation_by_key(st->rel, p->wrel_con,
												 p->wrel_join);
		ForgeFilter *rf;

		if (r == NULL)
			elog(ERROR, "relation \"%s\" of \"%s\" not found", p->wrel,
				 st->rel->relname);
		rf = pinned_relation_filter(st, r,
									p->wrel_is ? p->wrel_is->val.binary.data : NULL,
									p->wrel_pins);
		rf->connects = true;
		f->args = lappend(f->args, rf);
	}
	if (p->wnot != NULL)
	{
		/* rows the where does not select: false or null (a null key) */
		ForgeFilter *n = negate(read_where(st, p->wnot->val.binary.data, 1));

		n->kind = FORGE_F_NOT_TRUE;
		f->args = lappend(f->args, n);
	}
	f->kind = f->args == NIL ? FORGE_F_TRUE : FORGE_F_AND;
	return f;
}

/*
 * pin_assigns
 *		Assignments of the columns of pins to their values (or, with nulls,
 *		to null), each value a parameter.
 */
List *
pin_assigns(ForgeStmt *st, const ForgePins *pins, bool nulls)
{
	List	   *list = NIL;
	int			i;

	for (i = 0; pins != NULL && i < pins->n; i++)
	{
		int			col = forge_column_lookup(st->rel, pins->cols[i],
											  strlen(pins->cols[i]));
		ForgeColumn *c;
		int			param;

		if (col < 0)
			elog(ERROR, "column \"%s\" of a relation not found", pins->cols[i]);
		c = &st->rel->cols[col];
		if (c->generated != '\0')
			ereport(ERROR,
					(errcode(ERRCODE_GENERATED_ALWAYS),
					 errmsg("column \"%s\" is a generated column", c->name),
					 errdetail("Generated columns cannot be written.")));
		if (nulls)
			param = add_param(st, c->data->typid, (Datum) 0, true);
		else
			param = add_value_param(st, c, c->data, &pins->vals[i]);
		list = lappend(list, new_assign(col, FORGE_SET, param));
	}
	return list;
}

/*
 * pin_value
 *		The value pins (may be NULL) give column name, or NULL; with nulls,
 *		a JSON null.
 */
const JsonbValue *
pin_value(const ForgePins *pins, bool nulls, const char *name)
{
	static const JsonbValue null = {.type = jbvNull};
	int			i;

	for (i = 0; pins != NULL && i < pins->n; i++)
		if (strcmp(pins->cols[i], name) == 0)
			return nulls ? &null : &pins->vals[i];
	return NULL;
}
