/*-------------------------------------------------------------------------
 *
 * plancache.c
 *		  Prepared plans, cached by key: the one place forge keeps a plan.
 *
 * Modelled on ri_triggers.c's query cache.  Every plan forge prepares and
 * keeps comes from here: the verbs' statements (forge_plan_get, keyed by
 * the statement's shape, which shape.c computes by walking the finished
 * statement as deparse.c does: verb, relation OID, columns and their
 * operations, the filter tree's operators and null tests, the select list,
 * flags, parameter numbers and types, never a value, so that equal shapes
 * deparse to equal SQL text) and the outbox trigger's queries (outbox.c,
 * through forge_plan_lookup with a key of its own).  Builds with assertions
 * (or -DFORGE_CHECK_SHAPE) check that equality on every statement plan
 * (check_shape).  A ForgePlanSource says what
 * identifies the plan (an owner tag, so that two users' keys never meet,
 * and the key's bytes), a version the cached plan must have been built
 * for, and how to build its SQL text.  Keys vary in length, so the hash key
 * is a fixed struct (zeroed before filling) that carries the key's hash,
 * owner, length and a pointer to its bytes, with a match function that
 * compares the bytes.
 *
 * A plan found invalid (SPI_plan_is_valid: DDL on a table it reads since it
 * was prepared), or built for another version (the outbox's query reads
 * only transition tables, so PostgreSQL never invalidates it: its version
 * is the ForgeRel generation its text was built from), is dropped and
 * rebuilt from fresh SQL text, because a renamed or dropped column makes
 * the old text wrong.  The cache holds at most forge.plan_cache_size plans,
 * statements and outbox queries together; past that the least recently
 * used goes.  At 0 nothing is kept: each lookup prepares a plan of its own,
 * which its release frees.  Plans, keys and SQL texts live in
 * TopMemoryContext via SPI_keepplan and a named context of this file.
 *
 * A plan is pinned while a call runs it (the lookup pins, the caller unpins
 * with forge_plan_release, on error too), as PostgreSQL's own plancache.c
 * reference-counts its plans: a trigger of the running statement may make
 * forge calls that evict it, reset the cache (forge_plan_cache_reset), or
 * find it invalid and replace it.  A pinned plan that leaves the cache is
 * only detached (out of the hash and the LRU list); the last release frees
 * it.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/plancache.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "nodes/parsenodes.h"
#include "lib/ilist.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "forge.h"

typedef struct ForgePlanKey
{
	uint32		hash;
	char		owner;			/* ForgePlanSource.owner */
	int			len;
	const char *shape;			/* the key's bytes */
} ForgePlanKey;

/*
 * A cached plan.  Apart from the hash entry, whose memory dynahash reuses
 * as soon as it is removed, so that a detached plan outlives its entry.
 */
struct ForgePlan
{
	SPIPlanPtr	plan;
	char	   *sql;
	uint32		version;		/* ForgePlanSource.version it was built for */
	int			refcount;		/* running calls that use it */
	bool		cached;			/* in the hash and the LRU list */
	dlist_node	lru;			/* most recently used at the head */
	ForgePlanKey key;			/* its shape, owned here */
};

typedef struct ForgePlanEntry
{
	ForgePlanKey key;			/* hash key: must be first */
	ForgePlan  *plan;
} ForgePlanEntry;

static HTAB *forge_plans = NULL;
static MemoryContext forge_plan_cxt = NULL;
static dlist_head forge_plan_lru = DLIST_STATIC_INIT(forge_plan_lru);
static int64 forge_plan_hits = 0;
static int64 forge_plan_misses = 0;

/*
 * plan_key_hash
 *		dynahash hash function: the key carries its hash.
 */
static uint32
plan_key_hash(const void *key, Size keysize)
{
	(void) keysize;
	return ((const ForgePlanKey *) key)->hash;
}

/*
 * plan_key_match
 *		dynahash match function: 0 when the shapes are equal.
 */
static int
plan_key_match(const void *key1, const void *key2, Size keysize)
{
	const ForgePlanKey *a = key1;
	const ForgePlanKey *b = key2;

	(void) keysize;
	if (a->hash != b->hash || a->owner != b->owner || a->len != b->len)
		return 1;
	return memcmp(a->shape, b->shape, a->len);
}

/*
 * forge_plancache_init
 *		Create the cache; called on first use.
 */
void
forge_plancache_init(void)
{
	HASHCTL		ctl;

	if (forge_plans != NULL)
		return;
	forge_plan_cxt = AllocSetContextCreate(TopMemoryContext, "forge plans",
										   ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ForgePlanKey);
	ctl.entrysize = sizeof(ForgePlanEntry);
	ctl.hash = plan_key_hash;
	ctl.match = plan_key_match;
	ctl.hcxt = forge_plan_cxt;
	forge_plans = hash_create("forge plan cache", 256, &ctl,
							  HASH_ELEM | HASH_FUNCTION | HASH_COMPARE |
							  HASH_CONTEXT);
}

/*
 * free_plan
 *		Free a plan that is out of the cache and no longer running.
 */
static void
free_plan(ForgePlan *p)
{
	Assert(!p->cached && p->refcount == 0);
	SPI_freeplan(p->plan);
	pfree(p->sql);
	if (p->key.shape != NULL)
		pfree((char *) p->key.shape);
	pfree(p);
}

/*
 * remove_plan
 *		Drop p from the cache; free it now unless a running call uses it,
 *		in which case its last forge_plan_release does.
 */
static void
remove_plan(ForgePlan *p)
{
	Assert(p->cached);
	dlist_delete(&p->lru);
	hash_search(forge_plans, &p->key, HASH_REMOVE, NULL);
	p->cached = false;
	if (p->refcount == 0)
		free_plan(p);
}

/*
 * forge_plan_release
 *		Unpin a plan that forge_plan_lookup or forge_plan_get returned;
 *		frees it if it left the cache meanwhile (or was never in it: the
 *		cache is off) and this was its last user.  Safe during error
 *		recovery (exec.c and outbox.c call it from PG_FINALLY), and must be
 *		called before the SPI_finish of the connection that looked it up.
 */
void
forge_plan_release(ForgePlan *p)
{
	Assert(p->refcount > 0);
	if (--p->refcount == 0 && !p->cached)
		free_plan(p);
}

/*
 * forge_plan_sql
 *		The SQL text of plan p, valid while p is pinned.
 */
const char *
forge_plan_sql(ForgePlan *p)
{
	return p->sql;
}

/*
 * forge_plan_spi
 *		The SPI plan of p, valid while p is pinned.
 */
SPIPlanPtr
forge_plan_spi(ForgePlan *p)
{
	return p->plan;
}

/*
 * forge_plan_lookup
 *		The prepared plan that src describes, found in the cache or, on a
 *		miss, prepared from the SQL text src->deparse appends; pinned: the
 *		caller must forge_plan_release it, on error too.  Must be called
 *		inside SPI_connect.
 */
ForgePlan *
forge_plan_lookup(const ForgePlanSource *src)
{
	ForgePlanKey key;
	ForgePlanEntry *entry;
	StringInfoData buf;
	SPIPlanPtr	plan;
	ForgePlan  *p;
	bool		found;

	forge_plancache_init();

	/* shrink to the configured size (0: keep nothing) */
	while (hash_get_num_entries(forge_plans) > forge_plan_cache_size &&
		   !dlist_is_empty(&forge_plan_lru))
		remove_plan(dlist_tail_element(ForgePlan, lru, &forge_plan_lru));

	memset(&key, 0, sizeof(key));
	key.owner = src->owner;
	key.len = src->keylen;
	key.shape = src->key;
	key.hash = hash_combine(hash_bytes((const unsigned char *) key.shape,
									   key.len),
							(uint32) (unsigned char) key.owner);

	entry = forge_plan_cache_size > 0 ?
		hash_search(forge_plans, &key, HASH_FIND, NULL) : NULL;
	if (entry != NULL)
	{
		p = entry->plan;
		if (p->version == src->version && SPI_plan_is_valid(p->plan))
		{
			forge_plan_hits++;
			dlist_move_head(&forge_plan_lru, &p->lru);
			p->refcount++;
			return p;
		}
		/* DDL changed a table: the old SQL text may name what is gone */
		remove_plan(p);
	}
	forge_plan_misses++;

	initStringInfo(&buf);
	src->deparse(&buf, src->arg);
	plan = SPI_prepare_cursor(buf.data, src->nargs, src->argtypes,
							  src->cursor_options);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s",
			 buf.data, SPI_result_code_string(SPI_result));

	if (forge_plan_cache_size <= 0)
	{
		/* caching off: this call's own plan, which its release frees */
		p = palloc0(sizeof(ForgePlan));
		p->plan = plan;
		p->sql = buf.data;
		p->version = src->version;
		p->refcount = 1;
		return p;
	}

	/* make room (pinned plans only leave the cache), then keep */
	while (hash_get_num_entries(forge_plans) >= forge_plan_cache_size &&
		   !dlist_is_empty(&forge_plan_lru))
		remove_plan(dlist_tail_element(ForgePlan, lru, &forge_plan_lru));

	SPI_keepplan(plan);
	p = MemoryContextAllocZero(forge_plan_cxt, sizeof(ForgePlan));
	p->plan = plan;
	p->sql = MemoryContextStrdup(forge_plan_cxt, buf.data);
	p->version = src->version;
	p->key = key;
	p->key.shape = MemoryContextAlloc(forge_plan_cxt, Max(key.len, 1));
	memcpy((char *) p->key.shape, src->key, key.len);
	p->cached = true;
	p->refcount = 1;
	entry = hash_search(forge_plans, &p->key, HASH_ENTER, &found);
	Assert(!found);
	entry->plan = p;
	dlist_push_head(&forge_plan_lru, &p->lru);
	pfree(buf.data);
	return p;
}

/*
 * stmt_deparse
 *		ForgePlanSource.deparse of a verb's statement: deparse.c's text.
 */
static void
stmt_deparse(StringInfo buf, void *arg)
{
	forge_deparse(buf, (ForgeStmt *) arg);
}

#if defined(USE_ASSERT_CHECKING) && !defined(FORGE_CHECK_SHAPE)
#define FORGE_CHECK_SHAPE
#endif

#ifdef FORGE_CHECK_SHAPE
/*
 * check_shape
 *		stmt's shape found plan p: stmt must deparse to p's SQL text, or
 *		shape.c misses a field that deparse.c reads.  Costs a deparse per
 *		call, so only in builds that ask for it.  A schema renamed under an
 *		operator the text names also differs here, harmlessly (shape.c).
 */
static void
check_shape(ForgePlan *p, ForgeStmt *stmt)
{
	StringInfoData buf;

	initStringInfo(&buf);
	forge_deparse(&buf, stmt);
	if (strcmp(buf.data, p->sql) != 0)
	{
		char	   *cached = pstrdup(p->sql);

		forge_plan_release(p);
		ereport(ERROR,
				(errmsg_internal("plan cache shape of a %s statement matched a plan of other SQL text",
								 forge_verb_name(stmt->verb)),
				 errdetail_internal("Cached: %s\nNew: %s", cached, buf.data)));
	}
	pfree(buf.data);
}
#endif

/*
 * forge_plan_get
 *		The prepared plan for stmt's shape, pinned as forge_plan_lookup's.
 */
ForgePlan *
forge_plan_get(ForgeStmt *stmt)
{
	ForgePlanSource src;
	StringInfoData shape;
	ForgePlan  *p;

	initStringInfo(&shape);
	forge_shape(&shape, stmt);
	memset(&src, 0, sizeof(src));
	src.owner = FORGE_PLAN_STMT;
	src.key = shape.data;
	src.keylen = shape.len;
	src.deparse = stmt_deparse;
	src.arg = stmt;
	src.nargs = stmt->nparams;
	src.argtypes = stmt->types;

	/*
	 * createMany's one parameter is all its rows: a custom plan would copy
	 * them into the plan as a constant (test/memory.sh saw 170 MB more at a
	 * million rows), so it takes the generic plan -- except on a Citus
	 * table, where Citus plans an INSERT ... SELECT only with the parameter
	 * bound ("could not create distributed plan" otherwise).
	 */
	src.cursor_options = stmt->verb == FORGE_CREATE_MANY &&
		stmt->rel->citus == FORGE_CITUS_NONE ? CURSOR_OPT_GENERIC_PLAN : 0;
	p = forge_plan_lookup(&src);
	pfree(shape.data);
#ifdef FORGE_CHECK_SHAPE
	check_shape(p, stmt);
#endif
	return p;
}

/*
 * forge_plancache_stats
 *		Hits, misses and entries since the backend started (or the last
 *		reset).
 */
void
forge_plancache_stats(int64 *hits, int64 *misses, int64 *entries)
{
	*hits = forge_plan_hits;
	*misses = forge_plan_misses;
	*entries = forge_plans ? hash_get_num_entries(forge_plans) : 0;
}

/*
 * forge_plancache_reset
 *		Drop every plan and zero the counters.  Plans that are running stay
 *		alive until their calls end.
 */
void
forge_plancache_reset(void)
{
	while (!dlist_is_empty(&forge_plan_lru))
		remove_plan(dlist_head_element(ForgePlan, lru, &forge_plan_lru));
	forge_plan_hits = 0;
	forge_plan_misses = 0;
}
