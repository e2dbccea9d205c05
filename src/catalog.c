/*-------------------------------------------------------------------------
 *
 * catalog.c
 *		  What forge knows of a table: its columns, their types' input
 *		  functions and operators, and its unique keys.
 *
 * A ForgeRel is built on first use from the relcache and the syscaches and
 * kept in a hash keyed by relation OID.  Everything it points to lives in
 * its own memory context under CacheMemoryContext.  A relcache callback
 * (any DDL on the table, its indexes, or a schema rename) clears "valid";
 * the next call that needs the table builds a fresh one.
 *
 * The caller holds a lock on the table (forge.c takes RowExclusiveLock
 * before asking), so the invalidations of committed DDL have been processed
 * and the entry cannot go stale while the call plans and runs.  A stale
 * entry may still be in use by an outer forge call (a trigger that calls
 * forge on the same table after DDL in the same transaction), so stale
 * entries are not freed on rebuild but parked, and freed at transaction end.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "nodes/value.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "forge.h"

typedef struct ForgeRelEntry
{
	Oid			relid;			/* hash key */
	ForgeRel   *rel;
} ForgeRelEntry;

static HTAB *forge_rels = NULL;
static MemoryContext forge_catalog_cxt = NULL;
static List *forge_retired = NIL;	/* stale contexts, freed at xact end */
static uint32 forge_generation = 0;
uint64		forge_relcache_epoch = 0;	/* bumped by every relcache inval */

static const char *const arith_names[FORGE_NUM_ARITH] = {"+", "-", "*", "/"};

/*
 * invalidate_rel
 *		Relcache callback: mark one ForgeRel (or all, for InvalidOid) stale.
 */
static void
invalidate_rel(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	ForgeRelEntry *entry;

	(void) arg;
	forge_relcache_epoch++;		/* relations may have changed anywhere */
	if (forge_rels == NULL)
		return;
	if (OidIsValid(relid))
	{
		entry = hash_search(forge_rels, &relid, HASH_FIND, NULL);
		if (entry != NULL)
			entry->rel->valid = false;
		return;
	}
	hash_seq_init(&status, forge_rels);
	while ((entry = hash_seq_search(&status)) != NULL)
		entry->rel->valid = false;
}

/*
 * invalidate_all
 *		Syscache callback for pg_namespace: a renamed schema changes the
 *		qualified name of every table in it.
 */
static void
invalidate_all(Datum arg, int cacheid, uint32 hashvalue)
{
	(void) cacheid;
	(void) hashvalue;
	invalidate_rel(arg, InvalidOid);
}

/*
 * free_retired
 *		Transaction callback: no forge call is running any more, so the stale
 *		entries parked during the transaction can go.
 */
static void
free_retired(XactEvent event, void *arg)
{
	ListCell   *lc;

	(void) arg;
	if (forge_retired == NIL)
		return;
	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PARALLEL_COMMIT &&
		event != XACT_EVENT_PARALLEL_ABORT && event != XACT_EVENT_PREPARE)
		return;
	foreach(lc, forge_retired)
		MemoryContextDelete((MemoryContext) lfirst(lc));
	list_free(forge_retired);
	forge_retired = NIL;
}

/*
 * forge_retire_context
 *		Park cxt, which a running forge call may still use, until the
 *		transaction ends.
 */
void
forge_retire_context(MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	MemoryContextSetParent(cxt, forge_catalog_cxt);
	forge_retired = lappend(forge_retired, cxt);
	MemoryContextSwitchTo(old);
}

/*
 * forge_catalog_init
 *		Register the invalidation callbacks; called once from _PG_init.
 */
void
forge_catalog_init(void)
{
	CacheRegisterRelcacheCallback(invalidate_rel, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, invalidate_all, (Datum) 0);
	RegisterXactCallback(free_retired, NULL);
}

/*
 * build_typeio
 *		Look up how values of type typid are read, in context cxt.
 */
static ForgeTypeIO *
build_typeio(Oid typid, MemoryContext cxt)
{
	ForgeTypeIO *io = MemoryContextAllocZero(cxt, sizeof(ForgeTypeIO));
	Oid			infunc;
	Oid			elemtype;
	bool		preferred;

	io->typid = typid;
	get_typlenbyvalalign(typid, &io->typlen, &io->typbyval, &io->typalign);
	get_type_category_preferred(typid, &io->category, &preferred);
	io->arraytype = get_array_type(typid);
	getTypeInputInfo(typid, &infunc, &io->ioparam);
	fmgr_info_cxt(infunc, &io->input, cxt);
	elemtype = get_element_type(typid);
	if (OidIsValid(elemtype))
		io->elem = build_typeio(elemtype, cxt);
	return io;
}

/*
 * is_polymorphic
 *		True for the pseudo-types an operator may declare (anyarray, ...),
 *		which cannot type a parameter.
 */
static bool
is_polymorphic(Oid typid)
{
	return get_typtype(typid) == TYPTYPE_PSEUDO;
}

/*
 * build_column
 *		Fill col from one pg_attribute row.
 */
static void
build_column(ForgeColumn *col, Form_pg_attribute att, MemoryContext cxt)
{
	Oid			basetype;
	int32		basetypmod = att->atttypmod;
	TypeCacheEntry *tce;
	Oid			cmptype;
	int			i;

	col->name = MemoryContextStrdup(cxt, NameStr(att->attname));
	col->namelen = strlen(col->name);
	col->attnum = att->attnum;
	col->typid = att->atttypid;
	col->typmod = att->atttypmod;
	col->generated = att->attgenerated;

	basetype = getBaseTypeAndTypmod(att->atttypid, &basetypmod);
	col->isjson = (basetype == JSONOID || basetype == JSONBOID);
	col->data = build_typeio(basetype, cxt);

	tce = lookup_type_cache(basetype,
							TYPECACHE_EQ_OPR | TYPECACHE_LT_OPR |
							TYPECACHE_GT_OPR | TYPECACHE_BTREE_OPFAMILY);
	col->eqopr = tce->eq_opr;
	col->ltopr = tce->lt_opr;
	col->gtopr = tce->gt_opr;
	if (OidIsValid(tce->btree_opf))
	{
		col->leopr = get_opfamily_member(tce->btree_opf, tce->btree_opintype,
										 tce->btree_opintype,
										 BTLessEqualStrategyNumber);
		col->geopr = get_opfamily_member(tce->btree_opf, tce->btree_opintype,
										 tce->btree_opintype,
										 BTGreaterEqualStrategyNumber);
	}

	/*
	 * Comparison values are typed as the operator's right operand (text for
	 * a varchar column), unless that is polymorphic (anyenum, anyarray).
	 */
	cmptype = basetype;
	if (OidIsValid(col->eqopr))
	{
		Oid			left,
					right;

		op_input_types(col->eqopr, &left, &right);
		if (!is_polymorphic(right))
			cmptype = right;
	}
	col->cmp = (cmptype == basetype) ? col->data : build_typeio(cmptype, cxt);

	if (col->data->category == TYPCATEGORY_NUMERIC)
	{
		for (i = 0; i < FORGE_NUM_ARITH; i++)
		{
			List	   *opname = list_make2(makeString("pg_catalog"),
											makeString((char *) arith_names[i]));

			col->arithopr[i] = OpernameGetOprid(opname, basetype, basetype);
		}
	}
}

/*
 * colname_cmp
 *		Order of ForgeRel.byname: by length, then bytes (jsonb's key order).
 */
static int
colname_cmp(const void *a, const void *b, void *arg)
{
	const ForgeColumn *cols = (const ForgeColumn *) arg;
	const ForgeColumn *ca = &cols[*(const int *) a];
	const ForgeColumn *cb = &cols[*(const int *) b];

	if (ca->namelen != cb->namelen)
		return ca->namelen < cb->namelen ? -1 : 1;
	return memcmp(ca->name, cb->name, ca->namelen);
}

/*
 * forge_column_lookup
 *		Index into rel->cols of the column named name (len bytes, not
 *		NUL-terminated), or -1.
 */
int
forge_column_lookup(ForgeRel *rel, const char *name, int len)
{
	int			lo = 0,
				hi = rel->ncols - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		const ForgeColumn *col = &rel->cols[rel->byname[mid]];
		int			c;

		if (col->namelen != len)
			c = col->namelen < len ? -1 : 1;
		else
			c = memcmp(col->name, name, len);
		if (c == 0)
			return rel->byname[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * column_index
 *		Index into rel->cols of the column with attribute number attnum.
 */
static int
column_index(ForgeRel *rel, AttrNumber attnum)
{
	int			i;

	for (i = 0; i < rel->ncols; i++)
		if (rel->cols[i].attnum == attnum)
			return i;
	return -1;
}

/*
 * build_keys
 *		Read the unique indexes of relation r into rel->keys, primary key
 *		first.  Expression indexes and indexes not yet valid are skipped.
 */
static void
build_keys(ForgeRel *rel, Relation r)
{
	List	   *indexes = RelationGetIndexList(r);
	ListCell   *lc;
	int			n = 0;

	rel->keys = MemoryContextAllocZero(rel->cxt, sizeof(ForgeUniqueKey) *
									   Max(list_length(indexes), 1));
	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);
		HeapTuple	tup;
		Form_pg_index idx;
		ForgeUniqueKey *key;
		StringInfoData joined;
		int			i;
		bool		usable = true;

		tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
		if (!HeapTupleIsValid(tup))
			elog(ERROR, "cache lookup failed for index %u", indexoid);
		idx = (Form_pg_index) GETSTRUCT(tup);
		if (!idx->indisunique || !idx->indisvalid ||
			!heap_attisnull(tup, Anum_pg_index_indexprs, NULL))
		{
			ReleaseSysCache(tup);
			continue;
		}

		key = &rel->keys[n];
		key->primary = idx->indisprimary;
		key->deferrable = !idx->indimmediate;
		key->partial = !heap_attisnull(tup, Anum_pg_index_indpred, NULL);
		key->ncols = idx->indnkeyatts;
		initStringInfo(&joined);
		for (i = 0; i < key->ncols; i++)
		{
			key->cols[i] = column_index(rel, idx->indkey.values[i]);
			if (key->cols[i] < 0)
			{
				usable = false;
				break;
			}
			if (i > 0)
				appendStringInfoChar(&joined, '_');
			appendStringInfoString(&joined, rel->cols[key->cols[i]].name);
		}
		ReleaseSysCache(tup);
		if (!usable)
			continue;
		key->name = MemoryContextStrdup(rel->cxt, get_rel_name(indexoid));
		key->joined = MemoryContextStrdup(rel->cxt, joined.data);
		pfree(joined.data);

		/* primary key first: it is the preferred selector and target */
		if (key->primary && n > 0)
		{
			ForgeUniqueKey tmp = rel->keys[0];

			rel->keys[0] = *key;
			*key = tmp;
		}
		n++;
	}
	rel->nkeys = n;
	rel->pkey = (n > 0 && rel->keys[0].primary) ? 0 : -1;
	list_free(indexes);
}

/*
 * build_rel
 *		Read what forge needs of relation relid into a new ForgeRel.
 */
static ForgeRel *
build_rel(Oid relid)
{
	MemoryContext cxt;
	MemoryContext old;
	ForgeRel   *rel;
	Relation	r;
	TupleDesc	tupdesc;
	int			i;

	r = try_table_open(relid, NoLock);
	if (r == NULL)				/* dropped while we waited for the lock */
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (r->rd_rel->relkind != RELKIND_RELATION &&
		r->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table",
						RelationGetRelationName(r)),
				 errdetail("forge writes to ordinary and partitioned tables only.")));

	/*
	 * Build under the caller's context, so that an error on the way frees
	 * everything; move under forge_catalog_cxt once complete.
	 */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "forge relation",
								ALLOCSET_SMALL_SIZES);
	MemoryContextCopyAndSetIdentifier(cxt, RelationGetRelationName(r));
	old = MemoryContextSwitchTo(cxt);

	rel = palloc0(sizeof(ForgeRel));
	rel->relid = relid;
	rel->cxt = cxt;
	rel->generation = ++forge_generation;
	rel->nspname = get_namespace_name(RelationGetNamespace(r));
	rel->relname = pstrdup(RelationGetRelationName(r));
	rel->qualname = quote_qualified_identifier(rel->nspname, rel->relname);
	rel->model = psprintf("%s.%s", rel->nspname, rel->relname);

	tupdesc = RelationGetDescr(r);
	rel->cols = palloc0(sizeof(ForgeColumn) * Max(tupdesc->natts, 1));
	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped)
			continue;
		build_column(&rel->cols[rel->ncols++], att, cxt);
	}
	rel->byname = palloc(sizeof(int) * Max(rel->ncols, 1));
	for (i = 0; i < rel->ncols; i++)
		rel->byname[i] = i;
	qsort_arg(rel->byname, rel->ncols, sizeof(int), colname_cmp, rel->cols);

	build_keys(rel, r);
	forge_citus_read(rel, r);

	MemoryContextSwitchTo(old);
	table_close(r, NoLock);
	MemoryContextSetParent(cxt, forge_catalog_cxt);
	rel->valid = true;
	return rel;
}

/*
 * forge_rel_get
 *		The ForgeRel of relid, built or rebuilt as needed.  The caller must
 *		hold a lock on the relation.
 */
ForgeRel *
forge_rel_get(Oid relid)
{
	ForgeRelEntry *entry;
	bool		found;

	if (forge_rels == NULL)
	{
		HASHCTL		ctl;

		forge_catalog_cxt = AllocSetContextCreate(CacheMemoryContext,
												  "forge catalog",
												  ALLOCSET_DEFAULT_SIZES);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ForgeRelEntry);
		ctl.hcxt = forge_catalog_cxt;
		forge_rels = hash_create("forge relations", 64, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	entry = hash_search(forge_rels, &relid, HASH_FIND, NULL);
	if (entry != NULL && entry->rel->valid)
		return entry->rel;

	/* build before touching the hash, so an error leaves it consistent */
	{
		ForgeRel   *rel = build_rel(relid);

		entry = hash_search(forge_rels, &relid, HASH_ENTER, &found);
		if (found)
			forge_retire_context(entry->rel->cxt);
		entry->rel = rel;
	}
	return entry->rel;
}

/*
 * forge_rel_checked
 *		Whether userid passed forge.c's privilege check on relid since its
 *		ForgeRel was last built.  Called before the lock, so the entry may
 *		be about to be invalidated: callers use it only to skip a check that
 *		the statement repeats.
 */
bool
forge_rel_checked(Oid relid, Oid userid)
{
	ForgeRelEntry *entry;

	if (forge_rels == NULL)
		return false;
	entry = hash_search(forge_rels, &relid, HASH_FIND, NULL);
	return entry != NULL && entry->rel->valid &&
		entry->rel->checked_user == userid;
}

/*
 * forge_rel_describe_keys
 *		Append the unique keys of rel, for a hint: (id), (provider, event_id).
 */
void
forge_rel_describe_keys(StringInfo buf, ForgeRel *rel)
{
	int			i,
				j;
	bool		first = true;

	for (i = 0; i < rel->nkeys; i++)
	{
		ForgeUniqueKey *key = &rel->keys[i];

		if (key->partial)
			continue;
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		appendStringInfoChar(buf, '(');
		for (j = 0; j < key->ncols; j++)
			appendStringInfo(buf, "%s%s", j > 0 ? ", " : "",
							 rel->cols[key->cols[j]].name);
		appendStringInfoChar(buf, ')');
	}
	if (first)
		appendStringInfoString(buf, "none");
}
