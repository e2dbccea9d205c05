#!/usr/bin/env bash
# test/prisma/run.sh [SCENARIO]: forge against the real Prisma 7 client.
#
# Installs the pinned client (package-lock.json: npm ci, from the npm
# registry) once, generates it from prisma/schema.prisma, creates two
# databases on the cluster that PGHOST/PGPORT name (prisma_side and
# forge_side, dropped first) with schema.sql's tables (forge_side also
# with the relation names tools/prisma-relations declares), runs diff.ts,
# which sends each scenario's writes through Prisma to one and through
# forge to the other and compares results, errors and tables.  Prisma's
# schema engine cannot be downloaded here, so `prisma generate` is pointed
# at a stand-in (generate does not use it) and the tables come from SQL.
# Needs Node.js 20.19 or later.  Ends with "prisma-diff: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

command -v node >/dev/null || { echo "prisma-diff: node is not installed"; exit 1; }
if [ ! -f node_modules/.package-lock.json ] ||
   ! cmp -s package-lock.json node_modules/.forge-lock; then
  # one retry: a registry hiccup is not a forge failure
  npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1 ||
    { sleep 10; npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1; } ||
    { cat npm.log; exit 1; }
  cp package-lock.json node_modules/.forge-lock
fi
stub=$(mktemp); chmod +x "$stub"
trap 'rm -f "$stub"' EXIT
PRISMA_SCHEMA_ENGINE_BINARY=$stub PRISMA_HIDE_UPDATE_MESSAGE=1 \
  DATABASE_URL="postgresql://postgres@localhost/postgres" \
  npx --no-install prisma generate >generate.log 2>&1 || { cat generate.log; exit 1; }

for db in prisma_side forge_side; do
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f schema.sql
done
psql -X -q -v ON_ERROR_STOP=1 -d forge_side -c "CREATE EXTENSION forge"
# the relation names of the Prisma schema, as a Prisma user declares them
../../tools/prisma-relations prisma/schema.prisma | psql -X -q -v ON_ERROR_STOP=1 -d forge_side
npx --no-install tsx diff.ts "$@"
