-- Relations, read from foreign keys: forge_relations(model) lists how a
-- descriptor can address each.
CREATE SCHEMA rel;
SET search_path = rel, public;
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE);
-- to-one from posts (author_id -> users), to-many from users ("posts")
CREATE TABLE posts (id int PRIMARY KEY, author_id int REFERENCES users, title text);
-- one-to-one: profiles.user_id is unique
CREATE TABLE profiles (id int PRIMARY KEY, user_id int UNIQUE REFERENCES users, bio text);
-- many-to-many through a join table with a primary key over both keys
CREATE TABLE tags (id int PRIMARY KEY, name text UNIQUE);
CREATE TABLE post_tags (post_id int REFERENCES posts, tag_id int REFERENCES tags,
                        PRIMARY KEY (post_id, tag_id));
-- Prisma's implicit join table: columns "A" and "B", a unique index
CREATE TABLE "Post" (id int PRIMARY KEY);
CREATE TABLE "Tag" (id int PRIMARY KEY);
CREATE TABLE "_PostToTag" ("A" int NOT NULL REFERENCES "Post", "B" int NOT NULL REFERENCES "Tag");
CREATE UNIQUE INDEX ON "_PostToTag" ("A", "B");
-- a self-reference: to-one "parent" and to-many "categories"; both sides
-- share the constraint, whose name addresses the to-one side
CREATE TABLE categories (id int PRIMARY KEY, "parentId" int REFERENCES categories, name text);
-- a compound key: no short name for the to-one side
CREATE TABLE orders (region text, num int, PRIMARY KEY (region, num));
CREATE TABLE order_lines (id int PRIMARY KEY, region text, num int,
                          FOREIGN KEY (region, num) REFERENCES orders);

SELECT name, kind, constraint_name, columns, target, target_columns,
       join_table, join_columns, join_target_columns
  FROM forge_relations('users') ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, columns, target, target_columns,
       join_table, join_columns, join_target_columns
  FROM forge_relations('posts') ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, target FROM forge_relations('tags') ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, columns, target, target_columns,
       join_table, join_columns, join_target_columns
  FROM forge_relations('"Post"') ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, target FROM forge_relations('profiles') ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, columns, target FROM forge_relations('categories') ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, columns, target FROM forge_relations('order_lines');
SELECT name, kind, constraint_name, target FROM forge_relations('orders');

-- Two keys from posts to users: both inverse relations would be "posts",
-- so neither takes the name; each keeps its constraint name.
ALTER TABLE posts ADD COLUMN editor_id int REFERENCES users;
SELECT name, kind, constraint_name, columns FROM forge_relations('users') ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, columns FROM forge_relations('posts') WHERE kind = 'to-one' ORDER BY constraint_name;

-- A relation whose name is a column of the table takes no name either.
ALTER TABLE users ADD COLUMN profiles text;
SELECT name, kind, constraint_name FROM forge_relations('users') WHERE kind = 'one-to-one';

-- Dropping a key drops its relation at once.
ALTER TABLE posts DROP COLUMN editor_id;
SELECT name, kind, constraint_name FROM forge_relations('users') WHERE kind = 'to-many' ORDER BY constraint_name;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA rel CASCADE;
RESET client_min_messages;
