-- Soft delete on Citus (README "Soft delete"): the four verbs on a
-- distributed table (members, distributed by id), on its colocated
-- to-many (memos, distributed by member_id) and on a reference table
-- (labels); and the live filter that every other verb adds, in where,
-- include, relation filters, _count and nested writes.  Each verb is one
-- UPDATE of the @softDelete column, which Citus runs on the shards that
-- hold the rows; the live filter is an IS NULL on the column in the
-- statement's WHERE and in each related-rows subquery, which Citus pushes
-- down with it.
SET citus.shard_count = 4;
SET client_min_messages = warning;
CREATE TABLE members (id bigint PRIMARY KEY, email text NOT NULL,
                      deleted_at timestamptz);
COMMENT ON COLUMN members.deleted_at IS '@softDelete';
SELECT create_distributed_table('members', 'id');
CREATE TABLE memos (member_id bigint NOT NULL REFERENCES members, id bigint NOT NULL,
                    body text NOT NULL, deleted_at timestamp,
                    PRIMARY KEY (member_id, id));
COMMENT ON COLUMN memos.deleted_at IS '@softDelete';
SELECT create_distributed_table('memos', 'member_id', colocate_with => 'members');
CREATE TABLE labels (id serial PRIMARY KEY, name text UNIQUE NOT NULL,
                     deleted_at timestamptz);
COMMENT ON COLUMN labels.deleted_at IS '@softDelete';
SELECT create_reference_table('labels');
RESET client_min_messages;
INSERT INTO members (id, email) VALUES (1, 'ada@x.co'), (2, 'bob@x.co'), (3, 'cy@x.co'), (4, 'dee@x.co');
INSERT INTO memos (member_id, id, body) VALUES (1, 1, 'a1'), (1, 2, 'a2'), (2, 3, 'b1'), (3, 4, 'c1');
INSERT INTO labels (name) VALUES ('red'), ('green'), ('blue');

-- the row returned shows deleted_at as "now()" (the transaction's start,
-- also in UTC for the timestamp column) or null
CREATE FUNCTION stamped(r jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT r || jsonb_build_object('deleted_at',
        CASE WHEN r->>'deleted_at' IS NULL THEN 'null'
             WHEN (r->>'deleted_at')::timestamptz = now() THEN 'now()'
             WHEN (r->>'deleted_at')::timestamp = (now() AT TIME ZONE 'UTC') THEN 'now() in UTC'
             ELSE 'other: ' || (r->>'deleted_at') END)
$$;

-- an error as its SQLSTATE and message
CREATE FUNCTION try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- forge_soft_delete: a unique where pins the distribution column
BEGIN;
SELECT stamped(forge_soft_delete('members', '{"where": {"id": 4}}'));
SELECT stamped(forge_soft_delete('memos', '{"where": {"member_id_id": {"member_id": 1, "id": 2}},
                                            "select": {"id": true, "deleted_at": true}}'));
COMMIT;
-- twice: the row is not live, P2025 (as deleting it twice)
SELECT try($$SELECT forge_soft_delete('members', '{"where": {"id": 4}}')$$);
-- forge_soft_delete_many across shards counts only the rows it changed
SELECT forge_soft_delete_many('members', '{"where": {"id": {"in": [3, 4]}}}');
SELECT id, deleted_at IS NOT NULL AS deleted FROM members ORDER BY id;

-- every other verb leaves soft-deleted rows out: update of one is P2025,
-- updateMany and deleteMany do not see them ...
SELECT try($$SELECT forge_update('members', '{"where": {"id": 3}, "data": {"email": "x"}}')$$);
SELECT forge_update_many('members', '{"where": {}, "data": {"email": {"set": "live@x.co"}}}');
SELECT forge_delete_many('members', '{"where": {"id": {"gte": 3}}}');
-- ... unless the call says withDeleted
SELECT forge_update('members', '{"where": {"id": 3}, "data": {"email": "cy@x.co"},
                                 "withDeleted": true, "select": {"email": true}}');
SELECT id, email FROM members ORDER BY id;

-- include and _count list live related rows (a read back after the
-- write, by primary key: see README's Citus section)
SELECT forge_update('members', '{"where": {"id": 1}, "data": {},
    "select": {"id": true, "memos": {"select": {"id": true}, "orderBy": {"id": "asc"}},
               "_count": {"select": {"memos": true}}}}');
SELECT forge_update('members', '{"where": {"id": 1}, "data": {}, "withDeleted": true,
    "select": {"id": true, "memos": {"select": {"id": true}, "orderBy": {"id": "asc"}},
               "_count": {"select": {"memos": true}}}}');
-- a to-one whose row is soft-deleted is null (member 3), unless withDeleted
SELECT forge_update('memos', '{"where": {"member_id_id": {"member_id": 3, "id": 4}}, "data": {},
    "select": {"body": true, "member": {"select": {"email": true}}}}');
SELECT forge_update('memos', '{"where": {"member_id_id": {"member_id": 3, "id": 4}}, "data": {},
    "withDeleted": true, "select": {"body": true, "member": {"select": {"email": true}}}}');
-- relation filters see live related rows only
SELECT forge_update_many('members', '{"where": {"memos": {"some": {"id": 2}}}, "data": {"email": "ada@x.co"}}');
SELECT forge_update_many('members', '{"where": {"memos": {"some": {"body": {"startsWith": "a"}}}}, "data": {"email": "ada@x.co"}}');

-- nested writes select live rows: a nested update of a soft-deleted note
-- is P2025, connect of a soft-deleted member too
SELECT try($$SELECT forge_update('members', '{"where": {"id": 1}, "data": {"memos": {"update":
    {"where": {"member_id_id": {"member_id": 1, "id": 2}}, "data": {"body": "x"}}}}}')$$);
SELECT try($$SELECT forge_create('memos', '{"data": {"id": 5, "body": "d1", "member": {"connect": {"id": 4}}}}')$$);
SELECT forge_create('memos', '{"data": {"id": 5, "body": "b2", "member": {"connect": {"id": 2}}},
                               "select": {"id": true, "member_id": true}}');

-- forge_restore and forge_restore_many
SELECT stamped(forge_restore('memos', '{"where": {"member_id_id": {"member_id": 1, "id": 2}},
                                        "select": {"id": true, "deleted_at": true}}'));
SELECT try($$SELECT forge_restore('memos', '{"where": {"member_id_id": {"member_id": 1, "id": 2}}}')$$);
SELECT forge_restore_many('members', '{"where": {"id": {"gte": 3}}}');
SELECT forge_restore_many('members', '{"where": {}}');
SELECT id, deleted_at IS NOT NULL AS deleted FROM members ORDER BY id;
SELECT member_id, id, deleted_at IS NOT NULL AS deleted FROM memos ORDER BY 1, 2;

-- a reference table: the same verbs, on the one shard every node holds
BEGIN;
SELECT stamped(forge_soft_delete('labels', '{"where": {"name": "red"}, "select": {"name": true, "deleted_at": true}}'));
SELECT forge_soft_delete_many('labels', '{"where": {"name": {"in": ["red", "green"]}}}');
COMMIT;
-- (limit on a reference table: its rows are locked as on one node)
SELECT forge_update_many('labels', '{"where": {}, "data": {}, "limit": 5}');
SELECT try($$SELECT forge_delete('labels', '{"where": {"name": "red"}}')$$);
SELECT forge_update_many('labels', '{"where": {"name": {"not": "blue"}}, "data": {}, "withDeleted": true}');
SELECT forge_restore('labels', '{"where": {"name": "red"}, "select": {"name": true}}');
SELECT forge_restore_many('labels', '{}');
SELECT name, deleted_at IS NOT NULL AS deleted FROM labels ORDER BY name;

-- a purge says withDeleted: deleteMany of soft-deleted rows across shards
SELECT forge_soft_delete_many('memos', '{"where": {"body": {"endsWith": "1"}}}');
SELECT forge_delete_many('memos', '{"where": {"deleted_at": {"not": null}}}');
SELECT forge_delete_many('memos', '{"where": {"deleted_at": {"not": null}}, "withDeleted": true}');
SELECT member_id, id, body FROM memos ORDER BY 1, 2;
