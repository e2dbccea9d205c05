--
-- soft_delete: forge_soft_delete, forge_soft_delete_many, forge_restore,
-- forge_restore_many, and how every other verb treats soft-deleted rows.
--
-- Prisma has no soft delete of its own: its documentation shows it built
-- by hand (a "deleted" column, delete turned into update, and a filter
-- added to every read and write, in a client extension).  forge makes it
-- part of the table: a comment tag declares the column, and the verbs
-- leave soft-deleted rows out everywhere a Prisma user's extension would.
--
-- A table declares its soft-delete column with a smart comment, which
-- pg_dump keeps: a line "@softDelete" in the comment of a nullable
-- timestamptz or timestamp column.  A row is soft-deleted when the
-- column is not null.
--
CREATE SCHEMA sd;
CREATE TABLE sd.users (
    id         int PRIMARY KEY,
    email      text UNIQUE NOT NULL,
    name       text,
    deleted_at timestamptz
);
CREATE TABLE sd.posts (
    id         int PRIMARY KEY,
    title      text NOT NULL,
    author_id  int REFERENCES sd.users,
    deleted_at timestamp            -- Prisma's DateTime: timestamp(3)
);
COMMENT ON COLUMN sd.users.deleted_at IS 'When the user was deleted.
@softDelete';
COMMENT ON COLUMN sd.posts.deleted_at IS '@softDelete';
CREATE TABLE sd.plain (id int PRIMARY KEY, deleted_at timestamptz);
INSERT INTO sd.users (id, email, name) VALUES
    (1, 'ada@x.co', 'Ada'), (2, 'bob@x.co', 'Bob'), (3, 'cy@x.co', 'Cy');
INSERT INTO sd.posts (id, title, author_id) VALUES
    (10, 'a1', 1), (11, 'a2', 1), (12, 'b1', 2);

-- every timestamp the tests show is the transaction's: compare with now()
CREATE FUNCTION sd.stamped(r jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT r || jsonb_build_object('deleted_at',
        CASE WHEN r->>'deleted_at' IS NULL THEN 'null'
             WHEN (r->>'deleted_at')::timestamptz = now() THEN 'now()'
             WHEN (r->>'deleted_at')::timestamp = (now() AT TIME ZONE 'UTC') THEN 'now() in UTC'
             ELSE 'other: ' || (r->>'deleted_at') END)
$$;
CREATE FUNCTION sd.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

--
-- forge_soft_delete: a unique where (with optional extra filters),
-- select / include; one UPDATE that sets the column to the transaction's
-- start time (now()), returning the row.
--
BEGIN;
SELECT sd.stamped(forge_soft_delete('sd.users', '{"where": {"id": 3}}'));
COMMIT;
-- A second soft delete of the same row finds no live row: P2025, and the
-- first deletion time stays.
SELECT sd.try($$SELECT forge_soft_delete('sd.users', '{"where": {"id": 3}}')$$);
SELECT id, deleted_at IS NOT NULL AS deleted FROM sd.users ORDER BY id;
-- The where must be a unique selector, as for forge_delete.
SELECT sd.try($$SELECT forge_soft_delete('sd.users', '{"where": {"name": "Ada"}}')$$);
SELECT sd.try($$SELECT forge_soft_delete('sd.users', '{}')$$);
-- A timestamp column (Prisma's DateTime) takes the instant in UTC, as
-- Prisma stores a DateTime.
SET TimeZone = 'America/New_York';
BEGIN;
SELECT sd.stamped(forge_soft_delete('sd.posts', '{"where": {"id": 12}, "select": {"id": true, "deleted_at": true}}'));
ROLLBACK;
RESET TimeZone;

--
-- forge_restore: sets the column back to null; it selects soft-deleted
-- rows only, so restoring a live row is P2025.
--
SELECT forge_restore('sd.users', '{"where": {"id": 3}, "select": {"id": true, "deleted_at": true}}');
SELECT sd.try($$SELECT forge_restore('sd.users', '{"where": {"id": 3}}')$$);

--
-- The _many forms take any where and return {"count": n}: the rows they
-- changed.  forge_soft_delete_many counts live rows only, and keeps the
-- time of rows deleted before; forge_restore_many counts deleted rows.
--
SELECT forge_soft_delete('sd.posts', '{"where": {"id": 10}}') IS NOT NULL AS deleted;
UPDATE sd.posts SET deleted_at = '2000-01-01' WHERE id = 10;
SELECT forge_soft_delete_many('sd.posts', '{"where": {"author_id": 1}}');
SELECT id, deleted_at = '2000-01-01' AS kept_first_time FROM sd.posts WHERE author_id = 1 ORDER BY id;
SELECT forge_soft_delete_many('sd.posts', '{"where": {"author_id": 1}}');
SELECT forge_restore_many('sd.posts', '{"where": {"author_id": 1}}');
SELECT forge_restore_many('sd.posts', '{}');
-- Keys other than where (and select / include for the one-row verbs) are
-- refused, "withDeleted" among them: these verbs pick their rows by the
-- column already.
SELECT sd.try($$SELECT forge_soft_delete_many('sd.posts', '{"withDeleted": true}')$$);
SELECT sd.try($$SELECT forge_restore('sd.posts', '{"where": {"id": 10}, "data": {}}')$$);

--
-- A table without a soft-delete column: a clear error.
--
SELECT sd.try($$SELECT forge_soft_delete('sd.plain', '{"where": {"id": 1}}')$$);
SELECT sd.try($$SELECT forge_restore_many('sd.plain', '{}')$$);

--
-- Unique selectors leave soft-deleted rows out: forge_update and
-- forge_delete of a soft-deleted row are P2025, as for a row that does
-- not exist, unless the descriptor says "withDeleted": true.
--
SELECT forge_soft_delete('sd.users', '{"where": {"id": 2}, "select": {"id": true}}');
SELECT sd.try($$SELECT forge_update('sd.users', '{"where": {"id": 2}, "data": {"name": "B"}}')$$);
SELECT sd.try($$SELECT forge_delete('sd.users', '{"where": {"email": "bob@x.co"}}')$$);
SELECT forge_update('sd.users', '{"where": {"id": 2}, "data": {"name": "B"}, "withDeleted": true, "select": {"name": true}}');
SELECT sd.try($$SELECT forge_update('sd.users', '{"where": {"id": 2}, "data": {}, "withDeleted": 1}')$$);

--
-- updateMany and deleteMany leave them out too: a where that happens to
-- match a soft-deleted row does not edit or purge it.  A purge of rows
-- soft-deleted long ago says so: "withDeleted": true and a where on the
-- column.
--
SELECT forge_update_many('sd.users', '{"data": {"name": "x"}, "where": {"id": {"in": [1, 2]}}}');
SELECT id, name FROM sd.users ORDER BY id;
SELECT forge_delete_many('sd.users', '{"where": {"id": 2}}');
SELECT forge_soft_delete('sd.users', '{"where": {"id": 3}, "select": {"id": true}}');
SELECT forge_delete_many('sd.users', '{"where": {"id": 3, "deleted_at": {"lt": "2100-01-01"}}, "withDeleted": true}');
SELECT id FROM sd.users ORDER BY id;
SELECT forge_restore('sd.users', '{"where": {"id": 2}, "select": {"id": true}}');

--
-- Upsert over a soft-deleted row: the row holds the key, so INSERT ... ON
-- CONFLICT meets it; forge then neither updates nor creates, and the call
-- is P2025 (in the same one statement: no race).  Updating would write
-- into a row the application treats as gone; restoring it would bring
-- back a deleted row with data meant for a new one.  The caller decides:
-- forge_restore first, or "withDeleted": true to update the row as it is
-- (its update may set the column to null, restoring it in the same
-- statement).
--
SELECT forge_soft_delete('sd.users', '{"where": {"id": 2}, "select": {"id": true}}');
SELECT sd.try($$SELECT forge_upsert('sd.users', '{"where": {"email": "bob@x.co"}, "create": {"id": 9, "email": "bob@x.co"}, "update": {"name": "Bobby"}}')$$);
SELECT forge_upsert('sd.users', '{"where": {"email": "bob@x.co"}, "create": {"id": 9, "email": "bob@x.co"}, "update": {"name": "Bobby", "deleted_at": null}, "withDeleted": true, "select": {"id": true, "name": true, "deleted_at": true}}');
-- A create whose key a soft-deleted row holds is a unique violation: the
-- row exists.
SELECT forge_soft_delete('sd.users', '{"where": {"id": 2}, "select": {"id": true}}');
SELECT sd.try($$SELECT forge_create('sd.users', '{"data": {"id": 2, "email": "new@x.co"}}')$$);

--
-- include leaves soft-deleted related rows out: a to-many include lists
-- live rows, a to-one include of a soft-deleted row is null (the foreign
-- key still holds its key).
--
SELECT forge_soft_delete('sd.posts', '{"where": {"id": 11}, "select": {"id": true}}');
SELECT forge_update('sd.users', '{"where": {"id": 1}, "data": {}, "select": {"id": true, "posts": {"select": {"id": true}}}}');
SELECT forge_update('sd.posts', '{"where": {"id": 12}, "data": {}, "select": {"id": true, "author_id": true, "author": true}}');
-- "withDeleted": true keeps them.
SELECT forge_update('sd.users', '{"where": {"id": 1}, "data": {}, "withDeleted": true, "select": {"id": true, "posts": {"select": {"id": true}}}}');
-- _count counts live rows too (withDeleted: every row), also through a
-- to-one relation.
SELECT forge_update('sd.users', '{"where": {"id": 1}, "data": {}, "select": {"id": true, "_count": true}}');
SELECT forge_update('sd.users', '{"where": {"id": 1}, "data": {}, "withDeleted": true, "select": {"id": true, "_count": {"select": {"posts": true}}}}');
SELECT forge_update('sd.posts', '{"where": {"id": 12}, "data": {}, "withDeleted": true,
  "select": {"id": true, "author": {"select": {"_count": true}}}}');

--
-- Relation filters: some / none / every / is / isNot see live related
-- rows only.  Ada has live post 10 and soft-deleted post 11.
--
SELECT forge_update_many('sd.users', '{"where": {"posts": {"some": {"title": "a2"}}}, "data": {}}');
SELECT forge_update_many('sd.users', '{"where": {"id": 1, "posts": {"every": {"title": "a1"}}}, "data": {}}');
SELECT forge_update_many('sd.users', '{"where": {"id": 1, "posts": {"none": {"title": "a2"}}}, "data": {}}');
SELECT forge_update_many('sd.posts', '{"where": {"author": {"is": {"id": 2}}}, "data": {}}');
SELECT forge_update_many('sd.users', '{"where": {"posts": {"some": {"title": "a2"}}}, "data": {}, "withDeleted": true}');

--
-- Nested writes: connect, and nested update / delete by a where, select
-- live rows only.
--
SELECT sd.try($$SELECT forge_update('sd.posts', '{"where": {"id": 10}, "data": {"author": {"connect": {"id": 2}}}}')$$);
SELECT sd.try($$SELECT forge_update('sd.users', '{"where": {"id": 1}, "data": {"posts": {"update": {"where": {"id": 11}, "data": {"title": "x"}}}}}')$$);
SELECT forge_update('sd.posts', '{"where": {"id": 10}, "data": {"author": {"connect": {"id": 2}}}, "withDeleted": true, "select": {"author_id": true}}');

--
-- Related rows are left as they are: a soft delete is an UPDATE, so no
-- foreign key action runs; Bob's post still points to him.
--
SELECT id, author_id, deleted_at IS NOT NULL AS deleted FROM sd.posts ORDER BY id;

--
-- Plans: the soft-delete filter is part of the statement's shape; the
-- same call with other values reuses one plan.
--
SELECT forge_plan_cache_reset();
SELECT forge_restore('sd.posts', '{"where": {"id": 11}, "select": {"id": true}}');
SELECT forge_soft_delete('sd.posts', '{"where": {"id": 11}, "select": {"id": true}}');
SELECT forge_restore('sd.posts', '{"where": {"id": 11}, "select": {"id": true}}');
SELECT hits, misses FROM forge_plan_cache_stats();

--
-- Events: a soft-delete verb's event says "op": "update" (it is one) and
-- names the verb, with "semanticOp" softDelete, softDeleteMany, restore or
-- restoreMany, so a listener can tell a soft delete from another update.
-- The outbox records the same payload (test/isolation/specs/
-- soft_delete_notify.spec shows the NOTIFY events).
--
TRUNCATE forge_outbox RESTART IDENTITY;
SELECT forge_outbox_enable('sd.posts');
SELECT forge_soft_delete('sd.posts', '{"where": {"id": 12}, "select": {"id": true}}');
SELECT forge_restore('sd.posts', '{"where": {"id": 12}, "select": {"id": true}}');
SELECT forge_soft_delete_many('sd.posts', '{"where": {"id": {"in": [10, 12]}}}');
SELECT forge_restore_many('sd.posts', '{}');
SELECT forge_update('sd.posts', '{"where": {"id": 12}, "data": {}, "select": {"id": true}}');
SELECT event->>'op' AS op, event->>'verb' AS verb, event->'semanticOp' AS "semanticOp",
       event->'rowCount' AS "rowCount", event->'keys' AS keys
  FROM forge_outbox ORDER BY id;
SELECT forge_outbox_disable('sd.posts');
TRUNCATE forge_outbox RESTART IDENTITY;

--
-- The tag must be on a nullable timestamptz or timestamp column, and on
-- one column only: anything else is an error on every use of the table,
-- not ignored (ignored, its soft-deleted rows would count as live).  A
-- session reads the comments when it first uses the table: these run in
-- fresh sessions.
--
CREATE TABLE sd.bad (id int PRIMARY KEY, gone boolean, d timestamptz NOT NULL DEFAULT now());
COMMENT ON COLUMN sd.bad.gone IS '@softDelete';
\c
SELECT sd.try($$SELECT forge_create('sd.bad', '{"data": {"id": 1}}')$$);
COMMENT ON COLUMN sd.bad.gone IS NULL;
COMMENT ON COLUMN sd.bad.d IS '@softDelete';
\c
SELECT sd.try($$SELECT forge_create('sd.bad', '{"data": {"id": 1}}')$$);
ALTER TABLE sd.bad ALTER d DROP NOT NULL, ALTER d TYPE timestamp;
COMMENT ON COLUMN sd.bad.d IS '@softDelete';
ALTER TABLE sd.bad ADD e timestamptz;
COMMENT ON COLUMN sd.bad.e IS '@softDelete';
\c
SELECT sd.try($$SELECT forge_create('sd.bad', '{"data": {"id": 1}}')$$);
COMMENT ON COLUMN sd.bad.e IS '@softDelete yes';
COMMENT ON COLUMN sd.bad.d IS 'Prose first.
  @softDeleted is another tag';
\c
SELECT sd.try($$SELECT forge_create('sd.bad', '{"data": {"id": 1}}')$$);
COMMENT ON COLUMN sd.bad.e IS 'Prose first.
@softDelete  ';
\c
SELECT forge_create('sd.bad', '{"data": {"id": 1}, "select": {"id": true}}');
SELECT forge_soft_delete('sd.bad', '{"where": {"id": 1}, "select": {"id": true}}');
SELECT e IS NOT NULL AS e_set FROM sd.bad;

DROP SCHEMA sd CASCADE;
