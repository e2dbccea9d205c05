#!/usr/bin/env bash
# test/suites/listen.sh: forge-listen against the throwaway cluster.
#
# Starts several forge-listen processes in the background (readable lines,
# --json, --model and --op filters, --count), writes with forge's verbs
# through psql, and checks what each printed.  Then restarts the server
# mid-stream (test/cluster.sh restart) and checks that the listeners say they
# lost the connection and reconnected, and print the events written after
# the restart.  Also: a payload that is not JSON is reported and skipped, a
# usage error exits 1, and --no-retry exits 2 when it cannot connect.
#
# Then payloads of every shape (test/fuzz/payloads.py: numbers beyond any
# fixed width, nesting past 2,048 levels, Unicode, megabyte strings), from
# forge's own events and generated, by NOTIFY and through the outbox, must
# reach the output and the --exec command exactly; an outbox event that is
# not a JSON object is never acknowledged; and a drain of 200 outbox events
# survives a server restart in its middle, losing none.
#
# Run by test/run with PGHOST, PGPORT, PGUSER and FORGE_PGPORT set.  The
# binary is $FORGE_LISTEN, or forge-listen in pg_config --bindir.  Every wait
# polls with a deadline; nothing relies on a sleep being long enough.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${FORGE_LISTEN:-$(pg_config --bindir)/forge-listen}
db=forge_listen_test
tmp=$(mktemp -d)
pids=()
declare -A pid   # forge-listen's process id by name

fail() {
  echo "listen: FAIL: $*" >&2
  for f in "$tmp"/*.out "$tmp"/*.err; do
    [ -e "$f" ] && { echo "=== $(basename "$f")" >&2; cat "$f" >&2; }
  done
  exit 1
}

cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  PGOPTIONS="-c client_min_messages=warning" \
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

[ -x "$bin" ] || fail "no forge-listen binary at $bin (set FORGE_LISTEN)"

sql() {
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@" >/dev/null || fail "psql: $*"
}

# wait_lines FILE N [SECONDS]: until FILE has at least N lines
wait_lines() {
  local f=$1 n=$2 secs=${3:-20} i
  for ((i = 0; i < secs * 10; i++)); do
    [ "$(wc -l <"$f")" -ge "$n" ] && return 0
    sleep 0.1
  done
  fail "$(basename "$f"): expected $n lines within ${secs}s, got $(wc -l <"$f")"
}

# wait_grep FILE REGEX [SECONDS]: until a line of FILE matches REGEX
wait_grep() {
  local f=$1 re=$2 secs=${3:-20} i
  for ((i = 0; i < secs * 10; i++)); do
    grep -qE "$re" "$f" && return 0
    sleep 0.1
  done
  fail "$(basename "$f"): no line matching '$re' within ${secs}s"
}

# start NAME ARGS...: run forge-listen -v ARGS in the background, writing
# NAME.out and NAME.err, and wait until it is listening
start() {
  local name=$1
  shift
  : >"$tmp/$name.out"
  : >"$tmp/$name.err"
  "$bin" -v -d "dbname=$db" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=($!)
  pid[$name]=$!
  wait_grep "$tmp/$name.err" '^forge-listen: listening on "'
}

# finish NAME: wait for a forge-listen that stops by itself (--count), which
# must exit 0
finish() {
  local rc=0 i
  for ((i = 0; i < 300; i++)); do
    kill -0 "${pid[$1]}" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "${pid[$1]}" 2>/dev/null &&
    fail "$1: still running after 30s: it did not handle the events it was sent"
  wait "${pid[$1]}" || rc=$?
  [ "$rc" -eq 0 ] || fail "$1: exit status $rc, expected 0"
}

# fields FILE: the op, model, rows, verb and seq of each readable line
fields() {
  awk '{ print $2, $3, $4, $5, $6 }' "$1"
}

# expect NAME TEXT: NAME.out's fields are exactly TEXT
expect() {
  local name=$1 want=$2
  [ "$(fields "$tmp/$name.out")" = "$want" ] ||
    fail "$name printed:
$(cat "$tmp/$name.out")
expected (op model rows verb seq):
$want"
}

# stop NAME: SIGTERM, which must end forge-listen with status 0
stop() {
  local rc=0
  kill -TERM "${pid[$1]}"
  wait "${pid[$1]}" || rc=$?
  [ "$rc" -eq 0 ] || fail "$1: exit status $rc after SIGTERM, expected 0"
}

echo "listen: binary $bin"

# command line mistakes and a database that is not there
rc=0; "$bin" --op upsert >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "--op upsert: exit status $rc, expected 1"
rc=0; "$bin" --outbox --model x >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "--outbox --model: exit status $rc, expected 1"
rc=0; "$bin" --no-retry -d "dbname=${db}_absent" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "--no-retry on a missing database: exit status $rc, expected 2"
"$bin" --help | grep -q -- '--outbox' || fail "--help does not mention --outbox"
"$bin" --version | grep -qE '^forge-listen \(forge\) [0-9]' || fail "--version"

PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres \
  -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
sql <<'SQL'
CREATE EXTENSION forge;
CREATE TABLE items (id int PRIMARY KEY, name text, n int NOT NULL DEFAULT 0);
CREATE SCHEMA other;
CREATE TABLE other.items (id int PRIMARY KEY);
SQL

start all                                      # every event, readable
start json --json                              # every event, NDJSON
start ins --model items --op insert            # items in any schema, inserts
start other --model other.items                # one qualified table
start two --op update --op delete --count 2    # exits by itself after two

# the writes; each autocommits, so each is one event, in this order
sql -c "SELECT forge_create('items', '{\"data\": {\"id\": 1, \"name\": \"a\"}}')"
sql -c "SELECT forge_update('items', '{\"where\": {\"id\": 1}, \"data\": {\"n\": {\"increment\": 1}}}')"
sql -c "SELECT forge_create('other.items', '{\"data\": {\"id\": 1}}')"
sql -c "SELECT pg_notify('forge', 'this is not JSON')"
sql -c "SELECT forge_delete('items', '{\"where\": {\"id\": 1}}')"
sql -c "SELECT forge_create_many('items', '{\"data\": [{\"id\": 2}, {\"id\": 3}]}')"

wait_lines "$tmp/all.out" 5
wait_lines "$tmp/json.out" 5
wait_lines "$tmp/ins.out" 3
wait_lines "$tmp/other.out" 1

expect all "insert public.items rows=1 forge_create seq=1
update public.items rows=1 forge_update seq=1
insert other.items rows=1 forge_create seq=1
delete public.items rows=1 forge_delete seq=1
insert public.items rows=2 forge_create_many seq=1"
expect ins "insert public.items rows=1 forge_create seq=1
insert other.items rows=1 forge_create seq=1
insert public.items rows=2 forge_create_many seq=1"
expect other "insert other.items rows=1 forge_create seq=1"

# the readable line's timestamp and duration
bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z [a-z]+ [a-z.]+ rows=[0-9]+ forge_[a-z_]+ seq=[0-9]+ [0-9]+\.[0-9]{3}ms$' \
  "$tmp/all.out" || true)
[ "$bad" -eq 0 ] || fail "all: $bad readable line(s) not in the documented form"

# the payload that is not JSON: a warning, and the listener went on
grep -q 'not valid JSON' "$tmp/all.err" || fail "all: no warning for the payload that is not JSON"

# --count 2: the update and the delete, then exit 0 by itself
wait_lines "$tmp/two.out" 2
rc=0; wait "${pid[two]}" || rc=$?
[ "$rc" -eq 0 ] || fail "two: exit status $rc after --count 2, expected 0"
expect two "update public.items rows=1 forge_update seq=1
delete public.items rows=1 forge_delete seq=1"

# --json: one compact object per line, the payload's documented fields
python3 - "$tmp/json.out" <<'PY' || fail "json: the NDJSON output is wrong"
import json, re, sys
want = [("insert", "public.items", 1, "forge_create"),
        ("update", "public.items", 1, "forge_update"),
        ("insert", "other.items", 1, "forge_create"),
        ("delete", "public.items", 1, "forge_delete"),
        ("insert", "public.items", 2, "forge_create_many")]
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == len(want), "%d lines, expected %d" % (len(lines), len(want))
for line, w in zip(lines, want):
    ev = json.loads(line)
    assert isinstance(ev, dict), line
    got = (ev["op"], ev["model"], ev["rowCount"], ev["verb"])
    assert got == w, "%r, expected %r" % (got, w)
    assert ev["adapter"] == "postgres" and ev["semanticOp"] is None, line
    assert ev["seq"] == 1 and isinstance(ev["duration_ms"], float), line
    assert ev["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE"), line
    assert not re.search(r"\s", re.sub(r'"(\\.|[^"\\])*"', '""', line)), \
        "not compact: " + line
PY

# restart the server mid-stream: every listener reconnects and listens again
FORGE_PGPORT=${FORGE_PGPORT:-${PGPORT}} "$here/../cluster.sh" restart ||
  fail "test/cluster.sh restart failed"
for name in all json ins other; do
  wait_grep "$tmp/$name.err" '^forge-listen: connection lost: .*; reconnecting in [0-9.]+s$' 30
  wait_grep "$tmp/$name.err" '^forge-listen: reconnected$' 60
done

sql -c "SELECT forge_update('items', '{\"where\": {\"id\": 2}, \"data\": {\"name\": \"b\"}}')"
sql -c "SELECT forge_create('items', '{\"data\": {\"id\": 4}}')"
wait_lines "$tmp/all.out" 7
wait_lines "$tmp/json.out" 7
wait_lines "$tmp/ins.out" 4

for name in all json ins other; do
  stop "$name"
done

expect all "insert public.items rows=1 forge_create seq=1
update public.items rows=1 forge_update seq=1
insert other.items rows=1 forge_create seq=1
delete public.items rows=1 forge_delete seq=1
insert public.items rows=2 forge_create_many seq=1
update public.items rows=1 forge_update seq=1
insert public.items rows=1 forge_create seq=1"
expect ins "insert public.items rows=1 forge_create seq=1
insert other.items rows=1 forge_create seq=1
insert public.items rows=2 forge_create_many seq=1
insert public.items rows=1 forge_create seq=1"
expect other "insert other.items rows=1 forge_create seq=1"
[ "$(sed -n 7p "$tmp/json.out" | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["op"], e["model"])')" = "insert public.items" ] ||
  fail "json: the event after the restart is wrong"

#
# Payloads of every shape forge can produce reach the output, and --exec's
# command, exactly: every token byte for byte, whitespace removed.
#
py=/usr/bin/python3                  # Debian's, which sees python3-psycopg2
[ -x "$py" ] || py=python3
payloads="$here/../fuzz/payloads.py"

# Real forge events: a numeric(20,0) key beyond 64 bits (jansson, which
# forge-listen used to parse with, stops at 64-bit integers: the event was
# reported as not JSON and dropped), a table whose name needs quoting and is
# not ASCII.  (A key cannot nest deep: a btree entry holds 2,700 bytes at
# most.  The outbox's "changes" can, below.)
sql <<'SQL'
CREATE TABLE big (id numeric(20,0) PRIMARY KEY);
CREATE TABLE "Ünï ✓.t" (id int PRIMARY KEY);
SQL
start shapes --json --count 2
start shapes_readable --count 2
PGOPTIONS="-c forge.notify_keys=on" sql -c "SELECT forge_create('big', '{\"data\": {\"id\": 18446744073709551615}}')"
PGOPTIONS="-c forge.notify_keys=on" sql -c "SELECT forge_create('\"Ünï ✓.t\"', '{\"data\": {\"id\": 1}}')"
finish shapes
finish shapes_readable
"$py" - "$tmp/shapes.out" <<'PY' || fail "shapes: the events of big numbers and odd names are wrong"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert len(lines) == 3 and lines[2] == "", lines
assert '"keys":[18446744073709551615]' in lines[0], lines[0]
assert '"model":"public.Ünï ✓.t","schema":"public","table":"Ünï ✓.t"' in lines[1], lines[1]
PY
grep -q ' insert public.big rows=1 forge_create seq=1 [0-9.]*ms keys=\[18446744073709551615\]$' "$tmp/shapes_readable.out" ||
  fail "shapes_readable: no readable line with the numeric(20,0) key"
grep -q ' insert public.Ünï ✓.t rows=1 forge_create seq=1 [0-9.]*ms keys=\[1\]$' "$tmp/shapes_readable.out" ||
  fail "shapes_readable: no readable line for \"Ünï ✓.t\""

# 150 generated payloads by NOTIFY (under 8000 bytes each): numbers of up to
# 1,000 digits and exponents past double's, nesting past 2,048, Unicode
# escaped and not, \u0000 and lone surrogates, strings of 1,500 characters.
start fuzz --json -c shapes --count 150
"$py" "$payloads" notify --db "$db" --channel shapes --count 150 --seed 11 \
  --expect "$tmp/fuzz.expect" || fail "payloads.py notify failed"
finish fuzz
"$py" "$payloads" compare --got "$tmp/fuzz.out" --expect "$tmp/fuzz.expect" ||
  fail "fuzz: forge-listen --json did not print every payload exactly"
[ ! -s "$tmp/fuzz.err" ] || ! grep -v '^forge-listen: listening on' "$tmp/fuzz.err" ||
  fail "fuzz: forge-listen complained about a valid payload"

# The outbox: forge's own events of a numeric(20,0) key, a jsonb value
# nested 5,000 deep and a 1.2 MB text of non-ASCII characters, and 40
# generated events as large; the --exec command gets each one exactly, and
# each is acknowledged.
sql <<'SQL'
TRUNCATE forge_outbox;
CREATE TABLE bigob (id numeric(20,0) PRIMARY KEY, doc jsonb, t text);
SELECT forge_outbox_enable('bigob', true);
SELECT forge_create('bigob', jsonb_build_object('data', jsonb_build_object(
    'id', 18446744073709551615::numeric,
    'doc', (repeat('[', 5000) || repeat(']', 5000))::jsonb,
    't', repeat('ü✓ "\', 200000)))) IS NOT NULL;
SELECT forge_update('bigob', jsonb_build_object('where', jsonb_build_object('id', 18446744073709551615::numeric),
    'data', jsonb_build_object('doc', jsonb_build_object('n', 1e400::numeric)))) IS NOT NULL;
SQL
"$py" "$payloads" outbox --db "$db" --count 40 --seed 12 || fail "payloads.py outbox failed"
mkdir "$tmp/exec"
"$py" "$payloads" expect-outbox --db "$db" --dir "$tmp/exec" || fail "payloads.py expect-outbox failed"
rc=0
EXEC_DIR="$tmp/exec" "$bin" -d "dbname=$db" --outbox --no-retry --count 42 \
  --exec 'cat >"$EXEC_DIR/got.$FORGE_OUTBOX_ID"' >"$tmp/exec.out" 2>"$tmp/exec.err" || rc=$?
[ "$rc" -eq 0 ] || fail "exec: exit status $rc, expected 0"
"$py" "$payloads" compare-dir --dir "$tmp/exec" ||
  fail "exec: the --exec command did not get every outbox payload exactly"
[ "$(psql -X -qAt -d "$db" -c 'SELECT count(*) FROM forge_outbox')" = 0 ] ||
  fail "exec: events left in forge_outbox after all were handled"

# An outbox event forge-listen cannot handle (not a JSON object: only the
# table's owner can put one there) is never acknowledged: --no-retry exits
# 3 naming it, the events after it wait, and it stays until a user clears
# it, as README says, with forge_outbox_ack.
sql <<'SQL'
INSERT INTO forge_outbox (model, event) VALUES ('poison', '["not", "an", "object"]');
SELECT forge_create('bigob', '{"data": {"id": 2}}') IS NOT NULL;
SQL
poison=$(psql -X -qAt -d "$db" -c "SELECT id FROM forge_outbox WHERE model = 'poison'")
rc=0
"$bin" -d "dbname=$db" --outbox --no-retry --json >"$tmp/poison.out" 2>"$tmp/poison.err" || rc=$?
[ "$rc" -eq 3 ] || fail "poison: exit status $rc, expected 3"
grep -q "^forge-listen: could not handle outbox event $poison: not a JSON object; it stays in forge_outbox, unacknowledged\$" "$tmp/poison.err" ||
  fail "poison: no message naming outbox event $poison"
[ ! -s "$tmp/poison.out" ] || fail "poison: an event after the poison one was handled first"
[ "$(psql -X -qAt -d "$db" -c "SELECT count(*) FROM forge_outbox")" = 2 ] ||
  fail "poison: the events are not both still in forge_outbox"
sql -c "SELECT forge_outbox_ack(ARRAY[$poison]::bigint[])"
rc=0
"$bin" -d "dbname=$db" --outbox --no-retry --json --count 1 >"$tmp/poison.out" 2>"$tmp/poison.err" || rc=$?
[ "$rc" -eq 0 ] && grep -q '"keys":\[2\]' "$tmp/poison.out" ||
  fail "poison: after the ack, the next event was not handled (status $rc)"

# A server restart in the middle of a drain: 200 events, handled by a
# command that logs each id, claimed 20 at a time; the server restarts
# after 50.  forge-listen reconnects and drains the rest: every event is
# handled, none is lost, and only the batch that was in flight (at most
# 20 events, whose ack never committed) is handled twice.
sql <<'SQL'
CREATE TABLE drain (id int PRIMARY KEY);
SELECT forge_outbox_enable('drain');
DO $$
BEGIN
    FOR i IN 1..200 LOOP
        PERFORM forge_create('drain', jsonb_build_object('data', jsonb_build_object('id', i)));
    END LOOP;
END
$$;
SQL
psql -X -qAt -d "$db" -c "SELECT id FROM forge_outbox ORDER BY id" >"$tmp/drain.ids"
[ "$(wc -l <"$tmp/drain.ids")" = 200 ] || fail "drain: 200 events expected in the outbox"
: >"$tmp/drain.log"
export DRAIN_LOG="$tmp/drain.log"
start drain --outbox --batch 20 --exec 'echo "$FORGE_OUTBOX_ID" >>"$DRAIN_LOG"; sleep 0.02'
wait_lines "$tmp/drain.log" 50 60
FORGE_PGPORT=${FORGE_PGPORT:-${PGPORT}} "$here/../cluster.sh" restart ||
  fail "test/cluster.sh restart failed"
handled_at_restart=$(wc -l <"$tmp/drain.log")
wait_grep "$tmp/drain.err" '^forge-listen: connection lost: .*; reconnecting in [0-9.]+s$' 30
wait_grep "$tmp/drain.err" '^forge-listen: reconnected$' 60
for ((i = 0; i < 600; i++)); do
  [ "$(psql -X -qAt -d "$db" -c 'SELECT count(*) FROM forge_outbox' 2>/dev/null)" = 0 ] && break
  sleep 0.1
done
[ "$i" -lt 600 ] || fail "drain: the outbox was not drained within 60s after the restart"
stop drain
[ "$(sort -n -u "$tmp/drain.log")" = "$(sort -n "$tmp/drain.ids")" ] ||
  fail "drain: the ids handled are not the ids recorded"
dups=$(($(wc -l <"$tmp/drain.log") - 200))
[ "$dups" -le 20 ] || fail "drain: $dups events handled twice, more than the batch of 20"
echo "listen: restart after $handled_at_restart of 200 outbox events: all 200 handled, $dups twice"

echo "listen: ok"
