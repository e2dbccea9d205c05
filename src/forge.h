/*-------------------------------------------------------------------------
 *
 * forge.h
 *		  Private declarations shared by forge's source files.
 *
 * A forge call flows one way: read the jsonb descriptor into a ForgeStmt
 * (the reader: descriptor.c and read_*.c, validated against the ForgeRel
 * that catalog.c keeps for the table), find or build the prepared plan for
 * the statement's shape (plancache.c, which keys it by shape.c's walk of
 * the finished statement and asks deparse.c for the SQL text), execute it
 * with SPI and shape the result (exec.c), then queue the NOTIFY event
 * (events.c).  A statement whose data names relations carries its nested
 * writes, read into typed nodes (read_nested.c); nested.c runs them below
 * the entry point, reading each part with the key values of rows already
 * written as parameters and executing it through exec.c.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/forge.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef FORGE_H
#define FORGE_H

#include "fmgr.h"
#include "access/attnum.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "storage/lockdefs.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

#include "compat.h"

/*
 * The verbs.  The order is part of the plan-cache shape.  The two
 * "and return" verbs are the calls' verbs (their names, keys and events);
 * their statements are createMany's and updateMany's, with returning set.
 * The soft-delete verbs are SQL functions of their own, whose statements
 * are updates: a ForgeStmt of one has verb FORGE_UPDATE or
 * FORGE_UPDATE_MANY (forge_verb_base), and the call's verb names it in its
 * event.
 */
typedef enum ForgeVerb
{
	FORGE_CREATE,
	FORGE_CREATE_MANY,
	FORGE_UPDATE,
	FORGE_UPDATE_MANY,
	FORGE_UPSERT,
	FORGE_DELETE,
	FORGE_DELETE_MANY,
	FORGE_FIND,					/* internal: read one row by a unique key */
	FORGE_CREATE_MANY_RETURN,	/* createManyAndReturn */
	FORGE_UPDATE_MANY_RETURN,	/* updateManyAndReturn */
	FORGE_SOFT_DELETE,
	FORGE_SOFT_DELETE_MANY,
	FORGE_RESTORE,
	FORGE_RESTORE_MANY
} ForgeVerb;

/*
 * How a JSON value becomes a Datum of one type: the type's input function
 * (cached with its fn_extra in the relation's memory context) and, for array
 * types, the same for the element type.
 */
typedef struct ForgeTypeIO
{
	Oid			typid;
	Oid			basetypid;		/* typid, or a domain's base type */
	int16		typlen;
	bool		typbyval;
	char		typalign;
	char		category;		/* pg_type.typcategory */
	Oid			arraytype;		/* array over typid, for "in" lists */
	Oid			ioparam;
	FmgrInfo	input;
	struct ForgeTypeIO *elem;	/* element type, if typid is an array */
} ForgeTypeIO;

/* Arithmetic update operators, in the order of ForgeAssignKind. */
#define FORGE_NUM_ARITH 4

/* One live user column of a relation. */
typedef struct ForgeColumn
{
	char	   *name;
	int			namelen;
	AttrNumber	attnum;
	Oid			typid;			/* declared type (may be a domain) */
	int32		typmod;
	char		generated;		/* pg_attribute.attgenerated */
	Oid			collation;		/* pg_attribute.attcollation */
	char		identity;		/* pg_attribute.attidentity */
	bool		hasdefault;		/* pg_attribute.atthasdef: a DEFAULT (or a
								 * generation expression) */
	bool		isjson;			/* base type is json or jsonb */
	ForgeTypeIO *data;			/* base type: values written to the column */
	ForgeTypeIO *cmp;			/* right operand type of the comparisons */
	Oid			eqopr;			/* InvalidOid where the type has none */
	Oid			ltopr;
	Oid			leopr;
	Oid			gtopr;
	Oid			geopr;
	Oid			arithopr[FORGE_NUM_ARITH];	/* + - * / on the base type */

	/*
	 * The schemas of the operators and the type that generated SQL names
	 * for this column: the parser checks USAGE on them only when it plans,
	 * so forge checks them on every call (forge_check_schema_usage).
	 * Indexed like the operators: cmpnsp by ForgeCmp (FORGE_EQ ..
	 * FORGE_GE), arithnsp like arithopr; typnsp for the column's type.
	 */
	Oid			cmpnsp[5];
	Oid			arithnsp[FORGE_NUM_ARITH];
	Oid			typnsp;
} ForgeColumn;

/* A unique key: primary key, unique constraint or unique index. */
typedef struct ForgeUniqueKey
{
	char	   *name;			/* index (= constraint) name */
	char	   *joined;			/* column names joined by "_" */
	int			ncols;
	int			cols[INDEX_MAX_KEYS];	/* indexes into ForgeRel.cols */
	bool		primary;
	bool		partial;		/* has a predicate: identifies no row */
	bool		deferrable;		/* cannot be an ON CONFLICT arbiter */
	char	   *loose;			/* why its equality cannot identify a row
								 * (collation or operator class), or NULL */
} ForgeUniqueKey;

/* A relation of a table, read from a foreign key (relations.c). */
typedef enum ForgeRelationKind
{
	FORGE_TO_ONE,				/* this table holds the key */
	FORGE_TO_MANY,				/* the other table holds it */
	FORGE_ONE_TO_ONE,			/* the other holds it, and it is unique there */
	FORGE_MANY_TO_MANY			/* through a join table */
} ForgeRelationKind;

typedef struct ForgeRelation
{
	char	   *name;			/* its name in a descriptor; NULL if it clashed */
	char	   *declared;		/* the name its constraint's comment declares
								 * (comments.c), or NULL */
	char	   *conname;		/* the constraint name (see relations.c) */
	bool		clashed;
	bool		trusted;		/* its key's table is this table, or its
								 * owner has the privileges of this table's
								 * owner (relations.c) */
	ForgeRelationKind kind;
	Oid			other;			/* the related table */
	int			nkeys;
	AttrNumber	local[INDEX_MAX_KEYS];	/* this table's columns */
	AttrNumber	foreign[INDEX_MAX_KEYS];	/* the other table's columns */
	Oid			conoid;			/* the constraint (for a many-to-many, the
								 * join table's key to the other table) */
	Oid			eqop[INDEX_MAX_KEYS];	/* local = foreign, as the key uses */
	Oid			join;			/* many-to-many: the join table */
	Oid			join_eqop[INDEX_MAX_KEYS];	/* local = join_local */
	AttrNumber	join_local[INDEX_MAX_KEYS]; /* its columns matching local */
	int			njoin_foreign;
	AttrNumber	join_foreign[INDEX_MAX_KEYS];	/* its columns matching foreign */

	/* the same columns by name, resolved when the relation is read */
	char	  **local_names;
	char	  **foreign_names;
	char	  **join_local_names;	/* many-to-many only */
	char	  **join_foreign_names;
	const char *local_required; /* a NOT NULL column of local, or NULL */
	const char *foreign_required;	/* the same of foreign */
	bool		local_unique;	/* to-one: local is a unique key (the key
								 * side of a one-to-one) */
	int			nopnsps;		/* schemas other than pg_catalog of eqop[] */
	Oid			opnsps[INDEX_MAX_KEYS * 2];	/* and join_eqop[] */
	char	   *address;		/* many-to-many: "join.conname", which always
								 * addresses it */
	char	   *back_conname;	/* many-to-many: "join.key to this table",
								 * which addresses the other table's relation
								 * back here */
	Oid			back_conoid;	/* many-to-many: that key (the conoid of the
								 * relation back here) */
} ForgeRelation;

/* How Citus manages a table (citus.c). */
typedef enum ForgeCitusKind
{
	FORGE_CITUS_NONE,			/* not a Citus table, or no Citus */
	FORGE_CITUS_DISTRIBUTED,	/* sharded across the workers */
	FORGE_CITUS_REFERENCE,		/* copied to every node */
	FORGE_CITUS_LOCAL			/* a Citus local table, on the coordinator */
} ForgeCitusKind;

/* What forge knows of one table, cached per backend (catalog.c). */
typedef struct ForgeRel
{
	Oid			relid;
	bool		valid;			/* cleared by the relcache callback */
	MemoryContext cxt;			/* owns everything below */
	char	   *nspname;
	char	   *relname;
	char	   *qualname;		/* quoted schema.table, for SQL */
	char	   *model;			/* schema.table, for events */
	bool		only;			/* has inheritance children: read and write
								 * its own rows (ONLY) */
	int			ncols;
	ForgeColumn *cols;
	int		   *byname;			/* column indexes, sorted for lookup */
	int			nkeys;
	ForgeUniqueKey *keys;
	int			pkey;			/* index of the primary key, or -1 */
	int			softdelete;		/* the @softDelete column, or -1 */
	ForgeCitusKind citus;		/* how Citus manages it */
	bool		citus_outbox;	/* a Citus table with outbox triggers */
	int			citus_distcol;	/* a distributed table's distribution
								 * column, or -1 (none: one shard) */
	uint32		generation;		/* distinct for every ForgeRel built */
	int			refcount;		/* pins of running calls (forge_rel_open) */
	bool		retired;		/* replaced in the cache: the last pin frees */
	List	   *stale_relcxts;	/* old relcxts, freed with the last pin */
	Oid			checked_user;	/* last role that passed forge_rel_open */
	uint64		checked_epoch;	/* role membership it passed under */
	AclMode		checked_privs;	/* the privileges it was found to hold */
	MemoryContext relcxt;		/* relations, read lazily (relations.c) */
	uint64		rels_seq;		/* invalidation count when they were read */
	uint64		rels_checked;	/* ... when they were last found current */
	int			ndeps;			/* the tables they were read from */
	Oid		   *deps;
	int			nrels;
	ForgeRelation *rels;
} ForgeRel;

/* The forge call whose statement is running (exec.c). */
typedef struct ForgeActive
{
	ForgeRel   *rel;
	ForgeVerb	verb;
	TimestampTz started;
	bool		updated;		/* upsert took its update branch */
	CommandId	cid;			/* the running statement's command ID */
	struct ForgeActive *outer;
} ForgeActive;

/* One assignment of data, create or update. */
typedef enum ForgeAssignKind
{
	FORGE_INCREMENT,			/* the first four match arithopr[] */
	FORGE_DECREMENT,
	FORGE_MULTIPLY,
	FORGE_DIVIDE,
	FORGE_SET,
	FORGE_KEEP,					/* col = col: lock and return, change nothing */
	FORGE_PUSH,					/* scalar lists: append the values */
	FORGE_REMOVE,				/* drop every element equal to one given */
	FORGE_ADD_UNIQUE			/* append the values not yet present */
} ForgeAssignKind;

typedef struct ForgeAssign
{
	int			col;			/* index into ForgeRel.cols */
	ForgeAssignKind kind;
	int			param;			/* $n; 0 for FORGE_KEEP */
} ForgeAssign;

/* A node of the where tree. */
typedef enum ForgeFilterKind
{
	FORGE_F_AND,
	FORGE_F_OR,
	FORGE_F_NOT,
	FORGE_F_CMP,
	FORGE_F_ISNULL,
	FORGE_F_NOTNULL,
	FORGE_F_TRUE,
	FORGE_F_RELATION,			/* some/none/every/is/isNot on a relation */
	FORGE_F_NOT_TRUE,			/* (arg) IS NOT TRUE: also where arg is null */
	FORGE_F_JSON				/* a json filter (ForgeJsonOp), maybe at a path */
} ForgeFilterKind;

/* The test of a FORGE_F_RELATION filter. */
typedef enum ForgeRelTest
{
	FORGE_SOME,					/* a related row matches (to-many: some; to-one: is) */
	FORGE_NONE,					/* no related row matches (none; isNot) */
	FORGE_EVERY					/* every related row matches */
} ForgeRelTest;

typedef enum ForgeCmp
{
	/* those before FORGE_LIKE compare by the column's own operators */
	FORGE_EQ,
	FORGE_LT,
	FORGE_LE,
	FORGE_GT,
	FORGE_GE,
	FORGE_IN,					/* col = ANY ($n) */
	FORGE_LIKE,
	FORGE_ILIKE,
	FORGE_ILIKE_ANY,			/* col ~~* ANY ($n): in, mode insensitive */
	FORGE_HAS_EVERY,			/* col @> $n: has (an array of one), hasEvery */
	FORGE_HAS_SOME,				/* col && $n: hasSome */
	FORGE_IS_EMPTY,				/* col = '{}': isEmpty (no parameter) */
	FORGE_LOWER_LT,				/* lower(col) < lower($n): lt, mode
								 * insensitive (as Prisma) */
	FORGE_LOWER_LE,
	FORGE_LOWER_GT,
	FORGE_LOWER_GE
} ForgeCmp;

/*
 * The test of a FORGE_F_JSON filter on the jsonb value of a json or jsonb
 * column, or on what its path ($path_param, a text[]) extracts.
 */
typedef enum ForgeJsonOp
{
	FORGE_J_EQ,					/* = $n (a jsonb) */
	FORGE_J_DBNULL,				/* the path extracts nothing: IS NULL */
	FORGE_J_LT,					/* < $n, and jsonb_typeof = $type_param */
	FORGE_J_LE,
	FORGE_J_GT,
	FORGE_J_GE,
	FORGE_J_LIKE,				/* the text ~~ $n, and a JSON string */
	FORGE_J_ILIKE,				/* the text ~~* $n, and a JSON string */
	FORGE_J_ARRAY_CONTAINS,		/* @> $n, and a JSON array */
	FORGE_J_ARRAY_STARTS,		/* -> 0 = $n, and a JSON array */
	FORGE_J_ARRAY_ENDS			/* -> -1 = $n, and a JSON array */
} ForgeJsonOp;

typedef struct ForgeFilter
{
	ForgeFilterKind kind;
	ForgeRel   *rel;			/* the table whose row the filter reads */
	int			level;			/* its alias: 0 is t, n is rn */
	List	   *args;			/* AND, OR, NOT; RELATION: the related filter */
	int			col;			/* CMP, ISNULL, NOTNULL */
	ForgeRelation *relation;	/* RELATION */
	ForgeRel   *other;			/* RELATION: the related table */
	ForgeRel   *join;			/* RELATION, many-to-many: the join table */
	ForgeRelTest test;			/* RELATION */
	ForgeCmp	cmp;
	int			param;			/* CMP, JSON: $n; 0 for none */
	ForgeJsonOp jop;			/* JSON */
	int			path_param;		/* JSON: $n of the path (text[]), 0: none */
	int			type_param;		/* JSON lt..gte: $n of the JSON type name */
	const JsonbValue *pinvalue; /* top-level equality: the value pinned */
	bool		connects;		/* added by a nested write's relation: the
								 * row is connected to the one written */
	bool		live;			/* RELATION: soft-deleted related rows are
								 * not related (other->softdelete) */
} ForgeFilter;

/*
 * An orderBy entry of an include: a column of the ordered row, or, through
 * a relation of that row, a column of the related row (to-one, one-to-one:
 * sub says which, to any depth) or the number of related rows (to-many,
 * many-to-many: "_count").  The entry is relative to the row it orders: a
 * relation is read at the alias level after that row's, wherever the row
 * is (deparse_order_key), so one entry serves the included rows and the
 * cursor row.
 */
typedef struct ForgeOrder
{
	int			col;			/* column of rel; -1 through a relation */
	bool		desc;
	bool		nulls_first;	/* where nulls sort: by default first when
								 * descending, as ORDER BY puts them */
	ForgeRel   *rel;			/* the table of the ordered row */
	ForgeRelation *relation;	/* NULL: col; else the relation followed */
	ForgeRel   *other;			/* relation: the related table */
	ForgeRel   *join;			/* many-to-many: the join table */
	struct ForgeOrder *sub;		/* to-one: the entry of the related row;
								 * NULL for a to-many's _count */
	bool		live;			/* relation: leave out soft-deleted rows */
} ForgeOrder;

/* One relation counted by _count. */
typedef struct ForgeCount
{
	char	   *name;			/* its key in the _count object */
	ForgeRelation *relation;	/* to-many or many-to-many */
	ForgeRel   *rel;			/* the related table */
	ForgeRel   *join;			/* many-to-many: the join table */
	ForgeFilter *where;			/* which related rows count; NULL: all */
	bool		live;			/* leave out soft-deleted related rows */
} ForgeCount;

/*
 * A relation included in the returned row (include, or a relation in
 * select), or the _count of relations: then relation is NULL, counts
 * lists them and level is the level of the counted rows.
 */
typedef struct ForgeInclude
{
	char	   *name;			/* its key in the returned object */
	ForgeRelation *relation;	/* NULL: _count */
	ForgeRel   *rel;			/* the related table */
	ForgeRel   *join;			/* many-to-many: the join table */
	int			level;			/* its alias level */
	List	   *select;			/* column indexes of rel; NIL: every column */
	List	   *includes;		/* nested ForgeInclude */
	ForgeFilter *where;			/* to-many: which related rows */
	List	   *order;			/* to-many: ForgeOrder, ending with the
								 * tie-breaking key columns */
	ForgeFilter *cursor;		/* to-many: the cursor row, a unique selector
								 * of rel read at alias level + 1; NULL: none */
	int			take;			/* to-many: $n of LIMIT, or 0 */
	bool		take_last;		/* a negative take: the last rows of the
								 * order (LIMIT of its magnitude) */
	int			skip;			/* to-many: $n of OFFSET, or 0 */
	bool		live;			/* leave out soft-deleted related rows */
	List	   *counts;			/* _count: ForgeCount */
} ForgeInclude;

/*
 * One statement to plan and run: the finished tree that deparse.c turns
 * into SQL text and shape.c into the plan-cache key.  Parameters are
 * numbered in the order the descriptor is read.
 */
typedef struct ForgeStmt
{
	ForgeVerb	verb;
	int			level;			/* while reading: the alias level of new filters */
	int			nconditions;	/* while reading: filters made so far */
	bool		with_keys;		/* also return the primary keys written */
	bool		event_if_rows;	/* its event only if it wrote a row (a
								 * one-to-one's let-go, nested.c) */
	bool		with_deleted;	/* while reading: "withDeleted", so includes
								 * and relation filters keep soft-deleted rows */
	ForgeRel   *rel;
	int			nparams;
	int			maxparams;
	Oid		   *types;
	Datum	   *values;
	char	   *nulls;			/* SPI convention: ' ' or 'n' */
	List	   *assigns;		/* data, or upsert's create */
	List	   *updates;		/* upsert's update */
	ForgeFilter *where;			/* NULL: every row */
	int			conflict_key;	/* upsert: index into rel->keys */
	bool		by_update;		/* upsert: the row created does not carry
								 * the where's key (a key column with a
								 * default or identity that create leaves
								 * out), or a nested upsert must create
								 * when the key's row is not connected:
								 * no ON CONFLICT (deparse.c) */
	bool		find_first;		/* upsert, by_update: the INSERT is also
								 * guarded by ON CONFLICT on the key (a
								 * nested upsert or connectOrCreate) */
	List	   *select;			/* column indexes; NIL: the whole row */
	List	   *includes;		/* ForgeInclude: related rows to return */
	struct ForgeNestedWrite *nested;	/* data names relations: nested.c
										 * runs it */
	bool		lock;			/* FIND: SELECT ... FOR UPDATE (nested.c) */
	int			guard;			/* upsert: $n of a bool the DO UPDATE needs
								 * true, or 0 (nested.c, upsert_by_branch) */
	bool		skip_duplicates;	/* createMany */
	int			nmany;			/* createMany: the columns some row gives */
	int		   *many_cols;		/* in table order */
	bool	   *many_always;	/* every row gives it: no DEFAULT needed */
	bool		returning;		/* createMany, updateMany: return the rows
								 * written, as a jsonb array (the "and
								 * return" verbs) */
	int			limit;			/* updateMany, deleteMany: $n of the most
								 * rows to write, or 0 for no limit */
} ForgeStmt;

/* What forge_exec_stmts returns (exec.c). */
typedef struct ForgeResult
{
	Datum		value;			/* the row, {"count": n} or the array of rows
								 * written; (Datum) 0 when
								 * a quiet one-row write found no row */
	bool		found;			/* a one-row verb found its row */
	bool		updated;		/* an upsert took its update branch */
} ForgeResult;

/*
 * Nested writes (read_nested.c reads them, nested.c runs them).  A key of
 * data, create or update that names a relation becomes a ForgeNestedRel:
 * its actions, each with its items, every item's parts checked.  The
 * statement that writes the row keeps them in its ForgeNestedWrite.
 */
typedef enum ForgeNestedAction
{
	/* the order one relation's actions run in: remove, change, add */
	FORGE_NA_SET,
	FORGE_NA_DISCONNECT,
	FORGE_NA_DELETE,
	FORGE_NA_DELETE_MANY,
	FORGE_NA_UPDATE,
	FORGE_NA_UPDATE_MANY,
	FORGE_NA_UPSERT,
	FORGE_NA_CREATE,
	FORGE_NA_CREATE_MANY,
	FORGE_NA_CONNECT,
	FORGE_NA_CONNECT_OR_CREATE,
	FORGE_NUM_ACTIONS
} ForgeNestedAction;

/* One item of a nested action, an object. */
typedef struct ForgeNestedItem
{
	JsonbValue *value;			/* the item: create's data, connect's where */
	JsonbValue *where;			/* its "where", or NULL */
	JsonbValue *data;			/* its "data" or "create" */
	JsonbValue *update;			/* its "update" */
} ForgeNestedItem;

/* A relation key of a data object. */
typedef struct ForgeNestedRel
{
	char	   *name;			/* as the descriptor names it */
	ForgeRelation *r;
	bool		has[FORGE_NUM_ACTIONS];
	JsonbValue	val[FORGE_NUM_ACTIONS]; /* each action's value as given */
	List	   *items[FORGE_NUM_ACTIONS];	/* of ForgeNestedItem */
	JsonbValue *skip;			/* createMany's skipDuplicates, or NULL */
	int			params[INDEX_MAX_KEYS]; /* a to-one create, connect or
										 * connectOrCreate: the parameters
										 * of this row's key columns */
} ForgeNestedRel;

/* The nested writes of one statement. */
typedef struct ForgeNestedWrite
{
	List	   *rels;			/* ForgeNestedRel of data or create */
	List	   *urels;			/* of upsert's update */
	bool		top;			/* the SQL call itself */
	bool		after;			/* something runs after the row is written */
	bool		branch_first;	/* upsert: a to-one create, connect or
								 * connectOrCreate of one branch runs first
								 * (nested.c, upsert_by_branch) */
	JsonbContainer *args;		/* top and after: select and include of the
								 * row read back */
} ForgeNestedWrite;

/* Columns and their values, from a row already written. */
typedef struct ForgePins
{
	int			n;
	const char *cols[INDEX_MAX_KEYS * 2];
	JsonbValue	vals[INDEX_MAX_KEYS * 2];
} ForgePins;

/*
 * One write of a nested action: the parts the descriptor gave, and what
 * the relation adds to them, each value a parameter.
 */
typedef struct ForgePart
{
	JsonbValue *where;			/* an object, or NULL */
	JsonbValue *data;			/* data or create (createMany: the array),
								 * or NULL */
	JsonbValue *update;			/* upsert's update, or NULL (empty) */
	JsonbValue *skip;			/* createMany's skipDuplicates, or NULL */
	bool		skip_duplicates;	/* createMany: skip them anyway */
	const ForgePins *wpins;		/* equalities added to the where */
	bool		connected;		/* upsert: update only a row the pins or
								 * the relation filter connect, else create */
	bool		and;			/* ANDed with it, not at its top level */
	const char *wrel;			/* a relation filter added too: related rows,
								 * by the relation whose name this is, */
	Oid			wrel_con;		/* whose conoid is this, */
	Oid			wrel_join;		/* and join table this (a many-to-many), or
								 * none (a to-one) */
	const ForgePins *wrel_pins; /* with these values, */
	JsonbValue *wrel_is;		/* or matching this where */
	JsonbValue *wnot;			/* this where IS NOT TRUE, added */
	const ForgePins *dpins;		/* set in data or create */
	bool		dnulls;			/* to null instead */
	const ForgePins *upins;		/* set in upsert's update */
	ForgeRelation *keep;		/* update data may not change this key */
	const ForgePins *keep_pins; /* whose columns are these */
	JsonbContainer *args;		/* a read back: its select and include */
	bool		live;			/* the user's where: leave out soft-deleted
								 * rows (unless with_deleted) */
	bool		with_deleted;	/* the call's "withDeleted" */
	bool		looked_up;		/* upsert: its row was just looked for and
								 * not found, so a plain ON CONFLICT */
} ForgePart;

/* The error context of a running nested action. */
typedef struct ForgeNestedContext
{
	ErrorContextCallback cb;
	const char *action;
	const char *relation;
	const char *model;
} ForgeNestedContext;

/* in forge.c */
extern bool forge_notify_enabled;
extern char *forge_notify_channel;
extern bool forge_notify_keys;
extern bool forge_notify_timing;
extern bool forge_notify_model_channel;
extern int	forge_plan_cache_size;

/* in comments.c */
extern char *forge_smart_tag(Oid classid, Oid objid, int32 objsubid,
							 const char *tag);

/* in catalog.c */
#define FORGE_EXTENSION_NAME "forge"
extern void forge_catalog_init(void);
extern Oid	forge_extension_schema(void);
extern void forge_scope_begin(List **save);
extern void forge_scope_end(List *save);
extern void forge_rel_retire_relations(ForgeRel *rel);
extern ForgeRel *forge_rel_open(Oid relid, AclMode need, LOCKMODE lockmode);
extern void forge_check_schema_usage(Oid nsp);
extern Oid	forge_operator_namespace(Oid opr);
extern int	forge_column_lookup(ForgeRel *rel, const char *name, int len);
extern Oid	forge_column_cmp_operator(const ForgeColumn *c, ForgeCmp cmp);
extern void forge_rel_describe_keys(StringInfo buf, ForgeRel *rel);

/* in comments.c */
extern char *forge_smart_tag(Oid classid, Oid objid, int32 objsubid,
							 const char *tag);

/* in relations.c */
extern void forge_relations_invalidate(Oid relid);
extern void forge_rel_relations(ForgeRel *rel);
extern ForgeRelation *forge_relation_lookup(ForgeRel *rel, const char *name,
											int len);
extern ForgeRelation *forge_relation_by_key(ForgeRel *rel, Oid conoid,
											Oid join);
extern const char *forge_relation_kind_name(ForgeRelationKind kind);
extern void forge_describe_relations(StringInfo buf, ForgeRel *rel);

/* in values.c */
extern Datum forge_value_to_datum(const JsonbValue *v, ForgeTypeIO *io,
								  const ForgeColumn *col, bool *isnull);
extern JsonbValue *forge_many_value(JsonbValue *v, ForgeTypeIO *io,
									const ForgeColumn *col);
extern Datum forge_values_to_array(const JsonbValue *arr, ForgeTypeIO *io,
								   const ForgeColumn *col);
extern Datum forge_like_pattern(const JsonbValue *v, const char *prefix,
								const char *suffix, const ForgeColumn *col,
								const char *op);
extern bool forge_json_scalar_equal(const JsonbValue *a, const JsonbValue *b);
extern bool forge_column_values_equal(const ForgeColumn *c, const JsonbValue *a,
									  const JsonbValue *b);
extern const char *forge_json_type_name(const JsonbValue *v);

/* in descriptor.c */
extern ForgeRel *forge_open_model(ForgeVerb verb, Oid relid);
extern List *forge_read(ForgeVerb verb, ForgeRel *rel, Jsonb *args);
extern List *forge_read_part(ForgeVerb verb, Oid relid, ForgePart *p,
							 ForgeRel **rel);
extern const char *forge_verb_name(ForgeVerb verb);
extern ForgeVerb forge_verb_base(ForgeVerb verb);
extern const char *forge_verb_semantic(ForgeVerb verb);

/* in read_nested.c */
extern const char *forge_nested_action_name(ForgeNestedAction a);
extern void forge_nested_context_push(ForgeNestedContext *c,
									  ForgeNestedAction a,
									  const char *relation, ForgeRel *rel);
extern void forge_nested_context_pop(ForgeNestedContext *c);
extern bool forge_nested_runs_first(ForgeNestedRel *nr, int a);

/* in citus.c */
extern ForgeCitusKind forge_citus_kind(Oid relid);
extern const char *forge_citus_kind_name(ForgeCitusKind kind);
extern void forge_citus_read(ForgeRel *rel, Relation r);
extern void forge_citus_check_write(ForgeRel *rel, ForgeVerb verb);
extern void forge_citus_check_relation(ForgeRel *outer, ForgeRelation *r);
extern bool forge_citus_reads_back(ForgeStmt *st);
extern void forge_citus_check_returning(ForgeStmt *st);
extern void forge_citus_check_upsert(ForgeStmt *st);
extern List *forge_citus_row_select(ForgeStmt *st);

/*
 * The column of a Citus table's upsert that says whether ON CONFLICT took
 * the update branch (deparse_returning), next to t.*: a name no column of
 * the table can clash with in practice.
 */
#define FORGE_CITUS_UPDATED "\"?forge upsert updated?\""

/* in deparse.c */
extern void forge_deparse(StringInfo buf, ForgeStmt *stmt);
extern bool forge_deparse_selects(ForgeStmt *stmt);
extern void forge_deparse_key(StringInfo buf, ForgeRel *rel, const char *alias);
extern void forge_deparse_compare(StringInfo buf, const char *lhs, Oid opr,
								  const char *rhs, bool rhs_typed);

/* in shape.c */
extern void forge_shape(StringInfo key, ForgeStmt *stmt);

/* in plancache.c */
typedef struct ForgePlan ForgePlan;

/* Who keys a cached plan: keys of different owners never match. */
#define FORGE_PLAN_STMT			's' /* a verb's statement, by its shape */
#define FORGE_PLAN_OUTBOX		'o' /* the outbox trigger's queries */

/*
 * What forge_plan_lookup needs to find a plan, or to build it on a miss.
 * The key's bytes (keylen of them at key) must determine the SQL text that
 * deparse appends for arg, given the version: a cached plan built for
 * another version is rebuilt.
 */
typedef struct ForgePlanSource
{
	char		owner;			/* FORGE_PLAN_* */
	const void *key;
	int			keylen;
	uint32		version;
	void		(*deparse) (StringInfo buf, void *arg);
	void	   *arg;
	int			nargs;
	Oid		   *argtypes;
	int			cursor_options; /* SPI_prepare_cursor's */
} ForgePlanSource;

extern void forge_plancache_init(void);
extern ForgePlan *forge_plan_lookup(const ForgePlanSource *src);
extern ForgePlan *forge_plan_get(ForgeStmt *stmt);
extern void forge_plan_release(ForgePlan *p);
extern SPIPlanPtr forge_plan_spi(ForgePlan *p);
extern const char *forge_plan_sql(ForgePlan *p);
extern void forge_plancache_stats(int64 *hits, int64 *misses, int64 *entries);
extern void forge_plancache_reset(void);

/* in exec.c */
extern ForgeResult forge_exec_stmts(ForgeVerb verb, ForgeRel *rel,
									List *stmts, bool quiet, bool event);
extern Datum forge_exec(ForgeVerb verb, ForgeRel *rel, List *stmts);
extern void forge_note_upsert_update(void);
extern void forge_exec_not_found(ForgeVerb verb, ForgeRel *rel);
extern ForgeActive *forge_active_call(void);

/* in nested.c */
extern Datum forge_nested(ForgeStmt *st);

/* in events.c */
typedef struct ForgeEventHold
{
	List	   *held;			/* the outer hold's events */
	MemoryContext cxt;			/* and its context; NULL: none */
} ForgeEventHold;

extern void forge_events_hold(ForgeEventHold *save);
extern void forge_events_release(ForgeEventHold *save, bool send);
extern void forge_event(ForgeRel *rel, ForgeVerb verb, const char *op,
						uint64 rowcount, const char *sql,
						TimestampTz started, Jsonb *keys);
extern void forge_notify(const char *model, const char *nspname,
						 const char *relname, ForgeVerb verb, const char *op,
						 uint64 rowcount, const char *sql,
						 TimestampTz started, Jsonb *keys);
extern void forge_events_init(void);
extern void forge_keys_append(ForgeJsonbBuild *state, Jsonb *keys,
							  bool is_array);
extern void forge_model_channel_name(char *buf, const char *channel,
									 const char *nspname, const char *relname);

/* What an event's payload says (forge_event_payload). */
typedef struct ForgeEventFields
{
	const char *model;			/* schema.table */
	const char *nspname;
	const char *relname;
	const char *op;				/* insert, update, delete */
	ForgeVerb	verb;
	bool		with_txid;
	bool		with_rowcount;
	uint64		rowcount;
	bool		with_duration;	/* from started to now */
	bool		with_started;
	TimestampTz started;		/* when the call began */
	uint64		seq;			/* 0: none */
	Jsonb	   *keys;			/* NULL: none */
	const char *sql;			/* NULL: none */
} ForgeEventFields;

extern void forge_event_payload(StringInfo buf, const ForgeEventFields *ev);

#endif							/* FORGE_H */
