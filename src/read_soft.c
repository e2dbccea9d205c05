/*-------------------------------------------------------------------------
 *
 * read_soft.c
 *		  Soft delete in the reader: the four soft-delete verbs, and the
 *		  filter that leaves soft-deleted rows out of what a descriptor
 *		  selects.
 *
 * A table declares its soft-delete column with the tag @softDelete in the
 * column's comment (catalog.c reads it into ForgeRel.softdelete).  A row
 * whose column is not null is soft-deleted.  forge_soft_delete and
 * forge_restore (one row, by a unique selector) and their _many forms (any
 * where) are each one UPDATE of that column: to the transaction's start
 * time, or to null.  Soft-deleting selects live rows only and restoring
 * deleted rows only, so neither rewrites the other's rows: a second
 * forge_soft_delete of a row is P2025 and keeps the first deletion time.
 *
 * Every other verb leaves soft-deleted rows out of what its where selects
 * (soft_where: an IS NULL test ANDed to the where), and out of includes and
 * relation filters (soft_live, which marks the node, for deparse.c),
 * unless the descriptor says "withDeleted": true.  The IS NULL node is an
 * ordinary filter node, so shape.c keys it like any other.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/read_soft.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"

#include "reader.h"

/*
 * read_with_deleted
 *		The "withDeleted" of args, the SQL call's descriptor: false when
 *		absent.
 */
bool
read_with_deleted(JsonbContainer *args)
{
	JsonbValue *v = get_arg(args, "withDeleted");

	if (v == NULL)
		return false;
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"withDeleted\" must be true or false, not %s",
						forge_json_type_name(v))));
	return v->val.boolean;
}

/*
 * soft_live
 *		Whether an include or relation filter of st that reads the table
 *		other leaves its soft-deleted rows out.
 */
bool
soft_live(ForgeStmt *st, ForgeRel *other)
{
	return other->softdelete >= 0 && !st->with_deleted;
}

/*
 * soft_filter
 *		where AND (the soft-delete column of st's table IS [NOT] NULL).
 */
static ForgeFilter *
soft_filter(ForgeStmt *st, ForgeFilter *where, bool live)
{
	ForgeFilter *f = palloc0(sizeof(ForgeFilter));
	ForgeFilter *and;

	f->kind = live ? FORGE_F_ISNULL : FORGE_F_NOTNULL;
	f->col = st->rel->softdelete;
	f->rel = st->rel;
	f->level = 0;
	if (where == NULL || where->kind == FORGE_F_TRUE)
		return f;
	if (where->kind == FORGE_F_AND)
	{
		/* keep the where's own conditions at the top, where pins are found */
		where->args = lappend(where->args, f);
		return where;
	}
	and = palloc0(sizeof(ForgeFilter));
	and->kind = FORGE_F_AND;
	and->col = -1;
	and->rel = st->rel;
	and->args = list_make2(where, f);
	return and;
}

/*
 * soft_where
 *		The user's where of st with soft-deleted rows left out (live), or
 *		as it is: the table has no soft-delete column, or the descriptor
 *		said "withDeleted".
 */
ForgeFilter *
soft_where(ForgeStmt *st, ForgeFilter *where, bool live)
{
	if (st->rel->softdelete < 0 || st->with_deleted)
		return where;
	return soft_filter(st, where, live);
}

/*
 * read_soft
 *		Read the descriptor args of verb, a soft-delete verb, into st (an
 *		update): its where (a unique selector for the one-row verbs), ANDed
 *		with the column's null test that picks the rows the verb changes,
 *		and the one assignment, of the transaction's start time or null.
 */
void
read_soft(ForgeStmt *st, ForgeVerb verb, JsonbContainer *args)
{
	ForgeRel   *rel = st->rel;
	bool		one = (verb == FORGE_SOFT_DELETE || verb == FORGE_RESTORE);
	bool		restore = (verb == FORGE_RESTORE || verb == FORGE_RESTORE_MANY);
	ForgeColumn *c;
	int			param;

	if (rel->softdelete < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("table \"%s\" has no soft-delete column", rel->model),
				 errdetail("%s needs a column whose comment has the tag @softDelete.",
						   forge_verb_name(verb)),
				 errhint("Declare one, for example: COMMENT ON COLUMN %s.deleted_at IS '@softDelete'.",
						 rel->qualname)));
	c = &rel->cols[rel->softdelete];

	/*
	 * The transaction's start time, as now() gives it: every row one
	 * transaction soft-deletes carries the same time.  A timestamp column
	 * takes that instant's UTC wall-clock time (its internal value), as
	 * Prisma stores a DateTime.
	 */
	if (restore)
		param = add_param(st, c->data->typid, (Datum) 0, true);
	else
		param = add_param(st, c->data->typid,
						  TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
						  false);
	st->assigns = list_make1(new_assign(rel->softdelete, FORGE_SET, param));

	/* while the where is read, its errors name the verb called */
	st->verb = verb;
	st->where = read_where_arg(st, args, one);
	if (one)
		find_unique_key(st, st->where, false);
	st->verb = forge_verb_base(verb);
	st->where = soft_filter(st, st->where, !restore);
}
