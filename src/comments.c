/*-------------------------------------------------------------------------
 *
 * comments.c
 *		  Smart comments: what a database object's COMMENT declares to forge.
 *
 * forge reads declarations that PostgreSQL cannot hold in its catalogs
 * (the names of relations, which column marks a row soft-deleted) from the
 * objects' comments, written in the convention PostGraphile made known to
 * PostgreSQL users as "smart comments":
 *
 *		COMMENT ON CONSTRAINT "Post_authorId_fkey" ON "Post"
 *			IS E'@fieldName author\n@foreignFieldName posts';
 *
 * A line that starts with "@" is a tag: its name runs to the first space or
 * tab, its value is the rest of the line without surrounding blanks (""
 * for a bare tag such as "@softDelete").  Any other line is free text, for
 * people and other tools; a tag forge does not know is ignored.  Where a
 * tag appears more than once, the first line counts.  Comments are kept by
 * pg_dump and restored with the objects, so declarations travel with the
 * schema.
 *
 * COMMENT sends no invalidation, so a cache built from a comment (the
 * relations of a table, relations.c) would not see a new one.  The
 * extension's event trigger forge_comment_invalidate fires at the end of
 * every COMMENT and sends a relcache invalidation for the table of the
 * commented object (a table, its column, a constraint of it) and, for a
 * foreign key, the table it references: every backend then reads those
 * tables' relations again, as after any DDL.  A COMMENT run while event
 * triggers are off (session_replication_role = replica, single-user mode)
 * sends none: another backend then sees it at the next DDL on the table,
 * or in a new session.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/comments.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "commands/comment.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/syscache.h"

#include "forge.h"

/*
 * forge_smart_tag
 *		The value of tag (without its "@") in the comment of the object
 *		(classid, objid, objsubid): palloc'd, "" for a bare tag; NULL when
 *		the object has no comment or the comment no such tag.
 */
char *
forge_smart_tag(Oid classid, Oid objid, int32 objsubid, const char *tag)
{
	char	   *comment = GetComment(objid, classid, objsubid);
	size_t		taglen = strlen(tag);
	const char *line;

	if (comment == NULL)
		return NULL;
	for (line = comment; line != NULL && *line != '\0';)
	{
		const char *end = strchr(line, '\n');
		const char *stop = end != NULL ? end : line + strlen(line);

		if (line[0] == '@' && (size_t) (stop - line) >= taglen + 1 &&
			strncmp(line + 1, tag, taglen) == 0)
		{
			const char *v = line + 1 + taglen;

			/* the tag's name ends at a blank or the end of the line */
			if (v == stop || *v == ' ' || *v == '\t' || *v == '\r')
			{
				while (v < stop && (*v == ' ' || *v == '\t'))
					v++;
				while (stop > v && (stop[-1] == ' ' || stop[-1] == '\t' ||
									stop[-1] == '\r'))
					stop--;
				return pnstrdup(v, stop - v);
			}
		}
		line = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

/*
 * invalidate_relation
 *		Send a relcache invalidation for relid, if it still exists.
 */
static void
invalidate_relation(Oid relid)
{
	if (OidIsValid(relid) &&
		SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		CacheInvalidateRelcacheByRelid(relid);
}

/*
 * invalidate_commented
 *		The invalidations for one commented object (classid, objid): a
 *		relation itself (a column's comment names it too), or the table of
 *		a constraint and the table a foreign key references.
 */
static void
invalidate_commented(Oid classid, Oid objid)
{
	if (classid == RelationRelationId)
		invalidate_relation(objid);
	else if (classid == ConstraintRelationId)
	{
		HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(objid));
		Oid			conrelid,
					confrelid;

		if (!HeapTupleIsValid(tup))
			return;
		conrelid = ((Form_pg_constraint) GETSTRUCT(tup))->conrelid;
		confrelid = ((Form_pg_constraint) GETSTRUCT(tup))->confrelid;
		ReleaseSysCache(tup);
		invalidate_relation(conrelid);
		if (confrelid != conrelid)
			invalidate_relation(confrelid);
	}
}

PG_FUNCTION_INFO_V1(forge_comment_invalidate);

/*
 * forge_comment_invalidate
 *		Event trigger on ddl_command_end for COMMENT: invalidate the tables
 *		whose cached forge metadata the comments just made may change.  The
 *		commented objects come from pg_event_trigger_ddl_commands().
 */
Datum
forge_comment_invalidate(PG_FUNCTION_ARGS)
{
	uint64		i;
	int			rc;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired by an event trigger",
						"forge_comment_invalidate")));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute("SELECT classid, objid"
					 " FROM pg_catalog.pg_event_trigger_ddl_commands()",
					 true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		null1,
					null2;
		Datum		classid = SPI_getbinval(tup, desc, 1, &null1);
		Datum		objid = SPI_getbinval(tup, desc, 2, &null2);

		if (!null1 && !null2)
			invalidate_commented(DatumGetObjectId(classid),
								 DatumGetObjectId(objid));
	}
	SPI_finish();
	PG_RETURN_NULL();
}
