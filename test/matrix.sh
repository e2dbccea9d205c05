#!/usr/bin/env bash
# test/matrix.sh [VERSION ...]: forge's whole suite on each PostgreSQL major.
#
# Each major runs in a throwaway Debian chroot of the suite that packages it
# (15: bookworm, 17: trixie, 18: forky, 19: sid with postgresql-19 from
# experimental), built by mmdebstrap from Debian's mirror, so headers,
# server, psql, pg_regress and isolationtester all come from one Debian
# build; the newer suites' binaries need a newer glibc than the host's, which
# is why they cannot run on the host.  In each chroot the script
#   1. builds forge from this tree with -Wall -Wextra -Werror (the compile
#      check), then cleans;
#   2. builds the Debian package postgresql-N-forge from debian/ with
#      pg_buildext (as Debian and the PostgreSQL apt repository build
#      extensions) and installs it with apt;
#   3. runs test/run against the installed package (FORGE_INSTALLED=1: no
#      make install), which starts its own throwaway cluster in the chroot.
# Each version runs in its own PID and mount namespaces, so a run that is
# killed leaves no server and no mount behind; its chroot is removed at the
# end.  Prints one line per version ("matrix: PostgreSQL N ... ok (P passed,
# F failed)") and ends with "N passed, N failed" over all versions; exits
# non-zero if any version failed.  PostgreSQL 16 is not tested: no suite
# reachable here packages its server headers (compat.h keeps it compiling).
#   VERSION               15, 17, 18 or 19 (default: 17 18 19)
#   FORGE_MATRIX_DIR      where chroots go (default /var/tmp/forge-matrix)
#   FORGE_MATRIX_CACHE    a directory to keep each chroot's tarball in and
#                         reuse (development only; CI builds afresh)
#   FORGE_MATRIX_KEEP=1   keep the chroot after the run (to look inside)
#   FORGE_MIRROR          Debian mirror (default http://deb.debian.org/debian)
# Needs root; installs mmdebstrap if it is missing.  About 3 to 4 minutes per
# version on a 2-core machine.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ "$(id -u)" = 0 ] || { echo "matrix: must run as root (mmdebstrap, chroot, unshare)"; exit 2; }

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(17 18 19)
BASE=${FORGE_MATRIX_DIR:-/var/tmp/forge-matrix}
MIRROR=${FORGE_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$BASE"

if ! command -v mmdebstrap >/dev/null; then
  echo "matrix: installing mmdebstrap" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null ||
    { echo "matrix: could not install mmdebstrap"; echo "0 passed, 1 failed"; exit 1; }
fi

# suite_of, make_chroot, in_chroot (test/citus-chroot.sh uses them too)
. test/chroot.sh

# The script each chroot runs; $V is the major.  /src is a copy of this tree
# (tracked files plus uncommitted changes, no build products).
read -r -d '' INNER <<'EOS'
set -uo pipefail
V=__V__
cd /src
echo "== PostgreSQL $V: $(/usr/lib/postgresql/$V/bin/postgres --version)"
export PG_CONFIG=/usr/lib/postgresql/$V/bin/pg_config
# 1. the compile check
if ! make PG_CONFIG=$PG_CONFIG PG_CFLAGS="-Wall -Wextra -Werror" >/tmp/build.log 2>&1; then
  cat /tmp/build.log; echo "build failed on $V"; echo "0 passed, 1 failed"; exit 1
fi
make PG_CONFIG=$PG_CONFIG clean >/dev/null
# 2. the Debian package, built for this major only, then installed
cp -a /src /build
cd /build
export PG_SUPPORTED_VERSIONS=$V
if ! { pg_buildext updatecontrol && dpkg-buildpackage -us -uc -b; } >/tmp/deb.log 2>&1; then
  tail -40 /tmp/deb.log; echo "package build failed on $V"; echo "0 passed, 1 failed"; exit 1
fi
deb=$(ls /postgresql-$V-forge_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "no postgresql-$V-forge package"; ls /; echo "0 passed, 1 failed"; exit 1; }
if ! apt-get install -y -q "$deb" >/tmp/install.log 2>&1; then
  cat /tmp/install.log; echo "0 passed, 1 failed"; exit 1
fi
echo "installed $(dpkg-query -W -f='${Package} ${Version}' postgresql-$V-forge)"
dpkg -L postgresql-$V-forge | grep -E 'forge\.(so|control)$|forge-listen$'
# 3. the suite against the installed package
cd /src
FORGE_PGVER=$V FORGE_INSTALLED=1 test/run
EOS

total_p=0
total_f=0
summary=()
for v in "${versions[@]}"; do
  if ! suite_of "$v" >/dev/null; then
    summary+=("matrix: PostgreSQL $v ... FAILED (not a tested version: 15, 17, 18, 19)")
    total_f=$((total_f + 1)); continue
  fi
  dir="$BASE/pg$v.$$"
  log="$ROOT/matrix-$v.log"
  echo "matrix: PostgreSQL $v: building the $(suite_of "$v") chroot" >&2
  start=$SECONDS
  rm -rf "$dir"
  if ! make_chroot "$v" "$dir" >"$log" 2>&1; then
    cat "$log"
    summary+=("matrix: PostgreSQL $v ... FAILED (could not build the chroot)")
    total_f=$((total_f + 1)); rm -rf "$dir"; continue
  fi
  # the tree as it is: tracked and untracked files git would commit
  mkdir -p "$dir/src"
  git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$dir/src" -xf -
  echo "matrix: PostgreSQL $v: running the suite" >&2
  in_chroot "$dir" "${INNER//__V__/$v}" >>"$log" 2>&1
  rc=$?
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  p=$(echo "$last" | sed -nE 's/^([0-9]+) passed.*/\1/p'); p=${p:-0}
  f=$(echo "$last" | sed -nE 's/.* ([0-9]+) failed.*/\1/p'); f=${f:-0}
  if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
  total_p=$((total_p + p)); total_f=$((total_f + f))
  secs=$((SECONDS - start))
  if [ $rc -eq 0 ]; then
    summary+=("matrix: PostgreSQL $v ... ok ($p passed, $f failed, ${secs}s)")
  else
    echo "=== matrix: PostgreSQL $v log"; cat "$log"
    summary+=("matrix: PostgreSQL $v ... FAILED ($p passed, $f failed, ${secs}s; log: matrix-$v.log)")
  fi
  [ "${FORGE_MATRIX_KEEP:-0}" = 1 ] || rm -rf "$dir"
done

printf '%s\n' "${summary[@]}"
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
