-- forge_update and forge_update_many.
CREATE TABLE up_users (
  id int PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  views int NOT NULL DEFAULT 0,
  score numeric(8,2) NOT NULL DEFAULT 10,
  ratio float8 NOT NULL DEFAULT 1,
  version int NOT NULL DEFAULT 1
);
INSERT INTO up_users (id, email, name) VALUES
  (1, 'ada@example.com', 'Ada'), (2, 'bob@example.com', 'Bob'), (3, 'cy@example.com', NULL);

-- A unique selector (the primary key) and a literal set.
SELECT forge_update('up_users', '{"where": {"id": 1}, "data": {"name": "Ada L."}}');

-- Any unique key selects: here email.
SELECT forge_update('up_users', '{"where": {"email": "bob@example.com"}, "data": {"name": "Robert"}}');

-- Atomic number operations compile to col = col <op> $n.
SELECT forge_update('up_users', '{"where": {"id": 1}, "data": {"views": {"increment": 5}}}');
SELECT forge_update('up_users', '{"where": {"id": 1}, "data": {"views": {"decrement": 2}, "score": {"multiply": 1.5}, "ratio": {"divide": 4}}}');

-- Optimistic concurrency: extra filters are ANDed to the unique selector.
SELECT forge_update('up_users', '{"where": {"id": 2, "version": 1}, "data": {"version": {"increment": 1}, "name": "Bob v2"}}');
-- The same version again matches nothing: P2025.
SELECT forge_update('up_users', '{"where": {"id": 2, "version": 1}, "data": {"version": {"increment": 1}, "name": "lost"}}');
SELECT name, version FROM up_users WHERE id = 2;

-- No such row: P2025.
SELECT forge_update('up_users', '{"where": {"id": 99}, "data": {"name": "nobody"}}');

-- An empty data returns the row, locked and unchanged.
SELECT forge_update('up_users', '{"where": {"id": 3}, "data": {}}');

-- A where that pins no unique key is an error naming the unique keys.
SELECT forge_update('up_users', '{"where": {"name": "Ada L."}, "data": {"views": 0}}');

-- Division by zero passes through (22012); nothing changes.
SELECT forge_update('up_users', '{"where": {"id": 1}, "data": {"views": {"divide": 0}}}');

-- forge_update_many: any filter, returns the count.
SELECT forge_update_many('up_users', '{"where": {"views": {"gte": 0}, "name": {"not": null}}, "data": {"views": {"increment": 1}}}');
SELECT forge_update_many('up_users', '{"where": {"email": {"endsWith": "@nowhere.org"}}, "data": {"views": 0}}');
-- An empty or absent where means every row.
SELECT forge_update_many('up_users', '{"data": {"score": {"increment": 1}}}');
SELECT forge_update_many('up_users', '{"where": {}, "data": {"ratio": 2}}');
SELECT id, name, views, score, ratio, version FROM up_users ORDER BY id;

DROP TABLE up_users;
