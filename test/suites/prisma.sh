#!/usr/bin/env bash
# test/suites/prisma.sh: the differential test against the real Prisma 7
# client (test/prisma/run.sh), on test/run's cluster.  It needs Node.js and
# the npm registry, which the host has and test/matrix.sh's chroots do not:
# against an installed package in a chroot (FORGE_INSTALLED=1) without node
# it exits 77, which test/run reports as not run and counts neither way.
# On the host a missing node or npm failure fails it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${FORGE_INSTALLED:-0}" = 1 ] && ! command -v node >/dev/null; then
  echo "prisma: no Node.js here (a test/matrix.sh chroot); it runs on the host"
  exit 77
fi
"$here/../prisma/run.sh"
