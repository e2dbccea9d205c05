#!/usr/bin/env bash
# test/bench/run.sh: forge's benchmark.  A benchmark, not a test: the test
# suite (test/run) never runs it.
#
# For every verb it runs, with pgbench -M prepared against a throwaway
# cluster, forge's call and the hand-written statement that does the same
# write and returns the same jsonb (test/bench/VERB_forge.sql and
# VERB_hand.sql), back to back in many short rounds (BENCH_ROUNDS of
# BENCH_SECONDS each, who goes first alternating), and prints for each verb
# the median of the per-round ratios, with their spread (the middle half of
# the rounds, p25 to p75), of the server CPU per call (the headline: it
# moves least when the machine is shared) and of the tps, and the target on
# the tps ratio:
#   single-row verbs, update_many, delete_many   forge >= 0.85 x hand
#   create_many (10,000 rows in one call)        forge >= 0.80 x hand
#   nested_create (a user, a profile, three      forge >= 0.80 x hand
#     posts with two tags each: one forge call
#     against the statements in one transaction)
#   update_include (an update returning the row  forge >= 0.85 x hand
#     with its posts)
#   update_include_ddl: update_include while a   its ratio >= 0.90 x
#     second session creates and drops a temp     update_include's ratio
#     table 200 times a second (relcache
#     invalidations for every backend)
# The CPU is the time the server backend spent per transaction on each side
# (/proc/PID/schedstat).
# After every run it checks that the run really wrote what it claims (the row
# count or sum(views) moved by exactly rows-per-call x transactions) and that
# pgbench reported no failed or aborted transaction; either failing stops the
# benchmark with exit status 1.  delete and delete_many consume rows that
# run.sh inserts ahead of each run, sized from the fastest run so far; a run
# faster than that which used up the rows is run again with more, so the
# check holds on a machine of any speed.  A result below target is reported as BELOW
# (exit status 0, unless BENCH_STRICT=1, then 3).
#
# forge must already be built and installed (the README's demo command does
# it); this script installs nothing.  The cluster is its own
# (test/cluster.sh, synchronous_commit = off so that commit fsync does not
# hide CPU cost) and is removed on exit.
#
#   FORGE_PGPORT    port of the throwaway cluster (default 54351)
#   BENCH_SECONDS   pgbench -T of each run (default 2)
#   BENCH_ROUNDS    rounds per verb, each one run of each side (default 9)
#   BENCH_CLIENTS   pgbench -c (and -j) values, space-separated (default "1")
#   BENCH_VERBS     verbs to run, space-separated (default: the eight above;
#                   update_cte, forge_update against the hand-written update
#                   written as WITH u AS (UPDATE ... RETURNING *) SELECT
#                   to_jsonb(u) FROM u, runs only when named here)
#   BENCH_NOTIFY    forge.notify for the forge side, on or off (default off:
#                   the hand-written statement sends no event, so the verb
#                   table compares the same work; the events table in README
#                   compares on against off)
#   BENCH_OUTBOX    1: forge_outbox_enable on every benchmark table first, so
#                   each forge write also records its event in the outbox
#   BENCH_STRICT    1: exit 3 when any verb is below target
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
BENCH=test/bench

ALL_VERBS="create update upsert_update upsert_insert delete update_many delete_many create_many nested_create update_include update_include_ddl"
EXTRA_VERBS="update_cte"            # run only when named in BENCH_VERBS
SECS=${BENCH_SECONDS:-2}
ROUNDS=${BENCH_ROUNDS:-9}
CLIENTS=${BENCH_CLIENTS:-1}
VERBS=${BENCH_VERBS:-$ALL_VERBS}
NOTIFY=${BENCH_NOTIFY:-off}
OUTBOX=${BENCH_OUTBOX:-0}
STRICT=${BENCH_STRICT:-0}
export FORGE_PGPORT=${FORGE_PGPORT:-54351}
NSEED=100000                    # seeded rows of bench_users
NMANY=10000                     # rows of the create_many call

for v in $VERBS; do
  case " $ALL_VERBS $EXTRA_VERBS " in *" $v "*) ;; *) echo "run.sh: unknown verb $v (verbs: $ALL_VERBS $EXTRA_VERBS)" >&2; exit 2 ;; esac
done
case $NOTIFY in on|off) ;; *) echo "run.sh: BENCH_NOTIFY must be on or off" >&2; exit 2 ;; esac
command -v pgbench >/dev/null || { echo "run.sh: pgbench not found" >&2; exit 2; }

# the command that reproduces this run, for the README
CMD="FORGE_PGPORT=$FORGE_PGPORT BENCH_SECONDS=$SECS BENCH_ROUNDS=$ROUNDS BENCH_CLIENTS=\"$CLIENTS\" BENCH_NOTIFY=$NOTIFY BENCH_OUTBOX=$OUTBOX"
[ "$VERBS" = "$ALL_VERBS" ] || CMD="$CMD BENCH_VERBS=\"$VERBS\""
CMD="$CMD test/bench/run.sh"

# test/cluster.sh start removes whatever cluster is in its directory: refuse
# to take over one that another run is using
if [ -f "${FORGE_CLUSTER:-/tmp/forge-cluster-$FORGE_PGPORT}/data/postmaster.pid" ]; then
  echo "run.sh: a cluster already runs on port $FORGE_PGPORT (${FORGE_CLUSTER:-/tmp/forge-cluster-$FORGE_PGPORT}); set FORGE_PGPORT to a free port" >&2
  exit 2
fi
WORK=$(mktemp -d /tmp/forge-bench.XXXXXX)
cleanup() {
  FORGE_PGPORT=$FORGE_PGPORT test/cluster.sh stop || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "run.sh: command failed at line $LINENO (if the server went away, did something else use port $FORGE_PGPORT?)" >&2' ERR

cluster_env=$(FORGE_PGCONF='synchronous_commit = off' test/cluster.sh start) \
  || { echo "run.sh: test/cluster.sh start failed" >&2; exit 1; }
eval "$cluster_env"
export PGHOST PGPORT PGUSER PGDATABASE

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
sql() { psql -At -c "$1"; }     # one value

crashed() { FORGE_PGPORT=$FORGE_PGPORT test/cluster.sh log 2>/dev/null | grep -E 'terminated by signal|was terminated by exception'; }
die() {
  echo "run.sh: $*" >&2
  if [ -n "${SO_SUM:-}" ] && [ "$(so_sum)" != "$SO_SUM" ] && [[ $* != *reinstalled* ]]; then
    echo "run.sh: note: forge was reinstalled while the benchmark ran" >&2
  fi
  crashed >&2 && echo "run.sh: a server backend crashed (server log above)" >&2
  exit 1
}

# forge is loaded afresh by every pgbench connection: if someone reinstalls
# it during the benchmark, the runs would mix builds (or fail), so note its
# checksum and check it after every run.
FORGE_SO="$(pg_config --pkglibdir)/forge.so"
[ -f "$FORGE_SO" ] || die "forge is not installed ($FORGE_SO missing); build and install it first"
so_sum() { md5sum "$FORGE_SO" "$(pg_config --sharedir)"/extension/forge--*.sql | md5sum | cut -c1-12; }
SO_SUM=$(so_sum)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

psql -v nseed=$NSEED -v nmany=$NMANY -f $BENCH/schema.sql >"$WORK/schema.log" 2>&1 \
  || { cat "$WORK/schema.log" >&2; die "loading schema.sql failed"; }
if [ "$OUTBOX" = 1 ]; then
  psql -At -c "SELECT forge_outbox_enable(c.oid) FROM pg_class c
                WHERE c.relname LIKE 'bench\_%' AND c.relkind = 'r'
                  AND c.relnamespace = 'public'::regnamespace" >/dev/null
fi

# ---------------------------------------------------------------------------
# Same jsonb on both sides: each single-row pair, run once on fresh rows in a
# rolled-back transaction, must return objects with the same keys and value
# types (ids, emails and timestamps differ by construction).
shape() { echo "(SELECT jsonb_object_agg(k, jsonb_typeof(v)) FROM jsonb_each($1) AS e(k, v))"; }
same=$(psql -At <<SQL
BEGIN;
CREATE TEMP TABLE eq (verb text, side text, j jsonb) ON COMMIT DROP;
INSERT INTO eq SELECT 'create', 'forge', forge_create('bench_users', '{"data": {"email": "eq1@example.com", "name": "n"}}');
WITH h AS (INSERT INTO bench_users (email, name) VALUES ('eq2@example.com', 'n') RETURNING to_jsonb(bench_users.*) AS j)
INSERT INTO eq SELECT 'create', 'hand', j FROM h;
INSERT INTO eq SELECT 'update', 'forge', forge_update('bench_users', '{"where": {"id": 1}, "data": {"views": {"increment": 1}}}');
WITH h AS (UPDATE bench_users SET views = views + 1 WHERE id = 2 RETURNING to_jsonb(bench_users.*) AS j)
INSERT INTO eq SELECT 'update', 'hand', j FROM h;
INSERT INTO eq SELECT 'upsert', 'forge', forge_upsert('bench_users', '{"where": {"email": "seed3@example.com"}, "create": {"email": "seed3@example.com", "name": "n"}, "update": {"views": {"increment": 1}}}');
WITH h AS (INSERT INTO bench_users (email, name) VALUES ('seed4@example.com', 'n') ON CONFLICT (email) DO UPDATE SET views = bench_users.views + 1 RETURNING to_jsonb(bench_users.*) AS j)
INSERT INTO eq SELECT 'upsert', 'hand', j FROM h;
INSERT INTO bench_del (id, email) VALUES (-1, 'd1'), (-2, 'd2');
INSERT INTO eq SELECT 'update_include', 'forge', forge_update('bench_nusers', '{"where": {"id": 1}, "data": {"views": {"increment": 1}}, "include": {"bench_nposts": true}}');
WITH h AS (UPDATE bench_nusers AS u SET views = views + 1 WHERE id = 2 RETURNING to_jsonb(u.*) || jsonb_build_object('bench_nposts', (SELECT coalesce(jsonb_agg(to_jsonb(p.*) ORDER BY p.id), '[]'::jsonb) FROM bench_nposts AS p WHERE p.author_id = u.id)) AS j)
INSERT INTO eq SELECT 'update_include', 'hand', j FROM h;
INSERT INTO eq SELECT 'delete', 'forge', forge_delete('bench_del', '{"where": {"id": -1}}');
WITH h AS (DELETE FROM bench_del WHERE id = -2 RETURNING to_jsonb(bench_del.*) AS j)
INSERT INTO eq SELECT 'delete', 'hand', j FROM h;
SELECT string_agg(verb, ' ' ORDER BY verb) FROM (
  SELECT verb FROM eq GROUP BY verb
  HAVING count(*) = 2 AND count(DISTINCT $(shape j)) = 1
     AND bool_and(j ->> 'views' = (SELECT j2 ->> 'views' FROM eq AS e2(v2, s2, j2) WHERE v2 = eq.verb AND s2 = 'forge'))) AS ok;
ROLLBACK;
SQL
) || die "the same-jsonb check failed to run"
[ "$same" = "create delete update update_include upsert" ] || die "forge and the hand-written statements return different jsonb (only these agree: '$same')"

# ---------------------------------------------------------------------------
# Per verb: the table whose writes prove a run did its work, the probe that
# measures them, and how far the probe must move per transaction.
table_of() {
  case $1 in
    delete) echo bench_del ;; delete_many) echo bench_delm ;;
    create_many) echo bench_many ;; nested_create) echo bench_nposts ;;
    update_include*) echo bench_nusers ;;
    *) echo bench_users ;;
  esac
}
probe_of() {
  case $1 in
    update|update_cte|upsert_update|update_many) echo "SELECT sum(views) FROM bench_users" ;;
    update_include*) echo "SELECT sum(views) FROM bench_nusers" ;;
    *) echo "SELECT count(*) FROM $(table_of "$1")" ;;
  esac
}
per_txn() {
  case $1 in
    delete) echo -1 ;; delete_many) echo -10 ;; update_many) echo 10 ;;
    create_many) echo $NMANY ;; nested_create) echo 3 ;; *) echo 1 ;;
  esac
}
script_of() {
  if [ "$1" = update_cte ] && [ "$2" = forge ]; then echo "$BENCH/update_forge.sql"
  else echo "$BENCH/${1%_ddl}_$2.sql"; fi
}
target_of() { case $1 in create_many|nested_create) echo 0.80 ;; *) echo 0.85 ;; esac; }

declare -A LAST_TPS             # verb -> highest tps seen, to size refills

# delete and delete_many consume ids upwards from BASE[verb]: client c's
# n-th call takes id base + (n - 1) * clients + c (times 10 and ten ids for
# delete_many), so after T transactions every id below base + T * clients
# (* 10) may be gone and the next run starts there.
declare -A BASE=([delete]=1 [delete_many]=1)
step_of() { [ "$1" = delete_many ] && echo 10 || echo 1; }

# refill VERB CLIENTS: put enough rows ahead of BASE[verb] that the run
# cannot run out (a run that did would fail the row-count check)
refill() {
  local verb=$1 c=$2 tbl step est base maxid need
  case $verb in
    delete) tbl=bench_del ;; delete_many) tbl=bench_delm ;; *) return 0 ;;
  esac
  step=$(step_of "$verb")
  est=${LAST_TPS[$verb]:-$((25000 * c))}
  base=${BASE[$verb]}
  maxid=$(sql "SELECT coalesce(max(id), 0) FROM $tbl")
  # one client may run ahead of the others: up to clients x its calls ids;
  # REFILL_MORE doubles the margin after a run that used the rows up
  need=$(awk -v e="$est" -v s="$SECS" -v k="$step" -v c="$c" -v m="${REFILL_MORE:-1}" \
    'BEGIN { printf "%d", e * s * k * c * 1.5 * m + 100 * c * k }')
  if [ $((maxid - base + 1)) -lt "$need" ]; then
    sql "INSERT INTO $tbl (id, email, name)
         SELECT i, 'del' || i || '@example.com', 'user ' || i
         FROM generate_series(greatest($maxid + 1, $base), $base + $need - 1) AS i" >/dev/null
  fi
}

# prepare VERB CLIENTS: the same starting state for either side
prepare() {
  local verb=$1 tbl
  tbl=$(table_of "$verb")
  [ "$verb" = create_many ] && sql "TRUNCATE bench_many" >/dev/null
  refill "$verb" "$2"
  sql "VACUUM $tbl" >/dev/null
  # the hand-written nested_create updates the same 200 tag rows on every
  # call (ON CONFLICT DO UPDATE; forge's connectOrCreate reads them): without
  # this, the side that runs later walks the update chains it left behind
  [ "$verb" = nested_create ] && sql "VACUUM bench_nusers, bench_nprofiles, bench_ntags, bench_npost_tags" >/dev/null
  sql "CHECKPOINT" >/dev/null
}

# sample_cpu PGBENCH_PID CLIENTS: while pgbench runs, the CPU time its
# backends spend (from /proc/PID/schedstat, in ns), over the wall time
# between the first and the last sample; sets SAMPLE_CPU_NS and SAMPLE_NS.
# On a shared machine tps moves with whatever else runs; the backend's CPU
# time per transaction moves much less, so the table shows both.
LAST_PIDS=""
sample_cpu() {
  local pb=$1 c=$2 pids="" skip="0" p t0="" t1 c0=0 c1 ns rest ok
  # this run's backends are the ones named pgbench that are neither the
  # last run's (which may not have exited yet) nor one already gone (pgbench
  # opens and closes a first connection before its clients connect)
  for p in $LAST_PIDS; do skip="$skip,$p"; done
  SAMPLE_CPU_NS=0 SAMPLE_NS=0
  while kill -0 "$pb" 2>/dev/null; do
    if [ "$(wc -w <<<"$pids")" -lt "$c" ]; then
      pids=$(sql "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
                  WHERE application_name = 'pgbench' AND backend_type = 'client backend'
                    AND pid NOT IN ($skip)")
      t0=""
      if [ "$(wc -w <<<"$pids")" -lt "$c" ]; then sleep 0.05; continue; fi
    fi
    c1=0 ok=1
    for p in $pids; do
      if read -r ns rest 2>/dev/null <"/proc/$p/schedstat"; then c1=$((c1 + ns)); else ok=0 skip="$skip,$p"; fi
    done
    if [ $ok = 0 ]; then
      [ "$SAMPLE_NS" -gt 0 ] && break    # the run is ending: keep its window
      pids=""
      continue
    fi
    t1=${EPOCHREALTIME/./}
    if [ -z "$t0" ]; then t0=$t1 c0=$c1; else SAMPLE_CPU_NS=$((c1 - c0)) SAMPLE_NS=$(((t1 - t0) * 1000)); fi
    sleep 0.2
  done
  LAST_PIDS=$pids
}

# run VERB SIDE CLIENTS: one pgbench run; sets RUN_TPS and RUN_CPU (backend
# CPU microseconds per transaction)
run() {
  local verb=$1 side=$2 c=$3 log before after txns failed tps delta want opts pb rc=0
  local ddl="" avail=0 tbl try
  for try in 1 2 3; do
  log="$WORK/$verb-$side-c$c-$(date +%s%N).log"
  prepare "$verb" "$c"
  before=$(sql "$(probe_of "$verb")")
  # the ids a delete run may consume: BASE[verb] up to the highest id there
  case $verb in delete|delete_many)
    tbl=$(table_of "$verb")
    avail=$(sql "SELECT coalesce(max(id), 0) - ${BASE[$verb]} + 1 FROM $tbl") ;;
  esac
  opts=""
  [ "$side" = forge ] && opts="-c forge.notify=$NOTIFY"
  ddl=""
  if [[ $verb == *_ddl ]]; then
    # the concurrent DDL: its own session, rate-limited, named so that
    # sample_cpu does not count it
    PGAPPNAME=bench_ddl pgbench -n -R 200 -c 1 -j 1 -T "$SECS" -f "$BENCH/ddl_load.sql" \
      >"$log.ddl" 2>&1 &
    ddl=$!
  fi
  PGOPTIONS="$opts" pgbench -n -M prepared -c "$c" -j "$c" -T "$SECS" \
    -D nseed=$NSEED -D nclients="$c" -D n=0 -D base="${BASE[$verb]:-1}" \
    -f "$(script_of "$verb" "$side")" >"$log" 2>&1 &
  pb=$!
  sample_cpu "$pb" "$c"
  wait "$pb" || rc=$?
  if [ -n "$ddl" ]; then
    wait "$ddl" || { cat "$log.ddl" >&2; die "$verb: the concurrent DDL session failed"; }
    grep -q '^number of transactions actually processed: [1-9]' "$log.ddl" ||
      { cat "$log.ddl" >&2; die "$verb: the concurrent DDL session ran nothing"; }
  fi
  after=$(sql "$(probe_of "$verb")")
  [ "$(so_sum)" = "$SO_SUM" ] ||
    die "forge was reinstalled during the benchmark ($FORGE_SO changed); the runs would mix builds, start again"
  txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log")
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$log")
  if [ $rc -ne 0 ] || grep -qiE 'aborted|error' "$log" || [ "${failed:-x}" != 0 ] ||
     [ -z "$txns" ] || [ -z "$tps" ] || [ "$txns" -eq 0 ]; then
    cat "$log" >&2
    die "$verb ($side, -c $c): pgbench failed (exit $rc, failed transactions: ${failed:-?})"
  fi
  delta=$((after - before))
  if [ "$verb" = create_many ]; then delta=$after; fi
  want=$(( $(per_txn "$verb") * txns ))
  if [ -n "${BASE[$verb]:-}" ]; then
    BASE[$verb]=$((BASE[$verb] + txns * c * $(step_of "$verb")))
  fi
  if [ "$delta" -ne "$want" ] && [ -n "${BASE[$verb]:-}" ] && [ "$try" -lt 3 ] &&
     [ $((txns * c * $(step_of "$verb"))) -gt "$avail" ]; then
    # faster than any run before: it used up the rows put ahead of it and
    # its last calls deleted nothing.  Not a wrong count: run it again with
    # twice the margin.
    echo "  ($verb $side ran out of rows after $txns calls; again with more)" >&2
    REFILL_MORE=$((${REFILL_MORE:-1} * 2))
    LAST_TPS[$verb]=$tps
    rc=0
    continue
  fi
  [ "$delta" -eq "$want" ] ||
    die "$verb ($side, -c $c): $txns transactions should move '$(probe_of "$verb")' by $want, it moved by $delta"
  break
  done
  if awk -v a="$tps" -v b="${LAST_TPS[$verb]:-0}" 'BEGIN { exit !(a > b) }'; then
    LAST_TPS[$verb]=$tps
  fi
  RUN_TPS=$tps
  RUN_CPU=$(awk -v cpu="$SAMPLE_CPU_NS" -v ns="$SAMPLE_NS" -v tps="$tps" \
    'BEGIN { if (ns > 0 && tps > 0) printf "%.1f", cpu / 1000 / (ns / 1e9 * tps); else print "nan" }')
}

# quantile Q: the Q-quantile (0.5 the median) of the numbers on stdin, by
# linear interpolation ("nan", a run without a CPU sample, is left out)
quantile() {
  tr ' ' '\n' | { grep -E '^[0-9.]+$' || true; } | sort -g |
    awk -v q="$1" '{ v[NR] = $1 } END {
      if (NR == 0) { print "nan"; exit }
      h = (NR - 1) * q + 1; i = int(h); f = h - i
      print (i >= NR) ? v[NR] : v[i] + f * (v[i + 1] - v[i]) }'
}
median() { quantile 0.5; }
# spread: "p25-p75" of the numbers on stdin, two decimals
spread() {
  local all; all=$(cat)
  printf '%.2f-%.2f' "$(quantile 0.25 <<<"$all")" "$(quantile 0.75 <<<"$all")"
}

# ---------------------------------------------------------------------------
nverbs=$(wc -w <<<"$VERBS"); nclients=$(wc -w <<<"$CLIENTS")
echo "forge benchmark: $nverbs verbs x $nclients client setting(s) x $ROUNDS rounds x 2 sides x ${SECS}s" \
     "(about $((nverbs * nclients * ROUNDS * 2 * SECS / 60 + 1)) min)" >&2

ROWS=()
DETAILS=()
declare -A RATIO CRATIO           # verb.clients -> median per-round ratio
below=0
for c in $CLIENTS; do
  for verb in $VERBS; do
    f_all="" h_all="" r_all="" fc_all="" hc_all="" cr_all=""
    for ((r = 1; r <= ROUNDS; r++)); do
      # alternate, and alternate who goes first, so drift (table growth,
      # dead tuples) does not favour one side
      if ((r % 2)); then order="forge hand"; else order="hand forge"; fi
      for side in $order; do
        run "$verb" "$side" "$c"
        if [ "$side" = forge ]; then f_all="$f_all $RUN_TPS" fc_all="$fc_all $RUN_CPU"
        else h_all="$h_all $RUN_TPS" hc_all="$hc_all $RUN_CPU"; fi
      done
      # the ratios of this round's back-to-back pair: drift between rounds
      # (the machine, the tables) cancels within a pair
      r_all="$r_all $(awk -v f="${f_all##* }" -v h="${h_all##* }" 'BEGIN { printf "%.3f", f / h }')"
      cr_all="$cr_all $(awk -v f="${fc_all##* }" -v h="${hc_all##* }" \
        'BEGIN { if (f + 0 > 0 && h + 0 > 0) printf "%.3f", h / f; else print "nan" }')"
      printf '  %-18s -c %s round %d/%d: forge %8.0f tps %7s us  hand %8.0f tps %7s us  (tps %sx, cpu %sx)\n' \
        "$verb" "$c" "$r" "$ROUNDS" "${f_all##* }" "${fc_all##* }" "${h_all##* }" "${hc_all##* }" \
        "${r_all##* }" "${cr_all##* }" >&2
    done
    f=$(median <<<"$f_all"); h=$(median <<<"$h_all")
    fc=$(median <<<"$fc_all"); hc=$(median <<<"$hc_all")
    ratio=$(median <<<"$r_all" | xargs printf '%.2f')
    rspread=$(spread <<<"$r_all")
    cratio=$(median <<<"$cr_all"); [ "$cratio" = nan ] || cratio=$(printf '%.2f' "$cratio")
    cspread=$(spread <<<"$cr_all" 2>/dev/null || echo nan)
    RATIO[$verb.$c]=$ratio CRATIO[$verb.$c]=$cratio
    target=$(target_of "$verb")
    if awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r >= t) }'; then res=PASS; else res=BELOW; below=1; fi
    ROWS+=("$(printf '| %-18s | %7s | %8s | %8s | %8sx | %-9s | %8sx | %-9s | >= %sx | %-6s |' \
      "$verb" "$c" "$fc" "$hc" "$cratio" "$cspread" "$ratio" "$rspread" "$target" "$res")")
    DETAILS+=("$(printf '%-18s -c %s  forge tps:%s  hand tps:%s  tps ratio:%s  cpu ratio:%s' "$verb" "$c" \
      "$(printf ' %.0f' $f_all)" "$(printf ' %.0f' $h_all)" "$r_all" "$cr_all")")
  done
done

! crashed >&2 || die "a server backend crashed during the benchmark"

server_version=$(sql "SHOW server_version")
echo
echo "forge benchmark: forge's verbs vs the hand-written statement, $ROUNDS back-to-back rounds of ${SECS}s per side"
echo "command:  $CMD"
echo "forge:    $FORGE_SO, md5 $(md5sum "$FORGE_SO" | cut -c1-12), installed $(date -u -r "$FORGE_SO" '+%Y-%m-%d %H:%M UTC')"
echo "machine:  $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), PostgreSQL $server_version, $(pgbench --version)"
echo "load:     $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1, 5, 15 min load averages; anything else running skews the numbers)"
echo "settings: pgbench -n -M prepared -T $SECS -c N -j N; synchronous_commit = off, fsync = off; forge.notify = $NOTIFY; outbox $([ "$OUTBOX" = 1 ] && echo on || echo off)"
echo
echo "| verb               | clients | forge us |  hand us | cpu ratio | (p25-p75) | tps ratio | (p25-p75) | target   | result |"
echo "|--------------------|---------|----------|----------|-----------|-----------|-----------|-----------|----------|--------|"
printf '%s\n' "${ROWS[@]}"
# the concurrent-DDL line: how much of its ratio update_include keeps while
# another session's DDL invalidates every backend's relcache
for c in $CLIENTS; do
  q=${RATIO[update_include.$c]:-} d=${RATIO[update_include_ddl.$c]:-}
  [ -n "$q" ] && [ -n "$d" ] || continue
  rr=$(awk -v d="$d" -v q="$q" 'BEGIN { printf "%.2f", d / q }')
  crr=$(awk -v d="${CRATIO[update_include_ddl.$c]}" -v q="${CRATIO[update_include.$c]}" \
    'BEGIN { if (d + 0 > 0 && q + 0 > 0) printf "%.2f", d / q; else print "nan" }')
  if awk -v r="$rr" 'BEGIN { exit !(r >= 0.9) }'; then res=PASS; else res=BELOW; below=1; fi
  echo
  echo "concurrent DDL, -c $c: update_include's tps ratio under DDL / without = $d / $q = ${rr}x" \
       "(cpu: ${crr}x); target >= 0.90x: $res"
done
echo
echo "every round (forge and hand back to back, in run order):"
printf '  %s\n' "${DETAILS[@]}"
echo
echo "us = median CPU time of the server backend(s) per transaction, in microseconds (/proc/PID/schedstat)."
echo "cpu ratio = median over the rounds of hand us / forge us (below 1: forge costs more); it leaves out the"
echo "      client and the round trip, and moves least when the machine is shared: the headline."
echo "tps ratio = median over the rounds of forge tps / hand tps; the target and result are on it."
echo "(p25-p75) = the middle half of the per-round ratios: how far one round's ratio can be trusted."
echo "create_many is transactions (calls of $NMANY rows) per second; update_many and delete_many touch 10 rows per call."
if [ $below = 1 ] && [ "$STRICT" = 1 ]; then exit 3; fi
exit 0
