#!/usr/bin/env bash
# test/deps.sh: install what building and testing forge needs, if missing.
# Debian 12 with PostgreSQL 15; run as root (apt-get).
set -euo pipefail

PGVER=${FORGE_PGVER:-15}
need=()
for pkg in "postgresql-$PGVER" "postgresql-server-dev-$PGVER" libpq-dev make gcc python3 python3-psycopg2; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
