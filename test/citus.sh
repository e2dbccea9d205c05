#!/usr/bin/env bash
# test/citus.sh CITUS_TARBALL [PGMAJOR]: forge's Citus suite.
#
# Citus (the distributed engine for PostgreSQL) cannot be downloaded on the
# test machines, so this takes its source tarball (../shared/vendor has
# citus-13.2.2.tar.gz for PostgreSQL 15-17 and citus-14.0.1.tar.gz for
# 16-18).  Not part of test/run or default CI.  As root:
#   1. installs Citus's build dependencies with apt-get (apt-get update
#      first), unless all are installed;
#   2. builds Citus from the tarball against the PostgreSQL under test, once
#      (the build directory is kept and reused): natively for PGMAJOR 15
#      (this Debian 12 host's server); for 17 or 18, test/citus-chroot.sh
#      runs this script again in a chroot of test/matrix.sh's
#      (test/chroot.sh) with that major;
#   3. builds forge from this tree, and installs both into a private copy
#      of the PostgreSQL installation (never into the system's);
#   4. starts a coordinator and two workers on this machine only: unix
#      sockets in a private directory, no TCP, as the postgres OS user,
#      ports FORGE_CITUS_PORT (default 54371) to +2; never the system's
#      cluster;
#   5. CREATE EXTENSION citus on every node, adds the workers, then CREATE
#      EXTENSION forge on the coordinator, which Citus propagates to the
#      workers (forge must be installed on every node's disk, as Citus
#      itself; the workers never run forge's code: the statements forge
#      sends them name only pg_catalog's functions and operators);
#   6. runs test/citus/schedule (test/citus/sql/*.sql, compared with
#      test/citus/expected/*.out) with pg_regress against the coordinator,
#      and test/citus/events.sql with psql (NOTIFY events, PIDs and times
#      masked), compared with test/citus/expected/events.out;
#   7. stops the nodes, removes their directory, and ends with
#      "N passed, N failed".
# Without a tarball it says so and exits 2.  It builds forge in this tree,
# so do not run test/run in the same tree meanwhile.
#   FORGE_CITUS_BUILD   where Citus is built (default /var/tmp/forge-citus-build)
#   FORGE_CITUS_PORT    the coordinator's port (default 54371; workers +1, +2)
#   FORGE_CITUS_TESTS   pg_regress tests to run instead of the schedule
#   FORGE_CITUS_KEEP=1  keep the nodes' directory (and a chroot, with its
#                       Citus build, for the next run)
#   FORGE_CITUS_BENCH=1 also measure forge_update against the hand-written
#                       statement (pgbench, BENCH_SECONDS each, default 10)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TARBALL=${1:-}
PGV=${2:-15}
if [ -z "$TARBALL" ]; then
  echo "citus: no Citus source tarball given"
  echo "usage: test/citus.sh CITUS_TARBALL [PGMAJOR]   (e.g. ../shared/vendor/citus-13.2.2.tar.gz 15)"
  echo "0 passed, 1 failed"
  exit 2
fi
[ -f "$TARBALL" ] || { echo "citus: $TARBALL: no such file"; echo "0 passed, 1 failed"; exit 2; }
TARBALL=$(realpath "$TARBALL")
[ "$(id -u)" = 0 ] || { echo "citus: must run as root (apt-get, runuser)"; echo "0 passed, 1 failed"; exit 2; }

BUILD=${FORGE_CITUS_BUILD:-/var/tmp/forge-citus-build}
PORT=${FORGE_CITUS_PORT:-54371}
PG_CONFIG=/usr/lib/postgresql/$PGV/bin/pg_config

if [ ! -x "$PG_CONFIG" ]; then
  # not this machine's major: run in a chroot of that major's Debian suite
  exec test/citus-chroot.sh "$TARBALL" "$PGV"
fi

# 1. Citus's build dependencies (and forge's), unless all are there
deps="postgresql-server-dev-$PGV postgresql-$PGV make gcc libcurl4-openssl-dev liblz4-dev
  libzstd-dev libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev libpam0g-dev
  libreadline-dev libicu-dev zlib1g-dev libpq-dev"
if ! dpkg -s $deps >/dev/null 2>&1 &&
   ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $deps; } >/tmp/forge-citus-apt.log 2>&1; then
  cat /tmp/forge-citus-apt.log; echo "citus: could not install the build dependencies"
  echo "0 passed, 1 failed"; exit 1
fi

# 2. Citus, built once per tarball and major
name=$(tar tzf "$TARBALL" | head -1 | cut -d/ -f1)
src="$BUILD/$name-pg$PGV"
if [ ! -f "$src/.forge-built" ]; then
  echo "citus: building $name against PostgreSQL $PGV in $src (some minutes)" >&2
  rm -rf "$src" && mkdir -p "$BUILD" && tar -C "$BUILD" -xzf "$TARBALL" && mv "$BUILD/$name" "$src" ||
    { echo "citus: could not unpack $TARBALL"; echo "0 passed, 1 failed"; exit 1; }
  # PostgreSQL 15.20 (and later 15.x) exports have_createdb_privilege, which
  # Citus 13.2.2 declares static for 15: drop Citus's copy when the server
  # header has the function (../shared/vendor/README.md).
  if grep -q 'extern bool have_createdb_privilege' \
       "$($PG_CONFIG --includedir-server)/commands/dbcommands.h"; then
    perl -0pi -e 's/static inline bool\nhave_createdb_privilege\(void\)\n\{.*?\n\}\n//s' \
      "$src/src/include/pg_version_compat.h"
  fi
  # without libcurl (Citus's anonymous statistics; no network here), unless
  # the server was built with it (18, for OAuth): then Citus's code uses it
  # whatever configure says, and must link it
  curl=--without-libcurl
  grep -q '^#define HAVE_LIBCURL 1' "$($PG_CONFIG --includedir-server)/pg_config.h" && curl=
  if ! (cd "$src" && ./configure $curl PG_CONFIG="$PG_CONFIG" &&
        make -j2) >"$BUILD/$name-pg$PGV.log" 2>&1; then
    tail -40 "$BUILD/$name-pg$PGV.log"; echo "citus: build failed (log: $BUILD/$name-pg$PGV.log)"
    echo "0 passed, 1 failed"; exit 1
  fi
  touch "$src/.forge-built"
fi

# 2b, 3. Citus and forge, installed into a private copy of this major's
# installation (PostgreSQL finds its share and lib directories relative to
# its binaries, so a copy of /usr/lib/postgresql/N and
# /usr/share/postgresql/N under another root runs as it is): the system's
# installation, which other work on this machine may be using, is never
# touched, and no lock is needed
PRIV="$BUILD/root-pg$PGV"
rm -rf "$PRIV" && mkdir -p "$PRIV/usr/lib/postgresql" "$PRIV/usr/share/postgresql" &&
  cp -a "/usr/lib/postgresql/$PGV" "$PRIV/usr/lib/postgresql/" &&
  cp -a "/usr/share/postgresql/$PGV" "$PRIV/usr/share/postgresql/" ||
  { echo "citus: could not copy PostgreSQL $PGV to $PRIV"; echo "0 passed, 1 failed"; exit 1; }
if ! { make -C "$src" install DESTDIR="$PRIV" &&
       make -C "$ROOT" PG_CONFIG="$PG_CONFIG" PG_CFLAGS='-Wall -Wextra -Werror' &&
       make -C "$ROOT" PG_CONFIG="$PG_CONFIG" install DESTDIR="$PRIV"; } >"$BUILD/install-pg$PGV.log" 2>&1; then
  tail -40 "$BUILD/install-pg$PGV.log"; echo "citus: install failed"; echo "0 passed, 1 failed"; exit 1
fi
BIN=$PRIV/usr/lib/postgresql/$PGV/bin
echo "citus: $name and forge installed in $PRIV" >&2

# 4. a coordinator and two workers
RUN=$(mktemp -d /var/tmp/forge-citus-run.XXXXXX)
SOCK=$RUN/sock
mkdir -p "$SOCK"
chown -R postgres: "$RUN"
as_pg() { runuser -u postgres -- "$@"; }
nodes=(coord w1 w2)
stop_all() {
  local i
  for i in 0 1 2; do
    [ -f "$RUN/${nodes[$i]}/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$RUN/${nodes[$i]}" -m immediate stop >/dev/null 2>&1
  done
  [ "${FORGE_CITUS_KEEP:-0}" = 1 ] || rm -rf "$RUN"
}
trap stop_all EXIT
for i in 0 1 2; do
  d="$RUN/${nodes[$i]}"
  as_pg "$BIN/initdb" -D "$d" -U postgres -A trust --no-sync -E UTF8 --locale=C >/dev/null || {
    echo "citus: initdb failed"; echo "0 passed, 1 failed"; exit 1; }
  cat >>"$d/postgresql.conf" <<EOF
port = $((PORT + i))
listen_addresses = ''
unix_socket_directories = '$SOCK'
shared_preload_libraries = 'citus'
max_prepared_transactions = 100
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 32MB
max_worker_processes = 16
citus.enable_statistics_collection = off
EOF
  as_pg "$BIN/pg_ctl" -D "$d" -l "$d/log" -w start >/dev/null || {
    cat "$d/log"; echo "citus: node ${nodes[$i]} did not start"; echo "0 passed, 1 failed"; exit 1; }
done
psql_on() {   # psql_on PORT SQL...
  local p=$1; shift
  as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$p" -d forge_citus "$@"
}

# 5. the extensions and the cluster
DB=forge_citus
for i in 0 1 2; do
  as_pg "$BIN/createdb" -h "$SOCK" -p $((PORT + i)) "$DB" &&
    psql_on $((PORT + i)) -c "CREATE EXTENSION citus" || {
      echo "citus: CREATE EXTENSION citus failed on ${nodes[$i]}"; echo "0 passed, 1 failed"; exit 1; }
done
if ! psql_on "$PORT" -o /dev/null <<EOF
SELECT citus_set_coordinator_host('$SOCK', $PORT);
SELECT 1 FROM citus_add_node('$SOCK', $((PORT + 1)));
SELECT 1 FROM citus_add_node('$SOCK', $((PORT + 2)));
CREATE EXTENSION forge;
EOF
then
  echo "citus: could not build the cluster"; echo "0 passed, 1 failed"; exit 1
fi
echo "citus: coordinator on $PORT, workers on $((PORT + 1)) and $((PORT + 2)), sockets in $SOCK" >&2

# 6. the suite
REGRESS="$PRIV$(dirname "$($PG_CONFIG --pgxs)")/../test/regress/pg_regress"
tests=$(sed -n 's/^test: //p' test/citus/schedule)
OUT="$RUN/out"
mkdir -p "$OUT" && chown postgres: "$OUT"
if [ -n "${FORGE_CITUS_TESTS:-}" ]; then which=$FORGE_CITUS_TESTS; else which="--schedule=$ROOT/test/citus/schedule"; fi
# from PostgreSQL 16 on, expected files are looked up in --expecteddir
# (default: the current directory, which has forge's own expected/)
expected=
"$REGRESS" --help 2>/dev/null | grep -q -- --expecteddir && expected="--expecteddir=$ROOT/test/citus"
as_pg "$REGRESS" --use-existing --bindir="$BIN" --host="$SOCK" --port="$PORT" \
  --dbname="$DB" --inputdir="$ROOT/test/citus" $expected --outputdir="$OUT" $which \
  >"$OUT/pg_regress.log" 2>&1
rc=$?
cat "$OUT/pg_regress.log"
passed=$(grep -cE '^(test |     )?[a-z_0-9]+ +\.\.\. ok|^ok [0-9]+ ' "$OUT/pg_regress.log" || true)
failed=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' "$OUT/pg_regress.log" || true)
if [ $rc -ne 0 ]; then
  [ -f "$OUT/regression.diffs" ] && cat "$OUT/regression.diffs"
  [ "$failed" = 0 ] && failed=1
  cp "$OUT/regression.diffs" "$ROOT/citus-regression.diffs" 2>/dev/null
  for t in $tests; do cp "$OUT/results/$t.out" "$ROOT/citus-$t.out" 2>/dev/null; done
fi

# NOTIFY events: psql prints them; mask the listener's PID and the times
mask() {
  sed -E -e 's/server process with PID [0-9]+/server process with PID N/' \
         -e 's/"(startedAt|duration_ms|txid)":("[^"]*"|[0-9.]+)/"\1":"…"/g'
}
psql_on "$PORT" -a -v ON_ERROR_STOP=0 -f "$ROOT/test/citus/events.sql" 2>&1 | mask >"$OUT/events.out"
if diff -u "$ROOT/test/citus/expected/events.out" "$OUT/events.out" >"$OUT/events.diff"; then
  echo "test events                    ... ok"; passed=$((passed + 1))
else
  echo "test events                    ... FAILED"; cat "$OUT/events.diff"; failed=$((failed + 1))
  cp "$OUT/events.out" "$ROOT/citus-events.out"
fi

# the cost (FORGE_CITUS_BENCH=1): forge_update on a distributed table
# against the hand-written statement, in one pgbench run (each script picked
# at random per transaction, so both see the same machine), with
# citus.function_opens_transaction_block on (the default) and off
if [ "${FORGE_CITUS_BENCH:-0}" = 1 ]; then
  psql_on "$PORT" -f "$ROOT/test/citus/bench/schema.sql" >/dev/null
  for fotb in on off; do
    as_pg env PGOPTIONS="-c citus.function_opens_transaction_block=$fotb -c forge.notify=off" \
      "$BIN/pgbench" -n -M prepared -h "$SOCK" -p "$PORT" -T "${BENCH_SECONDS:-10}" \
      -D nseed=10000 -f "$ROOT/test/citus/bench/update_forge.sql" \
      -f "$ROOT/test/citus/bench/update_hand.sql" -f "$ROOT/test/citus/bench/update_plain.sql" \
      "$DB" >"$OUT/bench-$fotb.log" 2>&1
    echo "bench: citus.function_opens_transaction_block = $fotb"
    grep -E "^(SQL script|latency average|tps| - [0-9]+ transactions| - latency average)" "$OUT/bench-$fotb.log"
  done
fi

# a node that crashed fails the run
for i in 0 1 2; do
  if grep -E 'terminated by signal|was terminated by exception' "$RUN/${nodes[$i]}/log"; then
    echo "citus: a backend of ${nodes[$i]} crashed"; failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
