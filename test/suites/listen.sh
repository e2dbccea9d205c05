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
  wait_grep "$tmp/$name.err" '^forge-listen: listening on "forge"'
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

echo "listen: ok"
