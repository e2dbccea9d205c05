/*-------------------------------------------------------------------------
 *
 * events.c
 *		  Queue the NOTIFY event that describes a successful forge call,
 *		  and build every event's payload.
 *
 * forge_event_payload is the one builder of an event's JSON payload: the
 * NOTIFY event's here, and the outbox's (outbox.c gives it the call's
 * fields, and its query over the transition tables adds the row count,
 * keys and changes), so that the two say the same thing the same way.
 *
 * The event goes through Async_Notify, so it is transactional: listeners
 * get it at commit, never after a rollback, and a rolled-back savepoint
 * drops it.  PostgreSQL folds identical payloads within a transaction, so
 * each payload carries a per-transaction sequence number.  The payload holds
 * names, counts, timings and the parameterised SQL text, never a column
 * value: any role that can connect can LISTEN.  It stays under the 8000
 * byte NOTIFY limit by truncating the SQL text, and says so.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/events.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/async.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "storage/proc.h"
#include "utils/datetime.h"
#include "utils/json.h"

#include "forge.h"

/* NOTIFY's payload limit is 8000 bytes including the terminator */
#define FORGE_PAYLOAD_MAX 7999

/*
 * A nested write's events, held until the whole call has run: one per table
 * and operation, with the rows summed (forge_events_hold).  Queued through
 * Async_Notify when the call ends, so a later rollback drops them as it
 * drops any NOTIFY.
 *
 * A held event belongs to the (sub)transaction nesting level that made it,
 * as async.c's pending notifications do: a trigger of the nested write may
 * make forge calls inside a plpgsql exception block.  When a subtransaction
 * aborts, the events of its level and deeper are dropped; when it commits,
 * they pass to its parent (forge_events_subxact), merging with the parent's
 * event of the same table and operation.  Events are summed only within
 * one level, so that a rollback can take back exactly what it undid.
 */
typedef struct HeldEvent
{
	Oid			relid;
	char	   *model;			/* the table's names, copied: a held event */
	char	   *nspname;		/* outlives the call's pin on its ForgeRel */
	char	   *relname;
	ForgeVerb	verb;			/* the first write's */
	const char *op;
	uint64		rowcount;
	char	   *sql;			/* the first statement's */
	TimestampTz started;		/* the first write's */
	List	   *keys;			/* jsonb arrays of keys, in order */
	uint64		nkeys;			/* their elements, counted to a cap */
	int			level;			/* GetCurrentTransactionNestLevel() */
} HeldEvent;

static List *held = NIL;
static MemoryContext held_cxt = NULL;	/* NULL: no hold is active */

static uint64 event_seq = 0;
static LocalTransactionId event_lxid = InvalidLocalTransactionId;

/*
 * append_iso_timestamp
 *		Append ts as a JSON string in ISO 8601 UTC: "2026-11-21T07:45:11.123456Z".
 */
static void
append_iso_timestamp(StringInfo buf, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
	{
		appendStringInfoString(buf, "null");
		return;
	}
	appendStringInfo(buf, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\"",
					 tm.tm_year, tm.tm_mon, tm.tm_mday,
					 tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
}

/* more keys than this are never kept for one event */
#define FORGE_MAX_EVENT_KEYS 1000

/*
 * forge_keys_append
 *		Add the keys in k to the array being built in *state: k's elements
 *		when is_array, else k itself.  Stops at FORGE_MAX_EVENT_KEYS.
 */
void
forge_keys_append(ForgeJsonbBuild *state, Jsonb *k, bool is_array)
{
	JsonbValue	v;

	if (state->parseState == NULL)
		forge_jsonb_push(state, WJB_BEGIN_ARRAY, NULL);
	if (is_array && !JB_ROOT_IS_SCALAR(k))
	{
		JsonbIterator *it = JsonbIteratorInit(&k->root);
		JsonbIteratorToken r;

		while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (r != WJB_ELEM)
				continue;
			if (state->parseState->contVal.val.array.nElems >= FORGE_MAX_EVENT_KEYS)
				break;
			forge_jsonb_push(state, WJB_ELEM, &v);
		}
		return;
	}
	if (state->parseState->contVal.val.array.nElems >= FORGE_MAX_EVENT_KEYS)
		return;
	if (JB_ROOT_IS_SCALAR(k))
		JsonbExtractScalar(&k->root, &v);
	else
	{
		v.type = jbvBinary;
		v.val.binary.data = &k->root;
		v.val.binary.len = VARSIZE(k) - VARHDRSZ;
	}
	forge_jsonb_push(state, WJB_ELEM, &v);
}

/* hex digits of SHA-256 in the channel of a table whose name does not fit */
#define CHANNEL_HASH_HEX	20

/*
 * append_channel_ident
 *		Append name to buf as a channel writes it: as it is when it is
 *		lowercase ASCII letters, digits and underscores (not starting with a
 *		digit), else in double quotes with each quote doubled.  Like
 *		quote_identifier, but blind to keywords, so that a word a later
 *		PostgreSQL reserves does not change a channel's name.
 */
static void
append_channel_ident(StringInfo buf, const char *name)
{
	const char *p;
	bool		plain = (name[0] >= 'a' && name[0] <= 'z') || name[0] == '_';

	for (p = name; *p != '\0' && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	if (plain)
	{
		appendStringInfoString(buf, name);
		return;
	}
	appendStringInfoChar(buf, '"');
	for (p = name; *p != '\0'; p++)
	{
		if (*p == '"')
			appendStringInfoChar(buf, '"');
		appendStringInfoChar(buf, *p);
	}
	appendStringInfoChar(buf, '"');
}

/*
 * forge_model_channel_name
 *		The per-table channel of the table nspname.relname under the notify
 *		channel "channel", into buf (NAMEDATALEN bytes).
 *
 *		It is the channel, ":" and the table's name as SQL writes it
 *		(append_channel_ident: public.users, public."Users", "a.b".c), when
 *		that fits in a channel name (63 bytes); quoting makes it
 *		unambiguous.  Otherwise it is that text cut to fit (at a
 *		character boundary), "#", and the first 20 hex digits of the SHA-256
 *		of the channel, the schema and the table (NUL-separated).  A name of
 *		the first form never ends in "#" and 20 hex digits (a "#" in a table
 *		or schema name is always inside quotes, and the qualified name holds
 *		a dot), so the forms cannot meet; two tables share a channel only if
 *		80 bits of SHA-256 collide.  Names, not OIDs: the channel survives a
 *		restart and pg_dump/restore, and changes when the table is renamed.
 */
void
forge_model_channel_name(char *buf, const char *channel, const char *nspname,
						 const char *relname)
{
	StringInfoData name;
	char	   *full;
	int			len;
	pg_cryptohash_ctx *ctx;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	int			keep;
	int			i;

	initStringInfo(&name);
	appendStringInfo(&name, "%s:", channel);
	append_channel_ident(&name, nspname);
	appendStringInfoChar(&name, '.');
	append_channel_ident(&name, relname);
	full = name.data;
	len = name.len;
	if (len < NAMEDATALEN)
	{
		strlcpy(buf, full, NAMEDATALEN);
		pfree(full);
		return;
	}

	ctx = pg_cryptohash_create(PG_SHA256);
	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) channel, strlen(channel) + 1) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) nspname, strlen(nspname) + 1) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) relname, strlen(relname)) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute the SHA-256 of a channel name");
	pg_cryptohash_free(ctx);

	keep = pg_mbcliplen(full, len, NAMEDATALEN - 1 - 1 - CHANNEL_HASH_HEX);
	memcpy(buf, full, keep);
	buf[keep++] = '#';
	for (i = 0; i < CHANNEL_HASH_HEX / 2; i++)
	{
		static const char hex[] = "0123456789abcdef";

		buf[keep++] = hex[digest[i] >> 4];
		buf[keep++] = hex[digest[i] & 0x0f];
	}
	buf[keep] = '\0';
	pfree(full);
}

/*
 * append_clipped_json
 *		Append text as a JSON string of at most budget bytes, cut at a
 *		character boundary; returns whether it was cut.
 */
static bool
append_clipped_json(StringInfo buf, const char *text, int budget)
{
	StringInfoData esc;
	int			len = strlen(text);
	bool		cut = false;

	initStringInfo(&esc);
	for (;;)
	{
		char	   *part = pnstrdup(text, len);

		resetStringInfo(&esc);
		escape_json(&esc, part);
		pfree(part);
		if (esc.len <= budget || len == 0)
			break;
		cut = true;
		len = pg_mbcliplen(text, len, Max(0, len - (esc.len - budget) - 8));
	}
	appendBinaryStringInfo(buf, esc.data, esc.len);
	pfree(esc.data);
	return cut;
}

/*
 * append_keys
 *		Append ,"keys":[...] with as many of keys' elements as fit in budget
 *		bytes; returns how many were left out.
 */
static int
append_keys(StringInfo buf, Jsonb *keys, int budget)
{
	JsonbIterator *it = JsonbIteratorInit(&keys->root);
	JsonbIteratorToken r;
	JsonbValue	v;
	StringInfoData one;
	int			start = buf->len;
	int			left = 0;
	bool		first = true;

	initStringInfo(&one);
	appendStringInfoString(buf, ",\"keys\":[");
	while ((r = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		Jsonb	   *elem;

		if (r != WJB_ELEM)
			continue;
		if (left > 0)
		{
			left++;
			continue;
		}
		elem = JsonbValueToJsonb(&v);
		resetStringInfo(&one);
		JsonbToCString(&one, &elem->root, VARSIZE(elem));
		if (buf->len - start + one.len + 2 > budget)
		{
			left = 1;
			continue;
		}
		if (!first)
			appendStringInfoChar(buf, ',');
		appendBinaryStringInfo(buf, one.data, one.len);
		first = false;
	}
	appendStringInfoChar(buf, ']');
	pfree(one.data);
	return left;
}

/*
 * forge_event_payload
 *		Append to buf the JSON object of the event ev describes: the one
 *		builder of an event's payload, for NOTIFY (forge_notify) and the
 *		outbox (outbox.c, whose query adds what the transition tables say).
 *		Its fields, in this order, those of ev's flags that are off left
 *		out:
 *
 *		"adapter"		"postgres"
 *		"model"			schema.table, unquoted, as forge has always written it
 *		"schema", "table"	the names as they are: no character in them can
 *						make the table ambiguous
 *		"txid"			pg_current_xact_id() of the writing transaction
 *						(assigned now if the call wrote no row)
 *		"op", "verb", "semanticOp" (softDelete, softDeleteMany, restore,
 *						restoreMany for the soft-delete verbs, else null)
 *		"rowCount"
 *		"duration_ms"	from ev->started to now
 *		"startedAt"		ev->started in ISO 8601 UTC
 *		"seq"			the per-transaction sequence number (ev->seq > 0)
 *		"keys"			ev->keys, with "keysTruncated" when not all fit or
 *						fewer than rowCount were kept
 *		"sql"			ev->sql, with "sqlTruncated" when cut
 *
 *		Names are at most 63 bytes each, so everything up to "seq" always
 *		fits in a NOTIFY payload.  Keys take what room they need, leaving
 *		the SQL text at least 1000 bytes; the SQL text takes the rest.
 *		Either is cut to fit, and says so.
 */
void
forge_event_payload(StringInfo buf, const ForgeEventFields *ev)
{
	int			start = buf->len;

	appendStringInfoString(buf, "{\"adapter\":\"postgres\",\"model\":");
	escape_json(buf, ev->model);
	appendStringInfoString(buf, ",\"schema\":");
	escape_json(buf, ev->nspname);
	appendStringInfoString(buf, ",\"table\":");
	escape_json(buf, ev->relname);
	if (ev->with_txid)
		appendStringInfo(buf, ",\"txid\":" UINT64_FORMAT,
						 U64FromFullTransactionId(GetTopFullTransactionId()));
	appendStringInfoString(buf, ",\"op\":");
	escape_json(buf, ev->op);
	appendStringInfoString(buf, ",\"verb\":");
	escape_json(buf, forge_verb_name(ev->verb));
	appendStringInfoString(buf, ",\"semanticOp\":");
	if (forge_verb_semantic(ev->verb) != NULL)
		escape_json(buf, forge_verb_semantic(ev->verb));
	else
		appendStringInfoString(buf, "null");
	if (ev->with_rowcount)
		appendStringInfo(buf, ",\"rowCount\":" UINT64_FORMAT, ev->rowcount);
	if (ev->with_duration)
		appendStringInfo(buf, ",\"duration_ms\":%.3f",
						 (double) (GetCurrentTimestamp() - ev->started) / 1000.0);
	if (ev->with_started)
	{
		appendStringInfoString(buf, ",\"startedAt\":");
		append_iso_timestamp(buf, ev->started);
	}
	if (ev->seq > 0)
		appendStringInfo(buf, ",\"seq\":" UINT64_FORMAT, ev->seq);
	if (ev->keys != NULL)
	{
		int			left = append_keys(buf, ev->keys,
									   FORGE_PAYLOAD_MAX - (buf->len - start) - 1100);

		if (left > 0 ||
			(uint64) JsonContainerSize(&ev->keys->root) < ev->rowcount)
			appendStringInfoString(buf, ",\"keysTruncated\":true");
	}
	if (ev->sql != NULL)
	{
		int			sqlbudget;

		appendStringInfoString(buf, ",\"sql\":");
		sqlbudget = FORGE_PAYLOAD_MAX - (buf->len - start) -
			(int) strlen(",\"sqlTruncated\":true}") - 1;
		if (append_clipped_json(buf, ev->sql, sqlbudget))
			appendStringInfoString(buf, ",\"sqlTruncated\":true");
	}
	appendStringInfoChar(buf, '}');
}

/*
 * forge_notify
 *		Queue the event of one call of verb on the table named model
 *		(schema.table), nspname and relname: op is what happened
 *		(insert, update, delete), rowcount the rows written, sql the
 *		statement text, started when the call began, keys (or NULL) a jsonb
 *		array of the primary keys written (forge.notify_keys).
 */
void
forge_notify(const char *model, const char *nspname, const char *relname,
			 ForgeVerb verb, const char *op, uint64 rowcount, const char *sql,
			 TimestampTz started, Jsonb *keys)
{
	StringInfoData buf;
	ForgeEventFields ev;

	if (!forge_notify_enabled)
		return;

	if (forge_current_lxid() != event_lxid)
	{
		event_lxid = forge_current_lxid();
		event_seq = 0;
	}
	event_seq++;

	memset(&ev, 0, sizeof(ev));
	ev.model = model;
	ev.nspname = nspname;
	ev.relname = relname;
	ev.op = op;
	ev.verb = verb;
	/* forge.notify_timing = off: only what the write decides, no txid */
	ev.with_txid = forge_notify_timing;
	ev.with_rowcount = true;
	ev.rowcount = rowcount;
	ev.with_duration = forge_notify_timing;
	ev.with_started = forge_notify_timing;
	ev.started = started;
	ev.seq = event_seq;
	ev.keys = keys;
	ev.sql = sql;
	initStringInfo(&buf);
	forge_event_payload(&buf, &ev);

	Async_Notify(forge_notify_channel, buf.data);
	if (forge_notify_model_channel)
	{
		char		channel[NAMEDATALEN];

		forge_model_channel_name(channel, forge_notify_channel,
								 nspname, relname);
		Async_Notify(channel, buf.data);
	}
	pfree(buf.data);
}

/*
 * forge_events_hold
 *		Until the matching forge_events_release, gather events instead of
 *		queueing them, in a list of this hold's own (allocated in the memory
 *		context current now).  The hold that was active, if any (a forge
 *		call in a trigger of another's nested write), is saved in *save.
 */
void
forge_events_hold(ForgeEventHold *save)
{
	save->held = held;
	save->cxt = held_cxt;
	held = NIL;
	held_cxt = CurrentMemoryContext;
}

/*
 * forge_events_release
 *		End the hold begun with save: queue its events (send), or drop them
 *		(after an error, which undoes its writes), and restore the hold
 *		that was active before it.
 */
void
forge_events_release(ForgeEventHold *save, bool send)
{
	List	   *events = held;
	ListCell   *lc;

	held = save->held;
	held_cxt = save->cxt;
	if (!send)
		return;
	foreach(lc, events)
	{
		HeldEvent  *e = lfirst(lc);
		ForgeJsonbBuild state = {0};
		Jsonb	   *keys = NULL;
		ListCell   *kc;

		foreach(kc, e->keys)
			forge_keys_append(&state, (Jsonb *) lfirst(kc), true);
		if (state.parseState != NULL)
			keys = JsonbValueToJsonb(forge_jsonb_push(&state, WJB_END_ARRAY,
													NULL));
		forge_notify(e->model, e->nspname, e->relname, e->verb, e->op,
					 e->rowcount, e->sql,
					 e->started, keys);
	}
}

/*
 * merge_level
 *		Fold the held events of level into one per table and operation,
 *		keeping the first (its verb, SQL text and start) and summing the
 *		others into it.
 */
static void
merge_level(int level)
{
	MemoryContext old = MemoryContextSwitchTo(held_cxt);
	List	   *merged = NIL;
	ListCell   *lc;

	foreach(lc, held)
	{
		HeldEvent  *e = lfirst(lc);
		HeldEvent  *into = NULL;
		ListCell   *mc;

		if (e->level == level)
		{
			foreach(mc, merged)
			{
				HeldEvent  *m = lfirst(mc);

				if (m->level == level && m->relid == e->relid &&
					strcmp(m->op, e->op) == 0)
				{
					into = m;
					break;
				}
			}
		}
		if (into == NULL)
			merged = lappend(merged, e);
		else
		{
			into->rowcount += e->rowcount;
			into->keys = list_concat(into->keys, e->keys);
			into->nkeys += e->nkeys;
		}
	}
	list_free(held);
	held = merged;
	MemoryContextSwitchTo(old);
}

/*
 * forge_events_subxact
 *		Subtransaction callback: an aborted subtransaction takes back the
 *		held events made in it (at its level or deeper); a committed one
 *		hands them to its parent.
 */
static void
forge_events_subxact(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	ListCell   *lc;

	(void) mySubid;
	(void) parentSubid;
	(void) arg;
	if (held == NIL)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		foreach(lc, held)
		{
			HeldEvent  *e = lfirst(lc);

			if (e->level >= level)
				held = foreach_delete_current(held, lc);
		}
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		bool		moved = false;

		foreach(lc, held)
		{
			HeldEvent  *e = lfirst(lc);

			if (e->level >= level)
			{
				e->level = level - 1;
				moved = true;
			}
		}
		if (moved)
			merge_level(level - 1);
	}
}

/*
 * forge_events_init
 *		Register the subtransaction callback; called once from _PG_init.
 */
void
forge_events_init(void)
{
	RegisterSubXactCallback(forge_events_subxact, NULL);
}

/*
 * forge_event
 *		The event of one write: queued now, or gathered into the held
 *		event of its table and operation.
 */
void
forge_event(ForgeRel *rel, ForgeVerb verb, const char *op, uint64 rowcount,
			const char *sql, TimestampTz started, Jsonb *keys)
{
	MemoryContext old;
	HeldEvent  *e = NULL;
	ListCell   *lc;
	int			level = GetCurrentTransactionNestLevel();

	if (!forge_notify_enabled)
		return;
	if (held_cxt == NULL)
	{
		forge_notify(rel->model, rel->nspname, rel->relname, verb, op,
					 rowcount, sql,
					 started, keys);
		return;
	}
	foreach(lc, held)
	{
		HeldEvent  *h = lfirst(lc);

		if (h->relid == rel->relid && strcmp(h->op, op) == 0 &&
			h->level == level)
		{
			e = h;
			break;
		}
	}
	old = MemoryContextSwitchTo(held_cxt);
	if (e == NULL)
	{
		/* copies: rel may be freed before the hold ends (catalog.c) */
		e = palloc0(sizeof(HeldEvent));
		e->relid = rel->relid;
		e->model = pstrdup(rel->model);
		e->nspname = pstrdup(rel->nspname);
		e->relname = pstrdup(rel->relname);
		e->verb = verb;
		e->op = op;				/* a string constant */
		e->sql = pstrdup(sql);
		e->started = started;
		e->level = level;
		held = lappend(held, e);
	}
	e->rowcount += rowcount;
	/* keys beyond what one event can carry are not kept */
	if (keys != NULL && e->nkeys < FORGE_MAX_EVENT_KEYS)
	{
		Jsonb	   *copy = palloc(VARSIZE(keys));

		memcpy(copy, keys, VARSIZE(keys));
		e->keys = lappend(e->keys, copy);
		e->nkeys += JsonContainerSize(&keys->root);
	}
	MemoryContextSwitchTo(old);
}
