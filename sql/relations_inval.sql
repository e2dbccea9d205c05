--
-- relations_inval: a table's relations are read again when DDL can change
-- them, and the next call in the same session sees the change.
--
-- relations.c reads a table's relations once and watches the tables they
-- were read from (the table, every related table, every join table):
-- only a relcache invalidation of one of them, or a whole reset, makes it
-- read them again.  Each step below warms the relations first, then makes
-- one kind of DDL that changes them, then looks again.
-- test/isolation/specs/relations_inval.spec shows the same from another,
-- already warm, session.
--
CREATE SCHEMA ri;
SET search_path = ri, public;
CREATE TABLE authors (id int PRIMARY KEY, name text);
CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors, title text);
CREATE TABLE reviews (id int PRIMARY KEY, author_id int, body text);
INSERT INTO authors VALUES (1, 'Ann');
INSERT INTO books VALUES (10, 1, 'Bees');
INSERT INTO reviews VALUES (100, 1, 'good');
SELECT name, kind, constraint_name, columns, target, target_columns
  FROM forge_relations('authors') ORDER BY kind, constraint_name;

-- A foreign key added on another table, to this one: a new to-many.
-- PostgreSQL invalidates the referenced table too (it gets the key's RI
-- triggers), although its own catalog rows do not change.
ALTER TABLE reviews ADD FOREIGN KEY (author_id) REFERENCES authors;
SELECT name, kind, constraint_name, columns, target, target_columns
  FROM forge_relations('authors') ORDER BY kind, constraint_name;
SELECT forge_update('authors', '{"where": {"id": 1}, "data": {}, "include": {"reviews": true}}');

-- The other side's constraint renamed: the relation's constraint name,
-- by which a descriptor may address it.  Only the referencing table is
-- invalidated; it is a related table, so it is watched.
ALTER TABLE reviews RENAME CONSTRAINT reviews_author_id_fkey TO reviews_by;
SELECT name, kind, constraint_name FROM forge_relations('authors') ORDER BY kind, constraint_name;
SELECT forge_update('authors', '{"where": {"id": 1}, "data": {}, "include": {"reviews_by": true}}');
SELECT forge_update('authors', '{"where": {"id": 1}, "data": {}, "include": {"reviews_author_id_fkey": true}}');
-- and this side's own constraint renamed
SELECT name, kind, constraint_name FROM forge_relations('books');
ALTER TABLE books RENAME CONSTRAINT books_author_id_fkey TO books_by;
SELECT name, kind, constraint_name FROM forge_relations('books');

-- A renamed column: on the other side, the relation's columns; on this
-- side, the to-one's name, which comes from the key's column.
ALTER TABLE reviews RENAME COLUMN author_id TO writer_id;
SELECT name, kind, constraint_name, columns, target_columns
  FROM forge_relations('authors') ORDER BY kind, constraint_name;
SELECT forge_update('authors', '{"where": {"id": 1}, "data": {}, "include": {"reviews": {"select": {"id": true, "writer_id": true}}}}');
ALTER TABLE books RENAME COLUMN author_id TO writer_id;
SELECT name, kind, constraint_name, columns FROM forge_relations('books');
SELECT forge_update('books', '{"where": {"id": 10}, "data": {}, "include": {"writer": true}}');

-- A unique index created on the other side's key makes the relation
-- one-to-one (an object, not an array); dropped, it is to-many again.
CREATE UNIQUE INDEX reviews_one_per_writer ON reviews (writer_id);
SELECT name, kind, constraint_name FROM forge_relations('authors') ORDER BY kind, constraint_name;
SELECT forge_update('authors', '{"where": {"id": 1}, "data": {}, "include": {"reviews": true}}');
DROP INDEX reviews_one_per_writer;
SELECT name, kind, constraint_name FROM forge_relations('authors') ORDER BY kind, constraint_name;

-- The other table renamed: the relation's name.
ALTER TABLE reviews RENAME TO critiques;
SELECT name, kind, constraint_name, target FROM forge_relations('authors') ORDER BY kind, constraint_name;
SELECT forge_update('authors', '{"where": {"id": 1}, "data": {}, "include": {"critiques": true}}');

-- A table becomes a join table: a second foreign key, then a unique key
-- over both.  Only the join table and the other table are invalidated
-- (the second key does not reference books).
CREATE TABLE genres (id int PRIMARY KEY, label text);
CREATE TABLE book_genres (book_id int REFERENCES books, genre_id int);
INSERT INTO genres VALUES (7, 'sci-fi');
INSERT INTO book_genres VALUES (10, 7);
SELECT name, kind, constraint_name, target FROM forge_relations('books') ORDER BY kind, constraint_name;
ALTER TABLE book_genres ADD FOREIGN KEY (genre_id) REFERENCES genres;
SELECT name, kind, constraint_name, target FROM forge_relations('books') ORDER BY kind, constraint_name;
ALTER TABLE book_genres ADD PRIMARY KEY (book_id, genre_id);
SELECT name, kind, constraint_name, target, join_table FROM forge_relations('books') ORDER BY kind, constraint_name;
SELECT forge_update('books', '{"where": {"id": 10}, "data": {}, "include": {"genres": true}}');
-- the far table renamed: the many-to-many's name
ALTER TABLE genres RENAME TO kinds;
SELECT name, kind, constraint_name, target, join_table FROM forge_relations('books') ORDER BY kind, constraint_name;
-- a column of the join table renamed: its join columns
ALTER TABLE book_genres RENAME COLUMN genre_id TO kind_id;
SELECT name, kind, join_columns, join_target_columns FROM forge_relations('books') WHERE kind = 'many-to-many';

-- DDL rolled back: the relations are read again, and are what they were.
BEGIN;
ALTER TABLE critiques DROP CONSTRAINT reviews_by;
SELECT name, kind, constraint_name FROM forge_relations('authors') ORDER BY kind, constraint_name;
ROLLBACK;
SELECT name, kind, constraint_name FROM forge_relations('authors') ORDER BY kind, constraint_name;
-- in a savepoint too
BEGIN;
SELECT name, kind FROM forge_relations('authors') ORDER BY kind, name;
SAVEPOINT s;
ALTER TABLE critiques RENAME TO notes;
SELECT name, kind FROM forge_relations('authors') ORDER BY kind, name;
ROLLBACK TO SAVEPOINT s;
SELECT name, kind FROM forge_relations('authors') ORDER BY kind, name;
COMMIT;

-- A foreign key dropped, and a related table dropped.
ALTER TABLE critiques DROP CONSTRAINT reviews_by;
SELECT name, kind, constraint_name FROM forge_relations('authors') ORDER BY kind, constraint_name;
SELECT forge_update('authors', '{"where": {"id": 1}, "data": {}, "include": {"critiques": true}}');
DROP TABLE book_genres;
SELECT name, kind, constraint_name FROM forge_relations('books') ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name FROM forge_relations('kinds') ORDER BY kind, constraint_name;

-- A key to a partitioned table: the key's RI triggers go on the
-- partitioned table, so it sees its new to-many too.
CREATE TABLE shelves (id int, PRIMARY KEY (id)) PARTITION BY RANGE (id);
CREATE TABLE shelves_low PARTITION OF shelves FOR VALUES FROM (0) TO (100);
CREATE TABLE placements (id int PRIMARY KEY, shelf_id int);
SELECT name, kind, constraint_name FROM forge_relations('shelves');
ALTER TABLE placements ADD FOREIGN KEY (shelf_id) REFERENCES shelves;
SELECT name, kind, constraint_name FROM forge_relations('shelves');

-- A schema renamed: the related table's qualified name in the generated
-- SQL (the cached plan is replanned from new text).
CREATE SCHEMA ri_far;
CREATE TABLE ri_far.letters (id int PRIMARY KEY, author_id int REFERENCES ri.authors, body text);
INSERT INTO ri_far.letters VALUES (1000, 1, 'dear');
SELECT forge_update('authors', '{"where": {"id": 1}, "data": {}, "include": {"letters": true}}');
ALTER SCHEMA ri_far RENAME TO ri_near;
SELECT forge_update('authors', '{"where": {"id": 1}, "data": {}, "include": {"letters": true}}');
SELECT name, kind, target FROM forge_relations('authors') WHERE name = 'letters';
DROP SCHEMA ri_near CASCADE;
SELECT name, kind FROM forge_relations('authors') ORDER BY kind, name;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ri CASCADE;
RESET client_min_messages;
