#!/usr/bin/env bash
# test/demo.sh: a tour of forge's write verbs on a throwaway cluster.
#
# From a clean clone on Debian 12, as root: installs the build dependencies
# (test/deps.sh), builds and installs forge, starts a private PostgreSQL 15
# cluster (test/cluster.sh, removed again on exit), creates the example
# schema (test/demo/schema.sql) and runs the tour (test/demo/tour.sql), which
# prints each verb's descriptor and then its result.  Exits non-zero if
# anything fails that the tour does not expect to fail.
#
#   FORGE_PGPORT           the cluster's port (default 54339)
#   FORGE_DEMO_SKIP_BUILD  set to 1 to use the forge already installed
#                          (skips test/deps.sh, make and make install)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${FORGE_DEMO_SKIP_BUILD:-0}" = 0 ]; then
  test/deps.sh
  echo "demo: building and installing forge (log: build.log)" >&2
  if ! { make && make install; } >build.log 2>&1; then
    cat build.log >&2
    echo "demo: build failed" >&2
    exit 1
  fi
fi

export FORGE_PGPORT=${FORGE_PGPORT:-54339}
trap 'test/cluster.sh stop' EXIT
eval "$(test/cluster.sh start)"

# the psql of the server's major version, whatever else is on PATH
PSQL=$(pg_config --bindir)/psql
[ -x "$PSQL" ] || PSQL=psql

# -X: no ~/.psqlrc; -q: no command tags.  Notices go to stderr, which is
# merged into stdout so that each one stays next to the statement it is
# about.  The tour reads stdin so that notices carry no "psql:file:line:"
# prefix.
"$PSQL" -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION forge' -f test/demo/schema.sql

# forge-listen, installed with forge, prints the tour's events as they are
# committed; its output is shown after the tour.
LISTEN=$(pg_config --bindir)/forge-listen
events=$(mktemp)
"$LISTEN" -v >"$events" 2>"$events.err" &
listener=$!
trap 'kill $listener 2>/dev/null; rm -f "$events" "$events.err"; test/cluster.sh stop' EXIT
for _ in $(seq 100); do   # until it is listening (at most 10 s)
  grep -q 'listening on' "$events.err" && break
  sleep 0.1
done

"$PSQL" -X -q -v ON_ERROR_STOP=1 <test/demo/tour.sql 2>&1

# one event per successful call; wait for the last (at most 10 s)
expected=$(grep -c '^SELECT forge_' test/demo/tour.sql)
for _ in $(seq 100); do
  [ "$(wc -l <"$events")" -ge "$expected" ] && break
  sleep 0.1
done
echo
echo "== forge-listen, started before the tour, printed one line per committed write:"
cat "$events"
