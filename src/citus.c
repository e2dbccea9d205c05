/*-------------------------------------------------------------------------
 *
 * citus.c
 *		  What forge must know of a table that Citus manages.
 *
 * Citus (the distributed engine for PostgreSQL) keeps a table's
 * distribution in pg_catalog.pg_dist_partition: a distributed table is
 * split into shards on worker nodes, a reference table is copied to every
 * node, a Citus local table lives on the coordinator.  forge needs three
 * things from there, read when a table's ForgeRel is built (Citus
 * invalidates the table's relcache entry whenever it changes the table's
 * distribution, so the ForgeRel is rebuilt then):
 *
 *	 - the kind of table, because Citus runs a statement on a worker only if
 *	   its RETURNING calls IMMUTABLE functions, so deparse.c returns a Citus
 *	   table's row through a CTE (WITH t AS (... RETURNING t.*) SELECT the
 *	   row FROM t) and counts rows written from RETURNING;
 *	 - whether the table's outbox triggers are there: on a Citus table they
 *	   run on the nodes that hold the rows, outside the forge call, and
 *	   record nothing, so forge refuses to write such a table rather than
 *	   lose its events;
 *	 - whether a relation runs from a reference table to a distributed one,
 *	   which Citus cannot plan: forge refuses it before the statement runs;
 *	 - a distributed table's distribution column (partkey), on which alone
 *	   Citus joins two of its rows: an include's cursor row is joined to
 *	   the rows it places on it (deparse_include).
 *
 * Other differences of the Citus path (deparse.c): an upsert's write
 * returns the branch it took (t.xmax is not 0 for the row ON CONFLICT
 * updated) instead of calling forge's update-branch marker, which Citus
 * does not allow on a worker; an upsert that would update else insert in
 * one statement is refused (forge_citus_check_upsert); a limit picks its
 * rows without locks on a distributed table (deparse_limited); the "and
 * return" verbs cannot include related rows (forge_citus_check_returning).
 *
 * Citus cannot run a correlated subquery over a CTE, so the related rows
 * of include (or a relation in select) cannot be read in the statement
 * that writes a Citus table's row: create and update write it, then read
 * it back by its primary key with the related rows (nested.c, as after
 * nested writes), and delete with related rows is refused before it
 * writes, since the row is gone when it could be read.
 *
 * Without Citus (no pg_dist_partition) every table is FORGE_CITUS_NONE and
 * nothing here costs more than one catalog cache lookup per ForgeRel built.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/citus.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_namespace.h"
#include "commands/trigger.h"
#include "nodes/primnodes.h"
#include "nodes/readfuncs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "forge.h"

/*
 * column_attnum
 *		The attribute number of column name in tupdesc, or InvalidAttrNumber.
 */
static ForgeCitusKind citus_lookup(Oid relid, AttrNumber *distcol);

static AttrNumber
column_attnum(TupleDesc tupdesc, const char *name)
{
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	return InvalidAttrNumber;
}

/*
 * forge_citus_kind
 *		How Citus manages table relid, read from pg_dist_partition (by column
 *		name, so that a column Citus adds does not move what is read).
 */
ForgeCitusKind
forge_citus_kind(Oid relid)
{
	return citus_lookup(relid, NULL);
}

/*
 * citus_lookup
 *		forge_citus_kind, and in *distcol (if not NULL) the attribute number
 *		of a distributed table's distribution column (pg_dist_partition's
 *		partkey, the text of a Var), or InvalidAttrNumber when it has none.
 */
static ForgeCitusKind
citus_lookup(Oid relid, AttrNumber *distcol)
{
	Oid			distrel = get_relname_relid("pg_dist_partition",
											PG_CATALOG_NAMESPACE);
	ForgeCitusKind kind = FORGE_CITUS_NONE;
	Relation	r;
	TupleDesc	tupdesc;
	AttrNumber	relcol,
				methodcol,
				modelcol,
				colocol,
				keycol;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	if (distcol != NULL)
		*distcol = InvalidAttrNumber;
	if (!OidIsValid(distrel))
		return FORGE_CITUS_NONE;
	r = table_open(distrel, AccessShareLock);
	tupdesc = RelationGetDescr(r);
	relcol = column_attnum(tupdesc, "logicalrelid");
	methodcol = column_attnum(tupdesc, "partmethod");
	modelcol = column_attnum(tupdesc, "repmodel");
	colocol = column_attnum(tupdesc, "colocationid");
	keycol = column_attnum(tupdesc, "partkey");
	if (relcol == InvalidAttrNumber || methodcol == InvalidAttrNumber)
		elog(ERROR, "pg_dist_partition has no logicalrelid or partmethod column");

	ScanKeyInit(&key, relcol, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(r, InvalidOid, false, NULL, 1, &key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		char		method = DatumGetChar(heap_getattr(tup, methodcol,
													   tupdesc, &isnull));
		char		model = 0;
		uint32		colocation = 0;

		if (modelcol != InvalidAttrNumber)
		{
			Datum		d = heap_getattr(tup, modelcol, tupdesc, &isnull);

			model = isnull ? 0 : DatumGetChar(d);
		}
		if (colocol != InvalidAttrNumber)
		{
			Datum		d = heap_getattr(tup, colocol, tupdesc, &isnull);

			colocation = isnull ? 0 : DatumGetUInt32(d);
		}
		if (method != 'n')
			kind = FORGE_CITUS_DISTRIBUTED;	/* hash, range or append */
		else if (model == 't')
			kind = FORGE_CITUS_REFERENCE;	/* copied to every node */
		else if (colocation != 0)
			kind = FORGE_CITUS_DISTRIBUTED;	/* one shard (schema-based
											 * sharding) */
		else
			kind = FORGE_CITUS_LOCAL;	/* on the coordinator only */
		if (kind == FORGE_CITUS_DISTRIBUTED && distcol != NULL &&
			keycol != InvalidAttrNumber)
		{
			Datum		d = heap_getattr(tup, keycol, tupdesc, &isnull);

			if (!isnull)
			{
				Node	   *key = stringToNode(TextDatumGetCString(d));

				if (IsA(key, Var))
					*distcol = ((Var *) key)->varattno;
			}
		}
	}
	systable_endscan(scan);
	table_close(r, AccessShareLock);
	return kind;
}

/*
 * forge_citus_kind_name
 *		The kind of Citus table, in words, for messages.
 */
const char *
forge_citus_kind_name(ForgeCitusKind kind)
{
	switch (kind)
	{
		case FORGE_CITUS_NONE:
			return "table";
		case FORGE_CITUS_DISTRIBUTED:
			return "distributed table";
		case FORGE_CITUS_REFERENCE:
			return "reference table";
		case FORGE_CITUS_LOCAL:
			return "Citus local table";
	}
	return "table";				/* keep compiler quiet */
}

/*
 * forge_citus_read
 *		Fill in rel's Citus kind and, for a Citus table, whether forge's
 *		outbox triggers are on it.  r is the open relation.
 */
void
forge_citus_read(ForgeRel *rel, Relation r)
{
	int			i;
	AttrNumber	distcol;

	rel->citus = citus_lookup(rel->relid, &distcol);
	rel->citus_outbox = false;
	rel->citus_distcol = -1;
	for (i = 0; i < rel->ncols && distcol != InvalidAttrNumber; i++)
		if (rel->cols[i].attnum == distcol)
			rel->citus_distcol = i;
	if (rel->citus == FORGE_CITUS_NONE || r->trigdesc == NULL)
		return;
	for (i = 0; i < r->trigdesc->numtriggers; i++)
	{
		char	   *fname = get_func_name(r->trigdesc->triggers[i].tgfoid);

		if (fname != NULL && strcmp(fname, "forge_outbox_capture") == 0)
			rel->citus_outbox = true;
	}
}

/*
 * forge_citus_check_write
 *		Refuse, before anything is written, a write of verb to a Citus table
 *		whose outbox triggers could not record it.
 */
void
forge_citus_check_write(ForgeRel *rel, ForgeVerb verb)
{
	(void) verb;
	if (!rel->citus_outbox)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("forge cannot record the outbox events of %s \"%s\"",
					forge_citus_kind_name(rel->citus), rel->model),
			 errdetail("On a Citus table the outbox's statement triggers run on the nodes that hold the rows, outside the forge call, and would record nothing."),
			 errhint("Run forge_outbox_disable('%s') and use NOTIFY events, or keep the table out of Citus.",
					 rel->model)));
}

/*
 * forge_citus_check_relation
 *		Refuse relation r of table outer (a filter or include reads from it)
 *		when Citus cannot run it: from a reference or local table to a
 *		distributed one, directly or through a many-to-many's join table.
 *		Called while the statement is deparsed, before it runs.
 */
void
forge_citus_check_relation(ForgeRel *outer, ForgeRelation *r)
{
	ForgeCitusKind other;

	if (outer->citus == FORGE_CITUS_NONE ||
		outer->citus == FORGE_CITUS_DISTRIBUTED)
		return;
	other = forge_citus_kind(r->other);
	if (other != FORGE_CITUS_DISTRIBUTED && r->kind == FORGE_MANY_TO_MANY)
		other = forge_citus_kind(r->join);
	if (other != FORGE_CITUS_DISTRIBUTED)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("relation \"%s\" of %s \"%s\" reads a distributed table",
					r->name ? r->name : r->conname,
					forge_citus_kind_name(outer->citus), outer->model),
			 errdetail("Citus cannot join a row of a %s to the rows of a distributed table in one statement.",
					   forge_citus_kind_name(outer->citus)),
			 errhint("Filter or include from the distributed side of the relation instead.")));
}

/*
 * forge_citus_reads_back
 *		Whether st, the statement of a create, update or upsert on a Citus
 *		table, returns related rows, which are then read back after the
 *		write (nested.c).  A delete that would return related rows is
 *		refused here, before anything is written.
 */
bool
forge_citus_reads_back(ForgeStmt *st)
{
	if (st->rel->citus == FORGE_CITUS_NONE || st->includes == NIL)
		return false;
	if (st->verb == FORGE_DELETE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("forge_delete cannot return related rows of %s \"%s\"",
						forge_citus_kind_name(st->rel->citus), st->rel->model),
				 errdetail("Citus cannot read related rows in the statement that deletes a row, and after it the row is gone."),
				 errhint("Read the row with its related rows first, then delete it with a select of its columns only.")));
	if (st->verb != FORGE_CREATE && st->verb != FORGE_UPDATE &&
		st->verb != FORGE_UPSERT)
		return false;
	if (st->rel->pkey < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s cannot return related rows of %s \"%s\", which has no primary key",
						forge_verb_name(st->verb),
						forge_citus_kind_name(st->rel->citus), st->rel->model),
				 errdetail("On a Citus table the related rows are read after the write, by the row's primary key.")));
	return true;
}

/*
 * forge_citus_check_returning
 *		Refuse, before anything is written, an "and return" verb (st, a
 *		createMany or updateMany that returns its rows) on a Citus table
 *		that includes related rows: their correlated subqueries read the
 *		write's CTE, which Citus cannot plan, and the rows of a many-row
 *		write have no one key to read them back by.
 */
void
forge_citus_check_returning(ForgeStmt *st)
{
	if (st->rel->citus == FORGE_CITUS_NONE || st->includes == NIL)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s cannot include related rows of %s \"%s\"",
					forge_verb_name(st->verb == FORGE_CREATE_MANY ?
									FORGE_CREATE_MANY_RETURN :
									FORGE_UPDATE_MANY_RETURN),
					forge_citus_kind_name(st->rel->citus), st->rel->model),
			 errdetail("Citus cannot run the correlated subquery that reads a related row over the rows the write returns."),
			 errhint("Return the rows without include, then read the related rows by their keys.")));
}

/*
 * forge_citus_check_upsert
 *		Refuse, before it runs, an upsert st on a Citus table that is not
 *		one INSERT ... ON CONFLICT: an update-else-insert (by_update: a
 *		create that leaves out a key column with a default, a nested upsert
 *		or a to-many connectOrCreate, which find their row first), or one
 *		whose branches set a to-one key (branch_first, run by update or by
 *		insert in a subtransaction).  Their two writes in one statement
 *		(WITH u AS (UPDATE ...), i AS (INSERT ... WHERE NOT EXISTS ...))
 *		read and write the table in modifying CTEs, which Citus cannot run
 *		as one statement on a worker.  A plain upsert works there: the
 *		write returns which branch it took (deparse_returning).
 */
void
forge_citus_check_upsert(ForgeStmt *st)
{
	if (st->rel->citus == FORGE_CITUS_NONE)
		return;
	if (!st->by_update && !(st->nested != NULL && st->nested->branch_first))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("this upsert is not supported on %s \"%s\"",
					forge_citus_kind_name(st->rel->citus), st->rel->model),
			 errdetail("%s",
					   st->by_update ?
					   "It must update the row its where selects or else insert one (its create leaves out a key column that has a default, or it is a nested upsert or a to-many connectOrCreate), two writes in one statement that Citus cannot run on a worker." :
					   "Its create or update sets a to-one key, so it finds and locks its row first and runs one branch, which forge does not do on a Citus table."),
			 errhint("Give the key's columns in create, or write the related row with a nested create, connect or update.")));
}

/*
 * forge_citus_row_select
 *		The columns of st's row built over the CTE t (forge_deparse): its
 *		select, but an upsert on a Citus table names every column, since t
 *		also holds the branch it took (FORGE_CITUS_UPDATED), which
 *		to_jsonb(t.*) would return.
 */
List *
forge_citus_row_select(ForgeStmt *st)
{
	List	   *all = NIL;
	int			i;

	if (st->verb != FORGE_UPSERT || st->select != NIL)
		return st->select;
	for (i = 0; i < st->rel->ncols; i++)
		all = lappend_int(all, i);
	return all;
}
