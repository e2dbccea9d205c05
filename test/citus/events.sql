-- NOTIFY events on Citus (run by test/citus.sh with psql, not pg_regress:
-- the listener's PID and the times are masked before the comparison).
-- forge queues the event on the coordinator; it is delivered after COMMIT,
-- with the keys of the rows written when forge.notify_keys is on (read
-- from the write's RETURNING of the key columns, built on the coordinator).
SET forge.notify_keys = on;
LISTEN forge;
BEGIN;
SELECT forge_update('users', '{"where": {"id": 2}, "data": {"views": {"increment": 1}}, "select": {"views": true}}');
SELECT forge_update_many('users', '{"where": {"id": {"in": [1, 99]}}, "data": {"views": {"increment": 1}}}');
-- tenants 4 and 7 are on one shard, so their keys come in one order
-- (rows from several shards come in the order the workers answer)
SELECT forge_create_many('counters', '{"data": [{"tenant": 4, "name": "e"}, {"tenant": 7, "name": "e"}], "skipDuplicates": true}');
SELECT forge_delete_many('counters', '{"where": {"name": "e"}}');
COMMIT;
-- a reference table (in a transaction of its own: Citus refuses to write
-- a reference table that has foreign keys after a multi-shard write in
-- the same transaction, unless citus.multi_shard_modify_mode = sequential)
BEGIN;
SELECT forge_create_many('tags', '{"data": [{"name": "ev"}]}');
SELECT forge_delete('tags', '{"where": {"name": "ev"}, "select": {"name": true}}');
COMMIT;
-- a rolled-back write sends nothing
BEGIN;
SELECT forge_update('users', '{"where": {"id": 2}, "data": {"views": 0}, "select": {"views": true}}');
ROLLBACK;
SELECT 'done' AS events;
-- the soft-delete verbs (soft_delete.sql's members, distributed): op
-- "update", and semanticOp says which verb
BEGIN;
SELECT forge_soft_delete('members', '{"where": {"id": 2}, "select": {"id": true}}');
SELECT forge_soft_delete_many('members', '{"where": {"id": {"in": [2, 3]}, "email": "cy@x.co"}}');
SELECT forge_restore('members', '{"where": {"id": 2}, "select": {"id": true}}');
SELECT forge_restore_many('members', '{"where": {"id": 3}}');
COMMIT;
-- and on a reference table (soft_delete.sql's labels)
BEGIN;
SELECT forge_soft_delete_many('labels', '{"where": {"name": "blue"}}');
SELECT forge_restore_many('labels', '{"where": {"name": "blue"}}');
COMMIT;
SELECT 'done' AS soft_delete_events;
