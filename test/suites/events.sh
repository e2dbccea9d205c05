#!/usr/bin/env bash
# test/suites/events.sh: forge's NOTIFY events, as a listener sees them.
#
# One psql session LISTENs on the forge channel and writes; psql prints each
# notification after the command that delivered it.  test/suites/events.py
# reads those lines and checks each payload: its fields, that nothing comes
# before COMMIT or after ROLLBACK, that a rolled-back savepoint drops only
# its own event, that two identical writes are two events, that upsert says
# whether it inserted or updated, that forge.notify = off and another channel
# are honoured, and that a payload stays under 8000 bytes with 63-byte names
# and SQL text longer than that.  With forge.notify_keys = on a payload
# carries the primary keys written, and over 5,000 rows it still stays under
# 8000 bytes, cut and flagged "keysTruncated"; with
# forge.notify_model_channel = on the event also goes to the table's own
# channel, forge_model_channel(table), and only that table's events do,
# also under a 62-byte notify channel, where each table's channel is cut
# and hashed.  Every payload names its table by "schema" and "table" and
# its transaction by "txid".
# A nested write sends one event per table and operation it wrote, with the
# rows summed, and none when it fails; nested writes made by a trigger
# during another send their own, and a failed one caught by the trigger
# sends none and leaves the outer call's events alone.  A trigger's forge
# call that an exception block rolls back sends nothing, at any depth of
# blocks, while one in a block that ends well sends its event.
# Run by test/run with PG* set.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
db=forge_events
PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"' EXIT
out=$(mktemp)
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >"$out" 2>&1 <<'SQL'
CREATE EXTENSION forge;
CREATE TABLE ev (id int PRIMARY KEY, email text UNIQUE, n int NOT NULL DEFAULT 0);
-- 5,000 rows: more keys than fit in one payload
CREATE TABLE evbig (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
INSERT INTO evbig (id) SELECT g FROM generate_series(1, 5000) g;
-- a table and 60 columns with 63-byte names: an INSERT of every column that
-- selects every column back is over 12000 bytes of SQL text
SELECT format('CREATE TABLE %I (%s)', repeat('t', 63),
              string_agg(format('%I int DEFAULT 0', lpad(g::text, 63, 'c')), ', '))
  FROM generate_series(1, 60) g \gexec
-- nested writes: a user, posts, tags through a join table
CREATE TABLE evn_users (id int PRIMARY KEY);
CREATE TABLE evn_posts (id serial PRIMARY KEY, evn_user_id int REFERENCES evn_users);
CREATE TABLE evn_tags (id serial PRIMARY KEY, name text UNIQUE);
CREATE TABLE evn_post_tags (post_id int REFERENCES evn_posts, tag_id int REFERENCES evn_tags,
                            PRIMARY KEY (post_id, tag_id));
-- a one-to-one: a passport's key to its user is unique
CREATE TABLE evn_passports (id serial PRIMARY KEY, evn_user_id int UNIQUE REFERENCES evn_users);
-- a trigger that makes nested forge calls of its own, one failing inside
-- an exception block, while an outer nested write runs
CREATE TABLE evn_log (id serial PRIMARY KEY, note text);
CREATE TABLE evn_log_items (id serial PRIMARY KEY, evn_log_id int REFERENCES evn_log);
CREATE FUNCTION evn_post_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        PERFORM forge_create('evn_log', '{"data": {"note": "fails",
            "evn_log_items": {"create": {}, "connect": {"id": 999}}}}');
    EXCEPTION WHEN others THEN NULL;
    END;
    PERFORM forge_create('evn_log', '{"data": {"note": "ok", "evn_log_items": {"create": {}}}}');
    RETURN NULL;
END $$;
-- a trigger whose forge calls an exception block rolls back, at two
-- depths, while an outer nested write holds its events
CREATE FUNCTION evn_post_undo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        PERFORM forge_create('evn_log', '{"data": {"note": "undone"}}');
        BEGIN
            PERFORM forge_update_many('evn_log', '{"data": {"note": "deeper"}}');
        EXCEPTION WHEN others THEN NULL;
        END;
        RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN NULL;
    END;
    BEGIN
        BEGIN
            PERFORM forge_delete_many('evn_log', '{"where": {"note": "none"}}');
        EXCEPTION WHEN others THEN NULL;
        END;
    EXCEPTION WHEN others THEN NULL;
    END;
    RETURN NULL;
END $$;
LISTEN forge;
\echo STEP autocommit-create
SELECT forge_create('ev', '{"data": {"id": 1, "email": "a@x.co"}}') IS NOT NULL AS ok;
\echo STEP two-identical-updates
BEGIN;
SELECT forge_update('ev', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}') IS NOT NULL AS ok;
SELECT forge_update('ev', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}') IS NOT NULL AS ok;
\echo STEP before-commit
COMMIT;
\echo STEP after-commit
\echo STEP rollback
BEGIN;
SELECT forge_create('ev', '{"data": {"id": 2}}') IS NOT NULL AS ok;
ROLLBACK;
\echo STEP savepoint
BEGIN;
SAVEPOINT a;
SELECT forge_create('ev', '{"data": {"id": 3}}') IS NOT NULL AS ok;
ROLLBACK TO SAVEPOINT a;
SELECT forge_create_many('ev', '{"data": [{"id": 4}, {"id": 5, "n": 2}]}') IS NOT NULL AS ok;
COMMIT;
\echo STEP upsert-insert
SELECT forge_upsert('ev', '{"where": {"email": "u@x.co"}, "create": {"id": 6}, "update": {}}') IS NOT NULL AS ok;
\echo STEP upsert-update
SELECT forge_upsert('ev', '{"where": {"email": "u@x.co"}, "create": {"id": 6}, "update": {}}') IS NOT NULL AS ok;
\echo STEP nested
SELECT forge_create('evn_users', '{"data": {"id": 1, "evn_posts": {"create": [
    {"evn_tags": {"connectOrCreate": [{"where": {"name": "a"}, "create": {"name": "a"}}]}},
    {}]}}}') IS NOT NULL AS ok;
\echo STEP nested-failed
\set ON_ERROR_STOP off
SELECT forge_create('evn_users', '{"data": {"id": 2, "evn_posts": {"create": {},
    "connect": {"id": 999}}}}') IS NOT NULL AS ok;
\set ON_ERROR_STOP on
\echo STEP nested-trigger
CREATE TRIGGER evn_post_trigger AFTER INSERT ON evn_posts FOR EACH ROW EXECUTE FUNCTION evn_post_trigger();
SELECT forge_create('evn_users', '{"data": {"id": 3, "evn_posts": {"create": {}}}}') IS NOT NULL AS ok;
DROP TRIGGER evn_post_trigger ON evn_posts;
SELECT forge_create('evn_users', '{"data": {"id": 4, "evn_posts": {"create": {}}}}') IS NOT NULL AS ok;
\echo STEP nested-trigger-rollback
CREATE TRIGGER evn_post_undo AFTER INSERT ON evn_posts FOR EACH ROW EXECUTE FUNCTION evn_post_undo();
SELECT forge_create('evn_users', '{"data": {"id": 5, "evn_posts": {"create": {}}}}') IS NOT NULL AS ok;
DROP TRIGGER evn_post_undo ON evn_posts;
\echo STEP let-go
SELECT forge_create('evn_passports', '{"data": {"evn_user": {"connect": {"id": 1}}}}') IS NOT NULL AS ok;
\echo STEP let-go-again
SELECT forge_create('evn_passports', '{"data": {"evn_user": {"connect": {"id": 1}}}}') IS NOT NULL AS ok;
\echo STEP many
SELECT forge_update_many('ev', '{"data": {"n": 0}}') IS NOT NULL AS ok;
SELECT forge_delete('ev', '{"where": {"id": 6}}') IS NOT NULL AS ok;
SELECT forge_delete_many('ev', '{"where": {"id": {"in": [4, 5]}}}') IS NOT NULL AS ok;
\echo STEP notify-off
SET forge.notify = off;
SELECT forge_delete('ev', '{"where": {"id": 1}}') IS NOT NULL AS ok;
RESET forge.notify;
\echo STEP other-channel
SET forge.notify_channel = 'elsewhere';
SELECT forge_create('ev', '{"data": {"id": 7}}') IS NOT NULL AS ok;
RESET forge.notify_channel;
\echo STEP long-names
SELECT forge_create(format('%I', repeat('t', 63)),
         jsonb_build_object('data', (SELECT jsonb_object_agg(lpad(g::text, 63, 'c'), g)
                                       FROM generate_series(1, 60) g),
                            'select', (SELECT jsonb_object_agg(lpad(g::text, 63, 'c'), true)
                                       FROM generate_series(1, 60) g))) IS NOT NULL AS ok;
\echo STEP keys-update
SET forge.notify_keys = on;
SELECT forge_update('ev', '{"where": {"id": 7}, "data": {"n": 1}}') IS NOT NULL AS ok;
\echo STEP keys-many
SELECT forge_update_many('evbig', '{"data": {"n": 1}}') IS NOT NULL AS ok;
RESET forge.notify_keys;
\echo STEP model-channel
SELECT forge_model_channel('ev') AS model_channel \gset
\echo MODEL-CHANNEL :model_channel
LISTEN :"model_channel";
SET forge.notify_model_channel = on;
SELECT forge_update('ev', '{"where": {"id": 7}, "data": {"n": 2}}') IS NOT NULL AS ok;
\echo STEP model-channel-other-table
SELECT forge_update('evbig', '{"where": {"id": 1}, "data": {"n": 2}}') IS NOT NULL AS ok;
RESET forge.notify_model_channel;
UNLISTEN :"model_channel";
\echo STEP long-channel
CREATE SCHEMA "we""ird.sch";
CREATE TABLE "we""ird.sch"."a.b" (id int PRIMARY KEY);
SET forge.notify_channel = 'cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc';
SET forge.notify_model_channel = on;
SELECT forge_model_channel('ev') AS ev_channel, forge_model_channel('"we""ird.sch"."a.b"') AS odd_channel \gset
\echo LONG-CHANNEL ev :ev_channel
\echo LONG-CHANNEL odd :odd_channel
LISTEN cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc;
LISTEN :"ev_channel";
LISTEN :"odd_channel";
SELECT forge_update('ev', '{"where": {"id": 7}, "data": {"n": 3}}') IS NOT NULL AS ok;
SELECT forge_create('"we""ird.sch"."a.b"', '{"data": {"id": 1}}') IS NOT NULL AS ok;
RESET forge.notify_channel;
RESET forge.notify_model_channel;
\echo STEP end
SQL
python3 "$here/events.py" "$out"
