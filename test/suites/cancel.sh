#!/usr/bin/env bash
# test/suites/cancel.sh: a long forge call stops when asked.
#
# Every loop whose length a descriptor controls checks for interrupts, so
# statement_timeout and pg_cancel_backend stop a call within a fraction of a
# second, whatever the input, not only once its statement reaches the
# executor.  One large input of each kind, prepared in a table first (so
# that building it is not part of the timed call):
#
#   lists          an "in" list of 300,000 range values: each converted by
#                  int4range's input function before the statement runs
#                  (about 3 s on the test machine without the checks)
#   rows           createMany of 300,000 rows in two key sets (split into one
#                  array per set before the statements run)
#   keys           a nested connect of 100,000 unique keys ({"id": n})
#   nested arrays  an int[] value of 1,000,000 two-element arrays, turned
#                  into an array literal before the statement runs
#
# Each runs with statement_timeout = 100ms and must fail with 57014 within
# 1 s of its start; the lists input is also cancelled by pg_cancel_backend
# from another session, and must stop within 1 s of the cancel.  After each,
# the same session's next call works and nothing was written.
#
# Run by test/run with PG* set for the throwaway cluster.
set -uo pipefail
db=forge_cancel
tmp=$(mktemp -d)
limit_ms=1000

fail() {
  echo "cancel: FAIL: $*" >&2
  exit 1
}

cleanup() {
  PGOPTIONS="-c client_min_messages=warning" \
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

q() {
  psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "$1" || fail "psql: $1"
}

PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres \
  -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null ||
  fail "could not create $db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || fail "could not prepare the inputs"
CREATE EXTENSION forge;
CREATE TABLE cx (id int PRIMARY KEY, r int4range, a int[], n int);
CREATE TABLE owners (id int PRIMARY KEY);
CREATE TABLE pets (id int PRIMARY KEY, owner_id int REFERENCES owners);
INSERT INTO pets (id) SELECT g FROM generate_series(1, 100000) g;
CREATE TABLE input (kind text PRIMARY KEY, verb text, model text, d jsonb);
INSERT INTO input SELECT 'lists', 'forge_update_many', 'cx',
  ('{"where": {"r": {"in": [' || string_agg('"[' || g || ',' || g + 1 || ')"', ',')
   || ']}}, "data": {"n": 1}}')::jsonb
  FROM generate_series(1, 300000) g;
INSERT INTO input SELECT 'rows', 'forge_create_many', 'cx',
  ('{"data": [' || string_agg(CASE WHEN g % 2 = 0 THEN '{"id": ' || g || ', "a": [1]}'
                                   ELSE '{"id": ' || g || '}' END, ',') || ']}')::jsonb
  FROM generate_series(1, 300000) g;
INSERT INTO input SELECT 'keys', 'forge_create', 'owners',
  ('{"data": {"id": 1, "pets": {"connect": [' || string_agg('{"id": ' || g || '}', ',')
   || ']}}}')::jsonb
  FROM generate_series(1, 100000) g;
INSERT INTO input SELECT 'nested arrays', 'forge_update_many', 'cx',
  ('{"data": {"a": [' || string_agg('[' || g || ',' || g || ']', ',') || ']}}')::jsonb
  FROM generate_series(1, 1000000) g;
INSERT INTO cx (id) VALUES (1);
SQL

# the call of one kind, as SQL
call() {
  q "SELECT format('SELECT %s(%L, d) FROM input WHERE kind = %L', verb, model, kind)
       FROM input WHERE kind = '$1'"
}

# elapsed_ms FILE: the milliseconds psql's \timing reported last in FILE
elapsed_ms() {
  sed -n 's/^Time: \([0-9]*\)\.[0-9]* ms.*/\1/p' "$1" | tail -n 1
}

# after KIND: the session still works, and nothing was written
after() {
  [ "$(q "SELECT count(*) FROM cx WHERE id <> 1 OR n IS NOT NULL OR a IS NOT NULL")" = 0 ] ||
    fail "$1: the cancelled call wrote to cx"
  [ "$(q "SELECT count(*) FROM owners") $(q "SELECT count(*) FROM pets WHERE owner_id IS NOT NULL")" = "0 0" ] ||
    fail "$1: the cancelled call wrote to owners or pets"
}

for kind in lists rows keys 'nested arrays'; do
  sql=$(call "$kind")
  psql -X -q -d "$db" >"$tmp/out" 2>&1 <<SQL
SET statement_timeout = '100ms';
\\timing on
$sql;
\\timing off
RESET statement_timeout;
SELECT forge_update('cx', '{"where": {"id": 1}, "data": {"n": 1}}') IS NOT NULL AS next_call_works;
SELECT forge_update('cx', '{"where": {"id": 1}, "data": {"n": null}}') IS NOT NULL AS next_call_works;
SQL
  grep -q 'canceling statement due to statement timeout' "$tmp/out" ||
    fail "$kind: no statement timeout:
$(cat "$tmp/out")"
  [ "$(grep -c 'next_call_works' "$tmp/out")" = 2 ] ||
    fail "$kind: the session's next call did not work:
$(cat "$tmp/out")"
  ms=$(elapsed_ms "$tmp/out")
  [ -n "$ms" ] && [ "$ms" -lt "$limit_ms" ] ||
    fail "$kind: statement_timeout of 100 ms stopped the call after ${ms:-?} ms (limit $limit_ms)"
  after "$kind"
  echo "cancel: ok: $kind: statement_timeout 100 ms stopped the call after $ms ms"
done

# pg_cancel_backend from another session, during the conversion of the list
sql=$(call lists)
psql -X -q -d "$db" -c "SET application_name = 'forge_cancel_victim'" -c "$sql" \
  >"$tmp/victim.out" 2>&1 &
victim=$!
for ((i = 0; i < 200; i++)); do
  [ "$(q "SELECT count(*) FROM pg_stat_activity
           WHERE application_name = 'forge_cancel_victim' AND state = 'active'
             AND query LIKE 'SELECT forge_update_many%'")" = 1 ] && break
  sleep 0.05
done
[ "$i" -lt 200 ] || fail "pg_cancel_backend: the call never became active"
sleep 0.2
start=$(date +%s%N)
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
    WHERE application_name = 'forge_cancel_victim'" >/dev/null
wait "$victim"
ms=$((($(date +%s%N) - start) / 1000000))
grep -q 'canceling statement due to user request' "$tmp/victim.out" ||
  fail "pg_cancel_backend: the call was not cancelled (it may have finished first):
$(cat "$tmp/victim.out")"
[ "$ms" -lt "$limit_ms" ] ||
  fail "pg_cancel_backend: the call stopped ${ms} ms after the cancel (limit $limit_ms)"
after "pg_cancel_backend"
echo "cancel: ok: lists: pg_cancel_backend stopped the call $ms ms after it was sent"
echo "cancel: all checks passed"
