-- Issue 12's Prisma 7 features on Citus: limit, the "and return" verbs,
-- createMany with rows of different key sets, include (_count, cursor,
-- orderBy by a relation) and omit, scalar lists, Json filters and JSON
-- null, and nested connectOrCreate / upsert.  shops is distributed by id,
-- items by shop_id (colocated with shops), kinds is a reference table.
-- Uses try() from soft_delete.sql.
SET citus.shard_count = 4;
SET client_min_messages = warning;
CREATE TABLE shops (id bigserial PRIMARY KEY, name text NOT NULL,
                    tags text[] NOT NULL DEFAULT '{}', meta jsonb,
                    rank int NOT NULL DEFAULT 0);
SELECT create_distributed_table('shops', 'id');
CREATE TABLE kinds (id serial PRIMARY KEY, name text UNIQUE NOT NULL,
                    tags text[], rank int NOT NULL DEFAULT 5);
SELECT create_reference_table('kinds');
-- (the foreign keys once items is distributed: Citus takes none from a
-- local table to a distributed one)
CREATE TABLE items (shop_id bigint NOT NULL, id bigserial,
                    title text NOT NULL, price int NOT NULL DEFAULT 10,
                    kind_id int, PRIMARY KEY (shop_id, id));
SELECT create_distributed_table('items', 'shop_id', colocate_with => 'shops');
ALTER TABLE items ADD FOREIGN KEY (shop_id) REFERENCES shops;
ALTER TABLE items ADD FOREIGN KEY (kind_id) REFERENCES kinds;
RESET client_min_messages;

--
-- createMany whose rows give different columns: one INSERT ... SELECT over
-- the rows in the array's order; a column some row leaves out is CASE WHEN
-- the row has it THEN its value ELSE the column's DEFAULT, evaluated by
-- forge_column_default (a C function of forge).  Citus runs the SELECT of
-- an INSERT ... SELECT from a function on the coordinator, so that
-- function never runs on a worker: the bigserial and the other defaults
-- are the coordinator's, and ids follow the array.
--
SELECT forge_create_many('shops', '{"data": [{"name": "north"}, {"name": "south", "rank": 2},
                                             {"name": "east", "tags": ["a"]}, {"name": "west"}]}');
SELECT id, name, tags, rank FROM shops ORDER BY id;
SELECT forge_create_many('kinds', '{"data": [{"name": "tool"}, {"name": "toy", "rank": 1},
                                             {"name": "food", "id": 50, "tags": ["x"]}]}');
SELECT id, name, tags, rank FROM kinds ORDER BY id;
SELECT forge_create_many('items', '{"data": [{"shop_id": 1, "title": "saw", "kind_id": 1},
                                             {"shop_id": 1, "title": "ball", "price": 3, "kind_id": 2},
                                             {"shop_id": 2, "title": "hammer", "kind_id": 1},
                                             {"shop_id": 2, "title": "bread", "price": 2, "kind_id": 50},
                                             {"shop_id": 3, "id": 100, "title": "kite"}]}');
SELECT shop_id, id, title, price, kind_id FROM items ORDER BY shop_id, id;
-- the same in a nested createMany (each row also gets the shop's key)
-- and with skipDuplicates (ON CONFLICT DO NOTHING)
SELECT forge_update('shops', '{"where": {"id": 4}, "data": {"items": {"createMany": {"data": [
    {"title": "pen"}, {"title": "ink", "price": 1}],
    "skipDuplicates": true}}},
  "select": {"items": {"select": {"title": true, "price": true}, "orderBy": {"id": "asc"}}}}');
SELECT forge_create_many('items', '{"data": [{"shop_id": 3, "id": 100, "title": "dup"}, {"shop_id": 4, "title": "cap"}],
                                    "skipDuplicates": true}');
SELECT shop_id, id, title, price FROM items WHERE shop_id >= 3 ORDER BY shop_id, id;

--
-- createManyAndReturn and updateManyAndReturn, with select and omit.  On
-- a distributed table each shard returns its own rows, so the rows come
-- in primary key order (ids follow the array when the table makes them);
-- an updateMany's come in primary key order everywhere.
--
SELECT forge_create_many_and_return('shops', '{"data": [{"id": 7, "name": "g"}, {"id": 5, "name": "e"},
                                                        {"id": 6, "name": "f"}],
                                               "select": {"id": true, "name": true}}');
SELECT forge_create_many_and_return('kinds', '{"data": [{"name": "book"}, {"name": "game", "rank": 3}],
                                               "omit": {"tags": true}}');
SELECT forge_update_many_and_return('shops', '{"where": {"id": {"gte": 5}}, "data": {"rank": {"increment": 1}},
                                               "omit": {"meta": true, "tags": true}}');
SELECT forge_update_many_and_return('kinds', '{"where": {"rank": {"lt": 5}}, "data": {"rank": 0},
                                               "select": {"name": true, "rank": true}}');
-- include: the related rows are read by a correlated subquery over the
-- rows the write returns, which Citus cannot plan: 0A000, before anything
-- is written
SELECT try($$SELECT forge_create_many_and_return('items', '{"data": [{"shop_id": 5, "title": "x"}],
                                                            "include": {"shop": true}}')$$);
SELECT try($$SELECT forge_update_many_and_return('items', '{"where": {}, "data": {"price": 0},
                                                            "include": {"kind": true}}')$$);
SELECT count(*) AS unchanged FROM items WHERE price <> 0;

--
-- limit on updateMany and deleteMany.  On one node (and on a reference
-- table) forge picks the rows in a subquery with FOR UPDATE; Citus locks
-- no rows of a multi-shard SELECT, so on a distributed table the subquery
-- picks them without locks and the write tests the where again: at most
-- limit rows, the lowest primary keys, each matching when written.
--
SELECT forge_update_many('shops', '{"where": {"rank": {"gte": 0}}, "data": {"name": {"set": "first two"}},
                                    "limit": 2}');
SELECT forge_update_many_and_return('shops', '{"where": {"name": {"not": "first two"}}, "data": {"rank": 9},
                                               "limit": 2, "select": {"id": true, "rank": true}}');
SELECT forge_update_many('kinds', '{"where": {}, "data": {"rank": {"increment": 10}}, "limit": 2}');
SELECT id, name, rank FROM shops ORDER BY id;
SELECT id, name, rank FROM kinds ORDER BY id;
SELECT forge_delete_many('shops', '{"where": {"id": {"gte": 5}}, "limit": 2}');
SELECT forge_delete_many('kinds', '{"where": {"name": {"in": ["book", "game"]}}, "limit": 1}');
SELECT id FROM shops ORDER BY id;
SELECT name FROM kinds ORDER BY id;
-- with a relation filter (to colocated rows) in the where
SELECT forge_update_many('shops', '{"where": {"items": {"some": {"price": {"lt": 5}}}}, "data": {"rank": 1},
                                    "limit": 1}');
SELECT id, rank FROM shops ORDER BY id;

--
-- include: _count (with a where), cursor and orderBy by a relation, and
-- omit.  On a Citus table related rows are read back after the write by
-- the primary key.  A cursor row of a distributed table is read on the
-- shard of the rows it places (joined on the distribution column, which
-- Citus requires), so a cursor row of another shop matches no row.
--
SELECT forge_update('shops', '{"where": {"id": 1}, "data": {},
    "select": {"id": true, "_count": {"select": {"items": true}}}}');
SELECT forge_update('shops', '{"where": {"id": 2}, "data": {},
    "select": {"id": true, "_count": {"select": {"items": {"where": {"price": {"gt": 5}}}}}}}');
SELECT forge_update('shops', '{"where": {"id": 1}, "data": {},
    "select": {"items": {"select": {"title": true}, "orderBy": {"kind": {"name": "desc"}}}}}');
SELECT forge_update('shops', '{"where": {"id": 2}, "data": {},
    "select": {"items": {"select": {"title": true, "kind": {"select": {"name": true}}},
                         "orderBy": [{"kind": {"rank": "asc"}}, {"title": "asc"}]}}}');
SELECT forge_create('items', '{"data": {"shop_id": 1, "id": 3, "title": "axe"}, "select": {"id": true}}');
SELECT forge_update('shops', '{"where": {"id": 1}, "data": {},
    "select": {"items": {"select": {"id": true}, "orderBy": {"id": "asc"},
                         "cursor": {"shop_id_id": {"shop_id": 1, "id": 2}}}}}');
SELECT forge_update('shops', '{"where": {"id": 1}, "data": {},
    "select": {"items": {"select": {"id": true}, "orderBy": {"id": "asc"}, "skip": 1, "take": 1,
                         "cursor": {"shop_id_id": {"shop_id": 1, "id": 1}}}}}');
SELECT forge_update('shops', '{"where": {"id": 1}, "data": {},
    "select": {"items": {"select": {"id": true},
                         "cursor": {"shop_id_id": {"shop_id": 2, "id": 3}}}}}');
SELECT forge_create('items', '{"data": {"shop_id": 3, "title": "top", "kind_id": 2},
    "omit": {"price": true, "kind_id": true}, "include": {"kind": {"omit": {"tags": true}}}}');
SELECT forge_delete('items', '{"where": {"shop_id_id": {"shop_id": 1, "id": 3}}, "omit": {"kind_id": true}}');
SELECT forge_update('kinds', '{"where": {"name": "toy"}, "data": {"rank": 1}, "omit": {"id": true, "tags": true}}');

--
-- scalar lists: push, remove and addUnique in place, and the list filters
--
SELECT forge_update('shops', '{"where": {"id": 1}, "data": {"tags": {"push": ["x", "y"]}}, "select": {"tags": true}}');
SELECT forge_update('shops', '{"where": {"id": 1}, "data": {"tags": {"remove": "x"}}, "select": {"tags": true}}');
SELECT forge_update('shops', '{"where": {"id": 1}, "data": {"tags": {"addUnique": ["y", "z"]}}, "select": {"tags": true}}');
SELECT forge_update_many('shops', '{"where": {"tags": {"isEmpty": true}}, "data": {"tags": {"push": "new"}}}');
SELECT forge_update_many('kinds', '{"where": {}, "data": {"tags": {"addUnique": ["k", "x"]}}}');
SELECT id, tags FROM shops ORDER BY id;
SELECT name, tags FROM kinds ORDER BY id;
SELECT forge_update_many('shops', '{"where": {"tags": {"has": "y"}}, "data": {"rank": 21}}');
SELECT forge_update_many('shops', '{"where": {"tags": {"hasEvery": ["a", "new"]}}, "data": {"rank": 22}}');
SELECT forge_update_many('shops', '{"where": {"tags": {"hasSome": ["z", "nope"]}}, "data": {"rank": 23}}');
SELECT forge_update_many('kinds', '{"where": {"tags": {"has": "x", "hasSome": ["k"]}}, "data": {"tags": {"remove": "x"}}}');
SELECT id, tags, rank FROM shops ORDER BY id;
SELECT name, tags FROM kinds ORDER BY id;

--
-- Json: JsonNull and DbNull written and filtered, and path filters
--
SELECT forge_update('shops', '{"where": {"id": 1}, "data": {"meta": {"size": 3, "tags": ["pg", "citus"], "owner": {"name": "Ann"}}},
                               "select": {"meta": true}}');
SELECT forge_update('shops', '{"where": {"id": 2}, "data": {"meta": {"$type": "Enum", "value": "JsonNull"}}, "select": {"meta": true}}');
SELECT forge_update('shops', '{"where": {"id": 3}, "data": {"meta": {"$type": "Enum", "value": "DbNull"}}, "select": {"meta": true}}');
SELECT id, meta, meta IS NULL AS db_null FROM shops ORDER BY id;
SELECT forge_update_many('shops', '{"where": {"meta": {"equals": {"$type": "Enum", "value": "JsonNull"}}}, "data": {"rank": 31}}');
SELECT forge_update_many('shops', '{"where": {"meta": {"equals": {"$type": "Enum", "value": "DbNull"}}}, "data": {"rank": 32}}');
SELECT forge_update_many('shops', '{"where": {"meta": {"path": ["size"], "gt": 2}}, "data": {"rank": 33}}');
SELECT forge_update_many('shops', '{"where": {"meta": {"path": ["tags"], "array_contains": "citus"}}, "data": {"tags": {"push": "citus"}}}');
SELECT forge_update_many('shops', '{"where": {"meta": {"path": ["owner", "name"], "string_starts_with": "an", "mode": "insensitive"}},
                                    "data": {"name": {"set": "Ann''s"}}}');
SELECT id, name, tags, rank FROM shops ORDER BY id;

--
-- nested connectOrCreate and upsert (see upsert.sql).  A to-one (or
-- many-to-many) connectOrCreate reads the related row first and connects
-- a row it finds as it is; without one it creates it with a plain
-- INSERT ... ON CONFLICT, which works on Citus tables.  A to-many
-- connectOrCreate and a to-many nested upsert update else insert in one
-- statement, which Citus cannot run: 0A000, before anything is written.
-- A to-one upsert updates the related row the foreign key names, or
-- creates one: both work.
--
SELECT forge_create('items', '{"data": {"shop_id": 2, "id": 20, "title": "jam",
    "kind": {"connectOrCreate": {"where": {"name": "food"}, "create": {"name": "food"}}}},
  "select": {"id": true, "kind": {"select": {"name": true}}}}');
SELECT forge_create('items', '{"data": {"shop_id": 2, "id": 21, "title": "wine",
    "kind": {"connectOrCreate": {"where": {"name": "drink"}, "create": {"name": "drink", "rank": 7}}}},
  "select": {"id": true, "kind": {"select": {"name": true, "rank": true}}}}');
SELECT try($$SELECT forge_update('shops', '{"where": {"id": 2}, "data": {"items": {"connectOrCreate":
    {"where": {"shop_id_id": {"shop_id": 2, "id": 20}}, "create": {"id": 20, "title": "jam"}}}}}')$$);
SELECT try($$SELECT forge_update('shops', '{"where": {"id": 2}, "data": {"items": {"upsert":
    {"where": {"shop_id_id": {"shop_id": 2, "id": 20}}, "create": {"id": 20, "title": "jam"},
     "update": {"price": 1}}}}}')$$);
SELECT forge_update('items', '{"where": {"shop_id_id": {"shop_id": 2, "id": 20}}, "data": {"kind":
    {"upsert": {"create": {"name": "herb"}, "update": {"rank": 0}}}},
  "select": {"title": true, "kind": {"select": {"name": true, "rank": true}}}}');
-- (kite has no kind: the upsert creates one)
SELECT forge_update('items', '{"where": {"shop_id_id": {"shop_id": 3, "id": 100}}, "data": {"kind":
    {"upsert": {"create": {"name": "herb"}, "update": {"rank": 0}}}},
  "select": {"title": true, "kind": {"select": {"name": true, "rank": true}}}}');
-- an upsert whose create sets a to-one key (connect) finds and locks its
-- row, then runs one branch: refused on a Citus table (0A000)
SELECT try($$SELECT forge_upsert('items', '{"where": {"shop_id_id": {"shop_id": 2, "id": 30}},
    "create": {"shop_id": 2, "id": 30, "title": "tea", "kind": {"connect": {"name": "drink"}}},
    "update": {}}')$$);
SELECT shop_id, id, title, price, (SELECT name FROM kinds WHERE id = kind_id) AS kind
  FROM items WHERE id >= 20 ORDER BY id;
SELECT name, rank FROM kinds ORDER BY id;
