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
 * the next call that needs the table builds a fresh one.  The same
 * callback tells relations.c, which decides which tables' relations the
 * invalidation makes stale (forge_relations_invalidate).  A change to an
 * operator clears every entry: the schemas of the operators a table is
 * compared with are part of it.
 *
 * This file also finds the extension's own schema, for every file that
 * names an object of it (forge_extension_schema).
 *
 * Every table a call touches is opened through one door, forge_rel_open:
 * it checks the caller's privileges on the table and USAGE on its schema,
 * then locks the table, then returns its ForgeRel.  The check runs on every
 * call, whether or not the statement's plan is cached: a reused plan runs
 * the executor's table and column checks again, but not the parser's
 * schema USAGE check.  Checking before locking means that no role can queue
 * for a lock on a table it may not use (RangeVarGetRelidExtended's
 * callback does the same).  The lock processes the invalidations of
 * committed DDL, so the entry cannot go stale while the call plans and
 * runs.  A stale entry may still be in use by an outer forge call (a
 * trigger that calls forge on the same table after DDL in the same
 * transaction), so every ForgeRel a call gets is pinned (reference-counted)
 * until the call ends: forge_scope_begin/forge_scope_end bracket each call
 * (forge_write, on error too), forge_rel_open pins into the innermost
 * scope, and a stale entry replaced in the hash, or its relations re-read
 * (relations.c), is freed by the release of its last pin, as plancache.c
 * does for plans.
 *
 * A unique index whose equality is coarser than the column's, so that a
 * where pinning it could touch several rows, is kept with the reason
 * (key_column_loose) and never chosen as a selector; a table with
 * inheritance children is read and written ONLY, since its keys do not
 * cover the children's rows.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/transam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_index.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "storage/lmgr.h"
#include "storage/sinval.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
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
static List *scope_pins = NIL;	/* the innermost call's pins */
static int	scope_depth = 0;	/* calls running */
static uint32 forge_generation = 0;
static uint64 forge_role_epoch = 1; /* bumped when role membership changes */

/*
 * The extension's schema (forge_extension_schema), InvalidOid until looked
 * up and again after any change to pg_proc or pg_namespace.
 */
static Oid	extension_schema = InvalidOid;

static const char *const arith_names[FORGE_NUM_ARITH] = {"+", "-", "*", "/"};

/*
 * invalidate_rel
 *		Relcache callback: mark one ForgeRel (or all, for InvalidOid) stale,
 *		and tell relations.c, whose relations of other tables may depend on
 *		this one.
 */
static void
invalidate_rel(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	ForgeRelEntry *entry;

	(void) arg;
	forge_relations_invalidate(relid);
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
 * invalidate_operators
 *		Syscache callback for pg_operator: the schemas of the operators a
 *		ForgeRel or a relation compares with (ForgeColumn.cmpnsp,
 *		ForgeRelation.opnsps) may have changed.  Rare enough to forget
 *		everything.
 */
static void
invalidate_operators(Datum arg, int cacheid, uint32 hashvalue)
{
	(void) cacheid;
	(void) hashvalue;
	invalidate_rel(arg, InvalidOid);
}

/*
 * invalidate_extension_schema
 *		Syscache callback for pg_proc and pg_namespace: CREATE and DROP
 *		EXTENSION create and drop forge's functions, and a schema may have
 *		gone, so look the extension's schema up again.
 */
static void
invalidate_extension_schema(Datum arg, int cacheid, uint32 hashvalue)
{
	(void) arg;
	(void) cacheid;
	(void) hashvalue;
	extension_schema = InvalidOid;
}

/*
 * invalidate_roles
 *		Syscache callback for roles, role membership and databases (the
 *		owner is a member of pg_database_owner): privileges a role held
 *		through another may be gone, so forget every role's checks.
 */
static void
invalidate_roles(Datum arg, int cacheid, uint32 hashvalue)
{
	(void) arg;
	(void) cacheid;
	(void) hashvalue;
	forge_role_epoch++;
}

/*
 * unpin
 *		Drop one pin of rel; its last frees what went stale meanwhile.
 */
static void
unpin(ForgeRel *rel)
{
	ListCell   *lc;

	Assert(rel->refcount > 0);
	if (--rel->refcount > 0)
		return;
	if (rel->retired)
	{
		MemoryContextDelete(rel->cxt);	/* the stale relations with it */
		return;
	}
	foreach(lc, rel->stale_relcxts)
		MemoryContextDelete((MemoryContext) lfirst(lc));
	list_free(rel->stale_relcxts);
	rel->stale_relcxts = NIL;
}

/*
 * forge_scope_begin
 *		Begin a call's scope: the ForgeRels it gets stay pinned until the
 *		matching forge_scope_end, to which *save must be passed.
 */
void
forge_scope_begin(List **save)
{
	*save = scope_pins;
	scope_pins = NIL;
	scope_depth++;
}

/*
 * forge_scope_end
 *		End the innermost scope, releasing its pins, and make save (from
 *		forge_scope_begin) current again.  Called on error too (PG_FINALLY),
 *		so it only frees memory.
 */
void
forge_scope_end(List *save)
{
	List	   *pins = scope_pins;
	ListCell   *lc;

	scope_pins = save;
	scope_depth--;
	foreach(lc, pins)
		unpin((ForgeRel *) lfirst(lc));
	list_free(pins);
}

/*
 * forge_rel_retire_relations
 *		rel's relations (rel->relcxt) went stale: free them when rel's last
 *		pin goes, since a running call may still point into them.
 */
void
forge_rel_retire_relations(ForgeRel *rel)
{
	MemoryContext old = MemoryContextSwitchTo(rel->cxt);

	rel->stale_relcxts = lappend(rel->stale_relcxts, rel->relcxt);
	MemoryContextSwitchTo(old);
	rel->relcxt = NULL;
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
	CacheRegisterSyscacheCallback(OPEROID, invalidate_operators, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, invalidate_extension_schema,
								  (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, invalidate_extension_schema,
								  (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, invalidate_roles, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, invalidate_roles, (Datum) 0);
	CacheRegisterSyscacheCallback(DATABASEOID, invalidate_roles, (Datum) 0);
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
	io->basetypid = getBaseType(typid);	/* an array's elements may be a domain */
	get_typlenbyvalalign(typid, &io->typlen, &io->typbyval, &io->typalign);
	get_type_category_preferred(typid, &io->category, &preferred);
	io->arraytype = get_array_type(typid);
	getTypeInputInfo(typid, &infunc, &io->ioparam);
	fmgr_info_cxt(infunc, &io->input, cxt);
	/*
	 * A JSON array is built element by element only for a type that array_in
	 * reads.  int2vector and oidvector have element types too, but their
	 * values must have lower bound 0 and no nulls (their own input functions
	 * check that): an array built here would be stored as an invalid value.
	 */
	elemtype = get_element_type(typid);
	if (OidIsValid(elemtype) && infunc == F_ARRAY_IN)
		io->elem = build_typeio(elemtype, cxt);
	return io;
}

/*
 * forge_operator_namespace
 *		The schema of operator opr; InvalidOid for InvalidOid.
 */
Oid
forge_operator_namespace(Oid opr)
{
	HeapTuple	tup;
	Oid			nsp;

	if (!OidIsValid(opr))
		return InvalidOid;
	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opr));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for operator %u", opr);
	nsp = ((Form_pg_operator) GETSTRUCT(tup))->oprnamespace;
	ReleaseSysCache(tup);
	return nsp;
}

/*
 * type_namespace
 *		The schema of the type that names typid in SQL (an array's element
 *		type's).
 */
static Oid
type_namespace(Oid typid)
{
	HeapTuple	tup;
	Oid			nsp;
	Oid			elem = get_element_type(typid);

	if (OidIsValid(elem))
		typid = elem;
	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", typid);
	nsp = ((Form_pg_type) GETSTRUCT(tup))->typnamespace;
	ReleaseSysCache(tup);
	return nsp;
}

/*
 * forge_check_schema_usage
 *		Raise 42501 unless the current role has USAGE on schema nsp, which
 *		holds an operator or type that forge's SQL names.  The parser
 *		checks this only when it plans a statement, so a cached plan would
 *		skip it; descriptor.c calls this for each one on every call.
 *		pg_catalog (and InvalidOid, nothing named) pass at once.
 */
void
forge_check_schema_usage(Oid nsp)
{
	AclResult	acl;

	if (nsp == PG_CATALOG_NAMESPACE || !OidIsValid(nsp))
		return;
	acl = forge_namespace_aclcheck(nsp, GetUserId(), ACL_USAGE);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_SCHEMA, get_namespace_name(nsp));
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
	col->collation = att->attcollation;
	col->identity = att->attidentity;
	col->hasdefault = att->atthasdef;

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
	col->cmpnsp[FORGE_EQ] = forge_operator_namespace(col->eqopr);
	col->cmpnsp[FORGE_LT] = forge_operator_namespace(col->ltopr);
	col->cmpnsp[FORGE_LE] = forge_operator_namespace(col->leopr);
	col->cmpnsp[FORGE_GT] = forge_operator_namespace(col->gtopr);
	col->cmpnsp[FORGE_GE] = forge_operator_namespace(col->geopr);
	col->typnsp = type_namespace(col->typid);

	if (col->data->category == TYPCATEGORY_NUMERIC)
	{
		for (i = 0; i < FORGE_NUM_ARITH; i++)
		{
			List	   *opname = list_make2(makeString("pg_catalog"),
											makeString((char *) arith_names[i]));

			col->arithopr[i] = OpernameGetOprid(opname, basetype, basetype);
			col->arithnsp[i] = forge_operator_namespace(col->arithopr[i]);
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
 * key_column_loose
 *		Why column i of the unique index indexoid (pg_index row tup), which
 *		is rel's column col, cannot make a unique selector; NULL if it can.
 *
 *		forge selects a row with the column type's equality operator under
 *		the column's collation (deparse.c); the index holds at most one row
 *		per value of its operator class's equality under its own collation.
 *		A selector touches at most one row only if forge's equality is at
 *		least as fine as the index's: the same operator of a btree index,
 *		and the same collation, or a deterministic column collation and a
 *		built-in operator (which then compares bytes, as finely as any).
 *		A case-insensitive column under a unique index "COLLATE "C"" fails:
 *		"A" and "a" are two rows to the index and one value to the column.
 */
static char *
key_column_loose(ForgeRel *rel, HeapTuple tup, Oid indexoid, int i, int col)
{
	ForgeColumn *c = &rel->cols[col];
	Datum		d;
	bool		isnull;
	Oid			opclass;
	Oid			collation;
	HeapTuple	ct;
	Form_pg_opclass opc;
	Oid			eqopr = InvalidOid;
	bool		btree;

	d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indclass, &isnull);
	opclass = ((oidvector *) DatumGetPointer(d))->values[i];
	d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indcollation, &isnull);
	collation = ((oidvector *) DatumGetPointer(d))->values[i];

	ct = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass));
	if (!HeapTupleIsValid(ct))
		elog(ERROR, "cache lookup failed for operator class %u", opclass);
	opc = (Form_pg_opclass) GETSTRUCT(ct);
	btree = opc->opcmethod == BTREE_AM_OID;
	if (btree)
		eqopr = get_opfamily_member(opc->opcfamily, opc->opcintype,
									opc->opcintype, BTEqualStrategyNumber);
	ReleaseSysCache(ct);

	if (!btree || !OidIsValid(eqopr) || eqopr != c->eqopr)
		return psprintf("Unique index \"%s\" compares column \"%s\" with an equality other than its type's, so it cannot identify a row.",
						get_rel_name(indexoid), c->name);
	if (collation == c->collation || !OidIsValid(c->collation))
		return NULL;
	if (get_collation_isdeterministic(c->collation) &&
		c->eqopr < FirstNormalObjectId)
		return NULL;
	return psprintf("Unique index \"%s\" compares column \"%s\" under collation \"%s\", not the column's \"%s\", so it cannot identify a row.",
					get_rel_name(indexoid), c->name,
					get_collation_name(collation),
					get_collation_name(c->collation));
}

/*
 * build_keys
 *		Read the unique indexes of relation r into rel->keys, primary key
 *		first.  Expression indexes and indexes not yet valid are skipped;
 *		partial ones, and ones whose equality is not the column's
 *		(key_column_loose), are kept with the reason they identify no row.
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
		key->loose = NULL;
		initStringInfo(&joined);
		for (i = 0; i < key->ncols; i++)
		{
			key->cols[i] = column_index(rel, idx->indkey.values[i]);
			if (key->cols[i] < 0)
			{
				usable = false;
				break;
			}
			if (key->loose == NULL)
				key->loose = key_column_loose(rel, tup, indexoid, i,
											  key->cols[i]);
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
	rel->pkey = (n > 0 && rel->keys[0].primary && rel->keys[0].loose == NULL) ?
		0 : -1;
	list_free(indexes);
}

/*
 * read_soft_delete
 *		Find rel's soft-delete column, the one whose comment has the tag
 *		@softDelete (forge_smart_tag), into rel->softdelete (-1: none).  A
 *		tag forge cannot honour is an error on every use of the table, not
 *		ignored: ignored, the rows it marks deleted would count as live.
 */
static void
read_soft_delete(ForgeRel *rel, Relation r)
{
	int			i;

	rel->softdelete = -1;
	for (i = 0; i < rel->ncols; i++)
	{
		ForgeColumn *c = &rel->cols[i];
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(r),
											  c->attnum - 1);
		char	   *tag = forge_smart_tag(RelationRelationId, rel->relid,
										  c->attnum, "softDelete");

		if (tag == NULL)
			continue;
		if (tag[0] != '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("tag @softDelete of column \"%s\" of \"%s\" takes no value",
							c->name, rel->model),
					 errhint("Write the tag alone on its line of the column's comment.")));
		if (rel->softdelete >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("table \"%s\" has two soft-delete columns, \"%s\" and \"%s\"",
							rel->model, rel->cols[rel->softdelete].name, c->name),
					 errhint("Keep the @softDelete tag in the comment of one column.")));
		if ((c->data->typid != TIMESTAMPTZOID && c->data->typid != TIMESTAMPOID) ||
			att->attnotnull || c->generated != '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("soft-delete column \"%s\" of \"%s\" must be a nullable timestamptz or timestamp column",
							c->name, rel->model),
					 errdetail("Its comment has the tag @softDelete, and the column is %s%s%s.",
							   format_type_be(c->typid),
							   att->attnotnull ? " NOT NULL" : "",
							   c->generated != '\0' ? " GENERATED" : ""),
					 errhint("Change the column, or remove the tag from its comment.")));
		rel->softdelete = i;
	}
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

	/*
	 * A parent's unique keys and foreign keys hold for its own rows only,
	 * not its inheritance children's, so forge reads and writes the
	 * table's own rows (ONLY).  A partitioned table's rows are all in its
	 * partitions, and its keys cover them.
	 */
	rel->only = r->rd_rel->relkind == RELKIND_RELATION &&
		r->rd_rel->relhassubclass;

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
	read_soft_delete(rel, r);
	forge_citus_read(rel, r);

	MemoryContextSwitchTo(old);
	table_close(r, NoLock);
	MemoryContextSetParent(cxt, forge_catalog_cxt);
	rel->valid = true;
	return rel;
}

/*
 * pin
 *		Pin rel in the innermost scope.
 */
static ForgeRel *
pin(ForgeRel *rel)
{
	MemoryContext old;

	if (scope_depth == 0)
		elog(ERROR, "forge relation %u used outside a forge call", rel->relid);
	old = MemoryContextSwitchTo(TopMemoryContext);
	scope_pins = lappend(scope_pins, rel);
	MemoryContextSwitchTo(old);
	rel->refcount++;
	return rel;
}

/*
 * rel_get
 *		The ForgeRel of relid, built or rebuilt as needed, pinned until the
 *		current call's scope ends (forge_scope_begin).  The caller
 *		(forge_rel_open) holds a lock on the relation.
 */
static ForgeRel *
rel_get(Oid relid)
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

	if (scope_depth == 0)
		elog(ERROR, "forge relation %u used outside a forge call", relid);
	entry = hash_search(forge_rels, &relid, HASH_FIND, NULL);
	if (entry != NULL && entry->rel->valid)
		return pin(entry->rel);

	/* build before touching the hash, so an error leaves it consistent */
	{
		ForgeRel   *rel = build_rel(relid);

		entry = hash_search(forge_rels, &relid, HASH_ENTER, &found);
		if (found)
		{
			/* the stale one goes now, or with its last pin */
			entry->rel->retired = true;
			if (entry->rel->refcount == 0)
				MemoryContextDelete(entry->rel->cxt);
		}
		entry->rel = rel;
	}
	return pin(entry->rel);
}

/*
 * held_privileges
 *		Which of the privileges in need the current role holds on table
 *		relid, on the table itself or on any of its columns.
 */
static AclMode
held_privileges(Oid relid, Oid userid, AclMode need)
{
	static const AclMode bits[] = {ACL_SELECT, ACL_INSERT, ACL_UPDATE,
	ACL_REFERENCES};
	AclMode		held = pg_class_aclmask(relid, userid, need, ACLMASK_ALL);
	int			i;

	for (i = 0; i < (int) lengthof(bits); i++)
		if ((need & bits[i]) && !(held & bits[i]) &&
			pg_attribute_aclcheck_all(relid, userid, bits[i],
									  ACLMASK_ANY) == ACLCHECK_OK)
			held |= bits[i];
	return held;
}

/*
 * check_privileges
 *		Raise 42501 unless the current role has USAGE on the schema of
 *		relid and one of the privileges in need on it (on the table or on
 *		one of its columns).  Returns the privileges of need it holds.
 */
static AclMode
check_privileges(Oid relid, Oid userid, AclMode need)
{
	AclMode		held;
	Oid			nsp;
	AclResult	acl;

	nsp = get_rel_namespace(relid);
	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	acl = forge_namespace_aclcheck(nsp, userid, ACL_USAGE);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_SCHEMA, get_namespace_name(nsp));
	held = held_privileges(relid, userid, need);
	if (held == 0)
		aclcheck_error(ACLCHECK_NO_PRIV,
					   get_relkind_objtype(get_rel_relkind(relid)),
					   get_rel_name(relid));
	return held;
}

/*
 * already_checked
 *		Whether userid passed check_privileges for one of need on relid
 *		since its ForgeRel was built and since role membership last
 *		changed.  A GRANT or REVOKE on the table or a column invalidates
 *		the table's relcache entry, one on its schema every entry, and one
 *		of a role every check, so the answer is exact as of the
 *		invalidations processed so far.
 */
static bool
already_checked(Oid relid, Oid userid, AclMode need)
{
	ForgeRelEntry *entry;

	if (forge_rels == NULL)
		return false;
	entry = hash_search(forge_rels, &relid, HASH_FIND, NULL);
	return entry != NULL && entry->rel->valid &&
		entry->rel->checked_user == userid &&
		entry->rel->checked_epoch == forge_role_epoch &&
		(entry->rel->checked_privs & need) != 0;
}

/*
 * forge_rel_open
 *		The one door to a table: every table a forge call touches (the
 *		model, related tables of includes and relation filters, join
 *		tables, the tables of nested writes, forge_relations()) is opened
 *		here.  Checks that the current role has USAGE on relid's schema
 *		and one of the privileges in need (ACL_* bits) on the table or one
 *		of its columns, then takes lockmode on it, then returns its
 *		ForgeRel.  The statement that runs checks the exact table and
 *		column privileges again; the schema it checks only when planning,
 *		which a cached plan skips.
 *
 *		As RangeVarGetRelidExtended does, the check runs before the lock,
 *		and again, holding it, if taking the lock processed invalidations
 *		(a REVOKE committed while we waited) that already_checked says may
 *		have changed the answer.  Invalidations of other tables (another
 *		session's temporary tables, say) leave a check of this one standing.
 */
ForgeRel *
forge_rel_open(Oid relid, AclMode need, LOCKMODE lockmode)
{
	Oid			userid = GetUserId();
	uint64		inval_count = SharedInvalidMessageCounter;
	AclMode		held = 0;
	ForgeRel   *rel;

	if (!already_checked(relid, userid, need))
		held = check_privileges(relid, userid, need);
	LockRelationOid(relid, lockmode);
	if (inval_count != SharedInvalidMessageCounter &&
		!already_checked(relid, userid, need))
		held = check_privileges(relid, userid, need);
	rel = rel_get(relid);
	if (held != 0)
	{
		if (rel->checked_user != userid ||
			rel->checked_epoch != forge_role_epoch)
			rel->checked_privs = 0;
		rel->checked_user = userid;
		rel->checked_epoch = forge_role_epoch;
		rel->checked_privs |= held;
	}
	return rel;
}

/*
 * forge_extension_schema
 *		The schema forge is installed in: the one place every user finds it
 *		(the upsert's update-branch marker in deparse.c, the outbox's
 *		INSERT in outbox.c).
 *
 *		It is read from pg_extension, never resolved by name through a
 *		search path or from whichever function happens to be running, so
 *		no object another role creates can stand in for it: only a
 *		superuser can create the extension (it is not trusted), and a
 *		database holds it once.  It is the same in a trigger as in a verb,
 *		and follows ALTER SCHEMA ... RENAME (the OID stays; callers name it
 *		by get_namespace_name when they build SQL) and DROP and CREATE
 *		EXTENSION (the pg_proc callback forgets it).  forge is not
 *		relocatable, so ALTER EXTENSION forge SET SCHEMA is refused; were
 *		it allowed, it would move forge's functions and be seen the same
 *		way.  Raises 42704 when forge is not installed in this database.
 */
Oid
forge_extension_schema(void)
{
	Relation	pgext;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			nsp = InvalidOid;

	if (OidIsValid(extension_schema))
		return extension_schema;

	pgext = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(FORGE_EXTENSION_NAME));
	scan = systable_beginscan(pgext, ExtensionNameIndexId, true, NULL, 1,
							  &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		nsp = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(pgext, AccessShareLock);

	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"%s\" is not installed in this database",
						FORGE_EXTENSION_NAME),
				 errhint("Run CREATE EXTENSION %s.", FORGE_EXTENSION_NAME)));
	extension_schema = nsp;
	return nsp;
}

/*
 * forge_column_cmp_operator
 *		The operator that compares column c with cmp (equality for in),
 *		or InvalidOid if its type has none; not for the LIKE filters nor
 *		the scalar-list ones, which name pg_catalog's operators.
 */
Oid
forge_column_cmp_operator(const ForgeColumn *c, ForgeCmp cmp)
{
	switch (cmp)
	{
		case FORGE_EQ:
		case FORGE_IN:
			return c->eqopr;
		case FORGE_LT:
			return c->ltopr;
		case FORGE_LE:
			return c->leopr;
		case FORGE_GT:
			return c->gtopr;
		case FORGE_GE:
			return c->geopr;
		case FORGE_LIKE:
		case FORGE_ILIKE:
		case FORGE_ILIKE_ANY:
		case FORGE_HAS_EVERY:
		case FORGE_HAS_SOME:
		case FORGE_IS_EMPTY:
		case FORGE_LOWER_LT:
		case FORGE_LOWER_LE:
		case FORGE_LOWER_GT:
		case FORGE_LOWER_GE:
			break;
	}
	return InvalidOid;
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

		if (key->partial || key->loose != NULL || key->deferrable)
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
