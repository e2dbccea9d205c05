--
-- identity: tables whose key is GENERATED ALWAYS AS IDENTITY.
--
-- Such a column takes no value from a write: PostgreSQL refuses one
-- (428C9) unless the statement says OVERRIDING SYSTEM VALUE, and forge, like
-- Prisma, never says it.  So a value given for it in data or create is
-- 428C9, and forge itself never writes it: an update or upsert with empty
-- data locks and returns the row by assigning another column to itself,
-- and an upsert whose where pins such a key does not copy the pinned value
-- into the row it creates (the created row gets the next identity value).
--
CREATE TABLE id_items (
    id    int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text,
    qty   int NOT NULL DEFAULT 0
);
SELECT forge_create('id_items', '{"data": {"name": "a"}}');
SELECT forge_create('id_items', '{"data": {"name": "b"}}');

-- Empty data: the row comes back unchanged.
SELECT forge_update('id_items', '{"where": {"id": 1}, "data": {}}');
SELECT forge_update_many('id_items', '{"where": {"id": 2}, "data": {}}');

-- Upsert with an empty update on an existing id: the row comes back.
SELECT forge_upsert('id_items', '{"where": {"id": 1}, "create": {"name": "new"}, "update": {}}');
-- Upsert that updates an existing id.
SELECT forge_upsert('id_items', '{"where": {"id": 2}, "create": {"name": "new"}, "update": {"qty": {"increment": 5}}}');

-- Upsert whose where pins an id no row has: the row is created, with the
-- identity's next value (the where cannot choose it), as Prisma's upsert
-- does.  Then the same where again creates another: no row has id 50.
SELECT forge_upsert('id_items', '{"where": {"id": 50}, "create": {"name": "c"}, "update": {"qty": 1}}');
SELECT forge_upsert('id_items', '{"where": {"id": 50}, "create": {"name": "d"}, "update": {"qty": 1}}');
-- A row with the id that fails the rest of the where is neither updated
-- nor created: P2025.
SELECT forge_upsert('id_items', '{"where": {"id": 1, "name": "zzz"}, "create": {"name": "e"}, "update": {"qty": 9}}');
-- With select, and the row that passes the rest of the where.
SELECT forge_upsert('id_items', '{"where": {"id": 1, "name": "a"}, "create": {"name": "e"}, "update": {"qty": 9}, "select": {"qty": true}}');

-- A value given for the identity column is PostgreSQL's 428C9, as in Prisma.
SELECT forge_create('id_items', '{"data": {"id": 7, "name": "c"}}');
SELECT forge_update('id_items', '{"where": {"id": 1}, "data": {"id": 7}}');
SELECT id, name, qty FROM id_items ORDER BY id;

-- A table whose every column is generated or an identity: nothing can be
-- written, so empty data has nothing to assign.
CREATE TABLE id_only (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                      twice int GENERATED ALWAYS AS (id * 2) STORED);
INSERT INTO id_only DEFAULT VALUES;
SELECT forge_update('id_only', '{"where": {"id": 1}, "data": {}}');

DROP TABLE id_items, id_only;
