#!/usr/bin/env bash
# test/cluster.sh start|stop|restart|env: a throwaway PostgreSQL cluster.
#
# The cluster runs as the postgres OS user (PostgreSQL refuses root), in a
# directory of its own under /tmp, on a private socket directory and port;
# the system's cluster is never touched.  "start" prints the environment
# (PGHOST, PGPORT, PGUSER) to use it; "stop" removes it.
#   FORGE_PGPORT   port (default 54329)
#   FORGE_CLUSTER  directory (default /tmp/forge-cluster-$FORGE_PGPORT)
#   FORGE_PGCONF   extra postgresql.conf lines
set -euo pipefail

PGVER=${FORGE_PGVER:-15}
BIN=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/$PGVER/bin)
[ -x "$BIN/initdb" ] || BIN=/usr/lib/postgresql/$PGVER/bin
PORT=${FORGE_PGPORT:-54329}
DIR=${FORGE_CLUSTER:-/tmp/forge-cluster-$PORT}
AS="runuser -u postgres --"
[ "$(id -u)" = 0 ] || AS=""

env_lines() {
  echo "export PGHOST=$DIR/sock PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres"
}

start() {
  stop_quiet
  mkdir -p "$DIR"
  [ -n "$AS" ] && chown postgres:postgres "$DIR"
  $AS "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  $AS mkdir -p "$DIR/sock"
  cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$DIR/sock'
fsync = off
full_page_writes = off
max_connections = 60
log_min_messages = warning
log_line_prefix = '%m [%p] '
CONF
  if [ -n "${FORGE_PGCONF:-}" ]; then printf '%s\n' "$FORGE_PGCONF" >>"$DIR/data/postgresql.conf"; fi
  $AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null \
    || { cat "$DIR/server.log" >&2; exit 1; }
  env_lines
}

stop_quiet() {
  if [ -f "$DIR/data/postmaster.pid" ]; then
    $AS "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop_quiet ;;
  restart) $AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -m "${2:-fast}" restart >/dev/null ;;
  env) env_lines ;;
  log) cat "$DIR/server.log" ;;
  *) echo "usage: $0 start|stop|restart [mode]|env|log" >&2; exit 2 ;;
esac
