#!/usr/bin/env bash
# test/suites/upgrade.sh: ALTER EXTENSION forge UPDATE from 0.1.0 gives the
# same extension as a fresh install of the current version.
#
# Two databases: one runs CREATE EXTENSION forge (the default version), the
# other CREATE EXTENSION forge VERSION '0.1.0' and then ALTER EXTENSION
# forge UPDATE.  Every object that belongs to the extension (pg_depend
# deptype 'e') is described from the catalogs in both, and the descriptions
# must be equal: functions and operators with every attribute that changes
# how they run or who may run them (arguments, result, kind, volatility,
# strictness, SECURITY DEFINER, parallel safety, settings, the C symbol,
# owner, ACL), event triggers (event, tags, function, enabled, owner), types, tables and sequences with their columns, defaults,
# constraints, indexes, triggers, policies, RLS flags, ownership and ACLs,
# and the extension's configuration tables (pg_extension_config_dump).
# An object only one side has, or any attribute that differs, is printed as
# a diff and fails the suite.
#
# Run by test/run with PG* set for the throwaway cluster.
set -euo pipefail
fresh=forge_upgrade_fresh
updated=forge_upgrade_updated
tmp=$(mktemp -d)

fail() {
  echo "upgrade: FAIL: $*" >&2
  exit 1
}

cleanup() {
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres \
    -c "DROP DATABASE IF EXISTS $fresh WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $updated WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cleanup
mkdir -p "$tmp"

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $fresh" \
  -c "CREATE DATABASE $updated" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$fresh" -c "CREATE EXTENSION forge" >/dev/null ||
  fail "CREATE EXTENSION forge"
psql -X -q -v ON_ERROR_STOP=1 -d "$updated" -c "CREATE EXTENSION forge VERSION '0.1.0'" \
  -c "ALTER EXTENSION forge UPDATE" >/dev/null || fail "0.1.0, then ALTER EXTENSION forge UPDATE"

# describe: one line per extension member and per attribute that matters,
# names instead of OIDs (OIDs differ between the databases)
describe() {
  psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
WITH members AS (
  SELECT d.classid, d.objid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
   WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.deptype = 'e' AND e.extname = 'forge'
)
SELECT 'extension ' || extname || ' ' || extversion || ' schema ' || extnamespace::regnamespace
       || ' relocatable ' || extrelocatable
       || ' config ' || coalesce((SELECT string_agg(c::regclass::text, ',' ORDER BY c::regclass::text)
                                    FROM unnest(extconfig) c), '-')
       || ' conditions ' || coalesce(array_to_string(extcondition, ','), '-')
  FROM pg_catalog.pg_extension WHERE extname = 'forge'
UNION ALL
SELECT 'function ' || p.oid::regprocedure
       || ' returns ' || pg_catalog.pg_get_function_result(p.oid)
       || ' kind ' || p.prokind::text || ' volatile ' || p.provolatile::text || ' strict ' || p.proisstrict
       || ' secdef ' || p.prosecdef || ' leakproof ' || p.proleakproof
       || ' parallel ' || p.proparallel::text || ' cost ' || p.procost || ' rows ' || p.prorows
       || ' lang ' || l.lanname || ' owner ' || p.proowner::regrole
       || ' config ' || coalesce(array_to_string(p.proconfig, ','), '-')
       || ' acl ' || coalesce(p.proacl::text, '-')
       || ' src ' || md5(p.prosrc) || ' bin ' || coalesce(p.probin, '-')
  FROM members m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
UNION ALL
SELECT 'operator ' || o.oid::regoperator || ' function ' || o.oprcode::regprocedure
       || ' returns ' || o.oprresult::regtype || ' owner ' || o.oprowner::regrole
  FROM members m JOIN pg_catalog.pg_operator o ON o.oid = m.objid
 WHERE m.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass
UNION ALL
SELECT 'type ' || t.oid::regtype || ' type ' || t.typtype::text || ' owner ' || t.typowner::regrole
       || ' acl ' || coalesce(t.typacl::text, '-')
  FROM members m JOIN pg_catalog.pg_type t ON t.oid = m.objid
 WHERE m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' kind ' || c.relkind::text || ' owner ' || c.relowner::regrole
       || ' rls ' || c.relrowsecurity || ' force ' || c.relforcerowsecurity
       || ' persistence ' || c.relpersistence::text || ' acl ' || coalesce(c.relacl::text, '-')
       || ' options ' || coalesce(array_to_string(c.reloptions, ','), '-')
  FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.objid
 WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
UNION ALL
SELECT 'column ' || c.oid::regclass || '.' || a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
       || ' notnull ' || a.attnotnull || ' identity ' || a.attidentity::text || ' generated ' || a.attgenerated::text
       || ' default ' || coalesce(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '-')
       || ' collation ' || coalesce(nullif(a.attcollation, 0)::regcollation::text, '-')
       || ' acl ' || coalesce(a.attacl::text, '-')
  FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.objid
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
 WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
UNION ALL
SELECT 'constraint ' || c.oid::regclass || ' ' || k.conname || ' ' || pg_catalog.pg_get_constraintdef(k.oid)
  FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.objid
  JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid
 WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
UNION ALL
SELECT 'index ' || c.oid::regclass || ' ' || pg_catalog.pg_get_indexdef(i.indexrelid)
  FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.objid
  JOIN pg_catalog.pg_index i ON i.indrelid = c.oid
 WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
UNION ALL
SELECT 'trigger ' || c.oid::regclass || ' ' || pg_catalog.pg_get_triggerdef(g.oid) || ' enabled ' || g.tgenabled::text
  FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.objid
  JOIN pg_catalog.pg_trigger g ON g.tgrelid = c.oid AND NOT g.tgisinternal
 WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
UNION ALL
SELECT 'policy ' || c.oid::regclass || ' ' || p.polname || ' ' || p.polcmd::text || ' ' || p.polpermissive
       || ' roles ' || p.polroles::regrole[]::text
       || ' using ' || coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '-')
       || ' check ' || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '-')
  FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.objid
  JOIN pg_catalog.pg_policy p ON p.polrelid = c.oid
 WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
UNION ALL
SELECT 'event_trigger ' || e.evtname || ' on ' || e.evtevent || ' tags ' || coalesce(e.evttags::text, '-')
       || ' function ' || e.evtfoid::regprocedure || ' enabled ' || e.evtenabled::text
       || ' owner ' || e.evtowner::regrole
  FROM members m JOIN pg_catalog.pg_event_trigger e ON e.oid = m.objid
 WHERE m.classid = 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
UNION ALL
SELECT 'member of another kind ' || pg_catalog.pg_describe_object(m.classid, m.objid, 0)
  FROM members m
 WHERE m.classid NOT IN ('pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_operator'::pg_catalog.regclass,
                         'pg_catalog.pg_type'::pg_catalog.regclass, 'pg_catalog.pg_class'::pg_catalog.regclass,
                         'pg_catalog.pg_event_trigger'::pg_catalog.regclass)
ORDER BY 1
SQL
}

describe "$fresh" >"$tmp/fresh" || fail "could not describe $fresh"
describe "$updated" >"$tmp/updated" || fail "could not describe $updated"

# the description must see the objects it compares, or equality says nothing
for kind in extension function operator relation column index trigger event_trigger; do
  grep -q "^$kind " "$tmp/fresh" || fail "the fresh install has no $kind: the description is broken"
done
if ! diff -u "$tmp/fresh" "$tmp/updated" >"$tmp/diff"; then
  cat "$tmp/diff"
  fail "0.1.0 updated to $(grep -o '^extension forge [^ ]*' "$tmp/fresh" | cut -d' ' -f3) differs from a fresh install (- fresh, + updated)"
fi
echo "upgrade: ok: 0.1.0 updated is a fresh $(grep -o '^extension forge [^ ]*' "$tmp/fresh" | cut -d' ' -f3):" \
     "$(wc -l <"$tmp/fresh") lines equal ($(grep -c '^function ' "$tmp/fresh") functions," \
     "$(grep -c '^operator ' "$tmp/fresh") operators, $(grep -c '^relation ' "$tmp/fresh") relations," \
     "$(grep -c '^column ' "$tmp/fresh") columns, $(grep -c '^trigger ' "$tmp/fresh") triggers," \
     "$(grep -c '^event_trigger ' "$tmp/fresh") event triggers)"
