#!/usr/bin/env bash
# test/suites/prisma_relations.sh: tools/prisma-relations declares a Prisma
# schema's relation names, and forge's nested writes by those names do what
# Prisma 7's do.
#
# test/prisma/schema.prisma has every kind of relation a Prisma schema
# names: one-to-many (two between the same models, one with map:), one-to-
# one (on a @@map'ed model and a @map'ed column), a self one-to-many, an
# implicit many-to-many (_PostToTag), a named one (_PostCategories, whose
# "A" is Category) and a self one (_Follows).  test/prisma/tables.sql holds
# the tables Prisma Migrate makes for it.  The suite
#   1. runs the tool on the schema: its output must be
#      test/prisma/relations.sql;
#   2. applies the tables and that SQL to a new database, and checks that
#      forge_relations shows Prisma's field names on every side;
#   3. runs test/prisma/writes.json (creates, updates, an upsert, a delete,
#      nested through every relation by its Prisma name) through forge, and
#      compares each returned row and then every table with what the real
#      Prisma 7.10.1 client returned and left for the same calls on the same
#      tables (test/prisma/writes.prisma7.out and tables.prisma7.out,
#      recorded with test/prisma/prisma-run.ts).  Keys are compared as
#      Prisma names them: forge names the @map'ed column by its database
#      name, user_id, where Prisma says userId.
#
# Run by test/run with PG* set for the throwaway cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
db=forge_prisma_relations
tmp=$(mktemp -d)

fail() {
  echo "prisma_relations: FAIL: $*" >&2
  exit 1
}
cleanup() {
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cleanup
mkdir -p "$tmp"

# 1. the tool's output
tools/prisma-relations test/prisma/schema.prisma >"$tmp/relations.sql" 2>"$tmp/tool.err" ||
  fail "tools/prisma-relations failed: $(cat "$tmp/tool.err")"
[ ! -s "$tmp/tool.err" ] || fail "tools/prisma-relations warned: $(cat "$tmp/tool.err")"
diff -u test/prisma/relations.sql "$tmp/relations.sql" ||
  fail "tools/prisma-relations printed other SQL than test/prisma/relations.sql"

# 2. the names in forge_relations
psql -X -q -d postgres -c "CREATE DATABASE $db" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION forge" \
  -f test/prisma/tables.sql -f "$tmp/relations.sql" >/dev/null || fail "could not set up $db"
names=$(psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "
  SELECT string_agg(m || '.' || r.name, ' ' ORDER BY m, r.name)
    FROM unnest(ARRAY['\"User\"', 'profiles', '\"Post\"', '\"Tag\"', '\"Category\"']) m,
         forge_relations(m::regclass) r
   WHERE r.declared_name IS NOT NULL AND r.name = r.declared_name")
want='"Category".posts "Post".author "Post".categories "Post".editor "Post".tags "Tag".posts "User".edited "User".followedBy "User".following "User".invited "User".invitedBy "User".posts "User".profile profiles.user'
[ "$names" = "$want" ] || fail "forge_relations names: $names; expected: $want"

# 3. the writes, compared with Prisma 7's
python3 - "$db" test/prisma/writes.json test/prisma/writes.prisma7.out <<'PY' || fail "forge and Prisma 7 returned different rows"
import json, subprocess, sys
db, writes, expected = sys.argv[1:]
fns = {"create": "forge_create", "update": "forge_update", "upsert": "forge_upsert", "delete": "forge_delete"}

def prisma_keys(x):
    if isinstance(x, dict):
        return {("userId" if k == "user_id" else k): prisma_keys(v) for k, v in x.items()}
    if isinstance(x, list):
        return [prisma_keys(v) for v in x]
    return x

ok = True
want = [json.loads(l) for l in open(expected)]
for i, ((model, verb, table, args), prisma) in enumerate(zip(json.load(open(writes)), want)):
    r = subprocess.run(["psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-d", db,
                        "-v", "t=" + table, "-v", "a=" + json.dumps(args)],
                       input="SELECT %s(:'t'::regclass, :'a'::jsonb);" % fns[verb],
                       capture_output=True, text=True)
    got = prisma_keys(json.loads(r.stdout)) if r.returncode == 0 else {"error": r.stderr.strip()}
    if got != prisma:
        ok = False
        print("write %d (prisma.%s.%s) differs:\n  forge:  %s\n  prisma: %s"
              % (i + 1, model, verb, json.dumps(got, sort_keys=True), json.dumps(prisma, sort_keys=True)))
print("prisma_relations: %d writes return what Prisma 7 returned" % len(want) if ok else "")
sys.exit(0 if ok else 1)
PY
for t in User profiles Post Tag Category _Follows _PostToTag _PostCategories; do
  psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c "SELECT '$t', * FROM \"$t\" ORDER BY 2, 3"
done >"$tmp/tables.out"
diff -u test/prisma/tables.prisma7.out "$tmp/tables.out" ||
  fail "the tables differ from those Prisma 7 left (- Prisma 7, + forge)"
echo "prisma_relations: ok: the tool's names, forge_relations, and $(wc -l <test/prisma/tables.prisma7.out) rows in 8 tables as Prisma 7 left them"
