#!/usr/bin/env bash
# test/bench/compare.sh BASE [HEAD]: is any forge verb slower than it was?
#
# Builds forge at git revision BASE and at HEAD (default: the work tree as
# it is), installs each in turn into the PostgreSQL that pg_config names, and
# runs the same benchmark (this tree's test/bench/run.sh and scripts, with
# the environment given to this script: BENCH_ROUNDS, BENCH_VERBS, ...)
# against each.  Each run measures forge against the hand-written statement
# in back-to-back rounds, so its ratios do not depend on how fast the machine
# was during that run; this script then prints, per verb, the ratio before,
# the ratio after and the change, on the CPU ratio (the headline) and on the
# tps ratio.  A verb whose CPU ratio fell by more than 3% is SLOWER.  Exit
# status 0; BENCH_STRICT=1 makes a SLOWER verb exit 3.
#
# It installs: run it on a machine nothing else is using, and when it is
# done, install the build you want (make install).  The two full runs take
# twice what run.sh takes (about 15 minutes with the defaults).
set -Eeuo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BASE=${1:?usage: test/bench/compare.sh BASE [HEAD]}
HEAD=${2:-}
PG_CONFIG=${PG_CONFIG:-pg_config}
OUT=$(mktemp -d /tmp/forge-compare.XXXXXX)
# shellcheck source=test/bench/install_rev.sh
. test/bench/install_rev.sh
trap install_rev_cleanup EXIT

# ratios FILE: "verb cpu tps" per row of run.sh's table
ratios() {
  awk -F'|' '/^\| [a-z_]+ +\| +[0-9]+ \|/ {
    gsub(/[ x]/, "", $2); gsub(/[ x]/, "", $6); gsub(/[ x]/, "", $8)
    print $2, $6, $8 }' "$1"
}

echo "compare.sh: before = $(git rev-parse --short "$BASE"), after = ${HEAD:-the work tree}" >&2
install_rev "$BASE" "$OUT"
test/bench/run.sh >"$OUT/before.txt"
install_rev "$HEAD" "$OUT"
test/bench/run.sh >"$OUT/after.txt"

slower=0
echo "forge benchmark, before and after: $(git rev-parse --short "$BASE") against ${HEAD:-$(git rev-parse --short HEAD) + work tree}"
echo "command:  ${BENCH_VERBS:+BENCH_VERBS=\"$BENCH_VERBS\" }${BENCH_ROUNDS:+BENCH_ROUNDS=$BENCH_ROUNDS }test/bench/compare.sh $BASE $HEAD"
grep -E '^(load|machine):' "$OUT/after.txt"
echo
echo "| verb               | cpu before | cpu after | change  | tps before | tps after | change  | result |"
echo "|--------------------|------------|-----------|---------|------------|-----------|---------|--------|"
while read -r verb cb tb; do
  read -r _ ca ta < <(ratios "$OUT/after.txt" | awk -v v="$verb" '$1 == v')
  [ -n "${ca:-}" ] || continue
  cc=$(awk -v a="$ca" -v b="$cb" 'BEGIN { if (b + 0 > 0) printf "%+.1f%%", (a / b - 1) * 100; else print "nan" }')
  tc=$(awk -v a="$ta" -v b="$tb" 'BEGIN { if (b + 0 > 0) printf "%+.1f%%", (a / b - 1) * 100; else print "nan" }')
  if awk -v a="$ca" -v b="$cb" 'BEGIN { exit !(b + 0 > 0 && a / b < 0.97) }'; then res=SLOWER; slower=1; else res=ok; fi
  printf '| %-18s | %9sx | %8sx | %7s | %9sx | %8sx | %7s | %-6s |\n' "$verb" "$cb" "$ca" "$cc" "$tb" "$ta" "$tc" "$res"
done < <(ratios "$OUT/before.txt")
echo
echo "cpu = run.sh's cpu ratio (hand us / forge us; the headline), tps = its tps ratio (forge / hand), each the"
echo "median of back-to-back rounds; change = after / before - 1.  SLOWER: the cpu ratio fell by more than 3%."
echo "the two runs in full: $OUT/before.txt, $OUT/after.txt"
if [ $slower = 1 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then exit 3; fi
exit 0
