# test/chroot.sh: Debian chroots of the suite that packages a PostgreSQL
# major, sourced by test/matrix.sh and test/citus-chroot.sh (see
# test/matrix.sh's header).  Needs MIRROR set; FORGE_MATRIX_CACHE, if set,
# keeps each chroot's tarball for reuse.

# suite_of N: the Debian suite that packages PostgreSQL N, and whether the
# server comes from experimental.
suite_of() {
  case $1 in
    15) echo bookworm ;;
    17) echo trixie ;;
    18) echo forky ;;
    19) echo sid ;;
    *) return 1 ;;
  esac
}

# make_chroot N DIR [EXTRA]: a chroot of N's suite with everything forge's build,
# packaging and suite need.  The mirror is a dated snapshot, so the newer
# suites' Release files are past Valid-Until (signatures are still checked).
# No package service starts (mmdebstrap's policy-rc.d) and
# postgresql-common creates no default cluster.
make_chroot() {
  local v=$1 dir=$2 extra=${3:-} suite pkgs sources tarball
  suite=$(suite_of "$v")
  pkgs="postgresql-$v,postgresql-server-dev-$v,postgresql-common,libpq-dev,make,gcc,python3,python3-psycopg2,build-essential,debhelper,dpkg-dev,fakeroot,util-linux"
  # pg_buildext: postgresql-common-dev from trixie on, which needs no
  # server headers of its own; before, postgresql-server-dev-all
  if [ "$v" = 15 ]; then
    pkgs="$pkgs,postgresql-server-dev-all"
  else
    pkgs="$pkgs,postgresql-common-dev"
  fi
  [ -n "$extra" ] && pkgs="$pkgs,$extra"
  sources="deb $MIRROR $suite main"
  if [ "$v" = 19 ]; then
    # 19 is only in experimental: install it from there in a hook.
    sources="$sources
deb $MIRROR experimental main"
    pkgs=${pkgs#postgresql-19,postgresql-server-dev-19,}
  fi
  tarball=
  if [ -n "${FORGE_MATRIX_CACHE:-}" ]; then
    mkdir -p "$FORGE_MATRIX_CACHE"
    tarball="$FORGE_MATRIX_CACHE/forge-pg$v-$(printf '%s' "$pkgs$sources" | md5sum | cut -c1-8).tar"
    if [ -f "$tarball" ]; then
      mkdir -p "$dir" && tar -C "$dir" -xf "$tarball" && return 0
    fi
  fi
  local hook19=
  [ "$v" = 19 ] && hook19='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Options::=--force-confold -t experimental postgresql-19 postgresql-server-dev-19'
  mmdebstrap --variant=apt --mode=root --quiet \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='force-confold' \
    --setup-hook='mkdir -p "$1/etc/postgresql-common" && echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.conf"' \
    --include="$pkgs" \
    ${hook19:+--customize-hook="$hook19"} \
    "$suite" "$dir" - <<<"$sources" || return 1
  if [ -n "$tarball" ]; then
    tar -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  fi
}

# in_chroot DIR SCRIPT: run SCRIPT with bash inside DIR, in new PID and
# mount namespaces with their own /proc, /dev and /dev/shm.
in_chroot() {
  local dir=$1 script=$2
  unshare --pid --fork --mount --propagation private -- bash -c '
    set -e
    d=$1
    mount -t proc proc "$d/proc"
    mount --rbind /dev "$d/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$d/dev/shm"
    mount -t tmpfs -o mode=1777 tmpfs "$d/tmp"
    exec chroot "$d" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive bash -c "$2"
  ' _ "$dir" "$script"
}
