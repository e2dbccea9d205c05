#!/usr/bin/env bash
# test/citus-chroot.sh CITUS_TARBALL PGMAJOR: test/citus.sh for a major this
# host does not run (17, 18), in a Debian chroot of test/matrix.sh's
# (test/chroot.sh) with Citus's build dependencies added: copies this tree
# and the tarball in, runs test/citus.sh there (natively for that major),
# and prints its result.  test/citus.sh calls this; run it as root.
#   FORGE_CITUS_CHROOT   the chroot's directory (default
#                        /var/tmp/forge-citus-chroot/pgN); with
#                        FORGE_CITUS_KEEP=1 it is kept, and reused with
#                        the Citus build in it
#   FORGE_MATRIX_CACHE, FORGE_MIRROR   as for test/matrix.sh
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARBALL=$1
V=$2
MIRROR=${FORGE_MIRROR:-http://deb.debian.org/debian}
. test/chroot.sh

suite_of "$V" >/dev/null && [ "$V" != 15 ] ||
  { echo "citus: PostgreSQL $V: not a major test/citus.sh can run (15 natively; 17, 18 in a chroot)"; echo "0 passed, 1 failed"; exit 2; }
if ! command -v mmdebstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null ||
    { echo "citus: could not install mmdebstrap"; echo "0 passed, 1 failed"; exit 1; }
fi
dir=${FORGE_CITUS_CHROOT:-/var/tmp/forge-citus-chroot/pg$V}
if [ ! -x "$dir/usr/lib/postgresql/$V/bin/pg_config" ]; then
  echo "citus: building the $(suite_of "$V") chroot in $dir" >&2
  rm -rf "$dir"; mkdir -p "$dir"
  make_chroot "$V" "$dir" "liblz4-dev,libzstd-dev,libkrb5-dev,libcurl4-openssl-dev,libssl-dev,libselinux1-dev,libxslt1-dev,libpam0g-dev,libreadline-dev,libicu-dev,zlib1g-dev,perl,postgresql-contrib-$V" \
    >/tmp/forge-citus-chroot-$V.log 2>&1 ||
    { tail -30 /tmp/forge-citus-chroot-$V.log; echo "citus: could not build the chroot"; echo "0 passed, 1 failed"; exit 1; }
fi
# the tree as it is (tracked and untracked files git would commit), and the tarball
rm -rf "$dir/src" && mkdir -p "$dir/src"
git ls-files -z --cached --others --exclude-standard |
  tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$dir/src" -xf -
cp "$TARBALL" "$dir/citus.tar.gz"
in_chroot "$dir" "cd /src && FORGE_CITUS_BENCH=${FORGE_CITUS_BENCH:-0} FORGE_CITUS_KEEP=${FORGE_CITUS_KEEP:-0} test/citus.sh /citus.tar.gz $V"
rc=$?
[ "${FORGE_CITUS_KEEP:-0}" = 1 ] || rm -rf "$dir"
exit $rc
