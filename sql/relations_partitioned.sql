--
-- relations_partitioned: foreign keys from and to partitioned tables.
--
-- A foreign key that references a partitioned table is cloned by
-- PostgreSQL once per partition (pg_constraint rows of the referencing
-- table whose conparentid is its own constraint).  Only the constraint
-- the user made is a relation, so it keeps its name.  A key held by a
-- partitioned table is one relation too, and a partition holds it as its
-- own.
--
CREATE SCHEMA part;
SET search_path = part, public;
-- referenced: authors, hash-partitioned
CREATE TABLE authors (id int PRIMARY KEY, name text) PARTITION BY HASH (id);
CREATE TABLE authors_0 PARTITION OF authors FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE authors_1 PARTITION OF authors FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors, title text);
-- referencing: events, range-partitioned, hold a key to owners
CREATE TABLE owners (id int PRIMARY KEY, name text);
CREATE TABLE events (id int, created date, owner_id int REFERENCES owners,
                     PRIMARY KEY (id, created)) PARTITION BY RANGE (created);
CREATE TABLE events_2026 PARTITION OF events
  FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_2027 PARTITION OF events
  FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
-- many-to-many: a join table between partitioned authors and prizes
CREATE TABLE prizes (id int PRIMARY KEY, name text UNIQUE);
CREATE TABLE author_prizes (author_id int REFERENCES authors,
                            prize_id int REFERENCES prizes,
                            PRIMARY KEY (author_id, prize_id));

-- What PostgreSQL made: a clone of each key to authors per partition.
-- (A clone's name is PostgreSQL's to choose, and 18 chose another suffix:
-- the clones are shown by their parent's name.)
SELECT coalesce(p.conname, c.conname) AS key, c.conrelid::regclass,
       c.confrelid::regclass, c.conparentid <> 0 AS cloned
  FROM pg_constraint c LEFT JOIN pg_constraint p ON p.oid = c.conparentid
 WHERE c.contype = 'f' AND c.connamespace = 'part'::regnamespace
 ORDER BY c.conrelid::regclass::text, 1, c.confrelid::regclass::text;

-- One relation per key, each with its name.
SELECT name, kind, constraint_name, target FROM forge_relations('books')
 ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, target, join_table FROM forge_relations('authors')
 ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, target FROM forge_relations('owners');
SELECT name, kind, constraint_name, target FROM forge_relations('events');
SELECT name, kind, constraint_name, target FROM forge_relations('events_2026');

-- Nested connect and create through a key to a partitioned table.
SELECT forge_create('authors', '{"data": {"id": 1, "name": "Ada"}}');
SELECT forge_create('books', '{"data": {"id": 1, "title": "Notes",
  "author": {"connect": {"id": 1}}}, "include": {"author": true}}');
SELECT forge_create('books', '{"data": {"id": 2, "title": "Letters",
  "author": {"create": {"id": 2, "name": "Bob"}}}, "include": {"author": true}}');
SELECT forge_update('authors', '{"where": {"id": 1}, "data":
  {"books": {"create": {"id": 3, "title": "More"}}}, "include": {"books": true}}');
-- Filters through it, both ways.
SELECT forge_update_many('books', '{"where": {"author": {"is": {"name": "Ada"}}},
  "data": {"title": "by Ada"}}');
SELECT forge_delete_many('authors', '{"where": {"books": {"none": {}}}}');
-- The many-to-many through author_prizes, both ways.
INSERT INTO prizes VALUES (1, 'gold');
SELECT forge_update('authors', '{"where": {"id": 2}, "data":
  {"prizes": {"connect": {"name": "gold"}, "create": {"id": 2, "name": "silver"}}},
  "include": {"prizes": {"select": {"name": true}}}}');
SELECT forge_update('prizes', '{"where": {"id": 1}, "data":
  {"authors": {"connect": {"id": 1}}}, "include": {"authors": true}}');
SELECT forge_update_many('authors', '{"where": {"prizes": {"some": {"name": "silver"}}},
  "data": {"name": "Bob, awarded"}}');
SELECT * FROM books ORDER BY id;
SELECT tableoid::regclass, * FROM authors ORDER BY id;

-- A partitioned table's key: to-many from owners, to-one from events and
-- from each partition.
SELECT forge_create('owners', '{"data": {"id": 1, "name": "o",
  "events": {"create": [{"id": 1, "created": "2026-05-01"},
                        {"id": 2, "created": "2027-05-01"}]}},
  "include": {"events": true}}');
SELECT forge_create('events', '{"data": {"id": 3, "created": "2026-06-01",
  "owner": {"connect": {"id": 1}}}, "include": {"owner": true}}');
SELECT forge_update('events_2027', '{"where": {"id_created": {"id": 2, "created": "2027-05-01"}},
  "data": {}, "include": {"owner": true}}');
SELECT forge_update_many('owners', '{"where": {"events": {"some": {"id": 3}}},
  "data": {"name": "p"}}');
SELECT tableoid::regclass, * FROM events ORDER BY id;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA part CASCADE;
RESET client_min_messages;
