/*-------------------------------------------------------------------------
 *
 * reader.h
 *		  Declarations shared by the files of the descriptor reader.
 *
 * The reader turns a verb's jsonb descriptor into ForgeStmts
 * (forge_read, descriptor.c), validating every key and value against the
 * table.  It is split along the descriptor's parts: read_json.c (jsonb
 * helpers, parameters, column lookup), read_data.c (data), read_where.c
 * (where and unique selectors), read_select.c (select and include),
 * read_nested.c (relation keys of data: nested writes), read_part.c (the
 * parts of them nested.c runs), read_soft.c (soft delete) and descriptor.c (each verb's statements).  Nothing outside the reader
 * includes this file.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/reader.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef FORGE_READER_H
#define FORGE_READER_H

#include "forge.h"

/*
 * Filters nest at most this deep.  The SQL of a deeper where would pass
 * the PostgreSQL parser's own nesting limit and fail as a syntax error.
 */
#define FORGE_MAX_WHERE_DEPTH 500

/*
 * Relation filters and includes reach at most this many relations away:
 * each is a correlated subquery, and planning hundreds of nested ones
 * takes minutes.
 */
#define FORGE_MAX_RELATION_DEPTH 16

/*
 * A where holds at most this many conditions.  PostgreSQL's JIT compiles an
 * expression of 70,000 ORed equalities for most of a minute (found by the
 * fuzzer); a list of values belongs in "in", which is one condition.
 */
#define FORGE_MAX_CONDITIONS 1000

/* A value for a json column: a tag of Prisma's JSON protocol, or not */
typedef enum ForgeJsonTag
{
	FORGE_TAG_NONE,				/* an ordinary JSON value */
	FORGE_TAG_JSON_NULL,		/* {"$type": "Enum", "value": "JsonNull"} */
	FORGE_TAG_DB_NULL,			/* ... "DbNull": SQL NULL */
	FORGE_TAG_ANY_NULL,			/* ... "AnyNull": either (filters only) */
	FORGE_TAG_RAW				/* {"$type": "Raw", "value": v}: v literally */
} ForgeJsonTag;

/* in read_json.c */
extern ForgeStmt *new_stmt(ForgeVerb verb, ForgeRel *rel);
extern int	add_param(ForgeStmt *st, Oid typid, Datum value, bool isnull);
extern int	add_value_param(ForgeStmt *st, const ForgeColumn *col,
							ForgeTypeIO *io, const JsonbValue *v);
extern char *key_text(const JsonbValue *key);
extern bool key_is(const JsonbValue *key, const char *s);
extern int	name_index(const JsonbValue *key, const char *const *names, int n);
extern char *join_names(const char *const *names, int n);
extern bool next_pair(JsonbIterator **it, JsonbValue *key, JsonbValue *val);
extern bool next_elem(JsonbIterator **it, JsonbValue *val);
extern bool is_object(const JsonbValue *v);
extern bool is_array(const JsonbValue *v);
extern JsonbContainer *expect_object(const JsonbValue *v, const char *what);
extern JsonbValue *get_arg(JsonbContainer *args, const char *name);
extern JsonbValue *require_arg(JsonbContainer *args, const char *name,
							   ForgeVerb verb);
extern int	lookup_column(ForgeStmt *st, const JsonbValue *key);
extern ForgeJsonTag json_tag(const JsonbValue *v, const char *colname,
							 JsonbValue *raw);
extern const JsonbValue *json_null(void);

/* in read_data.c */
extern ForgeAssign *new_assign(int col, ForgeAssignKind kind, int param);
extern List *read_data(ForgeStmt *st, JsonbContainer *jc, bool insert,
					   List **relations);
extern List *keep_assign(int col);
extern int	keep_column(ForgeRel *rel, int key);
extern const JsonbValue *json_data_value(const JsonbValue *v,
										 const ForgeColumn *c);
extern JsonbValue *json_wrap_rows(ForgeRel *rel, JsonbValue *data);

/* in read_where.c */
extern ForgeFilter *read_where(ForgeStmt *st, JsonbContainer *jc, int depth);
extern ForgeRel *open_join(ForgeRelation *r);
extern int	find_unique_key(ForgeStmt *st, ForgeFilter *where, bool for_upsert);
extern ForgeFilter *read_where_arg(ForgeStmt *st, JsonbContainer *args,
								  bool required);
extern void merge_pins(ForgeStmt *st, ForgeUniqueKey *key,
					   JsonbContainer *create, const ForgePins *pins);
extern ForgeFilter *negate(ForgeFilter *f);
extern ForgeFilter *pin_filter(ForgeStmt *st, int col, const JsonbValue *v,
							   bool top);
extern ForgeFilter *pinned_relation_filter(ForgeStmt *st, ForgeRelation *r,
										   JsonbContainer *obj,
										   const ForgePins *pins);
extern bool connects_beyond_key(ForgeFilter *where, ForgeUniqueKey *key);
extern ForgeFilter *strip_key_filters(ForgeStmt *st, ForgeUniqueKey *key);
extern void drop_unused_params(ForgeStmt *st);

/* in read_select.c */
extern void read_select(ForgeStmt *st, JsonbContainer *args);

/* in read_nested.c */
extern void read_nested(ForgeStmt *st, List *pairs, List *upairs, bool top,
						JsonbContainer *args);
extern void read_back_select(ForgeStmt *st);
extern JsonbValue *one_row_array(JsonbValue *row);

/* in read_soft.c */
extern bool read_with_deleted(JsonbContainer *args);
extern bool soft_live(ForgeStmt *st, ForgeRel *other);
extern ForgeFilter *soft_where(ForgeStmt *st, ForgeFilter *where, bool live);
extern void read_soft(ForgeStmt *st, ForgeVerb verb, JsonbContainer *args);

/* in read_part.c */
extern void check_part(ForgePart *p);
extern ForgeFilter *read_part_where(ForgeStmt *st, ForgePart *p);
extern List *pin_filters(ForgeStmt *st, const ForgePins *pins, bool top);
extern List *pin_assigns(ForgeStmt *st, const ForgePins *pins, bool nulls);
extern const JsonbValue *pin_value(const ForgePins *pins, bool nulls,
								   const char *name);

#endif							/* FORGE_READER_H */
