#!/usr/bin/env bash
# test/memory.sh: forge's memory under load.  A measurement, not a test: the
# suite (test/run) never runs it; run it by hand (a few minutes) and read its
# report.  It starts its own throwaway cluster (test/cluster.sh, port
# FORGE_PGPORT, default 54421), removed on exit.  forge must already be built
# and installed; this script installs nothing.  It measures the forge.so
# installed when it starts: after CREATE EXTENSION it points forge's C
# functions at a private copy of that file, so a make install elsewhere
# during the run changes nothing here.
#
# Part 1, "calls": one session makes many forge calls of mixed shapes and the
# backend's memory is sampled from inside that session.  Each iteration of
# the driver (the plpgsql procedure m_batch, below) makes ten calls covering
# all seven verbs on four tables: create, update (by a unique key, with a
# version check in half of them), upsert on a compound key, update_many with
# in / startsWith / AND / OR / NOT / insensitive / relation (every, none)
# filters, create_many of 1-5 rows with one or two key sets and
# skipDuplicates, delete_many, upsert of a hot row returning its related
# rows (include with where / orderBy / take, or a relation in select),
# update_many over a slice or by a to-one relation filter (is), delete, and
# one call that fails on purpose (P2025, 42703, 42P10 or 22P02, caught by
# an exception block).  The counts of delete_many and of the m_notes
# update_many, and the related rows returned, are checked.  The
# session runs MEM_BATCH iterations per transaction (one CALL each, from a
# psql script), and every 1/MEM_SAMPLES of the run it records, in the same
# session: VmRSS, VmHWM, RssAnon and RssShmem from /proc/self/status (read
# with pg_read_file), sum(total_bytes) of pg_backend_memory_contexts, the
# "forge plans" and "forge catalog" context trees, the cached SPI plans
# under CacheMemoryContext (CachedPlanSource/Query, CachedPlan, SPI Plan:
# forge's kept plans, plus the driver's few), and forge_plan_cache_stats().
# "forge plans" holds only the cache's hash table, shape keys and SQL texts;
# the plans themselves (SPI_keepplan) are those CacheMemoryContext children,
# so the cache's real size is the "SPI plans" column.
# Runs, each in a fresh session:
#   narrow   MEM_CALLS calls, about 380 distinct shapes (select lists from 29
#            column sets, or none), forge.plan_cache_size at its default
#            (1000): every shape stays cached
#   wide     MEM_WIDE_CALLS calls, select lists from all 2047 column sets of
#            an 11-column table: thousands of shapes, the cache full and
#            evicting, plan_cache_size default (1000)
#   wide100  the same with SET forge.plan_cache_size = 100
#   wide0    the same with SET forge.plan_cache_size = 0 (no cache)
# For each run it prints the curve (calls -> memory), the growth of RssAnon
# and of the context total from the end of warm-up (the first sample at or
# after 10% of the run) to the last sample, and the same over the second
# half of the run (from the first sample at or after 50%), with a verdict
# on that second half: "flat" when the context total grew by at most
# MEM_FLAT_KB (default 256) and RssAnon by at most 8 x that (page- and
# malloc-grained: it moves by a few hundred kB either way), else "GROWS".
# A leak grows in both; a one-time step (an AllocSet context taking its next,
# doubled block once, as "forge plans" does under heavy eviction) only in
# the first.  RssAnon (private memory)
# is the figure that matters: VmRSS also counts the shared buffers the
# backend has touched (RssShmem), which grow towards shared_buffers
# (128 MB here) however little the backend allocates.
#
# Part 2, "bulk": peak memory of a fresh backend making one big call,
# against input size, for each N in MEM_SIZES (default 10k, 100k, 1M rows),
# next to the hand-written statement doing the same write.  The input is a
# jsonb descriptor stored (uncompressed) in a table, as
# test/bench/schema.sql does; its size (pg_column_size) is printed.  Each
# measurement is one psql session: it prints its backend's pid, and a
# poller reads /proc/PID/status every ~10 ms for the peak RssAnon while the
# statement runs; at the end the session reads its own VmHWM (exact peak of
# VmRSS, shared buffers included), RssShmem, RssAnon, and the context total
# left after the call.  The polled peak can miss a peak shorter than the
# poll interval (calls of 10k rows take ~50 ms).  Cases:
#   create_many (one key set, rows {email, name, views}):
#     forge cold    forge_create_many in a fresh backend: the first call of
#                   its shape (before forge prepared createMany with
#                   CURSOR_OPT_GENERIC_PLAN, this was a custom plan, which
#                   copied the rows into the plan twice: 696 MB against
#                   hand table's 522 MB at a million rows)
#     forge warm    the same after five 1,000-row calls of the same shape in
#                   that backend (where PostgreSQL's plan cache would switch
#                   from custom to generic plans)
#     hand table    INSERT ... SELECT ... FROM payload p,
#                   jsonb_to_recordset(p.args -> 'data') (test/bench's form)
#     hand $1       the same INSERT with the rows as a parameter: a DO block
#                   reads args -> 'data' into a variable and runs
#                   INSERT ... FROM jsonb_to_recordset(var), which plpgsql
#                   sends as $1 (a saved plan, custom for its first calls,
#                   as forge's)
#     forge 2 sets  forge_create_many whose rows alternate two key sets
#                   ({email, name, views} and {email, views}): two INSERTs
#     hand 2 sets   hand table's statement on that same input
#   update_many over N rows of a freshly loaded table:
#     forge {}      forge_update_many where {} data {views: {increment: 1}}
#     forge keys    the same with forge.notify_keys = on (a CTE that also
#                   returns the first 1000 keys)
#     hand          UPDATE ... SET views = views + 1 WHERE true
#     forge in[N]   forge_update_many where {id: {in: [N ids]}} (the
#                   descriptor stored in a table)
#     hand in $1    a DO block: the same ids into a bigint[] variable, then
#                   UPDATE ... WHERE id = ANY (var)
# Then, in one session each, the same create_many of MEM_REPEAT_ROWS rows
# MEM_REPEAT times (forge, hand table, hand $1, forge 2 sets, hand 2 sets),
# with RssAnon and the context total after each call: whether a pooled
# backend keeps what a big call used.
# At the largest size (if its input is 8 MB or more) it also asks forge cold, forge 2 sets and hand table
# to log their memory contexts (pg_log_backend_memory_contexts) once their
# RssAnon passes 4 x the input size, and prints the contexts of 1 MB or
# more from the server log: where the memory is.
#
# Environment:
#   FORGE_PGPORT      port of the throwaway cluster (default 54421)
#   MEM_PARTS         "calls bulk" (default both)
#   MEM_RUNS          part 1 runs (default "narrow wide wide100 wide0")
#   MEM_CALLS         calls of the narrow run (default 1000000)
#   MEM_WIDE_CALLS    calls of each wide run (default 200000)
#   MEM_SAMPLES       samples per run (default 20, plus one before any call)
#   MEM_BATCH         iterations (of ten calls) per transaction (default 100)
#   MEM_FLAT_KB       the verdict's tolerance, above (default 256)
#   MEM_SIZES         part 2 row counts (default "10000 100000 1000000")
#   MEM_REPEAT        part 2's repeated calls per session (default 8; 0: none)
#   MEM_REPEAT_ROWS   rows of each repeated call (default 300000)
#   MEM_STRICT        1: exit 3 when a part 1 verdict is GROWS
#   MEM_REPORT        also write the report to this file
#   MEM_KEEP          keep the report, the session scripts, the raw samples
#                     (samples.csv, bulk.csv) and the server log here
# The machine is shared: other sessions' tests may run at the same time, so
# timings are noisy; the load average at start and end is printed.  Memory
# figures do not depend on load.
#
# Usage (as root, or as the postgres OS user):
#   test/memory.sh                        the default run, 5-6 minutes on 2 busy cores
#   MEM_PARTS=bulk MEM_SIZES=100000 test/memory.sh
#   MEM_PARTS=calls MEM_RUNS=wide MEM_WIDE_CALLS=1000000 test/memory.sh
#                                         a long eviction run (~2.5 minutes)
#
# Exit status: 0 when everything ran (whatever the figures); 1 on a failure
# to run (setup, an unexpected error in a call, a crashed backend); 3 when
# a part 1 run's verdict is GROWS and MEM_STRICT=1.
set -euo pipefail
cd "$(dirname "$0")/.."

export FORGE_PGPORT=${FORGE_PGPORT:-54421}
PARTS=${MEM_PARTS:-calls bulk}
RUNS=${MEM_RUNS:-narrow wide wide100 wide0}
CALLS=${MEM_CALLS:-1000000}
WIDE_CALLS=${MEM_WIDE_CALLS:-200000}
SAMPLES=${MEM_SAMPLES:-20}
BATCH=${MEM_BATCH:-100}
FLAT_KB=${MEM_FLAT_KB:-256}
SIZES=${MEM_SIZES:-10000 100000 1000000}
REPEAT=${MEM_REPEAT:-8}
REPEAT_ROWS=${MEM_REPEAT_ROWS:-300000}
STRICT=${MEM_STRICT:-0}
PER_ITER=10                     # forge calls per m_batch iteration

for r in $RUNS; do
  case $r in narrow|wide|wide100|wide0) ;; *) echo "memory.sh: unknown run $r" >&2; exit 2 ;; esac
done
for p in $PARTS; do
  case $p in calls|bulk) ;; *) echo "memory.sh: unknown part $p" >&2; exit 2 ;; esac
done

WORK=$(mktemp -d /tmp/forge-memory.XXXXXX)
REPORT=$WORK/report.txt
T0=$(date +%s)
cleanup() {
  local rc=$?
  if [ -n "${MEM_KEEP:-}" ] && [ -n "${PGHOST:-}" ]; then
    for t in m_samples:samples bulk_results:bulk; do
      command psql -X -q -c "\\copy ${t%%:*} TO '$WORK/${t##*:}.csv' CSV HEADER" >/dev/null 2>&1 || true
    done
  fi
  if [ -n "${MEM_KEEP:-}" ]; then
    mkdir -p "$MEM_KEEP"
    cp -r "$WORK"/. "$MEM_KEEP"/ 2>/dev/null || true
    FORGE_PGPORT=$FORGE_PGPORT test/cluster.sh log >"$MEM_KEEP/server.log" 2>/dev/null || true
  fi
  FORGE_PGPORT=$FORGE_PGPORT test/cluster.sh stop || true
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

out() { printf '%s\n' "$*" | tee -a "$REPORT"; }
outf() { tee -a "$REPORT"; }

command -v psql >/dev/null || { echo "memory.sh: psql not found" >&2; exit 1; }
FORGE_SO="$(pg_config --pkglibdir)/forge.so"
[ -f "$FORGE_SO" ] || { echo "memory.sh: forge is not installed ($FORGE_SO missing)" >&2; exit 1; }

eval "$(test/cluster.sh start)"
export PGHOST PGPORT PGUSER PGDATABASE
LOG=$(dirname "$PGHOST")/server.log

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
sql() { psql -At -c "$1"; }
crashed() { grep -E 'terminated by signal|was terminated by exception' "$LOG" 2>/dev/null; }
die() {
  echo "memory.sh: $*" >&2
  crashed >&2 && echo "memory.sh: a server backend crashed (server log above)" >&2
  exit 1
}

# The run measures forge as installed when it starts: its C functions are
# pointed at a private copy of forge.so, so that a reinstall by someone else
# meanwhile (test/run does make install) neither mixes builds between
# measurements nor replaces the file under running backends.
LIB=$WORK/lib
mkdir -p "$LIB"
cp "$FORGE_SO" "$LIB/forge.so"
chmod 755 "$WORK" "$LIB"; chmod 644 "$LIB/forge.so"
SO_SUM=$(md5sum "$LIB/forge.so" | cut -c1-12)
psql -c "CREATE EXTENSION forge" >/dev/null
psql >/dev/null <<SQL
DO \$\$
DECLARE f oid;
BEGIN
    FOR f IN SELECT oid FROM pg_proc WHERE probin = '\$libdir/forge' LOOP
        EXECUTE replace(pg_get_functiondef(f), '''\$libdir/forge''', '''$LIB/forge.so''');
    END LOOP;
END \$\$;
SQL
[ "$(sql "SELECT count(*) FROM pg_proc WHERE probin = '$LIB/forge.so'")" -gt 0 ] \
  && [ "$(sql "SELECT count(*) FROM pg_proc WHERE probin = '\$libdir/forge'")" = 0 ] \
  || die "could not point forge's functions at the private copy of forge.so"

out "forge memory report ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(psql -At -c 'SELECT version()' | cut -d' ' -f1-2), forge.so md5 $SO_SUM, copied from $FORGE_SO at start)"
out "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
out "cluster: test/cluster.sh defaults (shared_buffers $(sql 'SHOW shared_buffers'), work_mem $(sql 'SHOW work_mem')), forge.notify on (every call queues an event)"


# ===========================================================================
# Part 1: one session, many calls
# ===========================================================================
setup_calls() {
psql >/dev/null <<'SQL'
CREATE TABLE m_users (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    name       text,
    views      integer NOT NULL DEFAULT 0,
    score      numeric NOT NULL DEFAULT 0,
    active     boolean NOT NULL DEFAULT true,
    tags       text[],
    meta       jsonb,
    born       date,
    created_at timestamptz NOT NULL DEFAULT now(),
    version    integer NOT NULL DEFAULT 1
);
INSERT INTO m_users (email, name) SELECT 'hot' || i, 'hot ' || i FROM generate_series(0, 49) AS i;
CREATE TABLE m_items (
    a     integer,
    b     integer,
    qty   integer NOT NULL DEFAULT 0,
    price numeric(10,2),
    label varchar(40),
    PRIMARY KEY (a, b)
);
-- m_users' to-many relation "m_notes"; m_notes' to-one relation "user"
CREATE TABLE m_notes (
    id      bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES m_users (id) ON DELETE CASCADE,
    body    text
);
INSERT INTO m_notes (user_id, body) SELECT u.id, 'note ' || j FROM m_users AS u, generate_series(1, 3) AS j;
CREATE TABLE m_log (
    id   bigserial PRIMARY KEY,
    kind text NOT NULL,
    n    integer,
    body jsonb,
    at   timestamptz NOT NULL DEFAULT now()
);

-- select lists: mask -> {"col": true, ...} over m_users' 11 columns
CREATE TABLE m_sels (mask integer PRIMARY KEY, sel jsonb);
INSERT INTO m_sels
SELECT m, (SELECT jsonb_object_agg(c, true)
           FROM unnest(ARRAY['id', 'email', 'name', 'views', 'score', 'active', 'tags',
                             'meta', 'born', 'created_at', 'version']) WITH ORDINALITY AS u(c, k)
           WHERE m & (1 << (k::int - 1)) <> 0)
FROM generate_series(1, 2047) AS m;

CREATE TABLE m_samples (
    run text, calls bigint, at timestamptz DEFAULT clock_timestamp(),
    rss_kb bigint, hwm_kb bigint, anon_kb bigint, shmem_kb bigint,
    ctx_total bigint, ctx_n integer, forge_plans bigint, forge_catalog bigint,
    cached_plans bigint, n_forge_plansources integer,
    cache_entries bigint, cache_hits bigint, cache_misses bigint
);

-- m_sample: one sample of this backend's memory
CREATE PROCEDURE m_sample(p_run text, p_calls bigint) LANGUAGE plpgsql AS $$
DECLARE
    st text := pg_read_file('/proc/self/status');
BEGIN
    INSERT INTO m_samples (run, calls, rss_kb, hwm_kb, anon_kb, shmem_kb,
                           ctx_total, ctx_n, forge_plans, forge_catalog,
                           cached_plans, n_forge_plansources,
                           cache_entries, cache_hits, cache_misses)
    SELECT p_run, p_calls,
           substring(st from 'VmRSS:\s*(\d+)')::bigint,
           substring(st from 'VmHWM:\s*(\d+)')::bigint,
           substring(st from 'RssAnon:\s*(\d+)')::bigint,
           substring(st from 'RssShmem:\s*(\d+)')::bigint,
           c.total, c.n, c.plans, c.catalog, c.cached, c.nforge,
           s.entries, s.hits, s.misses
    FROM (SELECT sum(total_bytes) AS total, count(*) AS n,
                 coalesce(sum(total_bytes) FILTER (WHERE name IN ('forge plans', 'forge plan cache')), 0) AS plans,
                 coalesce(sum(total_bytes) FILTER (WHERE name IN ('forge catalog', 'forge relations', 'forge relation')), 0) AS catalog,
                 coalesce(sum(total_bytes) FILTER (WHERE name IN ('CachedPlanSource', 'CachedPlanQuery', 'CachedPlan', 'SPI Plan')), 0) AS cached,
                 count(*) FILTER (WHERE name = 'CachedPlanSource'
                                  AND ident ~ '^(INSERT INTO|UPDATE|DELETE FROM) public\.') AS nforge
          FROM pg_backend_memory_contexts) AS c,
         forge_plan_cache_stats() AS s;
END $$;

-- m_batch: iterations it0 .. it0 + n - 1, ten forge calls each.  wide:
-- select lists from all 2047 column sets; otherwise from 30 (and none).
CREATE PROCEDURE m_batch(it0 bigint, n integer, wide boolean) LANGUAGE plpgsql AS $$
DECLARE
    sels jsonb[] := ARRAY(SELECT sel FROM m_sels ORDER BY mask);
    i bigint;
    v integer;
    mask integer;
    sel jsonb;
    em text;
    k integer;
    args jsonb;
    r jsonb;
    rows jsonb;
BEGIN
    FOR i IN it0 .. it0 + n - 1 LOOP
        v := i % 4;
        mask := CASE WHEN wide THEN 1 + (i * 7919) % 2047 ELSE ((i / 4) % 30) * 70 END;
        sel := CASE WHEN mask = 0 THEN NULL ELSE sels[mask] END;
        em := 'u' || i;

        -- 1 create
        args := jsonb_build_object('data', CASE v
            WHEN 0 THEN jsonb_build_object('email', em, 'name', 'n' || i)
            WHEN 1 THEN jsonb_build_object('email', em, 'views', i % 100, 'tags', jsonb_build_array('a', 'b' || v))
            WHEN 2 THEN jsonb_build_object('email', em, 'meta', jsonb_build_object('k', i), 'born', '2000-01-02', 'score', 1.5)
            ELSE jsonb_build_object('email', em, 'name', NULL, 'active', false) END);
        IF sel IS NOT NULL THEN args := args || jsonb_build_object('select', sel); END IF;
        r := forge_create('m_users', args);

        -- 2 update by a unique key, half with a version check
        args := jsonb_build_object('where', CASE WHEN v % 2 = 0
                    THEN jsonb_build_object('email', em)
                    ELSE jsonb_build_object('email', jsonb_build_object('equals', em), 'version', 1) END,
                'data', CASE v
                    WHEN 0 THEN jsonb_build_object('views', jsonb_build_object('increment', 1), 'name', 'x')
                    WHEN 1 THEN jsonb_build_object('score', jsonb_build_object('multiply', 2), 'version', jsonb_build_object('increment', 1))
                    WHEN 2 THEN jsonb_build_object('tags', jsonb_build_array('x'), 'meta', jsonb_build_object('m', v))
                    ELSE '{}'::jsonb END);
        IF sel IS NOT NULL THEN args := args || jsonb_build_object('select', sel); END IF;
        r := forge_update('m_users', args);

        -- 3 upsert on a compound key
        args := jsonb_build_object('where', jsonb_build_object('a_b', jsonb_build_object('a', i % 100, 'b', i % 7)),
                'create', jsonb_build_object('qty', 1, 'price', 9.99, 'label', 'l'),
                'update', CASE WHEN v = 3 THEN '{}'::jsonb ELSE jsonb_build_object('qty', jsonb_build_object('increment', 1)) END);
        IF v = 1 THEN args := args || '{"select": {"qty": true}}'; END IF;
        r := forge_upsert('m_items', args);

        -- 4 update_many with assorted filters
        args := jsonb_build_object('where', CASE v
                    WHEN 0 THEN jsonb_build_object('email', jsonb_build_object('in',
                                (SELECT jsonb_agg('u' || (i - j)) FROM generate_series(0, i % 5) AS j)))
                    WHEN 1 THEN jsonb_build_object('AND', jsonb_build_array(
                                jsonb_build_object('email', jsonb_build_object('startsWith', em)),
                                jsonb_build_object('views', jsonb_build_object('gte', 0)),
                                jsonb_build_object('m_notes', jsonb_build_object('every',
                                    jsonb_build_object('body', jsonb_build_object('startsWith', 'n'))))))
                    WHEN 2 THEN jsonb_build_object('OR', jsonb_build_array(
                                jsonb_build_object('email', em),
                                jsonb_build_object('name', jsonb_build_object('endsWith', 'ZZ', 'mode', 'insensitive'))))
                    ELSE jsonb_build_object('NOT', jsonb_build_object('active', true), 'email', em,
                                'm_notes', jsonb_build_object('none', jsonb_build_object('body', 'x'))) END,
                'data', CASE WHEN v < 2 THEN jsonb_build_object('views', jsonb_build_object('increment', 1))
                             ELSE jsonb_build_object('name', jsonb_build_object('unset', true)) END);
        r := forge_update_many('m_users', args);

        -- 5 create_many: 1 to 5 rows, one or two key sets
        k := 1 + (i % 5)::integer;
        rows := (SELECT jsonb_agg(CASE
                    WHEN v = 0 THEN jsonb_build_object('kind', 'k' || i, 'n', j)
                    WHEN v = 1 THEN jsonb_build_object('kind', 'k' || i, 'n', j, 'body', jsonb_build_object('j', j))
                    WHEN v = 2 AND j % 2 = 0 THEN jsonb_build_object('kind', 'k' || i, 'n', j)
                    WHEN v = 2 THEN jsonb_build_object('kind', 'k' || i, 'body', '[1, 2]'::jsonb)
                    ELSE jsonb_build_object('kind', 'k' || i) END)
                 FROM generate_series(1, k) AS j);
        args := jsonb_build_object('data', rows);
        IF v = 3 THEN args := args || '{"skipDuplicates": true}'; END IF;
        r := forge_create_many('m_log', args);

        -- 6 delete_many: the rows just created
        args := jsonb_build_object('where', CASE v
                    WHEN 0 THEN jsonb_build_object('kind', 'k' || i)
                    WHEN 1 THEN jsonb_build_object('kind', 'k' || i, 'OR', jsonb_build_array(
                                jsonb_build_object('n', NULL), jsonb_build_object('n', jsonb_build_object('gte', 0))))
                    WHEN 2 THEN jsonb_build_object('AND', jsonb_build_object('kind', jsonb_build_object('equals', 'k' || i)))
                    ELSE jsonb_build_object('kind', 'k' || i, 'id', jsonb_build_object('gt', 0)) END);
        r := forge_delete_many('m_log', args);
        IF (r ->> 'count')::integer <> k THEN
            RAISE EXCEPTION 'iteration %: delete_many deleted % rows, not %', i, r ->> 'count', k;
        END IF;

        -- 7 upsert of a hot row, returning its notes (include, or a
        -- relation in select) in three of four
        args := jsonb_build_object('where', jsonb_build_object('email', 'hot' || (i % 50)),
                'create', jsonb_build_object('name', 'h'),
                'update', CASE WHEN v % 2 = 0 THEN jsonb_build_object('views', jsonb_build_object('increment', 1))
                               ELSE jsonb_build_object('score', jsonb_build_object('increment', 0.5)) END);
        args := args || CASE v
            WHEN 0 THEN CASE WHEN sel IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('select', sel) END
            WHEN 1 THEN '{"include": {"m_notes": true}}'::jsonb
            WHEN 2 THEN jsonb_build_object('include', jsonb_build_object('m_notes', jsonb_build_object(
                            'where', jsonb_build_object('body', jsonb_build_object('startsWith', 'n')),
                            'orderBy', '{"id": "desc"}'::jsonb, 'take', 1 + i % 3)))
            ELSE jsonb_build_object('select', coalesce(sel, '{"email": true}'::jsonb)
                     || '{"m_notes": {"select": {"body": true}}}'::jsonb) END;
        r := forge_upsert('m_users', args);
        IF v > 0 AND jsonb_array_length(r -> 'm_notes') <> (CASE WHEN v = 2 THEN 1 + i % 3 ELSE 3 END) THEN
            RAISE EXCEPTION 'iteration %: upsert returned notes %', i, r -> 'm_notes';
        END IF;

        -- 8 update_many over a slice of m_items, or of m_notes by a to-one
        -- relation filter
        IF v % 2 = 0 THEN
            args := jsonb_build_object('where', jsonb_build_object('a', i % 100, 'qty', jsonb_build_object('gt', 0)),
                    'data', CASE WHEN v = 0 THEN jsonb_build_object('label', 'l' || v)
                                 ELSE jsonb_build_object('price', jsonb_build_object('increment', 1)) END);
            r := forge_update_many('m_items', args);
        ELSE
            args := jsonb_build_object('where', jsonb_build_object('user', jsonb_build_object('is',
                        jsonb_build_object('email', 'hot' || (i % 50)))),
                    'data', jsonb_build_object('body', 'note ' || v));
            r := forge_update_many('m_notes', args);
            IF (r ->> 'count')::integer <> 3 THEN
                RAISE EXCEPTION 'iteration %: update_many of m_notes counted %', i, r ->> 'count';
            END IF;
        END IF;

        -- 9 delete the row created by 1
        args := jsonb_build_object('where', CASE WHEN v % 2 = 0 THEN jsonb_build_object('email', em)
                    ELSE jsonb_build_object('email', em, 'views', jsonb_build_object('gte', 0)) END);
        IF sel IS NOT NULL THEN args := args || jsonb_build_object('select', sel); END IF;
        r := forge_delete('m_users', args);

        -- 10 a call that fails: P2025, 42703, 42P10, 22P02
        BEGIN
            CASE v
                WHEN 0 THEN r := forge_update('m_users', jsonb_build_object('where', jsonb_build_object('email', 'gone' || i), 'data', '{"views": 1}'::jsonb));
                WHEN 1 THEN r := forge_create('m_users', '{"data": {"email": "e", "nope": 1}}');
                WHEN 2 THEN r := forge_delete('m_users', jsonb_build_object('where', jsonb_build_object('name', em)));
                ELSE r := forge_create('m_users', jsonb_build_object('data', jsonb_build_object('email', em, 'views', 'abc')));
            END CASE;
            RAISE EXCEPTION 'iteration %: forge call did not fail', i;
        EXCEPTION WHEN SQLSTATE 'P2025' OR undefined_column OR invalid_column_reference
                       OR invalid_text_representation THEN
            NULL;
        END;
    END LOOP;
END $$;
SQL
}

# run_calls NAME: one session, its calls, its samples
IT_BASE=0
run_calls() {
  local name=$1 calls wide cache setcache="" iters every b done_it script t0 t1
  case $name in
    narrow)  calls=$CALLS; wide=false; cache=default ;;
    wide)    calls=$WIDE_CALLS; wide=true; cache=default ;;
    wide100) calls=$WIDE_CALLS; wide=true; cache=100; setcache="SET forge.plan_cache_size = 100;" ;;
    wide0)   calls=$WIDE_CALLS; wide=true; cache=0; setcache="SET forge.plan_cache_size = 0;" ;;
  esac
  iters=$(( (calls + PER_ITER - 1) / PER_ITER ))
  # sample every this many batches
  every=$(( (iters + BATCH * SAMPLES - 1) / (BATCH * SAMPLES) )); [ $every -ge 1 ] || every=1
  script=$WORK/calls_$name.sql
  {
    echo "\\set ON_ERROR_STOP on"
    echo "$setcache"
    echo "SELECT pg_backend_pid() AS pid \\gset"
    echo "\\o $WORK/calls_$name.pid"
    echo "\\qecho :pid"
    echo "\\o"
    echo "CALL m_sample('$name', 0);"
    b=0; done_it=0
    while [ $done_it -lt $iters ]; do
      local n=$BATCH; [ $((iters - done_it)) -lt $n ] && n=$((iters - done_it))
      echo "CALL m_batch($((IT_BASE + done_it)), $n, $wide);"
      done_it=$((done_it + n)); b=$((b + 1))
      if [ $((b % every)) -eq 0 ] || [ $done_it -ge $iters ]; then
        echo "CALL m_sample('$name', $((done_it * PER_ITER)));"
      fi
    done
    # the biggest context kinds at the end, from the same session
    echo "\\o $WORK/calls_$name.ctx"
    echo "SELECT name, count(*) AS contexts, round(sum(total_bytes) / 1024.0) AS kb FROM pg_backend_memory_contexts GROUP BY name ORDER BY sum(total_bytes) DESC LIMIT 8;"
    echo "\\o"
  } >"$script"
  IT_BASE=$((IT_BASE + iters))
  t0=$(date +%s.%N)
  psql -f "$script" >"$WORK/calls_$name.out" 2>&1 || { cat "$WORK/calls_$name.out" >&2; die "run $name failed"; }
  t1=$(date +%s.%N)
  local secs; secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
  out ""
  out "-- run $name: $(printf "%'d" $((iters * PER_ITER))) calls in one session (backend pid $(tr -d ' \n' <"$WORK/calls_$name.pid")), forge.plan_cache_size $cache, $BATCH iterations ($((BATCH * PER_ITER)) calls) per transaction, $secs s ($(awk -v c=$((iters * PER_ITER)) -v s="$secs" 'BEGIN { printf "%.0f", c / (s > 0 ? s : 1) }') calls/s)"
  psql -P footer=off <<SQL | outf
SELECT to_char(calls, 'FM9,999,999') AS calls,
       round(rss_kb / 1024.0, 1) AS "VmRSS MB", round(hwm_kb / 1024.0, 1) AS "VmHWM MB",
       round(anon_kb / 1024.0, 1) AS "RssAnon MB", round(shmem_kb / 1024.0, 1) AS "RssShmem MB",
       round(ctx_total / 1048576.0, 2) AS "contexts MB", ctx_n AS "#ctx",
       round(forge_plans / 1024.0) AS "forge plans kB", round(forge_catalog / 1024.0) AS "forge catalog kB",
       round(cached_plans / 1048576.0, 2) AS "SPI plans MB", n_forge_plansources AS "forge plans kept",
       cache_entries AS entries, cache_misses AS misses,
       CASE WHEN cache_hits + cache_misses > 0
            THEN round(100.0 * cache_hits / (cache_hits + cache_misses), 1) END AS "hit %"
FROM m_samples WHERE run = '$name' ORDER BY m_samples.calls;
SQL
  # growth after warm-up (from the first sample at or after 10% of the run)
  # and over the second half (from the first at or after 50%), which the
  # verdict judges: a leak grows in both, a one-time step (a context taking
  # a bigger block once) only in the first
  local v
  v=$(psql -At -F' ' <<SQL
WITH s AS (SELECT * FROM m_samples WHERE run = '$name'),
     w AS (SELECT * FROM s WHERE calls >= (SELECT max(calls) FROM s) / 10 AND calls > 0 ORDER BY calls LIMIT 1),
     h AS (SELECT * FROM s WHERE calls >= (SELECT max(calls) FROM s) / 2 AND calls > 0 ORDER BY calls LIMIT 1),
     l AS (SELECT * FROM s ORDER BY calls DESC LIMIT 1),
     f AS (SELECT regr_slope(anon_kb, calls) * 100000 AS anon_slope,
                  regr_slope(ctx_total, calls) * 100000 / 1024 AS ctx_slope
           FROM s WHERE calls >= (SELECT calls FROM h))
SELECT w.calls, h.calls, l.calls,
       l.anon_kb - w.anon_kb, round((l.ctx_total - w.ctx_total) / 1024.0),
       round(l.forge_plans / 1024.0) - round(w.forge_plans / 1024.0),
       round(l.forge_catalog / 1024.0) - round(w.forge_catalog / 1024.0),
       l.anon_kb - h.anon_kb, round((l.ctx_total - h.ctx_total) / 1024.0),
       round(l.forge_plans / 1024.0) - round(h.forge_plans / 1024.0),
       coalesce(round(f.anon_slope::numeric, 1), 0), coalesce(round(f.ctx_slope::numeric, 1), 0),
       (SELECT max(anon_kb) FROM s), l.cache_misses, l.cache_entries
FROM w, h, l, f;
SQL
)
  local wcalls hcalls lcalls danon dctx dplans dcat hanon hctx hplans sanon sctx maxanon misses entries verdict
  read -r wcalls hcalls lcalls danon dctx dplans dcat hanon hctx hplans sanon sctx maxanon misses entries <<<"$v"
  verdict=flat
  if [ "$hctx" -gt "$FLAT_KB" ] || [ "$hanon" -gt $((8 * FLAT_KB)) ]; then verdict=GROWS; GROWS=1; fi
  out "   after warm-up ($(printf "%'d" "$wcalls") -> $(printf "%'d" "$lcalls") calls): RssAnon ${danon} kB, contexts ${dctx} kB (forge plans ${dplans} kB, forge catalog ${dcat} kB)"
  out "   second half ($(printf "%'d" "$hcalls") -> $(printf "%'d" "$lcalls") calls): RssAnon ${hanon} kB, contexts ${hctx} kB (forge plans ${hplans} kB); fitted slope RssAnon ${sanon} kB and contexts ${sctx} kB per 100k calls: $verdict"
  out "   peak RssAnon $((maxanon / 1024)) MB; $misses plans prepared, $entries kept at the end"
  out "   largest context kinds at the end (name, contexts, kB):"
  sed -n '3,$p' "$WORK/calls_$name.ctx" | grep -v '^(' | sed '/^$/d; s/^/     /' | outf
}

GROWS=0
if [[ " $PARTS " == *" calls "* ]]; then
  setup_calls
  out ""
  out "== 1. One session, mixed calls of all seven verbs (10 per iteration, 1 failing on purpose), memory sampled in the session =="
  for r in $RUNS; do run_calls "$r"; done
  crashed >/dev/null && die "a backend crashed during part 1"
fi

# ===========================================================================
# Part 2: one big call, against input size
# ===========================================================================
BIG=0
for n in $SIZES; do [ "$n" -gt "$BIG" ] && BIG=$n; done

setup_bulk() {
  local n
  psql >/dev/null <<'SQL'
CREATE TABLE bulk (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL,
    name       text,
    views      integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- descriptors, stored uncompressed: n rows, groups = key sets
CREATE TABLE bulk_payload (n integer, groups integer, args jsonb NOT NULL, PRIMARY KEY (n, groups));
ALTER TABLE bulk_payload ALTER COLUMN args SET STORAGE EXTERNAL;
CREATE TABLE bulk_in (n integer PRIMARY KEY, args jsonb NOT NULL);
ALTER TABLE bulk_in ALTER COLUMN args SET STORAGE EXTERNAL;
CREATE TABLE bulk_results (
    seq serial, kind text, label text, n integer, input_bytes bigint,
    peak_anon_kb bigint, hwm_kb bigint, shmem_kb bigint, anon_end_kb bigint,
    ctx_end bigint, secs numeric
);
CREATE TABLE bulk_repeat (seq serial, label text, i integer, anon_kb bigint, ctx bigint);
SQL
  for n in 1000 $SIZES; do
    psql -c "INSERT INTO bulk_payload
             SELECT $n, 1, jsonb_build_object('data', jsonb_agg(jsonb_build_object(
                        'email', 'bulk' || i || '@example.com', 'name', 'user ' || i, 'views', i % 100) ORDER BY i))
             FROM generate_series(1, $n) AS i ON CONFLICT DO NOTHING" >/dev/null
  done
  for n in $SIZES; do
    psql -c "INSERT INTO bulk_payload
             SELECT $n, 2, jsonb_build_object('data', jsonb_agg(CASE WHEN i % 2 = 0
                        THEN jsonb_build_object('email', 'bulk' || i || '@example.com', 'name', 'user ' || i, 'views', i % 100)
                        ELSE jsonb_build_object('email', 'bulk' || i || '@example.com', 'views', i % 100) END ORDER BY i))
             FROM generate_series(1, $n) AS i" >/dev/null
    psql -c "INSERT INTO bulk_in
             SELECT $n, jsonb_build_object('where', jsonb_build_object('id', jsonb_build_object('in', jsonb_agg(i ORDER BY i))),
                                           'data', '{\"views\": {\"increment\": 1}}'::jsonb)
             FROM generate_series(1, $n) AS i" >/dev/null
  done
}

# reload_u N: bulk_u afresh with N rows
reload_u() {
  psql -c "DROP TABLE IF EXISTS bulk_u" \
       -c "CREATE TABLE bulk_u (id bigint PRIMARY KEY, email text NOT NULL, name text,
                                views integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now())" \
       -c "INSERT INTO bulk_u (id, email, name, views)
           SELECT i, 'bulk' || i || '@example.com', 'user ' || i, i % 100 FROM generate_series(1, $1) AS i" \
       -c "VACUUM ANALYZE bulk_u" -c "CHECKPOINT" >/dev/null 2>&1
}
fresh_bulk() { psql -c "TRUNCATE bulk" -c "CHECKPOINT" >/dev/null; }

# measure KIND LABEL N INPUT_BYTES DUMP_AT_KB SQL...: run the statements in
# one fresh session, poll its RssAnon, record the figures in bulk_results.
# DUMP_AT_KB > 0: log the backend's memory contexts once RssAnon passes it.
measure() {
  local kind=$1 label=$2 n=$3 input=$4 dump_at=$5; shift 5
  local o=$WORK/measure.out a s pid="" peak=0 k v rest t0 t1 dumped=0
  a=(-c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(0.1)")
  for s in "$@"; do a+=(-c "$s"); done
  a+=(-c "SELECT sum(total_bytes) FROM pg_backend_memory_contexts" -c "SELECT pg_read_file('/proc/self/status')")
  : >"$o"
  t0=$(date +%s.%N)
  command psql -X -q -At -v ON_ERROR_STOP=1 "${a[@]}" >"$o" 2>&1 &
  local ppid=$!
  while [ -z "$pid" ] && kill -0 $ppid 2>/dev/null; do pid=$(head -1 "$o"); sleep 0.005; done
  while kill -0 $ppid 2>/dev/null; do
    while read -r k v rest; do
      if [ "$k" = RssAnon: ]; then [ "$v" -gt "$peak" ] && peak=$v; break; fi
    done </proc/"$pid"/status 2>/dev/null || true
    if [ "$dump_at" -gt 0 ] && [ $dumped = 0 ] && [ "$peak" -ge "$dump_at" ]; then
      sql "SELECT pg_log_backend_memory_contexts($pid)" >/dev/null || true
      dumped=1
    fi
    sleep 0.01
  done
  wait $ppid || { cat "$o" >&2; die "measurement $kind/$label at $n rows failed"; }
  t1=$(date +%s.%N)
  local hwm shmem anon ctx
  hwm=$(awk '/^VmHWM:/{print $2}' "$o"); shmem=$(awk '/^RssShmem:/{print $2}' "$o")
  anon=$(awk '/^RssAnon:/{print $2}' "$o")
  ctx=$(grep -E '^[0-9]+$' "$o" | tail -1)
  [ "$anon" -gt "$peak" ] && peak=$anon
  sql "INSERT INTO bulk_results (kind, label, n, input_bytes, peak_anon_kb, hwm_kb, shmem_kb, anon_end_kb, ctx_end, secs)
       VALUES ('$kind', '$label', $n, $input, $peak, $hwm, $shmem, $anon, $ctx, round($t1 - $t0, 2))" >/dev/null
  if [ $dumped = 1 ]; then
    sleep 0.2
    {
      echo "   memory contexts of $kind / $label at $n rows (pid $pid), requested once RssAnon passed $((dump_at / 1024)) MB, logged at its next interrupt check; contexts of 1 MB or more:"
      grep -E "\[$pid\] LOG: +(level: [0-9]+;|Grand total)" "$LOG" \
        | sed -E 's/^.*LOG: +//' \
        | awk '/^Grand total/ { split($0, g, " "); printf "     Grand total %.1f MB\n", g[3] / 1048576; exit }
               { lvl = $2; sub(/;/, "", lvl); line = $0; sub(/^level: [0-9]+; /, "", line);
                 name = line; sub(/: [0-9]+ total in .*/, "", name);
                 match(line, /: [0-9]+ total/); tot = substr(line, RSTART + 2, RLENGTH - 8) + 0;
                 ident = ""; if (match(line, /used: .*/)) ident = substr(line, RSTART + 6, 70);
                 if (tot >= 1048576) printf "     level %s %-22s %8.1f MB  %s\n", lvl, name, tot / 1048576, ident }' \
        || echo "     (nothing logged: the call had ended)"
    } >>"$WORK/dumps.txt"
  fi
}

if [[ " $PARTS " == *" bulk "* ]]; then
  out ""
  out "== 2. One big call in a fresh backend: peak memory against input size =="
  tb=$(date +%s)
  setup_bulk
  out "   (input descriptors built in $(( $(date +%s) - tb )) s)"
  measure baseline "SELECT 1" 0 0 0 "SELECT 1"
  : >"$WORK/dumps.txt"
  for n in $SIZES; do
    in1=$(sql "SELECT pg_column_size(args) FROM bulk_payload WHERE n = $n AND groups = 1")
    in2=$(sql "SELECT pg_column_size(args) FROM bulk_payload WHERE n = $n AND groups = 2")
    inu=$(sql "SELECT pg_column_size(args) FROM bulk_in WHERE n = $n")
    d1=0; d2=0
    # the context dumps, at the largest size if its input is 8 MB or more
    if [ "$n" = "$BIG" ] && [ "$in1" -ge $((8 << 20)) ]; then
      d1=$((4 * in1 / 1024)); d2=$((4 * in2 / 1024))
    fi
    fresh_bulk
    measure create_many "forge cold" $n $in1 $d1 \
      "SELECT forge_create_many('bulk', args) FROM bulk_payload WHERE n = $n AND groups = 1"
    fresh_bulk
    warm="SELECT forge_create_many('bulk', args) FROM bulk_payload WHERE n = 1000 AND groups = 1"
    measure create_many "forge warm" $n $in1 0 "$warm" "$warm" "$warm" "$warm" "$warm" \
      "SELECT forge_create_many('bulk', args) FROM bulk_payload WHERE n = $n AND groups = 1"
    fresh_bulk
    measure create_many "hand table" $n $in1 $d1 \
      "INSERT INTO bulk (email, name, views)
       SELECT r.email, r.name, r.views
       FROM bulk_payload AS p, jsonb_to_recordset(p.args -> 'data') AS r(email text, name text, views integer)
       WHERE p.n = $n AND p.groups = 1"
    fresh_bulk
    measure create_many "hand \$1" $n $in1 0 \
      "DO \$\$ DECLARE a jsonb; BEGIN
         SELECT args -> 'data' INTO a FROM bulk_payload WHERE n = $n AND groups = 1;
         INSERT INTO bulk (email, name, views)
         SELECT r.email, r.name, r.views FROM jsonb_to_recordset(a) AS r(email text, name text, views integer);
       END \$\$"
    fresh_bulk
    measure create_many "forge 2 sets" $n $in2 $d2 \
      "SELECT forge_create_many('bulk', args) FROM bulk_payload WHERE n = $n AND groups = 2"
    fresh_bulk
    measure create_many "hand 2 sets" $n $in2 0 \
      "INSERT INTO bulk (email, name, views)
       SELECT r.email, r.name, r.views
       FROM bulk_payload AS p, jsonb_to_recordset(p.args -> 'data') AS r(email text, name text, views integer)
       WHERE p.n = $n AND p.groups = 2"
  
    reload_u $n
    measure update_many "forge {}" $n 0 0 \
      "SELECT forge_update_many('bulk_u', '{\"where\": {}, \"data\": {\"views\": {\"increment\": 1}}}')"
    reload_u $n
    measure update_many "forge keys" $n 0 0 "SET forge.notify_keys = on" \
      "SELECT forge_update_many('bulk_u', '{\"where\": {}, \"data\": {\"views\": {\"increment\": 1}}}')"
    reload_u $n
    measure update_many "hand" $n 0 0 "UPDATE bulk_u SET views = views + 1 WHERE true"
    reload_u $n
    measure update_many "forge in[N]" $n $inu 0 \
      "SELECT forge_update_many('bulk_u', args) FROM bulk_in WHERE n = $n"
    reload_u $n
    measure update_many "hand in \$1" $n $inu 0 \
      "DO \$\$ DECLARE ids bigint[]; BEGIN
         SELECT array_agg(x::bigint) INTO ids
         FROM bulk_in, jsonb_array_elements_text(args -> 'where' -> 'id' -> 'in') AS x WHERE n = $n;
         UPDATE bulk_u SET views = views + 1 WHERE id = ANY (ids);
       END \$\$"
    done
  crashed >/dev/null && die "a backend crashed during part 2"

  out "   baseline, a fresh backend running SELECT 1: $(sql "SELECT 'VmHWM ' || round(hwm_kb / 1024.0, 1) || ' MB, RssAnon ' || round(peak_anon_kb / 1024.0, 1) || ' MB, RssShmem ' || round(shmem_kb / 1024.0, 1) || ' MB' FROM bulk_results WHERE kind = 'baseline'")"
  out "   input = pg_column_size of the descriptor (jsonb, stored uncompressed); peak anon = polled RssAnon peak (private memory);"
  out "   VmHWM = exact RSS peak, including the shared buffers the backend touched (RssShmem at end); x input = peak anon / input."
  out "   after = RssAnon / memory-context total left in the backend after the call."
  out ""
  out "   create_many:"
  psql -P footer=off <<'SQL' | outf
SELECT to_char(n, 'FM9,999,999') AS rows, label AS "case",
       round(input_bytes / 1048576.0, 1) AS "input MB",
       round(peak_anon_kb / 1024.0, 1) AS "peak anon MB",
       round(peak_anon_kb * 1024.0 / nullif(input_bytes, 0), 1) AS "x input",
       round((peak_anon_kb - first_value(peak_anon_kb) OVER w) / 1024.0, 1) AS "vs hand table MB",
       round(hwm_kb / 1024.0, 1) AS "VmHWM MB", round(shmem_kb / 1024.0, 1) AS "RssShmem MB",
       round(anon_end_kb / 1024.0, 1) || ' / ' || round(ctx_end / 1048576.0, 1) AS "after MB",
       secs AS s
FROM bulk_results
WHERE kind = 'create_many'
WINDOW w AS (PARTITION BY n ORDER BY label <> 'hand table', seq)
ORDER BY n, seq;
SQL
  out ""
  out "   update_many (in[N]: input is the descriptor holding N ids; the others' input is a few bytes):"
  psql -P footer=off <<'SQL' | outf
SELECT to_char(n, 'FM9,999,999') AS rows, label AS "case",
       CASE WHEN input_bytes > 0 THEN round(input_bytes / 1048576.0, 1) END AS "input MB",
       round(peak_anon_kb / 1024.0, 1) AS "peak anon MB",
       round(peak_anon_kb * 1024.0 / nullif(input_bytes, 0), 1) AS "x input",
       round(hwm_kb / 1024.0, 1) AS "VmHWM MB", round(shmem_kb / 1024.0, 1) AS "RssShmem MB",
       round(anon_end_kb / 1024.0, 1) || ' / ' || round(ctx_end / 1048576.0, 1) AS "after MB",
       secs AS s
FROM bulk_results
WHERE kind = 'update_many'
ORDER BY n, seq;
SQL
  if [ -s "$WORK/dumps.txt" ]; then
    out ""
    outf <"$WORK/dumps.txt"
  fi

  # the same big call again and again in one session: what stays behind
  if [ "$REPEAT" -gt 0 ]; then
    for g in 1 2; do
      if [ "$(sql "SELECT count(*) FROM bulk_payload WHERE n = $REPEAT_ROWS AND groups = $g")" = 0 ]; then
        psql -c "INSERT INTO bulk_payload
                 SELECT $REPEAT_ROWS, $g, jsonb_build_object('data', jsonb_agg(CASE WHEN $g = 1 OR i % 2 = 0
                            THEN jsonb_build_object('email', 'bulk' || i || '@example.com', 'name', 'user ' || i, 'views', i % 100)
                            ELSE jsonb_build_object('email', 'bulk' || i || '@example.com', 'views', i % 100) END ORDER BY i))
                 FROM generate_series(1, $REPEAT_ROWS) AS i" >/dev/null
      fi
    done
    repeat_case() {   # LABEL SQL
      local i
      fresh_bulk
      {
        echo "\\set ON_ERROR_STOP on"
        echo "CREATE TEMP VIEW st AS SELECT substring(pg_read_file('/proc/self/status') from 'RssAnon:\\s*(\\d+)')::bigint AS anon_kb,
                     (SELECT sum(total_bytes) FROM pg_backend_memory_contexts)::bigint AS ctx;"
        echo "INSERT INTO bulk_repeat (label, i, anon_kb, ctx) SELECT '$1', 0, * FROM st;"
        for i in $(seq 1 "$REPEAT"); do
          echo "$2;"
          echo "INSERT INTO bulk_repeat (label, i, anon_kb, ctx) SELECT '$1', $i, * FROM st;"
        done
      } | psql >"$WORK/repeat.out" 2>&1 || { cat "$WORK/repeat.out" >&2; die "repeat case $1 failed"; }
    }
    one="SELECT count(*) FROM (SELECT forge_create_many('bulk', args) FROM bulk_payload WHERE n = $REPEAT_ROWS AND groups"
    hand="INSERT INTO bulk (email, name, views) SELECT r.email, r.name, r.views
          FROM bulk_payload AS p, jsonb_to_recordset(p.args -> 'data') AS r(email text, name text, views integer)
          WHERE p.n = $REPEAT_ROWS AND p.groups"
    repeat_case "forge"        "$one = 1) AS s"
    repeat_case "hand table"   "$hand = 1"
    repeat_case "hand \$1"     "DO \$\$ DECLARE a jsonb; BEGIN
         SELECT args -> 'data' INTO a FROM bulk_payload WHERE n = $REPEAT_ROWS AND groups = 1;
         INSERT INTO bulk (email, name, views)
         SELECT r.email, r.name, r.views FROM jsonb_to_recordset(a) AS r(email text, name text, views integer);
       END \$\$"
    repeat_case "forge 2 sets" "$one = 2) AS s"
    repeat_case "hand 2 sets"  "$hand = 2"
    out ""
    out "   the same create_many of $(printf "%'d" "$REPEAT_ROWS") rows $REPEAT times in one session: RssAnon MB before and after each call, and the"
    out "   memory-context total at the end (RssAnon above the context total is freed memory that malloc kept, not returned to the OS):"
    psql -P footer=off <<'SQL' | outf
SELECT label AS "case",
       string_agg(round(anon_kb / 1024.0, 1)::text, ' ' ORDER BY i) AS "RssAnon MB: before, after call 1, 2, ...",
       round((array_agg(ctx ORDER BY i DESC))[1] / 1048576.0, 1) AS "contexts MB"
FROM bulk_repeat GROUP BY label ORDER BY min(seq);
SQL
  fi
fi

out ""
crashed >/dev/null && die "a backend crashed (server log)"
out "no backend crashed; load average at end $(cut -d' ' -f1-3 /proc/loadavg); total $(( $(date +%s) - T0 )) s"
[ -n "${MEM_REPORT:-}" ] && cp "$REPORT" "$MEM_REPORT"
if [ "$GROWS" = 1 ] && [ "$STRICT" = 1 ]; then exit 3; fi
exit 0
