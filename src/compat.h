/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every difference between the PostgreSQL majors forge supports, in
 *		one place.
 *
 * forge supports PostgreSQL 15 and later.  The code is written once against
 * the small names below; each is defined here for each major it differs on,
 * so no other file tests PG_VERSION_NUM.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef FORGE_COMPAT_H
#define FORGE_COMPAT_H

#include "catalog/pg_namespace.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/jsonb.h"

#if PG_VERSION_NUM < 150000
#error "forge requires PostgreSQL 15 or later"
#endif

/*
 * ForgeJsonbBuild: a jsonb value being built with forge_jsonb_push.  Start it
 * zeroed ({0}); parseState is the innermost open container (NULL when none).
 * forge_jsonb_push returns the finished value when it closes the outermost
 * container, which is the only return value forge reads.
 *
 * PostgreSQL 19 made pushJsonbValue take a JsonbInState and leave the result
 * in it; before, it took the parse-state stack and returned the value.
 */
#if PG_VERSION_NUM >= 190000
typedef JsonbInState ForgeJsonbBuild;

static inline JsonbValue *
forge_jsonb_push(ForgeJsonbBuild *b, JsonbIteratorToken seq, JsonbValue *v)
{
	pushJsonbValue(b, seq, v);
	return b->result;
}
#else
typedef struct ForgeJsonbBuild
{
	JsonbParseState *parseState;
} ForgeJsonbBuild;

static inline JsonbValue *
forge_jsonb_push(ForgeJsonbBuild *b, JsonbIteratorToken seq, JsonbValue *v)
{
	return pushJsonbValue(&b->parseState, seq, v);
}
#endif

/*
 * FORGE_FALLTHROUGH: a case that runs on into the next one.  The attribute,
 * not a comment, because 19 builds with -Wimplicit-fallthrough=5.
 */
#if defined(__has_attribute)
#if __has_attribute(fallthrough)
#define FORGE_FALLTHROUGH	__attribute__((fallthrough))
#endif
#endif
#ifndef FORGE_FALLTHROUGH
#define FORGE_FALLTHROUGH	((void) 0)
#endif

/* The local id of the running top-level transaction (17 moved it). */
#if PG_VERSION_NUM >= 170000
#define forge_current_lxid()	(MyProc->vxid.lxid)
#else
#define forge_current_lxid()	(MyProc->lxid)
#endif

/* USAGE and the like on a schema (16 generalised the per-kind checks). */
#if PG_VERSION_NUM >= 160000
#define forge_namespace_aclcheck(nsp, roleid, mode) \
	object_aclcheck(NamespaceRelationId, (nsp), (roleid), (mode))
#else
#define forge_namespace_aclcheck(nsp, roleid, mode) \
	pg_namespace_aclcheck((nsp), (roleid), (mode))
#endif

#endif							/* FORGE_COMPAT_H */
