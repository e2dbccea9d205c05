/*-------------------------------------------------------------------------
 *
 * shape.c
 *		  The plan-cache key of a ForgeStmt: its shape, computed by walking
 *		  the finished statement tree.
 *
 * Modelled on PostgreSQL's queryjumble.c, which computes a Query's
 * fingerprint by walking the finished Query and serializing the fields
 * that decide what the query does, never its constants.  Here the fields
 * are those deparse.c reads to write the SQL text, so that two statements
 * with equal keys deparse to the same text and prepare with the same
 * parameter types: that is what lets plancache.c reuse a plan by key.
 *
 * The walk mirrors deparse.c function by function (shape_filter mirrors
 * deparse_filter, with the same switch over the same node kinds, and so
 * on), appending what its twin reads where its twin reads it.  A change
 * to deparse.c that reads a new field, or reads one under a new condition,
 * changes the twin here in the same commit.  Builds with assertions (or
 * -DFORGE_CHECK_SHAPE) deparse every statement whose key found a cached
 * plan and compare the text with the plan's (plancache.c), which catches
 * a field forgotten here; sql/plan_shape.sql shows, field by field, that
 * statements differing in one decision get different plans.
 *
 * The key holds identities, not names: a table by OID, a column by attnum,
 * an operator and a type by OID.  A table's or column's name changes only
 * by DDL on that table, which also invalidates every plan that reads it,
 * and plancache.c rebuilds an invalid plan from fresh SQL text.  The name
 * of an operator's schema (or the extension's, for the upsert marker) can
 * change without invalidating a plan; the plan holds the operator by OID
 * and stays right, only the text it was made from, which events show,
 * names the old schema.  Facts of the cached table metadata (ForgeRel)
 * that the text depends on and that its OID does not settle (ONLY for a
 * table with inheritance children, whether Citus manages it, its primary
 * key's columns) are keyed where deparse.c reads them.  Values are never
 * part of the key; parameter numbers and the parameter types are.
 *
 * The key is bytes for plancache.c's memcmp: fixed-width integers, in
 * native byte order, never a struct (so no padding).  It must decode one
 * way only, or two different trees could share a key: every list is
 * preceded by its length, every string by its length, and every branch
 * the walk takes by what it branches on (a node kind, a flag).
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/shape.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "forge.h"

/*
 * key_bytes
 *		Append n bytes to the key.  Inline, with the room check first: the
 *		key of every call is built this way, field by field, so this is
 *		forge's hottest loop after the executor's.  The key needs no
 *		terminating zero (plancache.c compares lengths and bytes).
 */
static inline void
key_bytes(StringInfo key, const void *p, int n)
{
	if (key->len + n > key->maxlen)
		enlargeStringInfo(key, n);
	memcpy(key->data + key->len, p, n);
	key->len += n;
}

/*
 * key_byte, key_int16, key_int32, key_oid
 *		Append one fixed-width value to the key.
 */
static inline void
key_byte(StringInfo key, uint8 v)
{
	key_bytes(key, &v, sizeof(v));
}

static inline void
key_int16(StringInfo key, int16 v)
{
	key_bytes(key, &v, sizeof(v));
}

static inline void
key_int32(StringInfo key, int32 v)
{
	key_bytes(key, &v, sizeof(v));
}

static inline void
key_oid(StringInfo key, Oid v)
{
	key_bytes(key, &v, sizeof(v));
}

/*
 * shape_column
 *		Key column col of rel (deparse_column and every "alias.col"): its
 *		attnum; 0 for -1, the no-column entry of a select of relations only.
 */
static void
shape_column(StringInfo key, ForgeRel *rel, int col)
{
	key_int16(key, col < 0 ? 0 : rel->cols[col].attnum);
}

/*
 * shape_table
 *		Key table rel as deparse_table writes it: OID and ONLY.
 */
static void
shape_table(StringInfo key, ForgeRel *rel)
{
	key_oid(key, rel->relid);
	key_byte(key, rel->only);
}

/*
 * shape_pkey
 *		Key the columns of rel's primary key (forge_deparse_key,
 *		deparse_key_columns and an include's default order read them).
 */
static void
shape_pkey(StringInfo key, ForgeRel *rel)
{
	ForgeUniqueKey *pk;
	int			i;

	if (rel->pkey < 0)
	{
		key_int16(key, 0);
		return;
	}
	pk = &rel->keys[rel->pkey];
	key_int16(key, pk->ncols);
	for (i = 0; i < pk->ncols; i++)
		shape_column(key, rel, pk->cols[i]);
}

static void shape_filter(StringInfo key, ForgeFilter *f);

/*
 * shape_related_from
 *		Mirror of deparse_related_from: the related table (and join table)
 *		and each key comparison, by attnums and operator; live, and the
 *		soft-delete column it tests.
 */
static void
shape_related_from(StringInfo key, ForgeRelation *r, ForgeRel *outer,
				   int outer_level, ForgeRel *other, ForgeRel *joinrel,
				   bool live)
{
	int			i;

	key_byte(key, (uint8) r->kind);
	key_oid(key, outer->relid);
	key_int16(key, outer_level);
	shape_table(key, other);
	if (r->kind == FORGE_MANY_TO_MANY)
	{
		shape_table(key, joinrel);
		key_int16(key, r->njoin_foreign);
		for (i = 0; i < r->njoin_foreign; i++)
		{
			key_int16(key, r->foreign[i]);
			key_oid(key, r->eqop[i]);
			key_int16(key, r->join_foreign[i]);
		}
	}
	key_int16(key, r->nkeys);
	for (i = 0; i < r->nkeys; i++)
	{
		switch (r->kind)
		{
			case FORGE_TO_ONE:
			case FORGE_TO_MANY:
			case FORGE_ONE_TO_ONE:
				key_int16(key, r->local[i]);
				key_oid(key, r->eqop[i]);
				key_int16(key, r->foreign[i]);
				break;
			case FORGE_MANY_TO_MANY:
				key_int16(key, r->local[i]);
				key_oid(key, r->join_eqop[i]);
				key_int16(key, r->join_local[i]);
				break;
		}
	}
	key_byte(key, live);
	if (live)
		shape_column(key, other, other->softdelete);
}

/*
 * shape_relation_filter
 *		Mirror of deparse_relation_filter.
 */
static void
shape_relation_filter(StringInfo key, ForgeFilter *f)
{
	key_byte(key, (uint8) f->test);
	shape_related_from(key, f->relation, f->rel, f->level, f->other,
					   f->join, f->live);
	key_byte(key, f->args != NIL);
	if (f->args != NIL)
		shape_filter(key, linitial(f->args));
}

/*
 * shape_filter
 *		Mirror of deparse_filter: the node kind, then what that kind's SQL
 *		names.
 */
static void
shape_filter(StringInfo key, ForgeFilter *f)
{
	ListCell   *lc;

	check_stack_depth();
	key_byte(key, (uint8) f->kind);

	switch (f->kind)
	{
		case FORGE_F_TRUE:
			return;
		case FORGE_F_RELATION:
			shape_relation_filter(key, f);
			return;
		case FORGE_F_ISNULL:
		case FORGE_F_NOTNULL:
			key_int16(key, f->level);
			key_oid(key, f->rel->relid);
			shape_column(key, f->rel, f->col);
			return;
		case FORGE_F_NOT:
		case FORGE_F_NOT_TRUE:
		case FORGE_F_AND:
		case FORGE_F_OR:
			key_int32(key, list_length(f->args));
			foreach(lc, f->args)
				shape_filter(key, lfirst(lc));
			return;
		case FORGE_F_JSON:
			/* mirror of deparse_json_filter and deparse_json_value */
			key_int16(key, f->level);
			key_oid(key, f->rel->relid);
			shape_column(key, f->rel, f->col);
			key_byte(key, (uint8) f->jop);
			key_int32(key, f->param);
			key_int32(key, f->path_param);
			key_int32(key, f->type_param);
			return;
		case FORGE_F_CMP:
			break;
	}

	key_int16(key, f->level);
	key_oid(key, f->rel->relid);
	shape_column(key, f->rel, f->col);
	key_byte(key, (uint8) f->cmp);
	key_int32(key, f->param);
	/*
	 * LIKE, ILIKE, ILIKE ANY, the list filters and the lower() comparisons
	 * name fixed operators
	 */
	if (f->cmp < FORGE_LIKE)
		key_oid(key, forge_column_cmp_operator(&f->rel->cols[f->col], f->cmp));
}

/*
 * shape_where
 *		Mirror of deparse_where and of deparse_upsert_mark's where: none for
 *		no filter or TRUE.
 */
static void
shape_where(StringInfo key, ForgeFilter *where)
{
	if (where == NULL || where->kind == FORGE_F_TRUE)
	{
		key_byte(key, 0);
		return;
	}
	key_byte(key, 1);
	shape_filter(key, where);
}

/*
 * shape_assigns
 *		Mirror of deparse_assigns: column, operation, parameter and, for a
 *		number operation, its operator (a list operation's functions are
 *		fixed by its kind).
 */
static void
shape_assigns(StringInfo key, ForgeRel *rel, List *assigns)
{
	ListCell   *lc;

	key_int32(key, list_length(assigns));
	foreach(lc, assigns)
	{
		ForgeAssign *a = lfirst(lc);

		shape_column(key, rel, a->col);
		key_byte(key, (uint8) a->kind);
		switch (a->kind)
		{
			case FORGE_SET:
			case FORGE_PUSH:
			case FORGE_REMOVE:
			case FORGE_ADD_UNIQUE:
				key_int32(key, a->param);
				break;
			case FORGE_KEEP:
				break;
			case FORGE_INCREMENT:
			case FORGE_DECREMENT:
			case FORGE_MULTIPLY:
			case FORGE_DIVIDE:
				key_oid(key, rel->cols[a->col].arithopr[a->kind]);
				key_int32(key, a->param);
				break;
		}
	}
}

/*
 * shape_insert
 *		Mirror of deparse_insert (and of the INSERT of
 *		deparse_upsert_by_update): the columns and their parameters.
 */
static void
shape_insert(StringInfo key, ForgeRel *rel, List *assigns)
{
	ListCell   *lc;

	key_int32(key, list_length(assigns));
	foreach(lc, assigns)
	{
		ForgeAssign *a = lfirst(lc);

		shape_column(key, rel, a->col);
		key_int32(key, a->param);
	}
}

/*
 * shape_create_many
 *		Mirror of deparse_create_many: the columns with the types the
 *		record declares and whether every row gives them (else the CASE
 *		with the DEFAULT, which is the table's: its changes invalidate the
 *		plan), the columns a nested createMany's relation
 *		pins (each a parameter), and ON CONFLICT DO NOTHING.
 */
static void
shape_create_many(StringInfo key, ForgeStmt *st)
{
	int			i;

	key_int32(key, st->nmany);
	for (i = 0; i < st->nmany; i++)
	{
		ForgeColumn *c = &st->rel->cols[st->many_cols[i]];

		shape_column(key, st->rel, st->many_cols[i]);
		key_oid(key, c->typid);
		key_int32(key, c->typmod);
		key_byte(key, st->many_always[i]);
	}
	shape_insert(key, st->rel, st->assigns);
	key_byte(key, st->skip_duplicates);
}

static void shape_row(StringInfo key, ForgeRel *rel, int level, List *select,
					  List *includes);

/*
 * shape_order_key
 *		Mirror of deparse_order_key; with compare, also the operators
 *		deparse_order_compare names.
 */
static void
shape_order_key(StringInfo key, ForgeOrder *o, int level, bool compare)
{
	check_stack_depth();
	key_byte(key, o->relation == NULL ? 0 : o->sub == NULL ? 1 : 2);
	key_byte(key, o->desc);
	key_byte(key, o->nulls_first);
	if (o->relation == NULL)
	{
		ForgeColumn *c = &o->rel->cols[o->col];

		key_oid(key, o->rel->relid);
		shape_column(key, o->rel, o->col);
		if (compare)
		{
			key_oid(key, forge_column_cmp_operator(c, FORGE_EQ));
			key_oid(key, forge_column_cmp_operator(c, FORGE_LT));
			key_oid(key, forge_column_cmp_operator(c, FORGE_GT));
		}
		return;
	}
	shape_related_from(key, o->relation, o->rel, level, o->other, o->join,
					   o->live);
	if (o->sub != NULL)
		shape_order_key(key, o->sub, level + 1, compare);
}

/*
 * shape_include
 *		Mirror of deparse_include (and deparse_counts).
 */
static void
shape_include(StringInfo key, ForgeInclude *inc, ForgeRel *outer)
{
	ForgeRelation *r = inc->relation;
	bool		to_many;
	ListCell   *lc;

	if (r == NULL)
	{
		key_byte(key, 0xff);	/* no relation kind: the counts */
		key_int16(key, inc->level);
		key_int32(key, list_length(inc->counts));
		foreach(lc, inc->counts)
		{
			ForgeCount *c = lfirst(lc);
			int			len = strlen(c->name);

			key_int32(key, len);
			appendBinaryStringInfo(key, c->name, len);
			shape_related_from(key, c->relation, outer, inc->level, c->rel,
							   c->join, c->live);
			shape_where(key, c->where);
		}
		return;
	}
	to_many = r->kind == FORGE_TO_MANY || r->kind == FORGE_MANY_TO_MANY;
	key_byte(key, (uint8) r->kind);	/* before what depends on it */
	key_int16(key, inc->level);
	if (!to_many)
	{
		shape_row(key, inc->rel, inc->level, inc->select, inc->includes);
		shape_related_from(key, r, outer, inc->level - 1, inc->rel,
						   inc->join, inc->live);
		return;
	}

	key_int32(key, list_length(inc->order));
	foreach(lc, inc->order)
		shape_order_key(key, lfirst(lc), inc->level, inc->cursor != NULL);
	shape_row(key, inc->rel, inc->level, inc->select, inc->includes);
	shape_related_from(key, r, outer, inc->level - 1, inc->rel, inc->join,
					   inc->live);
	shape_where(key, inc->where);
	key_byte(key, inc->cursor != NULL);
	if (inc->cursor != NULL)
	{
		shape_table(key, inc->rel);
		shape_filter(key, inc->cursor);
		key_int16(key, inc->rel->citus_distcol);
		if (inc->rel->citus_distcol >= 0)
		{
			shape_column(key, inc->rel, inc->rel->citus_distcol);
			key_oid(key, inc->rel->cols[inc->rel->citus_distcol].eqopr);
		}
	}
	key_int32(key, inc->take);
	key_byte(key, inc->take_last);
	key_int32(key, inc->skip);
}

/*
 * shape_row
 *		Mirror of deparse_row: the selected columns (or the whole row), and
 *		each included relation under its name, which the text spells out.
 */
static void
shape_row(StringInfo key, ForgeRel *rel, int level, List *select,
		  List *includes)
{
	ListCell   *lc;

	key_int16(key, level);
	key_int32(key, list_length(select));
	foreach(lc, select)
		shape_column(key, rel, lfirst_int(lc));
	key_int32(key, list_length(includes));
	foreach(lc, includes)
	{
		ForgeInclude *inc = lfirst(lc);
		int			len = strlen(inc->name);

		key_int32(key, len);
		appendBinaryStringInfo(key, inc->name, len);
		shape_include(key, inc, rel);
	}
}

/*
 * shape_returning
 *		Mirror of deparse_returning.
 */
static void
shape_returning(StringInfo key, ForgeStmt *st)
{
	if (st->rel->citus != FORGE_CITUS_NONE)
		return;					/* RETURNING t.*; forge_shape keys the row */
	shape_row(key, st->rel, 0, st->select, st->includes);
}

/*
 * shape_many_where
 *		Mirror of deparse_many_where (and deparse_limited): the limit's
 *		parameter and the primary key it picks rows by, then the where.
 */
static void
shape_many_where(StringInfo key, ForgeStmt *st)
{
	key_int32(key, st->limit);
	if (st->limit > 0)
	{
		ForgeUniqueKey *pk = &st->rel->keys[st->rel->pkey];
		int			i;

		shape_pkey(key, st->rel);
		for (i = 0; i < pk->ncols; i++)
			key_oid(key, st->rel->cols[pk->cols[i]].eqopr);
	}
	shape_where(key, st->where);
}

/*
 * shape_on_conflict
 *		Mirror of deparse_on_conflict: the key's columns, the update, the
 *		guard parameter and the where of DO UPDATE.
 */
static void
shape_on_conflict(StringInfo key, ForgeStmt *st, ForgeUniqueKey *ukey)
{
	int			i;

	key_int16(key, ukey->ncols);
	for (i = 0; i < ukey->ncols; i++)
		shape_column(key, st->rel, ukey->cols[i]);
	shape_assigns(key, st->rel, st->updates);
	key_int32(key, st->guard);
	shape_where(key, st->where);
}

/*
 * shape_key_pins
 *		Mirror of deparse_key_pins: which filters of where pin key.
 */
static void
shape_key_pins(StringInfo key, ForgeFilter *where, ForgeUniqueKey *ukey)
{
	ListCell   *lc;
	int			i;

	foreach(lc, where->args)
	{
		ForgeFilter *f = lfirst(lc);
		bool		inkey = false;

		if (f->pinvalue != NULL)
			for (i = 0; i < ukey->ncols; i++)
				inkey |= (ukey->cols[i] == f->col);
		if (!inkey && !f->connects)
			continue;
		key_byte(key, 1);
		shape_filter(key, f);
	}
	key_byte(key, 0);
}

/*
 * forge_shape
 *		Append the plan-cache key of stmt to key: the mirror of
 *		forge_deparse, then the parameter types SPI_prepare takes.
 */
void
forge_shape(StringInfo key, ForgeStmt *st)
{
	ForgeRel   *rel = st->rel;
	bool		citus = rel->citus != FORGE_CITUS_NONE;
	int			i;

	/*
	 * What decides forge_deparse's wrapping (verb, Citus, keys) and the
	 * primary key the wrappings name.
	 */
	key_byte(key, (uint8) st->verb);
	shape_table(key, rel);
	key_byte(key, (uint8) rel->citus);	/* the kind: deparse_limited,
										 * returns_in_key_order */
	key_byte(key, st->with_keys);
	if (st->with_keys)
		shape_pkey(key, rel);
	key_byte(key, st->returning);

	switch (st->verb)
	{
		case FORGE_CREATE:
			shape_insert(key, rel, st->assigns);
			shape_returning(key, st);
			break;

		case FORGE_CREATE_MANY:
			shape_create_many(key, st);
			break;

		case FORGE_UPDATE:
		case FORGE_UPDATE_MANY:
			shape_assigns(key, rel, st->assigns);
			shape_many_where(key, st);
			if (st->verb == FORGE_UPDATE)
				shape_returning(key, st);
			break;

		case FORGE_UPSERT:
			{
				ForgeUniqueKey *ukey = &rel->keys[st->conflict_key];

				key_byte(key, st->by_update);
				if (st->by_update)
				{
					/* mirror of deparse_upsert_by_update */
					shape_assigns(key, rel, st->updates);
					shape_where(key, st->where);
					shape_returning(key, st);
					shape_insert(key, rel, st->assigns);
					shape_key_pins(key, st->where, ukey);
					key_byte(key, st->find_first);
					if (st->find_first)
						shape_on_conflict(key, st, ukey);
					break;
				}
				shape_insert(key, rel, st->assigns);
				shape_on_conflict(key, st, ukey);
				shape_returning(key, st);
				break;
			}

		case FORGE_FIND:
			shape_row(key, rel, 0, st->select, st->includes);
			shape_where(key, st->where);
			key_byte(key, st->lock);
			break;

		case FORGE_DELETE:
		case FORGE_DELETE_MANY:
			shape_many_where(key, st);
			if (st->verb == FORGE_DELETE)
				shape_returning(key, st);
			break;

		case FORGE_SOFT_DELETE:
		case FORGE_SOFT_DELETE_MANY:
		case FORGE_RESTORE:
		case FORGE_RESTORE_MANY:
			elog(ERROR, "a soft-delete verb is read into an update");
			break;
		case FORGE_CREATE_MANY_RETURN:
		case FORGE_UPDATE_MANY_RETURN:
			elog(ERROR, "unexpected statement verb %d", (int) st->verb);
			break;
	}

	/*
	 * an "and return" verb's rows, built over the CTE t; an updateMany's
	 * in primary key order
	 */
	if (st->returning)
	{
		shape_row(key, rel, 0, st->select, st->includes);
		shape_pkey(key, rel);	/* returns_in_key_order */
	}

	/*
	 * a Citus row is built over the CTE t, outside the write (an upsert's
	 * of every column by name, and it returns its branch: the verb keys it)
	 */
	if (citus && st->verb != FORGE_CREATE_MANY &&
		st->verb != FORGE_UPDATE_MANY && st->verb != FORGE_DELETE_MANY &&
		st->verb != FORGE_FIND)
		shape_row(key, rel, 0, forge_citus_row_select(st), st->includes);

	/* SPI_prepare's argument types */
	key_int32(key, st->nparams);
	for (i = 0; i < st->nparams; i++)
		key_oid(key, st->types[i]);
}
