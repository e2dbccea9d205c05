-- forge_delete and forge_delete_many.
CREATE TABLE del_users (
  id int PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  version int NOT NULL DEFAULT 1
);
INSERT INTO del_users (id, email, name) VALUES
  (1, 'ada@example.com', 'Ada'), (2, 'bob@example.com', 'Bob'),
  (3, 'cy@example.com', NULL), (4, 'dee@example.com', 'Dee');

-- forge_delete returns the row it deleted.
SELECT forge_delete('del_users', '{"where": {"id": 1}}');
SELECT forge_delete('del_users', '{"where": {"email": "bob@example.com"}, "select": {"email": true}}');

-- Not there (any more): P2025.
SELECT forge_delete('del_users', '{"where": {"id": 1}}');
-- A version check that fails: P2025, and the row stays.
SELECT forge_delete('del_users', '{"where": {"id": 3, "version": 2}}');
SELECT count(*) FROM del_users WHERE id = 3;

-- A non-unique where is refused.
SELECT forge_delete('del_users', '{"where": {"name": "Dee"}}');

-- forge_delete_many: any filter, returns the count.
SELECT forge_delete_many('del_users', '{"where": {"name": null}}');
SELECT forge_delete_many('del_users', '{"where": {"name": "nobody"}}');
-- No where: every row.
SELECT forge_delete_many('del_users', '{}');
SELECT count(*) FROM del_users;

DROP TABLE del_users;
