#!/usr/bin/env bash
# test/suites/faults.sh: forge under injected faults.
#
# Each fault interrupts forge at a point where a partial write would show,
# and each check reads the database and a listener afterwards:
#
#   1. statement_timeout during forge_create_many of 300,000 rows: the call
#      fails with 57014 inside its INSERT (the error's CONTEXT names the
#      generated statement; the table's files had grown), the table is
#      exactly as before (row count and a checksum of every row), no event
#      reaches the listener, and the next forge call in the same session
#      works.
#   2. pg_cancel_backend from another session during the same call, sent
#      once the INSERT has written over 1 MB of heap: the same checks.
#   3. pg_terminate_backend of a session in the middle of a transaction
#      that wrote with every verb: (a) while idle in that transaction,
#      (b) while inside a forge_create_many later in it.  Nothing of the
#      transaction remains, no event is delivered.
#   3c. pg_cancel_backend of a nested create (a user, two posts, a tag)
#      while its last action waits on another session's uncommitted tag:
#      no user, post or join row remains, no event.
#   4. An immediate shutdown (test/cluster.sh restart immediate: pg_ctl
#      -m immediate, SIGQUIT to every backend, crash recovery on start)
#      during a stream of small committed forge_create calls.  The client
#      (a loop of psql, one autocommit call each) appends a key to its log
#      only after psql returned success, i.e. after it received the
#      statement's CommandComplete, which the server sends only after the
#      commit record was written.  After the restart: every key the client
#      logged as committed is in the table; a key it did not log is not,
#      with one allowed exception, explained at that check.  The cluster
#      runs with fsync = off, so this is a crash of PostgreSQL (every
#      process killed, WAL replayed from what it had written), not of the
#      operating system: it proves forge's writes are ordinary WAL-logged
#      transactions, committed or not, never half of a call.
#
# The listener is forge-listen --json (FORGE_LISTEN, or forge-listen in
# pg_config --bindir).  "No event" is checked without a sleep: after each
# fault, a marker forge call commits; events arrive in commit order, so once
# the marker's event is there, any event of the failed work would have come
# before it.  Every wait polls with a deadline.
#
# Run by test/run with PGHOST, PGPORT, PGUSER and FORGE_PGPORT set for the
# throwaway cluster of test/cluster.sh (whose "restart" this uses).  Creates
# and drops its own database.  Exits non-zero with "faults: FAIL: ..." on
# the first failed check.  FAULTS_KEEP=DIR keeps the sessions' outputs and
# the stream's logs there.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${FORGE_LISTEN:-$(pg_config --bindir)/forge-listen}
db=forge_faults
rows=300000
tmp=$(mktemp -d)
pids=()
faults=0

fail() {
  echo "faults: FAIL: $*" >&2
  local f
  for f in "$tmp"/*.out "$tmp"/*.err "$tmp"/*.log; do
    [ -s "$f" ] && { echo "=== $(basename "$f") (last 40 lines)" >&2; tail -n 40 "$f" >&2; }
  done
  exit 1
}

ok() { echo "faults: ok: $*"; }

cleanup() {
  local p
  exec 7>&-
  : >"$tmp/stream.stop" 2>/dev/null || true
  for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  PGOPTIONS="-c client_min_messages=warning" \
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -n "${FAULTS_KEEP:-}" ]; then
    mkdir -p "$FAULTS_KEEP" && cp -r "$tmp"/. "$FAULTS_KEEP"/ 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

[ -n "${FORGE_PGPORT:-}" ] || fail "FORGE_PGPORT is not set (run through test/run, or set it to the test/cluster.sh port)"
[ -x "$bin" ] || fail "no forge-listen binary at $bin (set FORGE_LISTEN)"

# q SQL: run SQL in $db, print the result unaligned
q() {
  psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "$1" 2>>"$tmp/q.err" || fail "psql: $1"
}

# wait_for DESC SECONDS CMD...: poll CMD every 0.05 s until it succeeds
wait_for() {
  local desc=$1 secs=$2 i
  shift 2
  for ((i = 0; i < secs * 20; i++)); do
    "$@" && return 0
    sleep 0.05
  done
  fail "timed out after ${secs}s waiting for: $desc"
}

# wait_exit PID SECONDS: until process PID has exited; sets $rc to its status
wait_exit() {
  local p=$1 secs=$2 i
  for ((i = 0; i < secs * 20; i++)); do
    if ! kill -0 "$p" 2>/dev/null; then
      rc=0
      wait "$p" || rc=$?
      return 0
    fi
    sleep 0.05
  done
  fail "process $p did not exit within ${secs}s"
}

# checksum TABLE: row count and a hash over every row
checksum() {
  q "SELECT count(*) || ' rows, hash ' || coalesce(sum(hashtext(t::text)::bigint), 0) FROM $1 t"
}

# events: the listener's complete lines, as "op verb model rowCount"
events() {
  python3 - "$tmp/listen.out" <<'PY'
import json, sys
data = open(sys.argv[1], encoding="utf-8").read()
for line in data.split("\n")[:-1]:      # the last piece may be incomplete
    e = json.loads(line)
    print(e["op"], e["verb"], e["model"], e["rowCount"])
PY
}
nevents() { events | wc -l; }
has_events() { [ "$(nevents)" -ge "$1" ]; }

# expect_events_since N TEXT: the events after the first N are exactly TEXT
expect_events_since() {
  local n=$1 want=$2 got
  wait_for "event $((n + $(printf '%s\n' "$want" | wc -l))) at the listener" 20 \
    has_events $((n + $(printf '%s\n' "$want" | wc -l)))
  got=$(events | tail -n +$((n + 1)))
  [ "$got" = "$want" ] || fail "listener events after #$n:
$got
expected:
$want"
}

# marker NAME: a committed forge call from a fresh session, whose event
# closes the window in which a failed call's event would have arrived
marker() {
  q "SELECT forge_create('marks', jsonb_build_object('data', jsonb_build_object('name', '$1'))) ->> 'name'" >/dev/null
}

# reset_big: the table the large calls write, with 5 rows of its own
reset_big() {
  q "TRUNCATE big; INSERT INTO big SELECT -g, 'seed' || g || '@x.co', g FROM generate_series(1, 5) g" >/dev/null
}

echo "faults: forge-listen $bin, cluster port $FORGE_PGPORT"
"$root/test/cluster.sh" log >"$tmp/server-start.log" || fail "test/cluster.sh log"
PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres \
  -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null || fail "create database"

psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null 2>"$tmp/setup.err" <<SQL || fail "setup: $(cat "$tmp/setup.err")"
CREATE EXTENSION forge;
CREATE TABLE big (id int PRIMARY KEY, email text NOT NULL UNIQUE, n int NOT NULL DEFAULT 0);
CREATE TABLE marks (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE ledger (id int PRIMARY KEY, note text NOT NULL, n int NOT NULL DEFAULT 0);
INSERT INTO ledger SELECT g, 'seed ' || g, 0 FROM generate_series(1, 10) g;
CREATE TABLE stream (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE n_users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE n_posts (id serial PRIMARY KEY, n_user_id int REFERENCES n_users, title text);
CREATE TABLE n_tags (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE n_post_tags (post_id int REFERENCES n_posts, tag_id int REFERENCES n_tags,
                          PRIMARY KEY (post_id, tag_id));
-- the descriptor of the large call, built once: {"data": [{"id": 1, "email": ..., "n": 1}, ...]}
CREATE TABLE payload AS
  SELECT ('{"data": [' || string_agg(format('{"id": %s, "email": "bulk%s@x.co", "n": %s}', g, g, g), ', ')
          || ']}')::jsonb AS d
  FROM generate_series(1, $rows) g;
-- faults_victim(app, min_bytes, secs): the pid of the session named app
-- once it is inside forge_create_many and big's heap and indexes have grown
-- past min_bytes (so the INSERT is under way); polls every 10 ms, gives up
-- after secs seconds.
CREATE FUNCTION faults_victim(app text, min_bytes bigint, secs int) RETURNS int
LANGUAGE plpgsql AS \$\$
DECLARE
    victim int;
    deadline timestamptz := clock_timestamp() + make_interval(secs => secs);
BEGIN
    LOOP
        PERFORM pg_stat_clear_snapshot();
        SELECT a.pid INTO victim FROM pg_stat_activity a
         WHERE a.application_name = app AND a.state = 'active'
           AND a.query LIKE '%forge_create_many%';
        IF victim IS NOT NULL AND pg_total_relation_size('big') > min_bytes THEN
            RETURN victim;
        END IF;
        IF clock_timestamp() > deadline THEN
            RAISE EXCEPTION 'no session "%" inside forge_create_many with big over % bytes within % s',
                app, min_bytes, secs;
        END IF;
        PERFORM pg_sleep(0.01);
    END LOOP;
END
\$\$;
SQL

# the listener
"$bin" -v --json -d "dbname=$db" >"$tmp/listen.out" 2>"$tmp/listen.err" &
listener=$!
pids+=("$listener")
wait_for "forge-listen to listen" 20 grep -qs '^forge-listen: listening on "forge"' "$tmp/listen.err"

#
# 0. Control: the large call, undisturbed, commits and its event arrives.
#    Its duration sets the statement_timeout of fault 1.
#
reset_big
t0=$(date +%s%N)
got=$(q "SELECT forge_create_many('big', (SELECT d FROM payload))")
t1=$(date +%s%N)
[ "$got" = "{\"count\": $rows}" ] || fail "control create_many returned $got"
control_ms=$(((t1 - t0) / 1000000))
expect_events_since 0 "insert forge_create_many public.big $rows"
ok "control: forge_create_many of $rows rows commits in ${control_ms} ms; the listener gets its event"
seen=$(nevents)

#
# 1. statement_timeout, first at a little over half the control's
#    duration.  The call reads the descriptor (a few percent of its time),
#    then its INSERT ... SELECT FROM jsonb_to_recordset($1) collects the
#    rows (about a quarter), then writes them; the timeout must fire while
#    it writes.  If the call finished instead (this run was faster), or the
#    timeout fired before any row was written (slower), try again with a
#    third less or a half more.
#
timeout_ms=$((control_ms * 11 / 20))
[ "$timeout_ms" -ge 50 ] || timeout_ms=50
for attempt in 1 2 3 4 5 6; do
  reset_big
  before=$(checksum big)
  psql -X -d "$db" >"$tmp/timeout.out" 2>&1 <<SQL
SELECT pg_backend_pid() AS pid \gset
\echo BACKEND :pid
SELECT pg_total_relation_size('big') AS size_before \gset
SET statement_timeout = $timeout_ms;
SELECT forge_create_many('big', (SELECT d FROM payload));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT pg_total_relation_size('big') > :size_before AS wrote_before_rollback \gset
\echo WROTE :wrote_before_rollback
SELECT forge_create('big', '{"data": {"id": 0, "email": "next@x.co"}, "select": {"email": true}}') ->> 'email' AS next \gset
\echo NEXT :next
SELECT pg_backend_pid() AS pid \gset
\echo BACKEND :pid
SQL
  if grep -q '^SQLSTATE 57014$' "$tmp/timeout.out" &&
     grep -q 'CONTEXT:  SQL statement "INSERT INTO public.big' "$tmp/timeout.out" &&
     grep -q '^WROTE t$' "$tmp/timeout.out"; then
    break
  elif grep -q "{\"count\": $rows}" "$tmp/timeout.out"; then
    # it committed: its event and the next call's come; again, shorter
    expect_events_since "$seen" "insert forge_create_many public.big $rows
insert forge_create public.big 1"
    seen=$(nevents)
    echo "faults: note: the call finished within ${timeout_ms} ms; again with $((timeout_ms * 2 / 3)) ms"
    timeout_ms=$((timeout_ms * 2 / 3))
  elif grep -q '^SQLSTATE 57014$' "$tmp/timeout.out"; then
    expect_events_since "$seen" "insert forge_create public.big 1"
    seen=$(nevents)
    echo "faults: note: ${timeout_ms} ms fired before a row was written; again with $((timeout_ms * 3 / 2)) ms"
    timeout_ms=$((timeout_ms * 3 / 2))
  else
    fail "statement_timeout: neither 57014 nor a result"
  fi
  [ "$attempt" -lt 6 ] || fail "statement_timeout: did not fire while rows were written in 6 tries"
done
faults=$((faults + 1))
grep -q 'ERROR:  canceling statement due to statement timeout' "$tmp/timeout.out" || fail "statement_timeout: message"
grep -q 'CONTEXT:  SQL statement "INSERT INTO public.big' "$tmp/timeout.out" ||
  fail "statement_timeout (${timeout_ms} ms) did not stop the call inside its INSERT"
grep -q '^WROTE t$' "$tmp/timeout.out" || fail "statement_timeout: big did not grow: no row was written before the rollback"
grep -q '^NEXT next@x.co$' "$tmp/timeout.out" || fail "statement_timeout: the next forge call in the session did not work"
[ "$(grep -c '^BACKEND ' "$tmp/timeout.out")" = 2 ] && [ "$(grep '^BACKEND ' "$tmp/timeout.out" | sort -u | wc -l)" = 1 ] ||
  fail "statement_timeout: the session did not survive"
q "DELETE FROM big WHERE id = 0" >/dev/null        # the next call's row
[ "$(checksum big)" = "$before" ] || fail "statement_timeout: big changed: $(checksum big), was $before"
marker after-timeout
expect_events_since "$seen" "insert forge_create public.big 1
insert forge_create public.marks 1"
seen=$(nevents)
ok "statement_timeout (${timeout_ms} ms): 57014 while the INSERT was writing rows, big unchanged ($before), no event, the same session's next call works"

#
# 2. pg_cancel_backend from another session, once the INSERT has written
#    over 1 MB.
#
reset_big
before=$(checksum big)
PGAPPNAME=faults_cancel psql -X -d "$db" >"$tmp/cancel.out" 2>&1 <<SQL &
SELECT pg_backend_pid() AS pid \gset
\echo BACKEND :pid
SELECT pg_total_relation_size('big') AS size_before \gset
SELECT forge_create_many('big', (SELECT d FROM payload));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT pg_total_relation_size('big') > :size_before AS wrote_before_rollback \gset
\echo WROTE :wrote_before_rollback
SELECT forge_create('big', '{"data": {"id": 0, "email": "next@x.co"}, "select": {"email": true}}') ->> 'email' AS next \gset
\echo NEXT :next
SELECT pg_backend_pid() AS pid \gset
\echo BACKEND :pid
SQL
victim=$!
pids+=("$victim")
got=$(q "SELECT pg_cancel_backend(faults_victim('faults_cancel', 1048576, 30))")
[ "$got" = t ] || fail "pg_cancel_backend returned $got"
wait_exit "$victim" 30
faults=$((faults + 1))
grep -q '^SQLSTATE 57014$' "$tmp/cancel.out" || fail "cancel: no 57014"
grep -q 'ERROR:  canceling statement due to user request' "$tmp/cancel.out" || fail "cancel: message"
grep -q 'CONTEXT:  SQL statement "INSERT INTO public.big' "$tmp/cancel.out" || fail "cancel: not inside the INSERT"
grep -q '^WROTE t$' "$tmp/cancel.out" || fail "cancel: big did not grow: no row was written before the rollback"
grep -q '^NEXT next@x.co$' "$tmp/cancel.out" || fail "cancel: the next forge call in the session did not work"
[ "$(grep -c '^BACKEND ' "$tmp/cancel.out")" = 2 ] && [ "$(grep '^BACKEND ' "$tmp/cancel.out" | sort -u | wc -l)" = 1 ] ||
  fail "cancel: the session did not survive"
q "DELETE FROM big WHERE id = 0" >/dev/null
[ "$(checksum big)" = "$before" ] || fail "cancel: big changed: $(checksum big), was $before"
marker after-cancel
expect_events_since "$seen" "insert forge_create public.big 1
insert forge_create public.marks 1"
seen=$(nevents)
ok "pg_cancel_backend: 57014 while the INSERT was writing rows, big unchanged ($before), no event, the same session's next call works"

#
# 3. pg_terminate_backend mid-transaction.  The transaction writes ledger
#    with every verb (every kind of row change: new rows, changed rows,
#    deleted rows) and is then terminated.
#
cat >"$tmp/writes.sql" <<'SQL'
BEGIN;
SELECT forge_create('ledger', '{"data": {"id": 100, "note": "created"}}');
SELECT forge_create_many('ledger', '{"data": [{"id": 101, "note": "many"}, {"id": 102, "note": "many"}, {"id": 103, "note": "many", "n": 3}]}');
SELECT forge_update('ledger', '{"where": {"id": 1}, "data": {"note": "updated", "n": {"increment": 1}}}');
SELECT forge_update_many('ledger', '{"where": {"id": {"in": [3, 4]}}, "data": {"n": {"increment": 5}}}');
SELECT forge_upsert('ledger', '{"where": {"id": 5}, "create": {"note": "x"}, "update": {"note": "upserted"}}');
SELECT forge_upsert('ledger', '{"where": {"id": 104}, "create": {"note": "upsert-created"}, "update": {}}');
SELECT forge_delete('ledger', '{"where": {"id": 2}}');
SELECT forge_delete_many('ledger', '{"where": {"id": {"in": [6, 7]}}}');
SQL

# 3a. idle in the transaction, after its writes.  psql reads the script
#     from a pipe that stays open, so the session stays in the transaction.
ledger_before=$(checksum ledger)
mkfifo "$tmp/idle.fifo"
PGAPPNAME=faults_term_idle psql -X -v ON_ERROR_STOP=1 -d "$db" <"$tmp/idle.fifo" >"$tmp/term_idle.out" 2>&1 &
victim=$!
pids+=("$victim")
exec 7>"$tmp/idle.fifo"
{ cat "$tmp/writes.sql"; echo "SELECT 'all writes done' AS marker;"; } >&7
idle_victim() {
  vpid=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'faults_term_idle'
              AND state = 'idle in transaction' AND backend_xid IS NOT NULL
              AND query LIKE '%all writes done%'")
  [ -n "$vpid" ]
}
wait_for "the session to be idle in its transaction after its writes" 30 idle_victim
got=$(q "SELECT pg_terminate_backend($vpid, 10000)")
[ "$got" = t ] || fail "pg_terminate_backend($vpid) returned $got"
faults=$((faults + 1))
[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $vpid")" = 0 ] || fail "terminate: backend $vpid still there"
exec 7>&-
wait_exit "$victim" 30
grep -q 'all writes done' "$tmp/term_idle.out" || fail "terminate (idle): the writes did not all run"
[ "$(checksum ledger)" = "$ledger_before" ] || fail "terminate (idle): ledger changed: $(checksum ledger), was $ledger_before"
marker after-terminate-idle
expect_events_since "$seen" "insert forge_create public.marks 1"
seen=$(nevents)
ok "pg_terminate_backend while idle in a transaction that wrote with all 7 verbs (9 calls): ledger unchanged ($ledger_before), no event"

# 3b. inside a forge_create_many later in the same kind of transaction.
reset_big
before=$(checksum big)
{ cat "$tmp/writes.sql"; echo "SELECT forge_create_many('big', (SELECT d FROM payload));"; echo "COMMIT;"; } >"$tmp/busy.sql"
PGAPPNAME=faults_term_busy psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$tmp/busy.sql" >"$tmp/term_busy.out" 2>&1 &
victim=$!
pids+=("$victim")
got=$(q "SELECT pg_terminate_backend(faults_victim('faults_term_busy', 1048576, 30), 10000)")
[ "$got" = t ] || fail "pg_terminate_backend returned $got"
faults=$((faults + 1))
wait_exit "$victim" 30
[ "$rc" -ne 0 ] || fail "terminate (busy): psql exited 0"
grep -q 'FATAL:  terminating connection due to administrator command' "$tmp/term_busy.out" ||
  fail "terminate (busy): no 57P01 FATAL"
grep -q 'COMMIT' "$tmp/term_busy.out" && fail "terminate (busy): the transaction reached COMMIT"
[ "$(checksum ledger)" = "$ledger_before" ] || fail "terminate (busy): ledger changed: $(checksum ledger), was $ledger_before"
[ "$(checksum big)" = "$before" ] || fail "terminate (busy): big changed: $(checksum big), was $before"
marker after-terminate-busy
expect_events_since "$seen" "insert forge_create public.marks 1"
seen=$(nevents)
ok "pg_terminate_backend inside forge_create_many after 9 writes in the transaction: ledger and big unchanged, no event"

# 3c. a nested write cancelled in its last action.  A blocker session
#     holds an uncommitted tag "contended"; the nested create writes a user
#     and two posts, then its connectOrCreate of that tag waits on the
#     blocker's row.  Cancelled while it waits: no user, post or join row
#     remains, no event; then the blocker goes away.
PGAPPNAME=faults_blocker psql -X -v ON_ERROR_STOP=1 -d "$db" >"$tmp/blocker.out" 2>&1 <<'SQL' &
BEGIN;
INSERT INTO n_tags (name) VALUES ('contended');
SELECT pg_sleep(120);
SQL
blocker=$!
pids+=("$blocker")
blocking() {
  [ -n "$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'faults_blocker'
               AND backend_xid IS NOT NULL AND query LIKE '%pg_sleep%'")" ]
}
wait_for "the blocker to hold its tag" 30 blocking
n_before="$(checksum n_users) / $(checksum n_posts) / $(checksum n_post_tags)"
PGAPPNAME=faults_nested psql -X -v ON_ERROR_STOP=1 -d "$db" >"$tmp/nested.out" 2>&1 <<'SQL' &
SELECT forge_create('n_users', '{"data": {"email": "v@x.co", "n_posts": {"create": [
  {"title": "first"},
  {"title": "second", "n_tags": {"connectOrCreate": {"where": {"name": "contended"},
                                                    "create": {"name": "contended"}}}}]}}}');
SQL
victim=$!
pids+=("$victim")
nested_waiting() {
  vpid=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'faults_nested'
              AND wait_event_type = 'Lock' AND query LIKE '%forge_create%'")
  [ -n "$vpid" ]
}
wait_for "the nested write to wait on the blocker's tag" 30 nested_waiting
got=$(q "SELECT pg_cancel_backend($vpid)")
[ "$got" = t ] || fail "pg_cancel_backend($vpid) returned $got"
faults=$((faults + 1))
wait_exit "$victim" 30
[ "$rc" -ne 0 ] || fail "nested cancel: psql exited 0"
grep -q 'canceling statement due to user request' "$tmp/nested.out" || fail "nested cancel: no 57014"
grep -q 'nested connectOrCreate through relation "n_tags" of "n_posts"' "$tmp/nested.out" ||
  fail "nested cancel: the error's context does not name the nested action"
q "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = 'faults_blocker'" >/dev/null
wait_exit "$blocker" 30
n_after="$(checksum n_users) / $(checksum n_posts) / $(checksum n_post_tags)"
[ "$n_after" = "$n_before" ] || fail "nested cancel: tables changed: $n_after, were $n_before"
[ "$(q "SELECT count(*) FROM n_tags")" = 0 ] || fail "nested cancel: a tag remains"
marker after-nested-cancel
expect_events_since "$seen" "insert forge_create public.marks 1"
seen=$(nevents)
ok "pg_cancel_backend of a nested create waiting in its last action (a user and two posts written): nothing remains, no event"

kill -TERM "$listener" 2>/dev/null
wait_exit "$listener" 10
[ "$rc" -eq 0 ] || fail "forge-listen exited $rc after SIGTERM"

#
# 4. Immediate shutdown during a stream of committed writes.
#
stream_client() {
  local i=0 out
  while [ ! -e "$tmp/stream.stop" ] && [ $i -lt 20000 ]; do
    i=$((i + 1))
    echo "$i" >>"$tmp/attempted.log"
    if out=$(psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" \
               -c "SELECT forge_create('stream', '{\"data\": {\"id\": $i}, \"select\": {\"id\": true}}') ->> 'id'" 2>&1) &&
       [ "$out" = "$i" ]; then
      echo "$i" >>"$tmp/committed.log"
    else
      echo "$i $(echo "$out" | head -n 1)" >>"$tmp/failed.log"
      sleep 0.02      # the server is away: do not spin
    fi
  done
}
: >"$tmp/attempted.log"; : >"$tmp/committed.log"; : >"$tmp/failed.log"
stream_client &
client=$!
pids+=("$client")
committed_at_least() { [ "$(wc -l <"$tmp/committed.log")" -ge "$1" ]; }
wait_for "30 committed stream writes" 30 committed_at_least 30
"$root/test/cluster.sh" log >"$tmp/server-before.log" || fail "test/cluster.sh log"
at_crash=$(wc -l <"$tmp/committed.log")
"$root/test/cluster.sh" restart immediate || fail "test/cluster.sh restart immediate failed"
faults=$((faults + 1))
wait_for "30 more committed stream writes after the restart" 60 committed_at_least $((at_crash + 30))
: >"$tmp/stream.stop"
wait_exit "$client" 30
# the server log since the restart
"$root/test/cluster.sh" log | tail -n +$(($(wc -l <"$tmp/server-before.log") + 1)) >"$tmp/server-after.log"
grep -q 'received immediate shutdown request' "$tmp/server-after.log" &&
  grep -q 'database system was not properly shut down; automatic recovery in progress' "$tmp/server-after.log" ||
  fail "immediate shutdown: the server log shows no immediate shutdown and crash recovery"

q "SELECT id FROM stream ORDER BY id" >"$tmp/table.ids"
sort -n "$tmp/committed.log" >"$tmp/committed.ids"
cut -d' ' -f1 "$tmp/failed.log" | sort -n >"$tmp/failed.ids"
missing=$(comm -23 <(sort "$tmp/committed.ids") <(sort "$tmp/table.ids") | sort -n)
extra=$(comm -13 <(sort "$tmp/committed.ids") <(sort "$tmp/table.ids") | sort -n)
[ -z "$missing" ] || fail "immediate shutdown: committed writes lost: $(echo $missing)"
# The one allowed extra row.  The client logs a key only when psql
# returned success, which needs the statement's CommandComplete; the server
# sends it only after the commit record is written and flushed
# (synchronous_commit = on, the default).  So a call can commit on the
# server while the client never hears of it: the crash comes after the
# commit record is flushed and before CommandComplete reaches psql; psql
# reports a lost connection and the client logs a failure for a row that
# is committed.  With one sequential client, only the call in flight at the
# crash can be such a call, and it is the first call that failed: every
# later failure is a call that could not connect while the server was
# down or recovering.  Its row may or may not be there.  Any other row the
# client did not log is a write that never committed and yet survived: a
# failure.  (No call fails before the crash in a healthy run.)
first_failed=$(head -n 1 "$tmp/failed.ids")
for k in $extra; do
  [ "$k" = "$first_failed" ] || fail "immediate shutdown: row $k is in the table but its call did not commit (first failed call: ${first_failed:-none})"
done
n_committed=$(wc -l <"$tmp/committed.ids")
n_failed=$(wc -l <"$tmp/failed.ids")
ok "immediate shutdown with $at_crash writes committed, then 30+ more after recovery: all $n_committed committed writes are there; $n_failed calls failed while the server was away; rows the client did not see commit: $(echo ${extra:-none}) (allowed: only the call in flight at the crash, #${first_failed:-none})"
"$root/test/cluster.sh" log >"$tmp/server-end.log"
if tail -n +"$(($(wc -l <"$tmp/server-start.log") + 1))" "$tmp/server-end.log" |
   grep -E 'terminated by signal|was terminated by exception'; then
  fail "the server log shows a crashed backend during this suite"
fi

echo "faults: $faults faults injected (statement_timeout, 2 x pg_cancel_backend, 2 x pg_terminate_backend, immediate shutdown); all checks passed"
