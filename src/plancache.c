/*-------------------------------------------------------------------------
 *
 * plancache.c
 *		  Prepared plans, cached by statement shape.
 *
 * Modelled on ri_triggers.c's query cache.  The key is the statement's
 * shape (descriptor.c): verb, relation OID, columns and their operations,
 * the filter tree's operators and null tests, the select list and flags,
 * never a value.  Shapes vary in length, so the hash key is a fixed struct
 * (zeroed before filling) that carries the shape's hash, length and a
 * pointer to its bytes, with a match function that compares the bytes.
 *
 * A plan found invalid (SPI_plan_is_valid: DDL on the table since it was
 * prepared) is freed and rebuilt from fresh SQL text, because a renamed or
 * dropped column makes the old text wrong.  The cache holds at most
 * forge.plan_cache_size plans; past that the least recently used goes.
 * Plans, shapes and SQL texts live in TopMemoryContext via SPI_keepplan and
 * a named context of this file.
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
	int			len;
	const char *shape;
} ForgePlanKey;

typedef struct ForgePlanEntry
{
	ForgePlanKey key;			/* hash key: must be first */
	SPIPlanPtr	plan;
	char	   *sql;
	dlist_node	lru;			/* most recently used at the head */
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
	if (a->hash != b->hash || a->len != b->len)
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
 * remove_entry
 *		Free entry's plan and strings and drop it from the cache.
 */
static void
remove_entry(ForgePlanEntry *entry)
{
	ForgePlanKey key = entry->key;

	dlist_delete(&entry->lru);
	if (entry->plan != NULL)
		SPI_freeplan(entry->plan);
	pfree(entry->sql);
	hash_search(forge_plans, &key, HASH_REMOVE, NULL);
	pfree((char *) key.shape);
}

/*
 * forge_plan_get
 *		The prepared plan for stmt's shape, preparing it on a miss; *sql is
 *		set to its SQL text.  Must be called inside SPI_connect.
 */
SPIPlanPtr
forge_plan_get(ForgeStmt *stmt, const char **sql)
{
	ForgePlanKey key;
	ForgePlanEntry *entry;
	StringInfoData buf;
	SPIPlanPtr	plan;
	bool		found;

	forge_plancache_init();

	/* shrink to the configured size (0: keep nothing) */
	while (hash_get_num_entries(forge_plans) > forge_plan_cache_size &&
		   !dlist_is_empty(&forge_plan_lru))
		remove_entry(dlist_tail_element(ForgePlanEntry, lru, &forge_plan_lru));

	memset(&key, 0, sizeof(key));
	key.len = stmt->shape.len;
	key.shape = stmt->shape.data;
	key.hash = hash_bytes((const unsigned char *) key.shape, key.len);

	entry = forge_plan_cache_size > 0 ?
		hash_search(forge_plans, &key, HASH_FIND, NULL) : NULL;
	if (entry != NULL)
	{
		if (SPI_plan_is_valid(entry->plan))
		{
			forge_plan_hits++;
			dlist_move_head(&forge_plan_lru, &entry->lru);
			*sql = entry->sql;
			return entry->plan;
		}
		/* DDL changed the table: the old SQL text may name what is gone */
		remove_entry(entry);
	}
	forge_plan_misses++;

	initStringInfo(&buf);
	forge_deparse(&buf, stmt);
	/*
	 * createMany's one parameter is all its rows: a custom plan would copy
	 * them into the plan as a constant (test/memory.sh saw 170 MB more at a
	 * million rows), so it takes the generic plan -- except on a Citus
	 * table, where Citus plans an INSERT ... SELECT only with the parameter
	 * bound ("could not create distributed plan" otherwise).
	 */
	plan = SPI_prepare_cursor(buf.data, stmt->nparams, stmt->types,
							  stmt->verb == FORGE_CREATE_MANY &&
							  stmt->rel->citus == FORGE_CITUS_NONE ?
							  CURSOR_OPT_GENERIC_PLAN : 0);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s",
			 buf.data, SPI_result_code_string(SPI_result));

	/* make room, then keep */
	while (forge_plan_cache_size > 0 &&
		   hash_get_num_entries(forge_plans) >= forge_plan_cache_size &&
		   !dlist_is_empty(&forge_plan_lru))
		remove_entry(dlist_tail_element(ForgePlanEntry, lru, &forge_plan_lru));
	if (forge_plan_cache_size <= 0)
	{
		/* caching off: the plan lives until SPI_finish */
		*sql = buf.data;
		return plan;
	}

	SPI_keepplan(plan);
	key.shape = MemoryContextAlloc(forge_plan_cxt, key.len);
	memcpy((char *) key.shape, stmt->shape.data, key.len);
	entry = hash_search(forge_plans, &key, HASH_ENTER, &found);
	Assert(!found);
	entry->plan = plan;
	entry->sql = MemoryContextStrdup(forge_plan_cxt, buf.data);
	dlist_push_head(&forge_plan_lru, &entry->lru);
	pfree(buf.data);
	*sql = entry->sql;
	return plan;
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
 *		Drop every plan and zero the counters.
 */
void
forge_plancache_reset(void)
{
	while (!dlist_is_empty(&forge_plan_lru))
		remove_entry(dlist_head_element(ForgePlanEntry, lru, &forge_plan_lru));
	forge_plan_hits = 0;
	forge_plan_misses = 0;
}
