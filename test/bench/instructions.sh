#!/usr/bin/env bash
# test/bench/instructions.sh [BASE]: instructions per call, forge against
# the hand-written statement, and (given a git revision BASE) against forge
# at BASE.  A benchmark, not a test: test/run never runs it.
#
# run.sh measures time, which moves with whatever else the machine runs: on
# a shared 2-core machine one round's ratio can be off by 30%, too coarse to
# see a 3% change.  This script counts the instructions the server backend
# executes, with valgrind's callgrind, which is the same from run to run
# whatever else runs.  For each verb and side it runs the benchmark's own
# pgbench script (test/bench/VERB_SIDE.sql, fixed random seed, one client)
# twice, N1 and N2 transactions, each in a fresh connection to a postmaster
# running under callgrind, and reports (Ir(N2) - Ir(N1)) / (N2 - N1): the
# instructions of one more call, without connection start-up or the first
# call's planning.  What it leaves out: waiting (locks, I/O, the round trip)
# and the cost of an instruction (cache misses), so it complements run.sh's
# CPU time, it does not replace it.
#
# With BASE, forge at BASE is built and installed and measured first, then
# the work tree (or HEAD=REV): per verb, forge's instructions per call
# before and after and the change; a verb whose count grew by more than 3%
# is SLOWER.  The hand-written side runs the same PostgreSQL in both and is
# printed as a check that the two runs compare like with like.
# Without BASE it measures what is installed.
#
#   INSN_VERBS   verbs (default: every run.sh verb but the _ddl one, and
#                nested_upsert, which only this script runs)
#   INSN_N1, INSN_N2   transactions of the two runs (default 20 and 220;
#                create_many 2 and 6, since one call writes 10,000 rows)
#   FORGE_PGPORT port of the throwaway cluster (default 54361)
#   HEAD         a revision to measure instead of the work tree
# It installs forge when BASE is given: run it where nothing else installs
# forge meanwhile, and install the build you want afterwards.  About 10
# minutes per build with the defaults.
set -Eeuo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/../.."
ROOT=$PWD
BENCH=test/bench
BASE=${1:-}
HEAD=${HEAD:-}
VERBS=${INSN_VERBS:-create update upsert_update upsert_insert delete update_many delete_many create_many nested_create update_include nested_upsert}
N1=${INSN_N1:-20}
N2=${INSN_N2:-220}
export FORGE_PGPORT=${FORGE_PGPORT:-54361}
NSEED=100000
NMANY=10000
PGVER=${FORGE_PGVER:-15}
BIN=$(pg_config --bindir)
DIR=/tmp/forge-insn-$FORGE_PGPORT
AS="runuser -u postgres --"
OUT=$(mktemp -d /tmp/forge-insn.XXXXXX)
chmod 755 "$OUT"

die() { echo "instructions.sh: $*" >&2; exit 1; }
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; } ||
  die "valgrind is needed"
# shellcheck source=test/bench/install_rev.sh
. "$BENCH/install_rev.sh"

VGPID=""
stop_server() {
  if [ -n "$VGPID" ] && kill -0 "$VGPID" 2>/dev/null; then
    $AS "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 300 stop >/dev/null 2>&1 || kill "$VGPID" 2>/dev/null || true
    wait "$VGPID" 2>/dev/null || true
  fi
  VGPID=""
}
cleanup() {
  stop_server
  rm -rf "$DIR" "$OUT"
  install_rev_cleanup
}
trap cleanup EXIT

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
sql() { psql -At -c "$1"; }

# start_server: a fresh cluster with the benchmark's schema, its postmaster
# (and so every backend it forks) under callgrind
start_server() {
  stop_server
  rm -rf "$DIR"
  mkdir -p "$DIR/cg"
  chown -R postgres:postgres "$DIR"
  $AS "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$OUT/initdb.log" 2>&1 ||
    { cat "$OUT/initdb.log" >&2; die "initdb failed"; }
  cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $FORGE_PGPORT
unix_socket_directories = '$DIR'
fsync = off
full_page_writes = off
synchronous_commit = off
autovacuum = off
jit = off
CONF
  export PGHOST=$DIR PGPORT=$FORGE_PGPORT PGUSER=postgres PGDATABASE=postgres
  # the schema and its rows are loaded at full speed, then the server runs
  # again under callgrind
  $AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/setup.log" -w start >/dev/null ||
    { cat "$DIR/setup.log" >&2; die "the server did not start"; }
  psql -v nseed=$NSEED -v nmany=$NMANY -f $BENCH/schema.sql >"$OUT/schema.log" 2>&1 ||
    { cat "$OUT/schema.log" >&2; die "loading schema.sql failed"; }
  # delete and delete_many take ids upwards from base: rows enough for every run
  sql "INSERT INTO bench_del (id, email, name) SELECT i, 'd' || i, 'n' FROM generate_series(1, 20000) i;
       INSERT INTO bench_delm (id, email, name) SELECT i, 'd' || i, 'n' FROM generate_series(1, 200000) i" >/dev/null
  sql "VACUUM ANALYZE" >/dev/null
  $AS "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
  $AS valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$DIR/cg/cg.%p" \
    "$BIN/postgres" -D "$DIR/data" >"$DIR/server.log" 2>&1 </dev/null &
  VGPID=$!
  for _ in $(seq 1 300); do
    "$BIN/pg_isready" -q && break
    kill -0 "$VGPID" 2>/dev/null || { cat "$DIR/server.log" >&2; die "the server did not start under callgrind"; }
    sleep 1
  done
}

# ir_of FILE: the instructions a callgrind output counted
ir_of() { sed -n 's/^summary: \([0-9]*\).*/\1/p; s/^totals: \([0-9]*\).*/\1/p' "$1" | head -1; }

# measure VERB SIDE N: sets IR to the instructions of the backend that ran
# N transactions of the script (no subshell: SEED and BASEID carry on)
BASEID=1
SEED=0
measure() {
  local verb=$1 side=$2 n=$3 before f ir best="" bestir=0 script=$BENCH/${1}_$2.sql
  before=$(ls "$DIR/cg")
  SEED=$((SEED + 1))             # new values for every run, the same in every build
  # forge.notify off, as run.sh's default: the hand-written side sends none
  PGOPTIONS="-c forge.notify=off" pgbench -n -M prepared -c 1 -j 1 -t "$n" --random-seed=$SEED \
    -D nseed=$NSEED -D nclients=1 -D n=0 -D base=$BASEID \
    -f "$script" >"$OUT/$verb-$side-$n.log" 2>&1 ||
    { cat "$OUT/$verb-$side-$n.log" >&2; die "$verb $side: pgbench failed"; }
  case $verb in delete) BASEID=$((BASEID + n)) ;; delete_many) BASEID=$((BASEID + n * 10)) ;; esac
  # the backend's output appears when it exits (pgbench's first connection,
  # before its client's, has one too: the run is the larger); wait until
  # every new file has its totals
  for _ in $(seq 1 120); do
    best="" bestir=0
    local complete=1 nnew=0
    for f in $(ls "$DIR/cg"); do
      grep -qx "$f" <<<"$before" && continue
      nnew=$((nnew + 1))
      ir=$(ir_of "$DIR/cg/$f")
      if [ -z "$ir" ]; then complete=0; continue; fi
      if [ "$ir" -gt "$bestir" ]; then bestir=$ir best=$f; fi
    done
    [ -n "$best" ] && [ $complete = 1 ] && [ $nnew -ge 2 ] && break
    sleep 0.5
  done
  [ -n "$best" ] || die "$verb $side: no callgrind output for the run"
  echo "$verb $side $n: $best $bestir" >>"$OUT/files.log"
  IR=$bestir
}

# per_call VERB SIDE: sets PER_CALL to the instructions of one more call
per_call() {
  local n1=$N1 n2=$N2 a
  [ "$1" = create_many ] && n1=2 n2=6
  measure "$1" "$2" "$n1"; a=$IR
  measure "$1" "$2" "$n2"
  PER_CALL=$(awk -v a="$a" -v b="$IR" -v n1="$n1" -v n2="$n2" 'BEGIN { printf "%.0f", (b - a) / (n2 - n1) }')
}

# run_all LABEL: per_call of every verb and side into $OUT/LABEL
run_all() {
  local label=$1 v f
  # every build runs the same sequence: the same seeds, the same ids
  SEED=0 BASEID=1
  start_server
  : >"$OUT/$label"
  for v in $VERBS; do
    per_call "$v" forge; f=$PER_CALL
    per_call "$v" hand
    echo "$v $f $PER_CALL" >>"$OUT/$label"
    printf '  %-16s forge %9s  hand %9s instructions per call\n' "$v" "$f" "$PER_CALL" >&2
  done
  stop_server
}

if [ -n "$BASE" ]; then
  echo "instructions.sh: forge at $(git rev-parse --short "$BASE")" >&2
  install_rev "$BASE" "$OUT"
  run_all before
  echo "instructions.sh: forge at ${HEAD:-the work tree}" >&2
  install_rev "$HEAD" "$OUT"
fi
run_all after

echo "forge benchmark, instructions per call (callgrind; N1=$N1, N2=$N2 transactions, one client)"
echo "command:  ${INSN_VERBS:+INSN_VERBS=\"$INSN_VERBS\" }test/bench/instructions.sh $BASE"
echo "machine:  PostgreSQL $(pg_config --version | cut -d' ' -f2-), $(valgrind --version)"
echo
if [ -z "$BASE" ]; then
  echo "| verb               | forge insns | hand insns | hand / forge |"
  echo "|--------------------|-------------|------------|--------------|"
  while read -r v f h; do
    printf '| %-18s | %11s | %10s | %11sx |\n' "$v" "$f" "$h" \
      "$(awk -v f="$f" -v h="$h" 'BEGIN { printf "%.2f", h / f }')"
  done <"$OUT/after"
  exit 0
fi
slower=0
echo "before: $(git rev-parse --short "$BASE"); after: ${HEAD:-$(git rev-parse --short HEAD) + work tree}"
echo
echo "| verb               | forge before | forge after | change  | hand before | hand after | result |"
echo "|--------------------|--------------|-------------|---------|-------------|------------|--------|"
while read -r v fb hb; do
  read -r _ fa ha < <(awk -v v="$v" '$1 == v' "$OUT/after")
  ch=$(awk -v a="$fa" -v b="$fb" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }')
  if awk -v a="$fa" -v b="$fb" 'BEGIN { exit !(a / b > 1.03) }'; then res=SLOWER; slower=1; else res=ok; fi
  printf '| %-18s | %12s | %11s | %7s | %11s | %10s | %-6s |\n' "$v" "$fb" "$fa" "$ch" "$hb" "$ha" "$res"
done <"$OUT/before"
echo
echo "insns = instructions the server backend executed for one more call (callgrind Ir); change = after / before - 1;"
echo "SLOWER: more than 3% more.  The hand-written side runs the same PostgreSQL before and after: it should not move."
if [ $slower = 1 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then exit 3; fi
exit 0
