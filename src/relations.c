/*-------------------------------------------------------------------------
 *
 * relations.c
 *		  The relations of a table, read from its foreign keys.
 *
 * Four kinds, each addressable by name in a descriptor:
 *
 *	to-one		this table holds the key (posts.author_id -> users): named
 *				by the key's column without a trailing "_id"/"Id" ("author")
 *	to-many		another table holds a key to this one (users <- posts):
 *				named by that table ("posts")
 *	one-to-one	as to-many, but the referencing columns are unique
 *				(profiles.user_id): named by that table ("profiles")
 *	many-to-many	through a join table with exactly two foreign keys and a
 *				primary key or unique index over their columns (post_tags,
 *				Prisma's _PostToTag): named by the other table ("tags")
 *
 * A name declared in the foreign key's comment (comments.c) replaces that
 * default, in PostGraphile's smart-comment tags: on the key, "@fieldName"
 * names its to-one and "@foreignFieldName" its to-many or one-to-one (the
 * referenced table's relation); on a join table's key to the other table,
 * "@manyToManyFieldName" names the many-to-many by which the table at the
 * join table's other key reaches that other table.  Prisma's relation
 * field names are declared this way (tools/prisma-relations).
 *
 * Where two relations would get the same default name, or a default name is
 * a column of the table or another relation's declared name, none takes it.
 * A declared name that another relation also declares, or that is a column
 * of the table, is nobody's either; a descriptor that uses it is an error
 * that names the comments (a column of that name is still the column).  A
 * relation whose key is held by another role's table (whose owner lacks
 * the privileges of this table's owner: not trusted) takes no name from a
 * trusted relation: it loses a name, constraint name or address that one
 * has, and the trusted relation keeps it.  A relation can also be
 * addressed by its constraint name (for a many-to-many, the join table's
 * key to the other table); where several share one, it addresses a trusted
 * relation first, and of those the to-one first, then the to-many or
 * one-to-one.  A many-to-many can always be addressed as
 * "join_table.constraint" (that same key): a self-referencing join table
 * (follows(follower_id, followee_id) on users) gives two to-many and two
 * many-to-many relations over its two constraints, and this is how each
 * many-to-many is told apart.
 *
 * A foreign key that references a partitioned table is cloned by
 * PostgreSQL once per partition (rows of the referencing table whose
 * conparentid is a constraint of the same table); only the constraint the
 * user made is a relation.
 *
 * Relations are read lazily, on the first call that needs them, into a
 * memory context under the table's ForgeRel, and read again only when an
 * invalidation names a table they were read from (forge_relations_invalidate,
 * which catalog.c's relcache callback calls): the table itself, and the
 * other table and join table of every relation.  That covers every DDL
 * that can change them, because PostgreSQL sends a relcache invalidation
 * for the referencing table of every foreign key it adds, drops, renames
 * or alters (a pg_constraint row of a foreign key is part of the
 * referencing table's relcache entry, inval.c), and for the referenced
 * table when it adds or drops the key (the RI action triggers are created
 * on, and dropped from, the referenced table): so a new key from a table
 * not yet related reaches the referenced table, and a renamed one reaches
 * its referencing table, which is related already.  A renamed table or
 * column, and a unique index created or dropped (which makes a to-many a
 * one-to-one, or a table a join table), invalidate their table.  A
 * whole-cache reset (sinval overflow), and a change to a schema or an
 * operator (catalog.c), read every table's relations again.  Under
 * unrelated DDL (another session's temporary tables) nothing is read
 * again; test/bench's update_include_ddl measures that.
 *
 * Each table a relation depends on is watched: a hash from its OID to a
 * count of the invalidations seen for it, compared with the count when
 * the relations were read.  An invalidation processed while the relations
 * are being read (reading takes locks, which processes invalidations) may
 * name a table that is not watched yet, so those are noted during the
 * read and checked against its dependencies when it ends.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/relations.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "forge.h"

/* one foreign key, as read from pg_constraint */
typedef struct FKey
{
	Oid			conoid;
	char	   *conname;
	Oid			conrelid;		/* the referencing table */
	Oid			confrelid;		/* the referenced table */
	int			nkeys;
	AttrNumber	conkey[INDEX_MAX_KEYS];
	AttrNumber	confkey[INDEX_MAX_KEYS];
	Oid			pfeqop[INDEX_MAX_KEYS];	/* referenced = referencing */
} FKey;

static const char *const kind_names[] = {
	"to-one", "to-many", "one-to-one", "many-to-many"
};

/* A table some relations were read from, and its last invalidation. */
typedef struct WatchedRel
{
	Oid			relid;			/* hash key */
	uint64		seq;			/* inval_seq of its last invalidation */
} WatchedRel;

static HTAB *watched = NULL;
static uint64 inval_seq = 0;	/* counts invalidations that can matter */
static uint64 reset_seq = 0;	/* inval_seq of the last whole reset */

/* the tables invalidated while read_relations runs */
#define MAX_SEEN 32
static bool reading = false;
static int	nseen = 0;
static bool seen_overflow = false;
static Oid	seen[MAX_SEEN];

/*
 * forge_relations_invalidate
 *		A relcache invalidation of relid, or of every relation (InvalidOid):
 *		the relations read from it are stale.  Called from catalog.c's
 *		relcache callback, so it only notes (no catalog access, no
 *		allocation).
 */
void
forge_relations_invalidate(Oid relid)
{
	WatchedRel *w;

	if (!OidIsValid(relid))
	{
		/* every table's relations are stale: forget what was watched */
		reset_seq = ++inval_seq;
		if (watched != NULL)
		{
			HASH_SEQ_STATUS status;

			hash_seq_init(&status, watched);
			while ((w = hash_seq_search(&status)) != NULL)
				hash_search(watched, &w->relid, HASH_REMOVE, NULL);
		}
		return;
	}
	if (reading)
	{
		if (nseen < MAX_SEEN)
			seen[nseen++] = relid;
		else
			seen_overflow = true;
	}
	if (watched != NULL &&
		(w = hash_search(watched, &relid, HASH_FIND, NULL)) != NULL)
		w->seq = ++inval_seq;
}

/*
 * relations_current
 *		Whether rel's relations were read and no table they were read from
 *		has been invalidated since.
 */
static bool
relations_current(ForgeRel *rel)
{
	int			i;

	if (rel->relcxt == NULL || rel->ndeps < 0)
		return false;			/* never read, or the read failed */
	if (rel->rels_checked == inval_seq)
		return true;			/* nothing that matters happened since */
	if (reset_seq > rel->rels_seq)
		return false;
	for (i = 0; i < rel->ndeps; i++)
	{
		WatchedRel *w = hash_search(watched, &rel->deps[i], HASH_FIND, NULL);

		if (w == NULL || w->seq > rel->rels_seq)
			return false;
	}
	rel->rels_checked = inval_seq;
	return true;
}

/*
 * watch_dependencies
 *		Note the tables rel's relations (just read) depend on, in rel->deps,
 *		and watch each.  One that was invalidated while they were read makes
 *		them stale at once: they are used by the running call, and read
 *		again by the next.
 */
static void
watch_dependencies(ForgeRel *rel)
{
	Oid		   *deps = MemoryContextAlloc(rel->relcxt,
										  sizeof(Oid) * (1 + 2 * rel->nrels));
	int			ndeps = 0;
	int			i,
				j;

	if (watched == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(WatchedRel);
		ctl.hcxt = CacheMemoryContext;
		watched = hash_create("forge relation dependencies", 64, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	deps[ndeps++] = rel->relid;
	for (i = 0; i < rel->nrels; i++)
	{
		Oid			two[2] = {rel->rels[i].other, rel->rels[i].join};
		int			k;

		for (k = 0; k < 2; k++)
		{
			bool		dup = !OidIsValid(two[k]);

			for (j = 0; j < ndeps && !dup; j++)
				dup = deps[j] == two[k];
			if (!dup)
				deps[ndeps++] = two[k];
		}
	}

	for (i = 0; i < ndeps; i++)
	{
		bool		found;
		WatchedRel *w = hash_search(watched, &deps[i], HASH_ENTER, &found);
		bool		stale = seen_overflow;

		if (!found)
			w->seq = 0;
		for (j = 0; j < nseen && !stale; j++)
			stale = seen[j] == deps[i];
		if (stale)
			w->seq = ++inval_seq;
	}
	rel->deps = deps;
	rel->ndeps = ndeps;
}

/*
 * read_fkey
 *		An FKey from a pg_constraint row of a foreign key.
 */
static FKey *
read_fkey(HeapTuple tup)
{
	Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
	FKey	   *fk = palloc0(sizeof(FKey));

	fk->conoid = con->oid;
	fk->conname = pstrdup(NameStr(con->conname));
	fk->conrelid = con->conrelid;
	fk->confrelid = con->confrelid;
	DeconstructFkConstraintRow(tup, &fk->nkeys, fk->conkey, fk->confkey,
							   fk->pfeqop, NULL, NULL, NULL, NULL);
	return fk;
}

/*
 * is_partition_clone
 *		Whether foreign key con is one of the copies PostgreSQL makes of a
 *		key that references a partitioned table, one per partition: its
 *		parent constraint is on the same table.  (A partition's copy of its
 *		partitioned parent's key is the partition's own key, and stays.)
 */
static bool
is_partition_clone(Form_pg_constraint con)
{
	HeapTuple	tup;
	bool		clone;

	if (!OidIsValid(con->conparentid))
		return false;
	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(con->conparentid));
	if (!HeapTupleIsValid(tup))
		return false;
	clone = ((Form_pg_constraint) GETSTRUCT(tup))->conrelid == con->conrelid;
	ReleaseSysCache(tup);
	return clone;
}

/*
 * fkeys_of
 *		The foreign keys held by table relid.
 */
static List *
fkeys_of(Oid relid)
{
	Relation	pgc = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(pgc, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);

		if (con->contype == CONSTRAINT_FOREIGN && !is_partition_clone(con))
			result = lappend(result, read_fkey(tup));
	}
	systable_endscan(scan);
	table_close(pgc, AccessShareLock);
	return result;
}

/*
 * fkeys_to
 *		The foreign keys of any table that reference table relid.  There is
 *		no index on confrelid, so this scans pg_constraint.
 */
static List *
fkeys_to(Oid relid)
{
	Relation	pgc = table_open(ConstraintRelationId, AccessShareLock);
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	scan = systable_beginscan(pgc, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);

		CHECK_FOR_INTERRUPTS();
		if (con->contype == CONSTRAINT_FOREIGN && con->confrelid == relid &&
			con->conparentid == InvalidOid)
			result = lappend(result, read_fkey(tup));
	}
	systable_endscan(scan);
	table_close(pgc, AccessShareLock);
	return result;
}

/*
 * columns_unique
 *		Whether table relid has a primary key or non-partial unique index
 *		whose key columns are exactly the set cols[0..n-1].
 */
static bool
columns_unique(Oid relid, int n, const AttrNumber *cols)
{
	Relation	pgi = table_open(IndexRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(pgi, IndexIndrelidIndexId, true, NULL, 1, &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);
		int			i,
					j;
		bool		all = true;

		if (!idx->indisunique || !idx->indisvalid || idx->indnkeyatts != n ||
			!heap_attisnull(tup, Anum_pg_index_indpred, NULL) ||
			!heap_attisnull(tup, Anum_pg_index_indexprs, NULL))
			continue;
		for (i = 0; i < n && all; i++)
		{
			bool		in = false;

			for (j = 0; j < n; j++)
				in |= (idx->indkey.values[i] == cols[j]);
			all = in;
		}
		found = all;
	}
	systable_endscan(scan);
	table_close(pgi, AccessShareLock);
	return found;
}

/*
 * to_one_name
 *		The name of a to-one relation held by column colname: the column
 *		without a trailing "_id" or "Id"; NULL if it has neither.
 */
static char *
to_one_name(const char *colname)
{
	int			len = strlen(colname);

	if (len > 3 && strcmp(colname + len - 3, "_id") == 0)
		return pnstrdup(colname, len - 3);
	if (len > 2 && strcmp(colname + len - 2, "Id") == 0)
		return pnstrdup(colname, len - 2);
	return NULL;
}

/*
 * column_names
 *		The names of table relid's columns cols[0..n-1]; *required is set to
 *		the name of one that is NOT NULL, or NULL if none is.
 */
static char **
column_names(Oid relid, int n, const AttrNumber *cols, const char **required)
{
	char	  **names = palloc(sizeof(char *) * Max(n, 1));
	int			i;

	*required = NULL;
	for (i = 0; i < n; i++)
	{
		HeapTuple	tp = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid),
										 Int16GetDatum(cols[i]));
		Form_pg_attribute att;

		if (!HeapTupleIsValid(tp))
			elog(ERROR, "cache lookup failed for attribute %d of relation %u",
				 cols[i], relid);
		att = (Form_pg_attribute) GETSTRUCT(tp);
		names[i] = pstrdup(NameStr(att->attname));
		if (att->attnotnull && *required == NULL)
			*required = names[i];
		ReleaseSysCache(tp);
	}
	return names;
}

/*
 * name_columns
 *		Fill in r's column names (see ForgeRelation); relid is this table.
 */
static void
name_columns(ForgeRelation *r, Oid relid)
{
	bool		m2m = r->kind == FORGE_MANY_TO_MANY;
	const char *unused;

	r->local_names = column_names(relid, r->nkeys, r->local,
								  &r->local_required);
	r->foreign_names = column_names(r->other,
									m2m ? r->njoin_foreign : r->nkeys,
									r->foreign, &r->foreign_required);
	if (m2m)
	{
		r->join_local_names = column_names(r->join, r->nkeys, r->join_local,
										   &unused);
		r->join_foreign_names = column_names(r->join, r->njoin_foreign,
											 r->join_foreign, &unused);
	}
}

/*
 * operator_schemas
 *		Note in r the schemas other than pg_catalog of the operators its
 *		join compares with (eqop, join_eqop), which descriptor.c checks
 *		for USAGE on every call.
 */
static void
operator_schemas(ForgeRelation *r)
{
	bool		m2m = r->kind == FORGE_MANY_TO_MANY;
	int			neq = m2m ? r->njoin_foreign : r->nkeys;
	int			i,
				j;

	for (i = 0; i < neq + (m2m ? r->nkeys : 0); i++)
	{
		Oid			opr = i < neq ? r->eqop[i] : r->join_eqop[i - neq];
		Oid			nsp = forge_operator_namespace(opr);
		bool		seen = false;

		if (!OidIsValid(nsp) || nsp == PG_CATALOG_NAMESPACE)
			continue;
		for (j = 0; j < r->nopnsps; j++)
			seen |= r->opnsps[j] == nsp;
		if (!seen)
			r->opnsps[r->nopnsps++] = nsp;
	}
}

/*
 * rel_owner
 *		The owner of relation relid.
 */
static Oid
rel_owner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * trusted_holder
 *		Whether a key held by table holder speaks for table relid (owned by
 *		owner): holder is relid, or holder's owner has the privileges of
 *		relid's owner.  Otherwise it is another role's key (a role allowed
 *		only to REFERENCES relid can make one), and its relation may neither
 *		take a name from relid's own relations nor be named by its comment.
 */
static bool
trusted_holder(Oid holder, Oid relid, Oid owner)
{
	return holder == relid || has_privs_of_role(rel_owner(holder), owner);
}

/*
 * declared_name
 *		The relation name that the comment of constraint conoid declares
 *		with tag, or NULL (no such tag, or an empty one, or a key that is
 *		not trusted: see trusted_holder).  Whoever owns the key's table can
 *		write that comment: a role allowed only to REFERENCES the table
 *		could otherwise give its own key the name of one of the table's
 *		relations ("@foreignFieldName posts") and have the owner's nested
 *		writes by that name go into its table.
 */
static char *
declared_name(Oid conoid, const char *tag, bool trusted)
{
	char	   *name;

	if (!trusted)
		return NULL;
	name = forge_smart_tag(ConstraintRelationId, conoid, 0, tag);
	return name != NULL && name[0] != '\0' ? name : NULL;
}

/*
 * add_relation
 *		Append a relation of kind to *rels (growing it as needed).
 */
static ForgeRelation *
add_relation(ForgeRelation **rels, int *n, int *max, ForgeRelationKind kind,
			 const char *name, const char *conname, Oid other)
{
	ForgeRelation *r;

	if (*n == *max)
	{
		*max = *max == 0 ? 8 : *max * 2;
		*rels = *rels == NULL ? palloc(sizeof(ForgeRelation) * *max)
			: repalloc(*rels, sizeof(ForgeRelation) * *max);
	}
	r = &(*rels)[(*n)++];
	memset(r, 0, sizeof(ForgeRelation));
	r->kind = kind;
	r->name = name ? pstrdup(name) : NULL;
	r->conname = pstrdup(conname);
	r->other = other;
	return r;
}

/*
 * read_relations
 *		Read the relations of rel into rel->rels, in rel->relcxt.
 */
static void
read_relations(ForgeRel *rel)
{
	MemoryContext old = MemoryContextSwitchTo(rel->relcxt);
	ForgeRelation *rels = NULL;
	int			n = 0;
	int			max = 0;
	List	   *mine = fkeys_of(rel->relid);
	List	   *theirs = fkeys_to(rel->relid);
	Oid			owner = rel_owner(rel->relid);
	ListCell   *lc;
	int			i,
				j;

	/* to-one: the keys this table holds */
	foreach(lc, mine)
	{
		FKey	   *fk = lfirst(lc);
		ForgeRelation *r;
		char	   *name = NULL;

		if (fk->nkeys == 1)
			name = to_one_name(get_attname(fk->conrelid, fk->conkey[0], false));
		r = add_relation(&rels, &n, &max, FORGE_TO_ONE, name, fk->conname,
						 fk->confrelid);
		r->conoid = fk->conoid;
		r->trusted = true;
		r->declared = declared_name(fk->conoid, "fieldName", true);
		memcpy(r->eqop, fk->pfeqop, sizeof(Oid) * fk->nkeys);
		r->nkeys = fk->nkeys;
		memcpy(r->local, fk->conkey, sizeof(AttrNumber) * fk->nkeys);
		memcpy(r->foreign, fk->confkey, sizeof(AttrNumber) * fk->nkeys);
		r->local_unique = columns_unique(fk->conrelid, fk->nkeys, fk->conkey);
	}

	/* to-many and one-to-one: keys other tables hold; join tables */
	foreach(lc, theirs)
	{
		FKey	   *fk = lfirst(lc);
		ForgeRelation *r;
		List	   *joinfks;
		bool		unique = columns_unique(fk->conrelid, fk->nkeys, fk->conkey);

		r = add_relation(&rels, &n, &max,
						 unique ? FORGE_ONE_TO_ONE : FORGE_TO_MANY,
						 get_rel_name(fk->conrelid), fk->conname, fk->conrelid);
		r->conoid = fk->conoid;
		r->trusted = trusted_holder(fk->conrelid, rel->relid, owner);
		r->declared = declared_name(fk->conoid, "foreignFieldName",
									r->trusted);
		memcpy(r->eqop, fk->pfeqop, sizeof(Oid) * fk->nkeys);
		r->nkeys = fk->nkeys;
		memcpy(r->local, fk->confkey, sizeof(AttrNumber) * fk->nkeys);
		memcpy(r->foreign, fk->conkey, sizeof(AttrNumber) * fk->nkeys);

		/* a join table: exactly two keys, unique together */
		joinfks = fkeys_of(fk->conrelid);
		if (list_length(joinfks) == 2)
		{
			FKey	   *a = linitial(joinfks);
			FKey	   *b = lsecond(joinfks);
			FKey	   *to_other = strcmp(a->conname, fk->conname) == 0 ? b : a;
			AttrNumber both[INDEX_MAX_KEYS * 2];

			if (fk->nkeys + to_other->nkeys <= INDEX_MAX_KEYS)
			{
				memcpy(both, fk->conkey, sizeof(AttrNumber) * fk->nkeys);
				memcpy(both + fk->nkeys, to_other->conkey,
					   sizeof(AttrNumber) * to_other->nkeys);
				if (columns_unique(fk->conrelid, fk->nkeys + to_other->nkeys, both))
				{
					r = add_relation(&rels, &n, &max, FORGE_MANY_TO_MANY,
									 get_rel_name(to_other->confrelid),
									 to_other->conname, to_other->confrelid);
					r->join = fk->conrelid;
					r->conoid = to_other->conoid;
					r->trusted = trusted_holder(fk->conrelid, rel->relid, owner);
					r->declared = declared_name(to_other->conoid,
												"manyToManyFieldName",
												r->trusted);
					r->address = psprintf("%s.%s", get_rel_name(fk->conrelid),
										  to_other->conname);
					r->back_conname = psprintf("%s.%s",
											   get_rel_name(fk->conrelid),
											   fk->conname);
					r->back_conoid = fk->conoid;
					memcpy(r->join_eqop, fk->pfeqop, sizeof(Oid) * fk->nkeys);
					memcpy(r->eqop, to_other->pfeqop,
						   sizeof(Oid) * to_other->nkeys);
					r->nkeys = fk->nkeys;
					memcpy(r->local, fk->confkey, sizeof(AttrNumber) * fk->nkeys);
					memcpy(r->join_local, fk->conkey, sizeof(AttrNumber) * fk->nkeys);
					r->njoin_foreign = to_other->nkeys;
					memcpy(r->join_foreign, to_other->conkey,
						   sizeof(AttrNumber) * to_other->nkeys);
					memcpy(r->foreign, to_other->confkey,
						   sizeof(AttrNumber) * to_other->nkeys);
				}
			}
		}
	}

	/*
	 * A declared name competes with the other declared names, a default
	 * name with every other relation's name (declared, else default); and
	 * each with the columns.  A name two would share is nobody's.  But a
	 * relation whose key is not trusted takes no name from a trusted one:
	 * it loses a name that a trusted relation answers to (as its name,
	 * default or declared, or its constraint name or address), and a
	 * trusted relation does not lose its name to it.  Otherwise any role
	 * allowed to REFERENCES the table could take the names of the owner's
	 * relations away (a table of its own called "posts"), or take an
	 * address the owner uses ("posts_user_id_fkey" as a table name).
	 */
	for (i = 0; i < n; i++)
	{
		const char *mine = rels[i].declared ? rels[i].declared : rels[i].name;
		bool		clash = false;

		if (mine == NULL)
			continue;
		for (j = 0; j < n && !clash; j++)
		{
			const char *theirs = rels[j].declared;

			if (j == i || (rels[i].trusted && !rels[j].trusted))
				continue;
			if (theirs == NULL && rels[i].declared == NULL)
				theirs = rels[j].name;
			clash = theirs != NULL && strcmp(mine, theirs) == 0;
			if (!rels[i].trusted && rels[j].trusted)
				clash |= strcmp(mine, rels[j].name ? rels[j].name : "") == 0 ||
					strcmp(mine, rels[j].conname) == 0 ||
					(rels[j].address != NULL &&
					 strcmp(mine, rels[j].address) == 0);
		}
		if (forge_column_lookup(rel, mine, strlen(mine)) >= 0)
			clash = true;
		rels[i].clashed = clash;
	}
	for (i = 0; i < n; i++)
	{
		if (rels[i].clashed)
			rels[i].name = NULL;
		else if (rels[i].declared != NULL)
			rels[i].name = rels[i].declared;
	}
	for (i = 0; i < n; i++)
	{
		name_columns(&rels[i], rel->relid);
		operator_schemas(&rels[i]);
	}

	rel->rels = rels;
	rel->nrels = n;
	MemoryContextSwitchTo(old);
}

/*
 * forge_rel_relations
 *		Make sure rel->rels is current.  Stale relations are retired, not
 *		freed: a running call may still point into them (catalog.c).
 */
void
forge_rel_relations(ForgeRel *rel)
{
	if (relations_current(rel))
		return;
	if (rel->relcxt != NULL)
		forge_rel_retire_relations(rel);
	rel->relcxt = AllocSetContextCreate(rel->cxt, "forge relations",
										ALLOCSET_SMALL_SIZES);
	rel->rels = NULL;
	rel->nrels = 0;
	rel->deps = NULL;
	rel->ndeps = -1;			/* until the read is complete */

	/*
	 * Not reentrant, and an error leaves "reading" set, which only makes
	 * the callback note tables until the next read begins.
	 */
	rel->rels_seq = inval_seq;
	reading = true;
	nseen = 0;
	seen_overflow = false;
	read_relations(rel);
	watch_dependencies(rel);
	reading = false;
	/* current as of the read's start: anything since is checked */
	rel->rels_checked = rel->rels_seq;
}

/*
 * relation_by_constraint
 *		The relation of rel whose constraint is named name (len bytes): the
 *		to-one first, then the to-many or one-to-one, then the many-to-many;
 *		else a many-to-many by "join_table.constraint"; else NULL.  Trusted
 *		relations (read_relations) are searched first, in that order, and
 *		only then the others: another role's key named as one of the owner's
 *		constraints, or as a many-to-many's address, does not take it.
 */
static ForgeRelation *
relation_by_constraint(ForgeRel *rel, const char *name, int len)
{
	static const int precedence[] = {
		FORGE_TO_ONE, FORGE_TO_MANY, FORGE_MANY_TO_MANY
	};
	int			t,
				i,
				p;

	for (t = 1; t >= 0; t--)
	{
		for (p = 0; p < (int) lengthof(precedence); p++)
			for (i = 0; i < rel->nrels; i++)
			{
				ForgeRelation *r = &rel->rels[i];
				int			kind = r->kind == FORGE_ONE_TO_ONE ? FORGE_TO_MANY : r->kind;

				if (r->trusted == (t == 1) && kind == precedence[p] &&
					(int) strlen(r->conname) == len &&
					memcmp(r->conname, name, len) == 0)
					return r;
			}
		for (i = 0; i < rel->nrels; i++)
		{
			ForgeRelation *r = &rel->rels[i];

			if (r->trusted == (t == 1) && r->address != NULL &&
				(int) strlen(r->address) == len &&
				memcmp(r->address, name, len) == 0)
				return r;
		}
	}
	return NULL;
}

/*
 * declared_clash
 *		A descriptor named rel's relation by name, which a comment declares
 *		but which is nobody's (see read_relations): the error that says why.
 */
static void
declared_clash(ForgeRel *rel, const char *name, int len)
{
	ForgeRelation *first = NULL;
	int			i;

	for (i = 0; i < rel->nrels; i++)
	{
		ForgeRelation *r = &rel->rels[i];
		const char *con = r->address ? r->address : r->conname;

		if (r->declared == NULL || (int) strlen(r->declared) != len ||
			memcmp(r->declared, name, len) != 0)
			continue;
		if (first != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("relation name \"%s\" of \"%s\" is declared for two relations",
							r->declared, rel->relname),
					 errdetail("The comments on constraints \"%s\" and \"%s\" both declare it.",
							   first->conname, r->conname),
					 errhint("Declare distinct names; until then address each relation by its constraint name (\"%s\", \"%s\").",
							 first->address ? first->address : first->conname,
							 con)));
		if (forge_column_lookup(rel, r->declared, len) >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("relation name \"%s\" of \"%s\" is also a column",
							r->declared, rel->relname),
					 errdetail("The comment on constraint \"%s\" declares it.",
							   r->conname),
					 errhint("Declare another name; until then address the relation by its constraint name \"%s\".",
							 con)));
		first = r;
	}
}

/*
 * qualified
 *		The schema-qualified, quoted name of relation relid.
 */
static char *
qualified(Oid relid)
{
	return quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									  get_rel_name(relid));
}

/*
 * unambiguous
 *		found, the relation of rel that name (len bytes) addressed, unless it
 *		was addressed by its constraint's name and another relation of the
 *		same kind and trust (a trusted one is found first) has a constraint
 *		of that name: a constraint name is unique only on its table, so two
 *		tables' keys to rel may share one ("posts_user_id_fkey" in two
 *		schemas).  The same for a many-to-many's "join_table.constraint",
 *		which join tables of one name in two schemas share.
 */
static ForgeRelation *
unambiguous(ForgeRel *rel, ForgeRelation *found, const char *name, int len)
{
	int			i;

	if (found == NULL)
		return NULL;

	/*
	 * found by "join_table.constraint": join tables of one name in two
	 * schemas, with keys of one name, share it
	 */
	if ((int) strlen(found->conname) != len ||
		memcmp(found->conname, name, len) != 0)
	{
		for (i = 0; i < rel->nrels; i++)
		{
			ForgeRelation *r = &rel->rels[i];

			if (r != found && r->address != NULL &&
				r->trusted == found->trusted &&
				strcmp(r->address, found->address) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("address \"%s\" addresses two relations of \"%s\"",
								found->address, rel->relname),
						 errdetail("Join tables %s and %s both have that name and constraint.",
								   qualified(found->join), qualified(r->join)),
						 errhint("Declare a name for the relation (@manyToManyFieldName), or rename one of the join tables.")));
		}
		return found;
	}
	for (i = 0; i < rel->nrels; i++)
	{
		ForgeRelation *r = &rel->rels[i];
		bool		same_kind = (r->kind == FORGE_TO_ONE) ==
			(found->kind == FORGE_TO_ONE) &&
			(r->kind == FORGE_MANY_TO_MANY) == (found->kind == FORGE_MANY_TO_MANY);

		if (r != found && same_kind && r->trusted == found->trusted &&
			strcmp(r->conname, found->conname) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("constraint name \"%s\" addresses two relations of \"%s\"",
							found->conname, rel->relname),
					 errdetail("Foreign keys of tables %s and %s both have that name.",
							   qualified(found->join ? found->join : found->other),
							   qualified(r->join ? r->join : r->other)),
					 errhint("Address the relation by its name, or rename one of the constraints.")));
	}
	return found;
}

/*
 * forge_relation_lookup
 *		The relation of rel named name (len bytes), or NULL: by its name;
 *		else (forge_relation_by_constraint) by its constraint's name.  A
 *		declared name that clashed is an error.
 */
ForgeRelation *
forge_relation_lookup(ForgeRel *rel, const char *name, int len)
{
	int			i;

	forge_rel_relations(rel);
	for (i = 0; i < rel->nrels; i++)
	{
		ForgeRelation *r = &rel->rels[i];

		if (r->name != NULL && (int) strlen(r->name) == len &&
			memcmp(r->name, name, len) == 0)
			return r;
	}
	declared_clash(rel, name, len);
	return unambiguous(rel, relation_by_constraint(rel, name, len), name, len);
}

/*
 * forge_relation_by_key
 *		The relation of rel that forge addresses itself (nested.c: a join
 *		table's key to the other table, the way back from the other table):
 *		with join, the many-to-many through join whose conoid is conoid;
 *		without, the to-one of key conoid.  By identity, not by name: a
 *		name or address another relation also answers to (a key of another
 *		role's table named "post_tags.post_tags_post_id_fkey", or its own
 *		join table post_tags in another schema) cannot take its place.
 */
ForgeRelation *
forge_relation_by_key(ForgeRel *rel, Oid conoid, Oid join)
{
	int			i;

	forge_rel_relations(rel);
	for (i = 0; i < rel->nrels; i++)
	{
		ForgeRelation *r = &rel->rels[i];

		if (r->conoid == conoid && r->join == join &&
			r->kind == (OidIsValid(join) ? FORGE_MANY_TO_MANY : FORGE_TO_ONE))
			return r;
	}
	return NULL;
}

/*
 * forge_relation_kind_name
 *		"to-one", "to-many", "one-to-one" or "many-to-many".
 */
const char *
forge_relation_kind_name(ForgeRelationKind kind)
{
	return kind_names[kind];
}

/*
 * forge_describe_relations
 *		Append the names by which rel's relations can be addressed, for a
 *		hint: "author (to-one), posts (to-many)".
 */
void
forge_describe_relations(StringInfo buf, ForgeRel *rel)
{
	int			i;

	forge_rel_relations(rel);
	for (i = 0; i < rel->nrels; i++)
		appendStringInfo(buf, "%s%s (%s)", i > 0 ? ", " : "",
						 rel->rels[i].name ? rel->rels[i].name : rel->rels[i].conname,
						 kind_names[rel->rels[i].kind]);
	if (rel->nrels == 0)
		appendStringInfoString(buf, "none");
}

/*
 * attnames_array
 *		A text[] of the n column names names.
 */
static Datum
attnames_array(int n, char **names)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(names[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * relations_rows
 *		Put a row of forge_relations() for each relation of relid into
 *		rsinfo's tuplestore.  Runs inside a call scope (catalog.c).
 */
static void
relations_rows(ReturnSetInfo *rsinfo, Oid relid)
{
	ForgeRel   *rel = forge_rel_open(relid, ACL_SELECT | ACL_INSERT | ACL_UPDATE |
									 ACL_DELETE | ACL_REFERENCES,
									 AccessShareLock);
	int			i;

	forge_rel_relations(rel);
	for (i = 0; i < rel->nrels; i++)
	{
		ForgeRelation *r = &rel->rels[i];
		Datum		values[10];
		bool		nulls[10] = {false};
		bool		m2m = r->kind == FORGE_MANY_TO_MANY;

		values[0] = r->name ? CStringGetTextDatum(r->name) : (Datum) 0;
		nulls[0] = r->name == NULL;
		values[1] = CStringGetTextDatum(kind_names[r->kind]);
		values[2] = CStringGetTextDatum(r->conname);
		values[3] = attnames_array(r->nkeys, r->local_names);
		values[4] = ObjectIdGetDatum(r->other);
		values[5] = attnames_array(m2m ? r->njoin_foreign : r->nkeys,
								   r->foreign_names);
		values[6] = ObjectIdGetDatum(r->join);
		nulls[6] = nulls[7] = nulls[8] = !m2m;
		if (m2m)
		{
			values[7] = attnames_array(r->nkeys, r->join_local_names);
			values[8] = attnames_array(r->njoin_foreign, r->join_foreign_names);
		}
		values[9] = r->declared ? CStringGetTextDatum(r->declared) : (Datum) 0;
		nulls[9] = r->declared == NULL;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

PG_FUNCTION_INFO_V1(forge_relations);

/*
 * forge_relations
 *		(model regclass) returns the model's relations: name (NULL when it
 *		clashed), kind, constraint_name, columns, target, target_columns,
 *		join_table, join_columns, join_target_columns, declared_name (what
 *		the constraint's comment declares, NULL if nothing).
 */
Datum
forge_relations(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	List	   *save;

	InitMaterializedSRF(fcinfo, 0);
	forge_scope_begin(&save);
	PG_TRY();
	{
		relations_rows(rsinfo, relid);
	}
	PG_FINALLY();
	{
		forge_scope_end(save);
	}
	PG_END_TRY();
	return (Datum) 0;
}
