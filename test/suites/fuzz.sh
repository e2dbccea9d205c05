#!/usr/bin/env bash
# test/suites/fuzz.sh: forge's bad-input fuzzer, a short fixed-seed pass.
#
# Runs test/fuzz/fuzz.py against the throwaway cluster: it creates the
# database forge_fuzz and the role forge_fuzz_role, first proves that each
# of its detectors fires (--self-test), then sends the big descriptors (deep
# nesting to 100,000 levels, 100k-element lists, createMany of 100,000 rows)
# and random and mutated ones to every verb, 8000 in all, checking after
# each call that the backend lives, that a failure's SQLSTATE is one README
# documents, and that a failed call changed no table.  Some batches run
# with forge.plan_cache_size 0 to 3 and with triggers whose plpgsql calls
# forge (in exception blocks, raising, resetting the plan cache); some
# draws are transactions of calls, savepoints and DO blocks with exception
# handlers, after which what each rollback undid must be gone, rows and
# events.  It drops the database and the role at the end and fails on any
# violation.  About 40 seconds.  The long run (before resolving a change
# to forge's input handling or to anything a trigger's call can reach) is
# by hand:
#     test/fuzz/fuzz.py --count 100000 --seed N --progress 10000
# FUZZ_COUNT and FUZZ_SEED override the suite's 8000 and 1.
# Run by test/run with PG* (and FORGE_PGPORT) set; needs python3-psycopg2.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
db=forge_fuzz
py=/usr/bin/python3                  # Debian's, which sees python3-psycopg2
[ -x "$py" ] || py=python3
"$py" -c 'import psycopg2' 2>/dev/null \
  || { echo "fuzz: python3-psycopg2 is not installed (apt-get install python3-psycopg2)"; exit 1; }
cleanup() {
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres \
    -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS forge_fuzz_role" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$py" "$root/test/fuzz/fuzz.py" --self-test --seed "${FUZZ_SEED:-1}" \
  --count "${FUZZ_COUNT:-8000}" --db "$db" \
  --out "${TMPDIR:-/tmp}/forge-fuzz-suite"
