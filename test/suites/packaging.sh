#!/usr/bin/env bash
# test/suites/packaging.sh: the packaging files agree with the extension.
#
# META.json (PGXN) parses, follows the parts of the PGXN meta spec that
# PGXN checks, and names the version in forge.control's default_version;
# debian/changelog's upstream version is the same; every file the Makefile's
# DATA installs exists, and the update scripts chain from the first
# released version to default_version (ALTER EXTENSION forge UPDATE can
# reach it from any released version).  Needs python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
fail() { echo "packaging: $*"; exit 1; }

control=$(sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" forge.control)
[ -n "$control" ] || fail "forge.control has no default_version"

python3 - "$control" <<'PY' || fail "META.json is wrong"
import json, sys
control = sys.argv[1]
m = json.load(open("META.json"))
for k in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
    assert k in m, "META.json lacks %s" % k
assert m["name"] == "forge", m["name"]
assert m["version"] == control, "META.json version %s, forge.control %s" % (m["version"], control)
p = m["provides"]["forge"]
assert p["version"] == control, "provides.forge.version %s" % p["version"]
open(p["file"]).close()
open(p["docfile"]).close()
assert m["meta-spec"]["version"] == "1.0.0"
pg = m["prereqs"]["runtime"]["requires"]["PostgreSQL"]
assert pg.startswith("15."), "oldest PostgreSQL %s, README says 15" % pg
PY

deb=$(sed -nE '1s/^forge \(([^-)]+)(-[^)]*)?\).*/\1/p' debian/changelog)
[ "$deb" = "$control" ] || fail "debian/changelog says $deb, forge.control $control"

data=$(sed -nE 's/^DATA *= *(.*)/\1/p' Makefile)
for f in $data; do [ -f "$f" ] || fail "DATA names $f, which does not exist"; done

# the update chain: from forge--FIRST.sql through forge--A--B.sql to control
v=$(ls forge--*.sql | sed -nE 's/^forge--([0-9.]+)\.sql$/\1/p' | sort -V | head -1)
[ -n "$v" ] || fail "no install script"
while [ "$v" != "$control" ]; do
  next=$(ls forge--"$v"--*.sql 2>/dev/null | sed -nE "s/^forge--$v--([0-9.]+)\.sql$/\1/p" | head -1)
  [ -n "$next" ] || fail "no update script from $v towards $control"
  echo "$data" | grep -qw "forge--$v--$next.sql" || fail "forge--$v--$next.sql is not in DATA"
  v=$next
done
echo "packaging: META.json, debian/changelog and the scripts agree on $control"
