/*-------------------------------------------------------------------------
 *
 * events.c
 *		  Queue the NOTIFY event that describes a successful forge call.
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

#include "commands/async.h"
#include "mb/pg_wchar.h"
#include "storage/proc.h"
#include "utils/datetime.h"
#include "utils/json.h"

#include "forge.h"

/* NOTIFY's payload limit is 8000 bytes including the terminator */
#define FORGE_PAYLOAD_MAX 7999

static uint64 event_seq = 0;
static LocalTransactionId event_lxid = InvalidLocalTransactionId;

/*
 * current_lxid
 *		The local id of the running top-level transaction.
 */
static LocalTransactionId
current_lxid(void)
{
#if PG_VERSION_NUM >= 170000
	return MyProc->vxid.lxid;
#else
	return MyProc->lxid;
#endif
}

/*
 * append_iso_timestamp
 *		Append ts as an ISO 8601 UTC string, "2026-11-21T07:45:11.123456Z".
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

/*
 * forge_notify
 *		Queue the event of one call of verb on rel: op is what happened
 *		(insert, update, delete), rowcount the rows written, sql the
 *		statement text, started when the call began.
 */
void
forge_notify(ForgeRel *rel, ForgeVerb verb, const char *op, uint64 rowcount,
			 const char *sql, TimestampTz started)
{
	StringInfoData buf;
	StringInfoData sqlbuf;
	TimestampTz now;
	int			budget;
	int			sqllen;
	bool		truncated = false;

	if (!forge_notify_enabled)
		return;

	if (current_lxid() != event_lxid)
	{
		event_lxid = current_lxid();
		event_seq = 0;
	}
	event_seq++;
	now = GetCurrentTimestamp();

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"adapter\":\"postgres\",\"model\":");
	escape_json(&buf, rel->model);
	appendStringInfoString(&buf, ",\"op\":");
	escape_json(&buf, op);
	appendStringInfoString(&buf, ",\"verb\":");
	escape_json(&buf, forge_verb_name(verb));
	appendStringInfo(&buf, ",\"semanticOp\":null,\"rowCount\":" UINT64_FORMAT
					 ",\"duration_ms\":%.3f,\"startedAt\":",
					 rowcount, (double) (now - started) / 1000.0);
	append_iso_timestamp(&buf, started);
	appendStringInfo(&buf, ",\"seq\":" UINT64_FORMAT ",\"sql\":", event_seq);

	/* the SQL text takes what room is left, cut at a character boundary */
	budget = FORGE_PAYLOAD_MAX - buf.len - (int) strlen(",\"sqlTruncated\":true}") - 1;
	sqllen = strlen(sql);
	initStringInfo(&sqlbuf);
	for (;;)
	{
		char	   *part = pnstrdup(sql, sqllen);

		resetStringInfo(&sqlbuf);
		escape_json(&sqlbuf, part);
		pfree(part);
		if (sqlbuf.len <= budget || sqllen == 0)
			break;
		truncated = true;
		sqllen = pg_mbcliplen(sql, sqllen,
							  Max(0, sqllen - (sqlbuf.len - budget) - 8));
	}
	appendBinaryStringInfo(&buf, sqlbuf.data, sqlbuf.len);
	if (truncated)
		appendStringInfoString(&buf, ",\"sqlTruncated\":true");
	appendStringInfoChar(&buf, '}');

	Async_Notify(forge_notify_channel, buf.data);
	pfree(buf.data);
	pfree(sqlbuf.data);
}
