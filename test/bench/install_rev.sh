# test/bench/install_rev.sh: sourced by compare.sh and instructions.sh.
#
# install_rev REV DIR: build forge's module at git revision REV (empty: the
# work tree) in a temporary worktree under DIR and install it and its
# scripts into the PostgreSQL that pg_config (PG_CONFIG) names.  Only the
# module, so that an old revision's client and its build dependencies do
# not matter.  install_rev_cleanup removes the worktrees.
INSTALL_REV_TREES=()

install_rev() {
  local rev=$1 out=$2 dir=$ROOT pgc=${PG_CONFIG:-pg_config} lib share
  if [ -n "$rev" ]; then
    dir=$out/tree-$(git -C "$ROOT" rev-parse --short "$rev")
    git -C "$ROOT" worktree add --detach "$dir" "$rev" >/dev/null 2>&1
    INSTALL_REV_TREES+=("$dir")
  fi
  make -C "$dir" clean >/dev/null
  make -C "$dir" PG_CONFIG="$pgc" forge.so >"$out/build.log" 2>&1 ||
    { cat "$out/build.log" >&2; echo "install_rev: building $rev failed" >&2; return 1; }
  lib=$("$pgc" --pkglibdir) share=$("$pgc" --sharedir)/extension
  rm -f "$share"/forge.control "$share"/forge--*.sql
  install -m 755 "$dir/forge.so" "$lib/forge.so"
  install -m 644 "$dir/forge.control" "$dir"/forge--*.sql "$share/"
}

install_rev_cleanup() {
  local w
  for w in "${INSTALL_REV_TREES[@]}"; do
    git -C "$ROOT" worktree remove --force "$w" 2>/dev/null || true
  done
  INSTALL_REV_TREES=()
}
