#!/usr/bin/env bash
# test/suites/dump.sh: forge's events survive pg_dump and restore, and the
# update from 0.1.0.
#
# A database with outbox-enabled tables (one whose name needs quoting) and
# recorded events is dumped with pg_dump and restored into a new database
# with psql.  Then: forge_outbox holds the same events with the same ids
# (forge_outbox_guard lets the restoring superuser load them, as it lets
# the table's owner), the guard is there again and still refuses a writer,
# the id sequence goes on from where it was, and forge_model_channel() gives
# every table the same channel as before (names, not OIDs, which change),
# and relation names declared in foreign keys' comments are the same and
# address the relations of a nested write.
# And a database created with forge 0.1.0, holding an event, updates to
# 0.2.0 with ALTER EXTENSION: the event stays, the guard comes, forge goes
# on recording, and a COMMENT declaring a relation name reaches forge.
#
# Run by test/run with PG* set for the throwaway cluster.
set -euo pipefail
src=forge_dump_src
dst=forge_dump_dst
custom=forge_dump_custom
old=forge_dump_old
tmp=$(mktemp -d)

fail() {
  echo "dump: FAIL: $*" >&2
  exit 1
}

cleanup() {
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres \
    -c "DROP DATABASE IF EXISTS $src WITH (FORCE)" -c "DROP DATABASE IF EXISTS $dst WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $custom WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $old WITH (FORCE)" \
    -c "DROP ROLE IF EXISTS regress_forge_dump_writer" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cleanup
mkdir -p "$tmp"

q() {
  psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2" || fail "psql $1: $2"
}

psql -X -q -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" \
  -c "CREATE ROLE regress_forge_dump_writer" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$src" >/dev/null <<'SQL' || fail "could not set up $src"
CREATE EXTENSION forge;
CREATE TABLE items (id int PRIMARY KEY, name text);
CREATE SCHEMA "Odd.Schema";
CREATE TABLE "Odd.Schema"."Table ✓" (id numeric(20,0) PRIMARY KEY);
SELECT forge_outbox_enable('items', true);
SELECT forge_outbox_enable('"Odd.Schema"."Table ✓"');
SELECT forge_create('items', '{"data": {"id": 1, "name": "a"}}');
SELECT forge_update('items', '{"where": {"id": 1}, "data": {"name": "b"}}');
SELECT forge_create('"Odd.Schema"."Table ✓"', '{"data": {"id": 18446744073709551615}}');
CREATE TABLE "User" (id int PRIMARY KEY);
CREATE TABLE "Post" (id int PRIMARY KEY, "authorId" int CONSTRAINT "Post_authorId_fkey" REFERENCES "User");
CREATE TABLE "Tag" (id int PRIMARY KEY);
CREATE TABLE "_PostToTag" ("A" int CONSTRAINT "_PostToTag_A_fkey" REFERENCES "Post",
                           "B" int CONSTRAINT "_PostToTag_B_fkey" REFERENCES "Tag", PRIMARY KEY ("A", "B"));
COMMENT ON CONSTRAINT "Post_authorId_fkey" ON "Post" IS E'@fieldName author\n@foreignFieldName posts';
COMMENT ON CONSTRAINT "_PostToTag_A_fkey" ON "_PostToTag" IS '@manyToManyFieldName posts';
COMMENT ON CONSTRAINT "_PostToTag_B_fkey" ON "_PostToTag" IS '@manyToManyFieldName tags';
SQL

names="SELECT string_agg(m || '.' || r.name, ' ' ORDER BY m, r.name)
         FROM unnest(ARRAY['\"User\"', '\"Post\"', '\"Tag\"']) m, forge_relations(m::regclass) r
        WHERE r.declared_name IS NOT NULL"
channels="SELECT string_agg(forge_model_channel(t) || ' ' || forge_model_channel(t, repeat('c', 62)), ' | ')
            FROM unnest(ARRAY['items', '\"Odd.Schema\".\"Table ✓\"']::regclass[]) t"
events="SELECT string_agg(id || ' ' || model || ' ' || event::text, E'\n' ORDER BY id) FROM forge_outbox"
q "$src" "$channels" >"$tmp/channels.before"
q "$src" "$events" >"$tmp/events.before"
[ "$(wc -l <"$tmp/events.before")" = 3 ] || fail "expected 3 events in $src"

pg_dump -d "$src" >"$tmp/dump.sql" || fail "pg_dump failed"
psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -f "$tmp/dump.sql" >"$tmp/restore.log" 2>&1 ||
  fail "restore failed: $(tail -n 5 "$tmp/restore.log")"

[ "$(q "$src" "$names")" = '"Post".author "Post".tags "Tag".posts "User".posts' ] ||
  fail "$src: relation names before the dump: $(q "$src" "$names")"
[ "$(q "$dst" "$names")" = "$(q "$src" "$names")" ] ||
  fail "relation names changed by dump and restore: $(q "$dst" "$names")"
# and through pg_dump's custom format and pg_restore
psql -X -q -d postgres -c "CREATE DATABASE $custom" >/dev/null
pg_dump -Fc -d "$src" -f "$tmp/dump.custom" || fail "pg_dump -Fc failed"
pg_restore -d "$custom" "$tmp/dump.custom" >"$tmp/pg_restore.log" 2>&1 ||
  fail "pg_restore failed: $(tail -n 5 "$tmp/pg_restore.log")"
[ "$(q "$custom" "$names")" = "$(q "$src" "$names")" ] ||
  fail "relation names changed by pg_dump -Fc and pg_restore: $(q "$custom" "$names")"
q "$dst" "SELECT forge_create('\"User\"', '{\"data\": {\"id\": 1, \"posts\": {\"create\": {\"id\": 2,
            \"tags\": {\"create\": {\"id\": 3}}}}}}')" >/dev/null
[ "$(q "$dst" "SELECT count(*) FROM \"_PostToTag\"")" = 1 ] ||
  fail "a nested write by the restored relation names did not link the tag"
[ "$(q "$dst" "SELECT count(*) FROM pg_event_trigger WHERE evtname = 'forge_comment_invalidate'")" = 1 ] ||
  fail "the restored database has not exactly one forge_comment_invalidate event trigger"

q "$dst" "$events" >"$tmp/events.after"
diff "$tmp/events.before" "$tmp/events.after" >/dev/null ||
  fail "the outbox differs after restore: $(diff "$tmp/events.before" "$tmp/events.after" | head)"
q "$dst" "$channels" >"$tmp/channels.after"
[ "$(cat "$tmp/channels.before")" = "$(cat "$tmp/channels.after")" ] ||
  fail "channels changed: $(cat "$tmp/channels.before") / $(cat "$tmp/channels.after")"

# the guard is there, and a writer with the writers' grants is refused
q "$dst" "GRANT INSERT ON forge_outbox TO regress_forge_dump_writer;
          GRANT USAGE ON SEQUENCE forge_outbox_id_seq TO regress_forge_dump_writer"
out=$(psql -X -qAt -d "$dst" -c "SET ROLE regress_forge_dump_writer" \
        -c "INSERT INTO forge_outbox (model, event) VALUES ('items', '{\"op\": \"delete\"}')" 2>&1 || true)
case "$out" in
  *'only forge may insert events in "forge_outbox"'*) ;;
  *) fail "a writer could insert into the restored outbox: $out" ;;
esac
q "$dst" "REVOKE ALL ON forge_outbox FROM regress_forge_dump_writer;
          REVOKE ALL ON SEQUENCE forge_outbox_id_seq FROM regress_forge_dump_writer"

# forge goes on recording, after the restored ids
q "$dst" "SELECT forge_create('items', '{\"data\": {\"id\": 2}}')" >/dev/null
[ "$(q "$dst" "SELECT max(id) > (SELECT max(id) FROM forge_outbox WHERE event->'keys' <> '[2]') FROM forge_outbox")" = t ] ||
  fail "the restored outbox's id sequence did not go on"
# ALTER EXTENSION forge UPDATE from 0.1.0
psql -X -q -d postgres -c "CREATE DATABASE $old" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$old" >/dev/null <<'SQL' || fail "could not set up forge 0.1.0 in $old"
CREATE EXTENSION forge VERSION '0.1.0';
CREATE TABLE items (id int PRIMARY KEY);
SELECT forge_outbox_enable('items');
SELECT forge_create('items', '{"data": {"id": 1}}');
SQL
[ "$(q "$old" "SELECT extversion FROM pg_extension WHERE extname = 'forge'")" = 0.1.0 ] ||
  fail "$old: not forge 0.1.0"
q "$old" "ALTER EXTENSION forge UPDATE TO '0.2.0'"
q "$old" "SELECT forge_create('items', '{\"data\": {\"id\": 2}}')" >/dev/null
[ "$(q "$old" "SELECT string_agg(event->>'keys', ' ' ORDER BY id) FROM forge_outbox")" = "[1] [2]" ] ||
  fail "$old: the events before and after the update are not both there"
[ "$(q "$old" "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'forge_outbox'::regclass AND tgname = 'forge_outbox_guard'")" = 1 ] ||
  fail "$old: no forge_outbox_guard after the update"
[ "$(q "$old" "SELECT forge_model_channel('items', 'app')")" = "app:public.items" ] ||
  fail "$old: forge_model_channel(model, channel) is missing after the update"
# the update brings the event trigger: in one session, relations read
# before a COMMENT are read again after it
[ "$(psql -X -qAt -v ON_ERROR_STOP=1 -d "$old" -c "CREATE TABLE owners (id int PRIMARY KEY)" \
       -c "CREATE TABLE pets (id int PRIMARY KEY, owner_id int CONSTRAINT pets_owner REFERENCES owners)" \
       -c "SELECT name FROM forge_relations('owners')" \
       -c "COMMENT ON CONSTRAINT pets_owner ON pets IS '@foreignFieldName animals'" \
       -c "SELECT name FROM forge_relations('owners')" | tr '\n' ' ')" = "pets animals " ] ||
  fail "$old: a COMMENT after the update does not reach forge_relations"

echo "dump: ok: forge 0.1.0 updates to 0.2.0, keeping its events and adding the guard"
echo "dump: ok: 3 events, their ids and 4 per-table channels are the same after pg_dump and restore; the guard is back"
echo "dump: ok: relation names declared in comments survive pg_dump and restore (psql and pg_restore), and a nested write uses them"
