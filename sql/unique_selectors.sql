--
-- unique_selectors: a unique selector touches at most one row.
--
-- forge selects a row by equality on each column of a unique key, with
-- the column type's equality operator under the column's collation.  A
-- unique index only promises one row per value of its own equality: its
-- operator class's, under its own collation.  forge takes an index as a
-- unique key only where its equality is no coarser than forge's, and
-- reads and writes an inheritance parent's own rows (ONLY), which are all
-- its unique keys cover.
--
CREATE SCHEMA uq;
SET search_path = uq, public;
CREATE COLLATION uq.ci (provider = icu, locale = 'und-u-ks-level2',
                        deterministic = false);

-- A case-insensitive column under a case-sensitive unique index: "Ada@x"
-- and "ada@x" are two rows to the index, one value to the column.  Its
-- unique index is no unique key for forge, and the where is refused
-- rather than touch both rows.
CREATE TABLE ci_column (id int PRIMARY KEY, email text COLLATE uq.ci, n int);
CREATE UNIQUE INDEX ci_column_email ON ci_column (email COLLATE "C");
INSERT INTO ci_column VALUES (1, 'Ada@x', 0), (2, 'ada@x', 0);
SELECT forge_update('ci_column', '{"where": {"email": "ada@x"}, "data": {"n": 1}}');
SELECT forge_delete('ci_column', '{"where": {"email": "ada@x"}}');
SELECT forge_upsert('ci_column', '{"where": {"email": "ada@x"}, "create": {"id": 3}, "update": {"n": 1}}');
SELECT * FROM ci_column ORDER BY id;
-- The same column under an index of its own collation is a unique key.
DROP INDEX ci_column_email;
DELETE FROM ci_column WHERE id = 2;
CREATE UNIQUE INDEX ci_column_email ON ci_column (email);
SELECT forge_update('ci_column', '{"where": {"email": "ADA@X"}, "data": {"n": 1}}');

-- The reverse is safe: a case-sensitive column under a case-insensitive
-- unique index (the usual way to keep emails unique whatever their case).
-- Equality on the column is finer than the index's, so it matches one row
-- at most.
CREATE TABLE ci_index (id int PRIMARY KEY, email text, n int);
CREATE UNIQUE INDEX ci_index_email ON ci_index (email COLLATE uq.ci);
INSERT INTO ci_index VALUES (1, 'Ada@x', 0);
SELECT forge_update('ci_index', '{"where": {"email": "Ada@x"}, "data": {"n": 1}}');
SELECT forge_update('ci_index', '{"where": {"email": "ada@x"}, "data": {"n": 2}}');

-- An operator class whose equality is not the type's: record_image_ops
-- holds (1.0) and (1.00) apart, which "=" finds equal.
CREATE TYPE uq.amount AS (value numeric);
CREATE TABLE images (id int PRIMARY KEY, a uq.amount, n int);
CREATE UNIQUE INDEX images_a ON images (a record_image_ops);
INSERT INTO images VALUES (1, ROW(1.0), 0), (2, ROW(1.00), 0);
SELECT forge_update('images', '{"where": {"a": "(1.0)"}, "data": {"n": 1}}');
SELECT forge_delete('images', '{"where": {"a": "(1.0)"}}');
SELECT * FROM images ORDER BY id;

-- A deferrable unique constraint is checked at commit (or when SET
-- CONSTRAINTS makes it immediate), so until then two rows may share its
-- values: it is no unique key either.
CREATE TABLE slots (id int PRIMARY KEY, code text NOT NULL UNIQUE DEFERRABLE INITIALLY DEFERRED, n int);
INSERT INTO slots VALUES (1, 'a', 0), (2, 'b', 0);
BEGIN;
UPDATE slots SET code = 'a' WHERE id = 2;
SELECT forge_update('slots', '{"where": {"code": "a"}, "data": {"n": 1}}');
ROLLBACK;
SELECT forge_delete('slots', '{"where": {"code": "a"}}');
SELECT * FROM slots ORDER BY id;

-- Inheritance: a parent's primary key does not cover its children, so
-- "id": 1 may be a row of the parent and a row of a child.  forge writes
-- the parent's own rows, as its keys and foreign keys see them; a child
-- is a table of its own.
CREATE TABLE items (id int PRIMARY KEY, name text);
CREATE TABLE special_items (extra text) INHERITS (items);
ALTER TABLE special_items ADD PRIMARY KEY (id);
INSERT INTO items VALUES (1, 'parent');
INSERT INTO special_items VALUES (1, 'child', 'e');
SELECT forge_update('items', '{"where": {"id": 1}, "data": {"name": "renamed"}}');
SELECT forge_update_many('items', '{"where": {"id": 1}, "data": {"name": "renamed again"}}');
SELECT forge_upsert('items', '{"where": {"id": 1}, "create": {}, "update": {"name": "upserted"}}');
SELECT tableoid::regclass, * FROM items ORDER BY 1;
SELECT forge_delete('items', '{"where": {"id": 1}}');
SELECT forge_delete_many('items', '{}');
SELECT tableoid::regclass, * FROM items ORDER BY 1;
SELECT forge_update('special_items', '{"where": {"id": 1}, "data": {"name": "child, renamed"}}');
-- Relations read a parent's own rows too: the foreign key references
-- them only.
CREATE TABLE item_notes (id int PRIMARY KEY, item_id int REFERENCES items, body text);
INSERT INTO items VALUES (2, 'parent two');
INSERT INTO special_items VALUES (2, 'child two', 'e');
INSERT INTO item_notes VALUES (1, 2, 'note');
SELECT forge_update('item_notes', '{"where": {"id": 1}, "data": {}, "include": {"item": true}}');
SELECT forge_update_many('item_notes', '{"where": {"item": {"is": {"name": "child two"}}}, "data": {"body": "x"}}');
-- A plan cached before the table had children is planned again with ONLY.
CREATE TABLE plain (id int PRIMARY KEY, name text);
INSERT INTO plain VALUES (1, 'parent');
SELECT forge_update('plain', '{"where": {"id": 1}, "data": {"name": "a"}}');
CREATE TABLE plain_child () INHERITS (plain);
INSERT INTO plain_child VALUES (1, 'child');
SELECT forge_update('plain', '{"where": {"id": 1}, "data": {"name": "b"}}');
SELECT tableoid::regclass, * FROM plain ORDER BY 1;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA uq CASCADE;
RESET client_min_messages;
