/*-------------------------------------------------------------------------
 *
 * deparse.c
 *		  Turn a ForgeStmt into the SQL text of one parameterised statement.
 *
 * Modelled on postgres_fdw's deparse.c: each function appends to the
 * caller's StringInfo.  Values never appear in the text: they are the $n
 * parameters descriptor.c numbered.  Every relation is schema-qualified and
 * quoted, every column quoted, and every operator written as
 * OPERATOR(schema.op) with the schema the operator really lives in (found
 * through the type's default btree operator class, never the caller's
 * search_path), so nothing in search_path can redirect the statement.
 *
 * Qualifying is not enough where another role may create objects: in a
 * schema other than pg_catalog, an operator whose argument types match the
 * operands more exactly (a domain column, say) would beat the one meant.
 * So the operands of an operator outside pg_catalog are cast to its exact
 * argument types (deparse_compare), and every function the text calls is a
 * pg_catalog one, called by its qualified name.  The one object of the
 * extension's own schema that the text names is the upsert's update-branch
 * marker, a prefix operator on exactly pg_catalog.bool applied to a bool
 * constant (deparse_upsert_mark): an exact operator match is looked up
 * directly and only one operator can have that name and argument type in
 * a schema, so nothing created there can be chosen instead (a function
 * call could be made ambiguous or, if polymorphic, out-matched).
 *
 * The target table is aliased "t", so that an update's right-hand side,
 * ON CONFLICT DO UPDATE and RETURNING all read the row as t.col.
 *
 * On a Citus table (citus.c) the statement runs on the worker that holds
 * the row, and Citus allows only IMMUTABLE functions in RETURNING, where
 * to_jsonb and jsonb_build_object are STABLE.  So there the write returns
 * t.* from a CTE named t, and the row is built from it on the coordinator:
 * WITH t AS (... RETURNING t.*) SELECT to_jsonb(t.*) FROM t; every other
 * part of the text reads the row as t.col as before.  Plain tables keep
 * the plain RETURNING, which test/bench measured cheaper than the CTE.
 *
 * This runs only when the plan cache misses.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/deparse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "miscadmin.h"
#include "rewrite/rewriteHandler.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "forge.h"

/* jsonb_build_object takes at most this many key/value pairs */
#define BUILD_OBJECT_PAIRS 50

/*
 * deparse_alias
 *		Append the alias of level: t for the statement's table, rN for a
 *		related table N relations deep.
 */
static void
deparse_alias(StringInfo buf, int level)
{
	if (level == 0)
		appendStringInfoChar(buf, 't');
	else
		appendStringInfo(buf, "r%d", level);
}

/*
 * deparse_column
 *		Append column col of rel, qualified by the alias t when qualified.
 */
static void
deparse_column(StringInfo buf, ForgeRel *rel, int col, bool qualified)
{
	if (qualified)
		appendStringInfoString(buf, "t.");
	appendStringInfoString(buf, quote_identifier(rel->cols[col].name));
}

/*
 * deparse_table
 *		Append table rel as a statement reads or changes it: its qualified
 *		name, after ONLY when it has inheritance children (catalog.c).
 */
static void
deparse_table(StringInfo buf, ForgeRel *rel)
{
	if (rel->only)
		appendStringInfoString(buf, "ONLY ");
	appendStringInfoString(buf, rel->qualname);
}

/*
 * deparse_operator
 *		Append OPERATOR(schema.name) for operator opr.
 */
static void
deparse_operator(StringInfo buf, Oid opr)
{
	HeapTuple	tup;
	Form_pg_operator form;
	char	   *nspname;

	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opr));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", opr);
	form = (Form_pg_operator) GETSTRUCT(tup);
	nspname = get_namespace_name(form->oprnamespace);
	appendStringInfo(buf, " OPERATOR(%s.%s) ",
					 quote_identifier(nspname), NameStr(form->oprname));
	ReleaseSysCache(tup);
}

/*
 * deparse_operand
 *		Append operand expr, cast to typid unless cast is false or typid is
 *		a pseudo-type (which no expression can be cast to).  The cast has no
 *		typmod: a bare "bit" or "character" would mean bit(1) or char(1)
 *		and cut the operand.
 */
static void
deparse_operand(StringInfo buf, const char *expr, Oid typid, bool cast)
{
	if (!cast || get_typtype(typid) == TYPTYPE_PSEUDO)
	{
		appendStringInfoString(buf, expr);
		return;
	}
	appendStringInfo(buf, "(%s)::%s", expr,
					 format_type_extended(typid, -1, FORMAT_TYPE_TYPEMOD_GIVEN |
										  FORMAT_TYPE_FORCE_QUALIFY));
}

/*
 * forge_deparse_compare
 *		Append "lhs OPERATOR(schema.op) rhs" for operator opr.  Outside
 *		pg_catalog, where another role may have CREATE, both operands are
 *		cast to the operator's exact argument types, so that no overload
 *		created there can match them better.  rhs_typed says rhs already has
 *		the right operand's exact type (a parameter, or ANY of one).
 */
void
forge_deparse_compare(StringInfo buf, const char *lhs, Oid opr,
					  const char *rhs, bool rhs_typed)
{
	HeapTuple	tup;
	Form_pg_operator form;
	bool		cast;

	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opr));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", opr);
	form = (Form_pg_operator) GETSTRUCT(tup);
	cast = form->oprnamespace != PG_CATALOG_NAMESPACE;
	deparse_operand(buf, lhs, form->oprleft, cast);
	appendStringInfo(buf, " OPERATOR(%s.%s) ",
					 quote_identifier(get_namespace_name(form->oprnamespace)),
					 NameStr(form->oprname));
	deparse_operand(buf, rhs, form->oprright, cast && !rhs_typed);
	ReleaseSysCache(tup);
}

/*
 * attr_text
 *		alias.column for attribute attnum of table relid, palloc'd.
 */
static char *
attr_text(const char *alias, Oid relid, AttrNumber attnum)
{
	return psprintf("%s.%s", alias,
					quote_identifier(get_attname(relid, attnum, false)));
}

/*
 * deparse_filter
 *		Append filter f as a parenthesised boolean expression.
 */
static void deparse_filter(StringInfo buf, ForgeFilter *f);

/*
 * deparse_related_from
 *		Append "FROM related AS rN [JOIN join AS jN ON ...] WHERE link": the
 *		rows of relation r related to the row aliased at outer_level of
 *		table outer.  The keys compare with the foreign key's own equality
 *		operators.  live: only the related rows that are not soft-deleted
 *		(other's soft-delete column is null).
 */
static void
deparse_related_from(StringInfo buf, ForgeRelation *r, ForgeRel *outer,
					 int outer_level, ForgeRel *other, ForgeRel *joinrel,
					 bool live)
{
	StringInfoData outer_alias,
				inner,
				join;
	int			i;

	forge_citus_check_relation(outer, r);
	initStringInfo(&outer_alias);
	initStringInfo(&inner);
	initStringInfo(&join);
	deparse_alias(&outer_alias, outer_level);
	deparse_alias(&inner, outer_level + 1);
	appendStringInfo(&join, "j%d", outer_level + 1);

	appendStringInfoString(buf, " FROM ");
	deparse_table(buf, other);
	appendStringInfo(buf, " AS %s", inner.data);
	if (r->kind == FORGE_MANY_TO_MANY)
	{
		appendStringInfoString(buf, " JOIN ");
		deparse_table(buf, joinrel);
		appendStringInfo(buf, " AS %s ON (", join.data);
		for (i = 0; i < r->njoin_foreign; i++)
		{
			if (i > 0)
				appendStringInfoString(buf, " AND ");
			forge_deparse_compare(buf, attr_text(inner.data, r->other, r->foreign[i]),
							r->eqop[i],
							attr_text(join.data, r->join, r->join_foreign[i]),
							false);
		}
		appendStringInfoChar(buf, ')');
	}
	appendStringInfoString(buf, " WHERE ");
	for (i = 0; i < r->nkeys; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, " AND ");
		switch (r->kind)
		{
			case FORGE_TO_ONE:
				forge_deparse_compare(buf, attr_text(inner.data, r->other, r->foreign[i]),
								r->eqop[i],
								attr_text(outer_alias.data, outer->relid, r->local[i]),
								false);
				break;
			case FORGE_TO_MANY:
			case FORGE_ONE_TO_ONE:
				forge_deparse_compare(buf, attr_text(outer_alias.data, outer->relid, r->local[i]),
								r->eqop[i],
								attr_text(inner.data, r->other, r->foreign[i]),
								false);
				break;
			case FORGE_MANY_TO_MANY:
				forge_deparse_compare(buf, attr_text(outer_alias.data, outer->relid, r->local[i]),
								r->join_eqop[i],
								attr_text(join.data, r->join, r->join_local[i]),
								false);
				break;
		}
	}
	if (live)
		appendStringInfo(buf, " AND %s.%s IS NULL", inner.data,
						 quote_identifier(other->cols[other->softdelete].name));
}


/*
 * deparse_relation_filter
 *		Append a relation filter: [NOT] EXISTS (SELECT 1 FROM the related
 *		rows WHERE the related filter); EVERY as NOT EXISTS of a related row
 *		for which the filter is not true.
 */
static void
deparse_relation_filter(StringInfo buf, ForgeFilter *f)
{
	appendStringInfoString(buf, f->test == FORGE_SOME ? "(EXISTS (SELECT 1" :
						   "(NOT EXISTS (SELECT 1");
	deparse_related_from(buf, f->relation, f->rel, f->level, f->other,
						 f->join, f->live);
	if (f->args != NIL)
	{
		appendStringInfoString(buf, " AND ");
		deparse_filter(buf, linitial(f->args));
		if (f->test == FORGE_EVERY)
			appendStringInfoString(buf, " IS NOT TRUE");
	}
	appendStringInfoString(buf, "))");
}

/*
 * deparse_json_value
 *		Append the jsonb value a json filter tests: column c of the row at
 *		level (cast to jsonb unless it is one: json, or a domain), or with
 *		path_param what "#> $path" extracts; with as_text, the text of it
 *		("#>>", which is a JSON string's contents), for the LIKE tests.
 */
static void
deparse_json_value(StringInfo buf, ForgeColumn *c, int level, int path_param,
				   bool as_text)
{
	appendStringInfoChar(buf, '(');
	if (c->typid == JSONBOID)
	{
		deparse_alias(buf, level);
		appendStringInfo(buf, ".%s", quote_identifier(c->name));
	}
	else
	{
		appendStringInfoChar(buf, '(');
		deparse_alias(buf, level);
		appendStringInfo(buf, ".%s)::pg_catalog.jsonb", quote_identifier(c->name));
	}
	if (as_text)
	{
		if (path_param > 0)
			appendStringInfo(buf, " OPERATOR(pg_catalog.#>>) $%d", path_param);
		else
			appendStringInfoString(buf, " OPERATOR(pg_catalog.#>>) '{}'::pg_catalog.text[]");
	}
	else if (path_param > 0)
		appendStringInfo(buf, " OPERATOR(pg_catalog.#>) $%d", path_param);
	appendStringInfoChar(buf, ')');
}

/*
 * deparse_json_filter
 *		Append a json filter (Prisma's Json filters, compiled as Prisma 7
 *		compiles them for PostgreSQL): equality, SQL NULL at a path,
 *		comparison with a value of the same JSON type, LIKE on a JSON
 *		string, containment and first or last element of a JSON array.
 */
static void
deparse_json_filter(StringInfo buf, ForgeFilter *f)
{
	ForgeColumn *c = &f->rel->cols[f->col];
	static const char *const cmp_ops[] = {"<", "<=", ">", ">="};
	const char *typname = NULL;

	appendStringInfoChar(buf, '(');
	switch (f->jop)
	{
		case FORGE_J_EQ:
			deparse_json_value(buf, c, f->level, f->path_param, false);
			appendStringInfo(buf, " OPERATOR(pg_catalog.=) $%d)", f->param);
			return;
		case FORGE_J_DBNULL:
			deparse_json_value(buf, c, f->level, f->path_param, false);
			appendStringInfoString(buf, " IS NULL)");
			return;
		case FORGE_J_LT:
		case FORGE_J_LE:
		case FORGE_J_GT:
		case FORGE_J_GE:
			deparse_json_value(buf, c, f->level, f->path_param, false);
			appendStringInfo(buf, " OPERATOR(pg_catalog.%s) $%d AND pg_catalog.jsonb_typeof(",
							 cmp_ops[f->jop - FORGE_J_LT], f->param);
			deparse_json_value(buf, c, f->level, f->path_param, false);
			appendStringInfo(buf, ") OPERATOR(pg_catalog.=) $%d)", f->type_param);
			return;
		case FORGE_J_LIKE:
		case FORGE_J_ILIKE:
			deparse_json_value(buf, c, f->level, f->path_param, true);
			appendStringInfo(buf, " OPERATOR(pg_catalog.%s) $%d",
							 f->jop == FORGE_J_LIKE ? "~~" : "~~*", f->param);
			typname = "string";
			break;
		case FORGE_J_ARRAY_CONTAINS:
			deparse_json_value(buf, c, f->level, f->path_param, false);
			appendStringInfo(buf, " OPERATOR(pg_catalog.@>) $%d", f->param);
			typname = "array";
			break;
		case FORGE_J_ARRAY_STARTS:
		case FORGE_J_ARRAY_ENDS:
			appendStringInfoChar(buf, '(');
			deparse_json_value(buf, c, f->level, f->path_param, false);
			appendStringInfo(buf, " OPERATOR(pg_catalog.->) %s) OPERATOR(pg_catalog.=) $%d",
							 f->jop == FORGE_J_ARRAY_STARTS ? "0" : "(-1)", f->param);
			typname = "array";
			break;
	}
	appendStringInfoString(buf, " AND pg_catalog.jsonb_typeof(");
	deparse_json_value(buf, c, f->level, f->path_param, false);
	appendStringInfo(buf, ") OPERATOR(pg_catalog.=) '%s')", typname);
}

static void
deparse_filter(StringInfo buf, ForgeFilter *f)
{
	ForgeColumn *c;
	ListCell   *lc;

	check_stack_depth();
	c = f->col >= 0 ? &f->rel->cols[f->col] : NULL;

	switch (f->kind)
	{
		case FORGE_F_TRUE:
			appendStringInfoString(buf, "true");
			return;
		case FORGE_F_RELATION:
			deparse_relation_filter(buf, f);
			return;
		case FORGE_F_ISNULL:
		case FORGE_F_NOTNULL:
			appendStringInfoChar(buf, '(');
			deparse_alias(buf, f->level);
			appendStringInfo(buf, ".%s", quote_identifier(c->name));
			appendStringInfoString(buf, f->kind == FORGE_F_ISNULL ?
								   " IS NULL)" : " IS NOT NULL)");
			return;
		case FORGE_F_NOT:
			if (f->args == NIL)
			{
				appendStringInfoString(buf, "true");
				return;
			}
			appendStringInfoString(buf, "(NOT ");
			deparse_filter(buf, linitial(f->args));
			appendStringInfoChar(buf, ')');
			return;
		case FORGE_F_NOT_TRUE:
			appendStringInfoChar(buf, '(');
			deparse_filter(buf, linitial(f->args));
			appendStringInfoString(buf, " IS NOT TRUE)");
			return;
		case FORGE_F_AND:
		case FORGE_F_OR:
			if (f->args == NIL)
			{
				appendStringInfoString(buf, f->kind == FORGE_F_AND ? "true" : "false");
				return;
			}
			appendStringInfoChar(buf, '(');
			foreach(lc, f->args)
			{
				if (lc != list_head(f->args))
					appendStringInfoString(buf, f->kind == FORGE_F_AND ?
										   " AND " : " OR ");
				deparse_filter(buf, lfirst(lc));
			}
			appendStringInfoChar(buf, ')');
			return;
		case FORGE_F_JSON:
			deparse_json_filter(buf, f);
			return;
		case FORGE_F_CMP:
			break;
	}

	{
		StringInfoData lhs;
		char	   *rhs = psprintf("$%d", f->param);
		Oid			opr;

		initStringInfo(&lhs);
		deparse_alias(&lhs, f->level);
		appendStringInfo(&lhs, ".%s", quote_identifier(c->name));
		appendStringInfoChar(buf, '(');
		if (f->cmp == FORGE_LIKE || f->cmp == FORGE_ILIKE)
		{
			appendStringInfo(buf, "%s OPERATOR(pg_catalog.%s) %s)", lhs.data,
							 f->cmp == FORGE_LIKE ? "~~" : "~~*", rhs);
			return;
		}
		switch (f->cmp)
		{
			case FORGE_ILIKE_ANY:
				appendStringInfo(buf, "%s OPERATOR(pg_catalog.~~*) ANY (%s))",
								 lhs.data, rhs);
				return;
			case FORGE_HAS_EVERY:
			case FORGE_HAS_SOME:
				appendStringInfo(buf, "%s OPERATOR(pg_catalog.%s) %s)", lhs.data,
								 f->cmp == FORGE_HAS_EVERY ? "@>" : "&&", rhs);
				return;
			case FORGE_IS_EMPTY:
				/* '{}' takes the column's array type; a GIN index serves = */
				appendStringInfo(buf, "%s OPERATOR(pg_catalog.=) '{}')", lhs.data);
				return;
			case FORGE_LOWER_LT:
			case FORGE_LOWER_LE:
			case FORGE_LOWER_GT:
			case FORGE_LOWER_GE:
				/* text's own operators, under the column's collation */
				appendStringInfo(buf, "pg_catalog.lower((%s)::pg_catalog.text) OPERATOR(pg_catalog.%s) pg_catalog.lower(%s))",
								 lhs.data,
								 f->cmp == FORGE_LOWER_LT ? "<" :
								 f->cmp == FORGE_LOWER_LE ? "<=" :
								 f->cmp == FORGE_LOWER_GT ? ">" : ">=",
								 rhs);
				return;
			default:
				break;
		}
		if (f->cmp == FORGE_IN)
			rhs = psprintf("ANY ($%d)", f->param);
		opr = forge_column_cmp_operator(c, f->cmp);
		forge_deparse_compare(buf, lhs.data, opr, rhs, true);
		appendStringInfoChar(buf, ')');
	}
}

/*
 * deparse_where
 *		Append " WHERE filter", unless there is no filter.
 */
static void
deparse_where(StringInfo buf, ForgeFilter *where)
{
	if (where == NULL || where->kind == FORGE_F_TRUE)
		return;
	appendStringInfoString(buf, " WHERE ");
	deparse_filter(buf, where);
}

/*
 * deparse_upsert_mark
 *		Append the DO UPDATE's WHERE: the update-branch marker, which tells
 *		exec.c that ON CONFLICT took the update branch (it is evaluated only
 *		there), and the upsert's where.  The marker is the prefix operator
 *		<@~@> on pg_catalog.bool of the extension's schema
 *		(forge_extension_schema); see the file header for why an operator.  A
 *		row the where then rejects is not returned, and the call fails with
 *		P2025, so marking before the where is evaluated is harmless.  DO
 *		UPDATE SET holds only the user's values.
 */
static void
deparse_upsert_mark(StringInfo buf, ForgeStmt *st, ForgeUniqueKey *key)
{
	Oid			nsp = forge_extension_schema();
	ForgeRel   *rel = st->rel;
	ForgeFilter *where = st->where;
	int			i;

	/*
	 * nested.c may hold the update branch back (upsert_by_branch), after
	 * the marker: a CASE keeps the order, which the planner may change
	 * between ANDed conditions.
	 */
	if (rel->citus != FORGE_CITUS_NONE)
	{
		/*
		 * On a Citus table the statement runs on a worker, where the
		 * marker could not reach this backend (and Citus allows no
		 * volatile function there): the write returns whether it updated
		 * instead (deparse_returning)
		 */
		if (st->guard > 0)
			appendStringInfo(buf, " WHERE ($%d)", st->guard);
		else
			appendStringInfoString(buf, " WHERE true");
	}
	else if (st->guard > 0)
		appendStringInfo(buf, " WHERE (CASE WHEN (OPERATOR(%s.<@~@>) true) THEN $%d ELSE false END)",
						 quote_identifier(get_namespace_name(nsp)), st->guard);
	else
		appendStringInfo(buf, " WHERE (OPERATOR(%s.<@~@>) true)",
						 quote_identifier(get_namespace_name(nsp)));

	/*
	 * The conflicting row must be the row the where selects.  ON CONFLICT
	 * (col) takes every unique index over those columns as an arbiter,
	 * whatever its collation: under a case-insensitive unique index a
	 * where of "ABC" conflicts with the row "abc", which forge's equality
	 * (the column's) does not select.  So each key column is compared
	 * again, as the where compares it, with the value the row was to be
	 * created with (the where's, merge_pins): a conflicting row that the
	 * where does not select is neither updated nor returned (P2025).
	 */
	for (i = 0; i < key->ncols; i++)
	{
		ForgeColumn *c = &rel->cols[key->cols[i]];
		ListCell   *lc;

		foreach(lc, st->assigns)
		{
			ForgeAssign *a = lfirst(lc);

			if (a->col == key->cols[i] && a->kind == FORGE_SET)
			{
				char	   *lhs = psprintf("t.%s", quote_identifier(c->name));
				char	   *rhs = psprintf("$%d", a->param);

				appendStringInfoString(buf, " AND (");
				forge_deparse_compare(buf, lhs, c->eqopr, rhs, false);
				appendStringInfoChar(buf, ')');
				break;
			}
		}
	}
	if (where == NULL || where->kind == FORGE_F_TRUE)
		return;
	appendStringInfoString(buf, " AND ");
	deparse_filter(buf, where);
}

/*
 * deparse_list_op
 *		Append the new value of array column col under the list operation
 *		of a (push, remove, addUnique) with its array parameter: an
 *		expression over the stored value t.col, so that the row's lock
 *		orders concurrent writers and none loses another's elements.
 *		  push:      array_cat(t.col, $n)   (a null list becomes $n)
 *		  remove:    the elements of t.col, in order, that $n does not hold
 *		             (a null list stays null)
 *		  addUnique: t.col, then the elements of $n, in order, that neither
 *		             t.col nor an earlier element of $n holds
 *		array_position compares with the element type's default equality
 *		and finds nulls too.  Every function is pg_catalog's, named so.
 */
static void
deparse_list_op(StringInfo buf, ForgeRel *rel, ForgeAssign *a)
{
	const char *col = quote_identifier(rel->cols[a->col].name);

	switch (a->kind)
	{
		case FORGE_PUSH:
			appendStringInfo(buf, "pg_catalog.array_cat(t.%s, $%d)",
							 col, a->param);
			break;
		case FORGE_REMOVE:
			appendStringInfo(buf,
							 "CASE WHEN t.%s IS NULL THEN t.%s ELSE "
							 "ARRAY(SELECT u.e FROM pg_catalog.unnest(t.%s) "
							 "WITH ORDINALITY AS u(e, o) "
							 "WHERE pg_catalog.array_position($%d, u.e) IS NULL "
							 "ORDER BY u.o) END",
							 col, col, col, a->param);
			break;
		case FORGE_ADD_UNIQUE:
			appendStringInfo(buf,
							 "pg_catalog.array_cat(t.%s, "
							 "ARRAY(SELECT u.e FROM pg_catalog.unnest($%d) "
							 "WITH ORDINALITY AS u(e, o) "
							 "WHERE pg_catalog.array_position(t.%s, u.e) IS NULL "
							 "AND pg_catalog.array_position($%d, u.e) "
							 "OPERATOR(pg_catalog.=) u.o ORDER BY u.o))",
							 col, a->param, col, a->param);
			break;
		default:
			elog(ERROR, "unexpected list operation %d", (int) a->kind);
	}
}

/*
 * deparse_assigns
 *		Append the SET list of an UPDATE or DO UPDATE.
 */
static void
deparse_assigns(StringInfo buf, ForgeRel *rel, List *assigns)
{
	ListCell   *lc;

	appendStringInfoString(buf, " SET ");
	foreach(lc, assigns)
	{
		ForgeAssign *a = lfirst(lc);

		if (lc != list_head(assigns))
			appendStringInfoString(buf, ", ");
		deparse_column(buf, rel, a->col, false);
		appendStringInfoString(buf, " = ");
		switch (a->kind)
		{
			case FORGE_SET:
				appendStringInfo(buf, "$%d", a->param);
				break;
			case FORGE_KEEP:
				deparse_column(buf, rel, a->col, true);
				break;
			case FORGE_INCREMENT:
			case FORGE_DECREMENT:
			case FORGE_MULTIPLY:
			case FORGE_DIVIDE:
				deparse_column(buf, rel, a->col, true);
				deparse_operator(buf, rel->cols[a->col].arithopr[a->kind]);
				appendStringInfo(buf, "$%d", a->param);
				break;
			case FORGE_PUSH:
			case FORGE_REMOVE:
			case FORGE_ADD_UNIQUE:
				deparse_list_op(buf, rel, a);
				break;
		}
	}
}

/*
 * deparse_insert
 *		Append INSERT INTO rel AS t (cols) VALUES ($n, ...), or DEFAULT
 *		VALUES for an empty row.
 */
static void
deparse_insert(StringInfo buf, ForgeRel *rel, List *assigns)
{
	ListCell   *lc;

	appendStringInfo(buf, "INSERT INTO %s AS t ", rel->qualname);
	if (assigns == NIL)
	{
		appendStringInfoString(buf, "DEFAULT VALUES");
		return;
	}
	appendStringInfoChar(buf, '(');
	foreach(lc, assigns)
	{
		if (lc != list_head(assigns))
			appendStringInfoString(buf, ", ");
		deparse_column(buf, rel, ((ForgeAssign *) lfirst(lc))->col, false);
	}
	appendStringInfoString(buf, ") VALUES (");
	foreach(lc, assigns)
	{
		if (lc != list_head(assigns))
			appendStringInfoString(buf, ", ");
		appendStringInfo(buf, "$%d", ((ForgeAssign *) lfirst(lc))->param);
	}
	appendStringInfoChar(buf, ')');
}

/*
 * deparse_default
 *		Append the DEFAULT of column col of rel, cast to the column's type
 *		without a typmod (the default is already of the column's: a bare
 *		"bit" or "character" would be bit(1) or char(1), and cut it):
 *		what INSERT would put there (the column's default, its domain's, an
 *		identity's next value, or NULL).  It is the operator <@~~@> of the
 *		extension's schema on the table's OID and the column's number
 *		(forge_column_default), which evaluates the stored expression
 *		itself, as the caller, like the INSERT's own default would, and
 *		gives it as text, which the cast reads back.  Deparsing the
 *		expression to text would have its names looked up again in the
 *		caller's search_path, where another role's function with a
 *		better-matching signature (a concat(text, text) beside pg_catalog's
 *		variadic one) would be called in place of the one the default
 *		names.  And the default cannot be a function called by name with a
 *		polymorphic argument giving the type: a role with CREATE on the
 *		extension's schema could add an exact-type overload that would be
 *		called instead, as the caller.  An operator of exact argument types
 *		is looked up directly, and a schema holds one per name and types
 *		(see deparse_upsert_mark).
 */
static void
deparse_default(StringInfo buf, ForgeRel *rel, int col)
{
	ForgeColumn *c = &rel->cols[col];
	bool		xml = getBaseType(c->typid) == XMLOID;

	/*
	 * xml's input reads a document or content as xmloption says, so a
	 * content default (text beside an element) would not read back under
	 * xmloption = document, where INSERT's own default is not read at all:
	 * XMLPARSE (CONTENT ... PRESERVE WHITESPACE) reads any value xml holds
	 * (a document too) and keeps its text as it is.
	 */
	if (xml)
		appendStringInfoString(buf, "XMLPARSE(CONTENT ");
	appendStringInfo(buf,
					 "('%u'::pg_catalog.oid OPERATOR(%s.<@~~@>) '%d'::pg_catalog.int2)",
					 rel->relid,
					 quote_identifier(get_namespace_name(forge_extension_schema())),
					 (int) c->attnum);
	if (xml)
		appendStringInfoString(buf, " PRESERVE WHITESPACE)");
	appendStringInfo(buf, "::%s",
					 format_type_extended(c->typid, -1,
										  FORMAT_TYPE_TYPEMOD_GIVEN |
										  FORMAT_TYPE_FORCE_QUALIFY));
}

/*
 * ColumnDefault: forge_column_default's cache, in fn_extra: the column whose
 * default it evaluates, the expression ready to run and its context, and
 * the output function of the expression's type.
 */
typedef struct ColumnDefault
{
	Oid			relid;
	AttrNumber	attnum;
	ExprState  *state;			/* NULL when the column has no default */
	ExprContext *econtext;
	FmgrInfo	output;
} ColumnDefault;

/*
 * default_text
 *		value written by output function output, a float with all its
 *		digits (extra_float_digits at least 1, as the caller's may be less),
 *		a date or time in ISO style, whatever the caller's DateStyle (its
 *		SQL, Postgres and German styles write a timestamptz's zone as an
 *		abbreviation, which input reads by timezone_abbreviations: under
 *		timezone Asia/Kolkata "IST" read back as Israel's, 3.5 hours off;
 *		ISO writes the offset, and reads back under every DateStyle).
 */
static char *
default_text(FmgrInfo *output, Datum value)
{
	int			save_digits = extra_float_digits;
	int			save_style = DateStyle;
	char	   *out;

	if (extra_float_digits < 1)
		extra_float_digits = 1;
	DateStyle = USE_ISO_DATES;
	PG_TRY();
	{
		out = OutputFunctionCall(output, value);
	}
	PG_FINALLY();
	{
		extra_float_digits = save_digits;
		DateStyle = save_style;
	}
	PG_END_TRY();
	return out;
}

PG_FUNCTION_INFO_V1(forge_column_default);

/*
 * forge_column_default
 *		forge_column_default(rel oid, attnum int2) returns text, the operator
 *		oid <@~~@> int2: the value of column attnum's DEFAULT of table rel
 *		(NULL when it has none), evaluated from the catalog's expression,
 *		whose functions and operators are bound by OID, as text (the
 *		statement casts it to the column's type).  It runs as the caller,
 *		who must be allowed to INSERT into the column: what could evaluate
 *		the default (advance its sequence) is what an INSERT could.  A float
 *		is written with all its digits (extra_float_digits at least 1), and
 *		a date or time in ISO style (default_text), so the cast reads back
 *		the value itself whatever the caller set.
 */
Datum
forge_column_default(PG_FUNCTION_ARGS)
{
	ColumnDefault *cd = (ColumnDefault *) fcinfo->flinfo->fn_extra;
	Oid			relid;
	AttrNumber	attnum;
	Datum		value;
	bool		isnull;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	relid = PG_GETARG_OID(0);
	attnum = PG_GETARG_INT16(1);

	if (cd == NULL || cd->relid != relid || cd->attnum != attnum)
	{
		MemoryContext old;
		Relation	r;
		Node	   *expr;

		r = table_open(relid, AccessShareLock);
		if (attnum < 1 || attnum > RelationGetNumberOfAttributes(r) ||
			TupleDescAttr(RelationGetDescr(r), attnum - 1)->attisdropped)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column number %d of table \"%s\" does not exist",
							(int) attnum, RelationGetRelationName(r))));
		if (pg_class_aclcheck(relid, GetUserId(), ACL_INSERT) != ACLCHECK_OK &&
			pg_attribute_aclcheck(relid, attnum, GetUserId(), ACL_INSERT) != ACLCHECK_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied for table %s",
							RelationGetRelationName(r))));

		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		if (cd == NULL)
			cd = palloc0(sizeof(ColumnDefault));
		cd->relid = relid;
		cd->attnum = attnum;
		cd->state = NULL;
		expr = build_column_default(r, attnum);
		if (expr != NULL)
		{
			Oid			typoutput;
			bool		varlena;

			cd->state = ExecInitExpr((Expr *) expression_planner((Expr *) expr), NULL);
			if (cd->econtext == NULL)
				cd->econtext = CreateStandaloneExprContext();
			getTypeOutputInfo(exprType(expr), &typoutput, &varlena);
			fmgr_info_cxt(typoutput, &cd->output, fcinfo->flinfo->fn_mcxt);
		}
		MemoryContextSwitchTo(old);
		table_close(r, AccessShareLock);
		fcinfo->flinfo->fn_extra = cd;
	}

	if (cd->state == NULL)
		PG_RETURN_NULL();
	ResetExprContext(cd->econtext);
	value = ExecEvalExprSwitchContext(cd->state, cd->econtext, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(default_text(&cd->output, value)));
}

/*
 * deparse_many_columns
 *		Append the column definitions of createMany's rows, as
 *		jsonb_to_record(set) reads them: a json column as jsonb (its value
 *		travels wrapped, json_wrap_rows), another as its type.
 */
static void
deparse_many_columns(StringInfo buf, ForgeStmt *st)
{
	ForgeRel   *rel = st->rel;
	int			i;

	for (i = 0; i < st->nmany; i++)
	{
		ForgeColumn *c = &rel->cols[st->many_cols[i]];

		if (i > 0)
			appendStringInfoString(buf, ", ");
		if (c->isjson)
			appendStringInfo(buf, "%s pg_catalog.jsonb",
							 quote_identifier(c->name));
		else
		{
			Oid			typid = c->typid;
			int32		typmod = c->typmod;

			/*
			 * A domain column some rows leave out is read as its
			 * base type: jsonb_to_record gives such a row NULL,
			 * which a NOT NULL domain refuses before the CASE
			 * could take the default.  The INSERT checks the domain.
			 */
			if (!st->many_always[i])
				typid = getBaseTypeAndTypmod(typid, &typmod);
			appendStringInfo(buf, "%s %s", quote_identifier(c->name),
							 format_type_extended(typid, typmod,
												  FORMAT_TYPE_TYPEMOD_GIVEN |
												  FORMAT_TYPE_FORCE_QUALIFY));
		}
	}
}

/*
 * deparse_create_many
 *		Append the INSERT of createMany: one SELECT over the rows of the jsonb
 *		array $1 in their order (WITH ORDINALITY ... ORDER BY), each read by
 *		jsonb_to_record into the columns any row gives.  A column that every
 *		row gives is read as it is; one that some row leaves out is
 *		CASE WHEN the row has the key THEN its value ELSE the column's
 *		DEFAULT END (deparse_default).  A nested createMany also sets, in
 *		every row, the columns its relation pins (st->assigns, each a
 *		parameter).
 */
static void
deparse_create_many(StringInfo buf, ForgeStmt *st)
{
	ForgeRel   *rel = st->rel;
	ListCell   *lc;
	int			i;
	bool		uniform = st->nmany > 0;

	for (i = 0; i < st->nmany; i++)
		uniform &= st->many_always[i];

	appendStringInfo(buf, "INSERT INTO %s AS t ", rel->qualname);
	if (st->nmany == 0 && st->assigns == NIL)
		appendStringInfoString(buf, "SELECT FROM pg_catalog.jsonb_array_elements($1)");
	else
	{
		appendStringInfoChar(buf, '(');
		for (i = 0; i < st->nmany; i++)
		{
			if (i > 0)
				appendStringInfoString(buf, ", ");
			deparse_column(buf, rel, st->many_cols[i], false);
		}
		foreach(lc, st->assigns)
		{
			if (i++ > 0)
				appendStringInfoString(buf, ", ");
			deparse_column(buf, rel, ((ForgeAssign *) lfirst(lc))->col, false);
		}
		appendStringInfoString(buf, ") SELECT ");
		for (i = 0; i < st->nmany; i++)
		{
			ForgeColumn *c = &rel->cols[st->many_cols[i]];
			const char *name = quote_identifier(c->name);

			if (i > 0)
				appendStringInfoString(buf, ", ");
			if (!st->many_always[i])
			{
				appendStringInfoString(buf, "CASE WHEN e.j OPERATOR(pg_catalog.?) ");
				appendStringInfoString(buf, quote_literal_cstr(c->name));
				appendStringInfoString(buf, " THEN ");
			}
			if (c->isjson)
				/* json_wrap_rows wrapped the value: [v], or null */
				appendStringInfo(buf, "CAST((r.%s OPERATOR(pg_catalog.->) 0) AS %s)",
								 name,
								 format_type_extended(c->typid, c->typmod,
													  FORMAT_TYPE_TYPEMOD_GIVEN |
													  FORMAT_TYPE_FORCE_QUALIFY));
			else
				appendStringInfo(buf, "r.%s", name);
			if (!st->many_always[i])
			{
				appendStringInfoString(buf, " ELSE ");
				deparse_default(buf, rel, st->many_cols[i]);
				appendStringInfoString(buf, " END");
			}
		}
		foreach(lc, st->assigns)
		{
			if (i++ > 0)
				appendStringInfoString(buf, ", ");
			appendStringInfo(buf, "$%d", ((ForgeAssign *) lfirst(lc))->param);
		}
		if (uniform)
		{
			/*
			 * Every row gives every column: one function scan, which
			 * returns the rows in the array's order and the INSERT takes
			 * them in that order (no join, no sort to reorder them).
			 */
			appendStringInfoString(buf, " FROM pg_catalog.jsonb_to_recordset($1) AS r(");
			deparse_many_columns(buf, st);
			appendStringInfoChar(buf, ')');
		}
		else
		{
			appendStringInfoString(buf, " FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY AS e(j, o)");
			if (st->nmany > 0)
			{
				appendStringInfoString(buf, " CROSS JOIN LATERAL pg_catalog.jsonb_to_record(e.j) AS r(");
				deparse_many_columns(buf, st);
				appendStringInfoChar(buf, ')');
			}
			appendStringInfoString(buf, " ORDER BY e.o");
		}
	}
	if (st->skip_duplicates)
		appendStringInfoString(buf, " ON CONFLICT DO NOTHING");
}

/*
 * forge_deparse_key
 *		Append the primary key of the row alias as jsonb: the value of a
 *		one-column key, an array for a compound one.
 */
void
forge_deparse_key(StringInfo buf, ForgeRel *rel, const char *alias)
{
	ForgeUniqueKey *key = &rel->keys[rel->pkey];
	int			i;

	if (key->ncols == 1)
	{
		appendStringInfo(buf, "pg_catalog.to_jsonb(%s.%s)", alias,
						 quote_identifier(rel->cols[key->cols[0]].name));
		return;
	}
	appendStringInfoString(buf, "pg_catalog.jsonb_build_array(");
	for (i = 0; i < key->ncols; i++)
		appendStringInfo(buf, "%s%s.%s", i > 0 ? ", " : "", alias,
						 quote_identifier(rel->cols[key->cols[i]].name));
	appendStringInfoChar(buf, ')');
}

static void deparse_row(StringInfo buf, ForgeRel *rel, int level,
						List *select, List *includes);

/*
 * deparse_order_key
 *		Append the value orderBy entry o orders the row aliased at level
 *		by: its column, a to-one relation's value (a correlated subquery,
 *		null without a related row) or a to-many relation's count.
 */
static void
deparse_order_key(StringInfo buf, ForgeOrder *o, int level)
{
	ForgeOrder *leaf;

	check_stack_depth();
	if (o->relation == NULL)
	{
		deparse_alias(buf, level);
		appendStringInfo(buf, ".%s", quote_identifier(o->rel->cols[o->col].name));
		return;
	}
	for (leaf = o; leaf->sub != NULL; leaf = leaf->sub)
		;
	/* a _count through a to-one without a related row is 0, as in Prisma */
	if (o->sub != NULL && leaf->relation != NULL)
		appendStringInfoString(buf, "COALESCE(");
	appendStringInfoString(buf, "(SELECT ");
	if (o->sub == NULL)
		appendStringInfoString(buf, "pg_catalog.count(*)");
	else
		deparse_order_key(buf, o->sub, level + 1);
	deparse_related_from(buf, o->relation, o->rel, level, o->other, o->join,
						 o->live);
	appendStringInfoChar(buf, ')');
	if (o->sub != NULL && leaf->relation != NULL)
		appendStringInfoString(buf, ", 0)");
}

/*
 * deparse_order_compare
 *		Append the comparison cmp (FORGE_EQ, FORGE_LT or FORGE_GT) of
 *		entry o's value for the rows at levels a and b: by the operator of
 *		the column's default btree operator class (the one ORDER BY sorts
 *		with), bigint's for a _count.
 */
static void
deparse_order_compare(StringInfo buf, ForgeOrder *o, int a, int b,
					  ForgeCmp cmp)
{
	StringInfoData lhs,
				rhs;
	ForgeOrder *leaf = o;

	while (leaf->sub != NULL)
		leaf = leaf->sub;
	initStringInfo(&lhs);
	initStringInfo(&rhs);
	deparse_order_key(&lhs, o, a);
	deparse_order_key(&rhs, o, b);
	if (leaf->relation != NULL)
		appendStringInfo(buf, "%s OPERATOR(pg_catalog.%s) %s", lhs.data,
						 cmp == FORGE_EQ ? "=" : cmp == FORGE_LT ? "<" : ">",
						 rhs.data);
	else
		forge_deparse_compare(buf, lhs.data,
							  forge_column_cmp_operator(&leaf->rel->cols[leaf->col], cmp),
							  rhs.data, false);
}

/*
 * deparse_cursor_order
 *		Append whether the row at level a sorts at or after the row at
 *		level b in order (from entry lc on): lexicographically, each entry
 *		in its direction with nulls first or last, as ORDER BY sorts them.
 */
static void
deparse_cursor_order(StringInfo buf, List *order, const ListCell *lc,
					 int a, int b)
{
	ForgeOrder *o = lfirst(lc);
	StringInfoData x,
				y;
	const ListCell *next = lnext(order, lc);

	check_stack_depth();
	initStringInfo(&x);
	initStringInfo(&y);
	deparse_order_key(&x, o, a);
	deparse_order_key(&y, o, b);
	/* after: a sorts after b */
	appendStringInfoString(buf, "(COALESCE(");
	deparse_order_compare(buf, o, a, b, o->desc ? FORGE_LT : FORGE_GT);
	appendStringInfo(buf, ", %s IS %sNULL AND %s IS %sNULL)",
					 x.data, o->nulls_first ? "NOT " : "",
					 y.data, o->nulls_first ? "" : "NOT ");
	/* or equal, and the rest at or after */
	appendStringInfoString(buf, " OR (COALESCE(");
	deparse_order_compare(buf, o, a, b, FORGE_EQ);
	appendStringInfo(buf, ", %s IS NULL AND %s IS NULL)", x.data, y.data);
	if (next != NULL)
	{
		appendStringInfoString(buf, " AND ");
		deparse_cursor_order(buf, order, next, a, b);
	}
	appendStringInfoString(buf, "))");
}

/*
 * deparse_counts
 *		Append the _count object of inc: for each relation, the number of
 *		its rows related to the row at inc->level (that match its where).
 */
static void
deparse_counts(StringInfo buf, ForgeInclude *inc, ForgeRel *outer)
{
	ListCell   *lc;
	int			n = 0;

	foreach(lc, inc->counts)
	{
		ForgeCount *c = lfirst(lc);

		if (n % BUILD_OBJECT_PAIRS == 0)
			appendStringInfoString(buf, n == 0 ?
								   "pg_catalog.jsonb_build_object(" :
								   ") OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(");
		else
			appendStringInfoString(buf, ", ");
		appendStringInfo(buf, "%s, (SELECT pg_catalog.count(*)",
						 quote_literal_cstr(c->name));
		deparse_related_from(buf, c->relation, outer, inc->level, c->rel,
							 c->join, c->live);
		if (c->where != NULL && c->where->kind != FORGE_F_TRUE)
		{
			appendStringInfoString(buf, " AND ");
			deparse_filter(buf, c->where);
		}
		appendStringInfoChar(buf, ')');
		n++;
	}
	appendStringInfoString(buf, n > 0 ? ")" : "'{}'::pg_catalog.jsonb");
}

/*
 * deparse_include
 *		Append the value of an included relation: for a to-many, a jsonb
 *		array of the related rows (in orderBy order, ties broken by the
 *		primary key; from the cursor row's place in that order on; LIMIT
 *		take OFFSET skip), [] when none; for a to-one, the related row or
 *		null; for _count, the counts.  One correlated subquery per
 *		relation, aggregated in the database.
 */
static void
deparse_include(StringInfo buf, ForgeInclude *inc, ForgeRel *outer)
{
	ForgeRelation *r = inc->relation;
	bool		to_many;
	StringInfoData order;
	ListCell   *lc;

	if (r == NULL)
	{
		deparse_counts(buf, inc, outer);
		return;
	}
	to_many = r->kind == FORGE_TO_MANY || r->kind == FORGE_MANY_TO_MANY;
	if (!to_many)
	{
		appendStringInfoString(buf, "(SELECT ");
		deparse_row(buf, inc->rel, inc->level, inc->select, inc->includes);
		deparse_related_from(buf, r, outer, inc->level - 1, inc->rel,
							 inc->join, inc->live);
		appendStringInfoChar(buf, ')');
		return;
	}

	initStringInfo(&order);
	foreach(lc, inc->order)
	{
		ForgeOrder *o = lfirst(lc);

		appendStringInfoString(&order, lc == list_head(inc->order) ? " ORDER BY " : ", ");
		deparse_order_key(&order, o, inc->level);
		if (o->desc)
			appendStringInfoString(&order, " DESC");
		if (o->nulls_first != o->desc)
			appendStringInfoString(&order, o->nulls_first ? " NULLS FIRST" :
								   " NULLS LAST");
	}
	appendStringInfo(buf, "(SELECT COALESCE(pg_catalog.jsonb_agg(s%d.j ORDER BY s%d.o),"
					 " '[]'::pg_catalog.jsonb) FROM (SELECT ",
					 inc->level, inc->level);
	deparse_row(buf, inc->rel, inc->level, inc->select, inc->includes);
	appendStringInfo(buf, " AS j, pg_catalog.row_number() OVER (%s) AS o",
					 order.len > 0 ? order.data + 1 : "");
	deparse_related_from(buf, r, outer, inc->level - 1, inc->rel,
							 inc->join, inc->live);
	if (inc->where != NULL && inc->where->kind != FORGE_F_TRUE)
	{
		appendStringInfoString(buf, " AND ");
		deparse_filter(buf, inc->where);
	}
	if (inc->cursor != NULL)
	{
		/* the cursor row is any row of the table, related or not */
		appendStringInfoString(buf, " AND EXISTS (SELECT 1 FROM ");
		deparse_table(buf, inc->rel);
		appendStringInfoString(buf, " AS ");
		deparse_alias(buf, inc->level + 1);
		appendStringInfoString(buf, " WHERE ");
		deparse_filter(buf, inc->cursor);
		if (inc->rel->citus_distcol >= 0)
		{
			/*
			 * Citus joins two rows of a distributed table only on its
			 * distribution column: the cursor row is on the shard of the
			 * rows it places (a cursor row of another distribution value
			 * matches none, as a missing one)
			 */
			StringInfoData lhs,
						rhs;
			const char *dist = quote_identifier(inc->rel->cols[inc->rel->citus_distcol].name);

			initStringInfo(&lhs);
			initStringInfo(&rhs);
			deparse_alias(&lhs, inc->level + 1);
			appendStringInfo(&lhs, ".%s", dist);
			deparse_alias(&rhs, inc->level);
			appendStringInfo(&rhs, ".%s", dist);
			appendStringInfoString(buf, " AND (");
			forge_deparse_compare(buf, lhs.data,
								  inc->rel->cols[inc->rel->citus_distcol].eqopr,
								  rhs.data, false);
			appendStringInfoChar(buf, ')');
		}
		appendStringInfoString(buf, " AND ");
		deparse_cursor_order(buf, inc->order, list_head(inc->order),
							 inc->level, inc->level + 1);
		appendStringInfoChar(buf, ')');
	}
	/* a negative take: the last rows, still aggregated in order (o) */
	appendStringInfoString(buf, inc->take_last ? " ORDER BY 2 DESC" : order.data);
	if (inc->take > 0)
		appendStringInfo(buf, " LIMIT $%d", inc->take);
	if (inc->skip > 0)
		appendStringInfo(buf, " OFFSET $%d", inc->skip);
	appendStringInfo(buf, ") s%d)", inc->level);
}

/*
 * is_list_column
 *		Whether c is a scalar list: an array column (or a domain over one).
 */
static bool
is_list_column(const ForgeColumn *c)
{
	return c->data->category == TYPCATEGORY_ARRAY && !c->isjson;
}

/*
 * deparse_column_value
 *		Append the value of column col of the row aliased at level, for a
 *		returned row: the column itself, but a scalar list that is NULL as
 *		the empty JSON array.  Prisma's scalar lists are never null (its
 *		client reads a NULL array as []), and a Prisma user's code indexes
 *		and spreads them, so forge returns them the same way; the table
 *		keeps the NULL, which where filters still see (isEmpty does not
 *		match it, as in Prisma).
 */
static void
deparse_column_value(StringInfo buf, ForgeRel *rel, int level, int col)
{
	const char *name = quote_identifier(rel->cols[col].name);

	if (!is_list_column(&rel->cols[col]))
	{
		deparse_alias(buf, level);
		appendStringInfo(buf, ".%s", name);
		return;
	}
	appendStringInfoString(buf, "COALESCE(pg_catalog.to_jsonb(");
	deparse_alias(buf, level);
	appendStringInfo(buf, ".%s), '[]'::pg_catalog.jsonb)", name);
}

/*
 * deparse_row
 *		Append the row aliased at level of table rel as jsonb: every column
 *		through to_jsonb, or the selected ones through jsonb_build_object,
 *		and the included relations.
 */
static void
deparse_row(StringInfo buf, ForgeRel *rel, int level, List *select,
			List *includes)
{
	ListCell   *lc;
	int			n = 0;

	if (select == NIL)
	{
		int			i;

		appendStringInfoString(buf, "pg_catalog.to_jsonb(");
		deparse_alias(buf, level);
		appendStringInfoString(buf, ".*)");
		/* a NULL list comes back as [] (deparse_column_value) */
		for (i = 0; i < rel->ncols; i++)
		{
			if (!is_list_column(&rel->cols[i]))
				continue;
			appendStringInfo(buf, " OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(%s, ",
							 quote_literal_cstr(rel->cols[i].name));
			deparse_column_value(buf, rel, level, i);
			appendStringInfoChar(buf, ')');
		}
	}
	else
	{
		foreach(lc, select)
		{
			int			col = lfirst_int(lc);

			if (col < 0)		/* a select of relations only */
				continue;
			if (n % BUILD_OBJECT_PAIRS == 0)
				appendStringInfoString(buf, n == 0 ?
									   "pg_catalog.jsonb_build_object(" :
									   ") OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(");
			else
				appendStringInfoString(buf, ", ");
			appendStringInfo(buf, "%s, ",
							 quote_literal_cstr(rel->cols[col].name));
			deparse_column_value(buf, rel, level, col);
			n++;
		}
		appendStringInfoString(buf, n > 0 ? ")" : "'{}'::pg_catalog.jsonb");
	}
	foreach(lc, includes)
	{
		ForgeInclude *inc = lfirst(lc);

		appendStringInfo(buf, " OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(%s, ",
						 quote_literal_cstr(inc->name));
		deparse_include(buf, inc, rel);
		appendStringInfoChar(buf, ')');
	}
}

/*
 * deparse_returning
 *		Append RETURNING the row as jsonb (deparse_row), and its primary key
 *		when the event wants keys.
 */
static void
deparse_returning(StringInfo buf, ForgeStmt *st)
{
	if (st->rel->citus != FORGE_CITUS_NONE)
	{
		/* the row is built over the CTE t (see forge_deparse) */
		appendStringInfoString(buf, " RETURNING t.*");

		/*
		 * an upsert's branch: a row ON CONFLICT updated carries this
		 * transaction's xmax, a row inserted none
		 */
		if (st->verb == FORGE_UPSERT)
			appendStringInfo(buf, ", (NOT (t.xmax OPERATOR(pg_catalog.=) '0'::pg_catalog.xid)) AS %s",
							 FORGE_CITUS_UPDATED);
		return;
	}
	appendStringInfoString(buf, " RETURNING ");
	deparse_row(buf, st->rel, 0, st->select, st->includes);
	if (st->with_keys)
	{
		appendStringInfoString(buf, ", ");
		forge_deparse_key(buf, st->rel, "t");
	}
}

/*
 * deparse_key_pins
 *		Append the equalities of where (an AND of filters, as the reader
 *		leaves an upsert's) that pin the columns of key, and the filters a
 *		nested write's relation added (the row is connected), ANDed; "true"
 *		when there are none.
 */
static void
deparse_key_pins(StringInfo buf, ForgeFilter *where, ForgeUniqueKey *key)
{
	ListCell   *lc;
	bool		first = true;
	int			i;

	foreach(lc, where->args)
	{
		ForgeFilter *f = lfirst(lc);
		bool		inkey = false;

		if (f->pinvalue != NULL)
			for (i = 0; i < key->ncols; i++)
				inkey |= (key->cols[i] == f->col);
		if (!inkey && !f->connects)
			continue;
		if (!first)
			appendStringInfoString(buf, " AND ");
		first = false;
		deparse_filter(buf, f);
	}
	if (first)
		appendStringInfoString(buf, "true");
}

/*
 * deparse_on_conflict
 *		Append an upsert's ON CONFLICT (the key's columns) DO UPDATE SET its
 *		update, WHERE the update-branch marker and its where
 *		(deparse_upsert_mark).
 */
static void
deparse_on_conflict(StringInfo buf, ForgeStmt *st, ForgeUniqueKey *key)
{
	int			i;

	appendStringInfoString(buf, " ON CONFLICT (");
	for (i = 0; i < key->ncols; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		deparse_column(buf, st->rel, key->cols[i], false);
	}
	appendStringInfoString(buf, ") DO UPDATE");
	deparse_assigns(buf, st->rel, st->updates);
	deparse_upsert_mark(buf, st, key);
}

/*
 * deparse_upsert_by_update
 *		Append an upsert whose created row does not carry the where's key
 *		(create leaves out a key column with a default or identity, which
 *		the row takes instead), so ON CONFLICT on it could never fire, or a
 *		nested upsert that must create when the row with the key is not
 *		connected: update the row the where selects (with the update-branch
 *		marker), else, if no row has the pinned key (and, nested, is
 *		connected), insert the create row, as Prisma's own upsert does.
 *		A row that has the key but fails the rest of the where is neither,
 *		so nothing is returned (P2025).  Both parts read one snapshot: a
 *		row another session writes meanwhile with that key is not seen,
 *		and under READ COMMITTED two sessions may both insert (as two
 *		Prisma upserts, which read then write, may).
 *
 *		With st->find_first (a nested upsert or connectOrCreate whose row
 *		carries the key), the INSERT also takes ON CONFLICT on the key with
 *		the upsert's DO UPDATE: the row is found first, so one that exists
 *		spends no sequence value on a conflicting INSERT (Prisma's ids),
 *		and one that another session creates meanwhile is updated, as by
 *		the plain upsert.
 */
static void
deparse_upsert_by_update(StringInfo buf, ForgeStmt *st)
{
	ForgeRel   *rel = st->rel;
	ForgeUniqueKey *key = &rel->keys[st->conflict_key];
	ListCell   *lc;

	appendStringInfoString(buf, "WITH u AS (UPDATE ");
	deparse_table(buf, rel);
	appendStringInfoString(buf, " AS t");
	deparse_assigns(buf, rel, st->updates);
	deparse_where(buf, st->where);
	deparse_returning(buf, st);

	/*
	 * The update-branch marker goes in RETURNING, which is evaluated only
	 * for the row updated.  In this UPDATE's WHERE (as in DO UPDATE's,
	 * which sees only the conflicting row) a sequential scan evaluated it
	 * on every row it read, so an upsert that created its row said
	 * "update" and ran the update branch's nested writes.  The INSERT
	 * returns false in its place, for the UNION; exec.c reads neither.
	 */
	appendStringInfo(buf, ", (OPERATOR(%s.<@~@>) true)",
					 quote_identifier(get_namespace_name(forge_extension_schema())));
	appendStringInfo(buf, "), i AS (INSERT INTO %s AS t", rel->qualname);
	if (st->assigns != NIL)
	{
		appendStringInfoString(buf, " (");
		foreach(lc, st->assigns)
		{
			if (lc != list_head(st->assigns))
				appendStringInfoString(buf, ", ");
			deparse_column(buf, rel, ((ForgeAssign *) lfirst(lc))->col, false);
		}
		appendStringInfoChar(buf, ')');
	}
	appendStringInfoString(buf, " SELECT ");
	foreach(lc, st->assigns)
	{
		if (lc != list_head(st->assigns))
			appendStringInfoString(buf, ", ");
		appendStringInfo(buf, "$%d", ((ForgeAssign *) lfirst(lc))->param);
	}
	appendStringInfoString(buf, " WHERE NOT EXISTS (SELECT 1 FROM ");
	deparse_table(buf, rel);
	appendStringInfoString(buf, " AS t WHERE ");
	deparse_key_pins(buf, st->where, key);
	appendStringInfoChar(buf, ')');
	if (st->find_first)
		/* a row another session created meanwhile takes the update */
		deparse_on_conflict(buf, st, key);
	deparse_returning(buf, st);
	appendStringInfoString(buf, ", false) SELECT * FROM u UNION ALL SELECT * FROM i");
}

/* keys of a many-row verb: at most this many go to the event */
#define FORGE_EVENT_KEYS 1000

static void deparse_key_columns(StringInfo buf, ForgeRel *rel);

/*
 * deparse_limited
 *		Append the WHERE of an updateMany or deleteMany with a limit:
 *		WHERE EXISTS (SELECT 1 FROM (SELECT t.key FROM table AS t WHERE
 *		where ORDER BY t.key LIMIT $n FOR [NO KEY] UPDATE OF t) AS l WHERE
 *		l.key = t.key).  PostgreSQL has no UPDATE ... LIMIT.
 *
 *		The inner SELECT picks and locks the rows: its LockRows node sits
 *		below the LIMIT, so a row that a concurrent transaction changed is
 *		waited for, and its newest version checked against the where again
 *		(EvalPlanQual): one that no longer matches is skipped and the next
 *		row taken, so up to n rows that match when they are locked are
 *		written.  The outer write finds each by its primary key: its own
 *		snapshot sees the version before such a concurrent change, and the
 *		write follows the update chain to the newest version, which this
 *		statement has locked; its recheck compares the primary key again,
 *		so it holds.  Finding them by ctid instead would miss every row
 *		changed concurrently (the locked version is newer than the
 *		snapshot), and ctid alone is not unique across partitions; a
 *		partitioned table's primary key is.  Primary-key order makes which
 *		rows are written, and the order they are locked in, deterministic.
 *		The lock is the one the write itself takes: FOR UPDATE for a
 *		delete, FOR NO KEY UPDATE for an update (which takes the stronger
 *		lock itself if it changes a key column).
 *
 *		On a distributed table (Citus) the rows of a multi-shard SELECT
 *		cannot be locked: there the inner SELECT picks without FOR UPDATE
 *		(Citus runs it first, as an intermediate result), and the write
 *		tests the where again itself, WHERE where AND EXISTS (...), so that
 *		a row that stopped matching meanwhile is skipped, never written.
 *		So at most n rows are written, each matching when written, but a
 *		row skipped is not replaced by the next one: fewer may be.
 */
static void
deparse_limited(StringInfo buf, ForgeStmt *st)
{
	ForgeRel   *rel = st->rel;
	ForgeUniqueKey *key = &rel->keys[rel->pkey];
	bool		lock = rel->citus != FORGE_CITUS_DISTRIBUTED;
	int			i;

	appendStringInfoString(buf, " WHERE ");
	if (!lock && st->where != NULL && st->where->kind != FORGE_F_TRUE)
	{
		deparse_filter(buf, st->where);
		appendStringInfoString(buf, " AND ");
	}
	appendStringInfoString(buf, "EXISTS (SELECT 1 FROM (SELECT ");
	deparse_key_columns(buf, rel);
	appendStringInfoString(buf, " FROM ");
	deparse_table(buf, rel);
	appendStringInfoString(buf, " AS t");
	deparse_where(buf, st->where);
	appendStringInfoString(buf, " ORDER BY ");
	deparse_key_columns(buf, rel);
	appendStringInfo(buf, " LIMIT $%d", st->limit);
	if (lock)
		appendStringInfo(buf, " FOR %sUPDATE OF t",
						 st->verb == FORGE_DELETE_MANY ? "" : "NO KEY ");
	appendStringInfoString(buf, ") AS l WHERE ");
	for (i = 0; i < key->ncols; i++)
	{
		ForgeColumn *c = &rel->cols[key->cols[i]];
		char	   *lhs = psprintf("l.%s", quote_identifier(c->name));
		char	   *rhs = psprintf("t.%s", quote_identifier(c->name));

		if (i > 0)
			appendStringInfoString(buf, " AND ");
		appendStringInfoChar(buf, '(');
		forge_deparse_compare(buf, lhs, c->eqopr, rhs, false);
		appendStringInfoChar(buf, ')');
	}
	appendStringInfoChar(buf, ')');
}

/*
 * deparse_many_where
 *		Append the WHERE of an updateMany or deleteMany: its where, or,
 *		with a limit, deparse_limited's.
 */
static void
deparse_many_where(StringInfo buf, ForgeStmt *st)
{
	if (st->limit > 0)
		deparse_limited(buf, st);
	else
		deparse_where(buf, st->where);
}

/*
 * returns_in_key_order
 *		Whether the rows of an "and return" verb come in primary key order:
 *		an updateMany's, and a createMany's on a distributed table, where
 *		each shard returns its rows apart and the data's order is lost.
 */
static bool
returns_in_key_order(ForgeStmt *st)
{
	if (st->rel->pkey < 0)
		return false;
	return st->verb == FORGE_UPDATE_MANY ||
		st->rel->citus == FORGE_CITUS_DISTRIBUTED;
}

/*
 * deparse_returning_many
 *		Append the statement of an "and return" verb: WITH t AS (the
 *		createMany or updateMany RETURNING t.*) SELECT the count, the jsonb
 *		array of the rows written (deparse_row) and, when the event wants
 *		them, the first keys, FROM t.  createMany's array is aggregated in
 *		the order the INSERT returned its rows, the order of its data; an
 *		updateMany's, which returns rows in the order it happens to find
 *		them, in primary key order (when the table has one), so that the
 *		same rows always come back alike.  The included relations
 *		are read, as in RETURNING, as they were before the statement.
 */
static void
deparse_returning_many(StringInfo buf, ForgeStmt *st)
{
	ForgeRel   *rel = st->rel;

	appendStringInfoString(buf, "WITH t AS (");
	if (st->verb == FORGE_CREATE_MANY)
		deparse_create_many(buf, st);
	else
	{
		appendStringInfoString(buf, "UPDATE ");
		deparse_table(buf, rel);
		appendStringInfoString(buf, " AS t");
		deparse_assigns(buf, rel, st->assigns);
		deparse_many_where(buf, st);
	}
	appendStringInfoString(buf, " RETURNING t.*) SELECT pg_catalog.count(*),"
						   " COALESCE(pg_catalog.jsonb_agg(");
	deparse_row(buf, rel, 0, st->select, st->includes);
	if (returns_in_key_order(st))
	{
		appendStringInfoString(buf, " ORDER BY ");
		deparse_key_columns(buf, rel);
	}
	appendStringInfoString(buf, "), '[]'::pg_catalog.jsonb)");
	if (st->with_keys)
	{
		appendStringInfoString(buf, ", (SELECT pg_catalog.jsonb_agg(");
		forge_deparse_key(buf, rel, "s");
		appendStringInfo(buf, ") FROM (SELECT * FROM t LIMIT %d) s)",
						 FORGE_EVENT_KEYS);
	}
	appendStringInfoString(buf, " FROM t");
}

/*
 * is_many
 *		Whether verb writes any number of rows and returns {"count": n}.
 */
static bool
is_many(ForgeVerb verb)
{
	return verb == FORGE_CREATE_MANY || verb == FORGE_UPDATE_MANY ||
		verb == FORGE_DELETE_MANY;
}

/*
 * forge_deparse_selects
 *		Whether stmt's text is a write in a CTE read by a SELECT (so SPI
 *		reports SPI_OK_SELECT): a many-row verb that returns keys to its
 *		event; on a Citus table, every verb that returns a row, and
 *		createMany, which counts the rows RETURNING gives because Citus's
 *		command tag also counts those ON CONFLICT DO NOTHING skipped.
 */
bool
forge_deparse_selects(ForgeStmt *st)
{
	if (st->verb == FORGE_FIND || st->returning)
		return st->returning;	/* a SELECT anyway; WITH t ... SELECT */
	if (is_many(st->verb))
		return st->with_keys || (st->rel->citus != FORGE_CITUS_NONE &&
								 st->verb == FORGE_CREATE_MANY);
	return st->rel->citus != FORGE_CITUS_NONE;
}

/*
 * deparse_key_columns
 *		Append t.col for each column of rel's primary key, comma-separated.
 */
static void
deparse_key_columns(StringInfo buf, ForgeRel *rel)
{
	ForgeUniqueKey *key = &rel->keys[rel->pkey];
	int			i;

	for (i = 0; i < key->ncols; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		deparse_column(buf, rel, key->cols[i], true);
	}
}

/*
 * forge_deparse
 *		Append the SQL text of stmt to buf.  A many-row verb that must also
 *		return keys is wrapped: WITH w AS (dml RETURNING key) SELECT the
 *		count and the first keys.  On a Citus table (see the file header)
 *		a verb that returns a row is WITH t AS (dml RETURNING t.*) SELECT
 *		the row FROM t, and a many-row verb wrapped as above returns the key
 *		columns (or 1) and builds the keys in the SELECT.
 */
void
forge_deparse(StringInfo buf, ForgeStmt *st)
{
	ForgeRel   *rel = st->rel;
	bool		citus = rel->citus != FORGE_CITUS_NONE;
	bool		wrap = is_many(st->verb) && forge_deparse_selects(st);
	bool		row_cte = citus && !is_many(st->verb) && st->verb != FORGE_FIND;

	if (st->returning)
	{
		deparse_returning_many(buf, st);
		return;
	}

	if (wrap)
		appendStringInfoString(buf, "WITH w AS (");
	if (row_cte)
		appendStringInfoString(buf, "WITH t AS (");
	switch (st->verb)
	{
		case FORGE_CREATE:
			deparse_insert(buf, rel, st->assigns);
			deparse_returning(buf, st);
			break;

		case FORGE_CREATE_MANY:
			deparse_create_many(buf, st);
			break;

		case FORGE_UPDATE:
		case FORGE_UPDATE_MANY:
			appendStringInfoString(buf, "UPDATE ");
			deparse_table(buf, rel);
			appendStringInfoString(buf, " AS t");
			deparse_assigns(buf, rel, st->assigns);
			deparse_many_where(buf, st);
			if (st->verb == FORGE_UPDATE)
				deparse_returning(buf, st);
			break;

		case FORGE_UPSERT:
			if (st->by_update)
			{
				deparse_upsert_by_update(buf, st);
				break;
			}
			{
				ForgeUniqueKey *key = &rel->keys[st->conflict_key];

				deparse_insert(buf, rel, st->assigns);
				deparse_on_conflict(buf, st, key);
				deparse_returning(buf, st);
				break;
			}

		case FORGE_FIND:
			appendStringInfoString(buf, "SELECT ");
			deparse_row(buf, rel, 0, st->select, st->includes);
			appendStringInfoString(buf, " FROM ");
			deparse_table(buf, rel);
			appendStringInfoString(buf, " AS t");
			deparse_where(buf, st->where);
			if (st->lock)
				appendStringInfoString(buf, " FOR UPDATE OF t");
			break;

		case FORGE_SOFT_DELETE:
		case FORGE_SOFT_DELETE_MANY:
		case FORGE_RESTORE:
		case FORGE_RESTORE_MANY:
			elog(ERROR, "a soft-delete verb is read into an update");
			break;

		case FORGE_DELETE:
		case FORGE_DELETE_MANY:
			appendStringInfoString(buf, "DELETE FROM ");
			deparse_table(buf, rel);
			appendStringInfoString(buf, " AS t");
			deparse_many_where(buf, st);
			if (st->verb == FORGE_DELETE)
				deparse_returning(buf, st);
			break;
		case FORGE_CREATE_MANY_RETURN:
		case FORGE_UPDATE_MANY_RETURN:
			elog(ERROR, "unexpected statement verb %d", (int) st->verb);
			break;
	}
	if (wrap && citus)
	{
		/* only the key columns leave the worker; the keys are built here */
		appendStringInfoString(buf, " RETURNING ");
		if (st->with_keys)
		{
			deparse_key_columns(buf, rel);
			appendStringInfoString(buf, ") SELECT pg_catalog.count(*), (SELECT pg_catalog.jsonb_agg(");
			forge_deparse_key(buf, rel, "s");
			appendStringInfo(buf, ") FROM (SELECT * FROM w LIMIT %d) s) FROM w",
							 FORGE_EVENT_KEYS);
		}
		else
			appendStringInfoString(buf, "1) SELECT pg_catalog.count(*), NULL::pg_catalog.jsonb FROM w");
	}
	else if (wrap)
	{
		appendStringInfoString(buf, " RETURNING ");
		forge_deparse_key(buf, rel, "t");
		appendStringInfo(buf, " AS k) SELECT pg_catalog.count(*),"
						 " (SELECT pg_catalog.jsonb_agg(s.k) FROM (SELECT w.k FROM w LIMIT %d) s)"
						 " FROM w", FORGE_EVENT_KEYS);
	}
	if (row_cte)
	{
		appendStringInfoString(buf, ") SELECT ");
		deparse_row(buf, rel, 0, forge_citus_row_select(st), st->includes);
		if (st->with_keys)
		{
			appendStringInfoString(buf, ", ");
			forge_deparse_key(buf, rel, "t");
		}
		if (st->verb == FORGE_UPSERT)
			appendStringInfo(buf, ", t.%s", FORGE_CITUS_UPDATED);
		appendStringInfoString(buf, " FROM t");
	}
}
