-- To-one nested writes in Prisma 7's forms: update with {where, data}, and
-- create, connect and connectOrCreate inside an upsert's create and update.
-- Each case was run through the real Prisma 7 client on the same tables;
-- the comments say what Prisma does, and forge does the same.
-- err() runs a call and prints SQLSTATE: message.
CREATE FUNCTION err(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text;
BEGIN
  EXECUTE 'SELECT ' || call;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN st || ': ' || msg;
END $$;

-- model User   { id, email @unique, name?, posts Post[], profile Profile? }
-- model Profile { id, bio, userId @unique, user User }
-- model Editor { id, name @unique, posts Post[] }
-- model Post   { id, slug @unique, title, author User?, editor Editor }
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text);
CREATE TABLE editors (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE profiles (id serial PRIMARY KEY, bio text NOT NULL,
                       user_id int NOT NULL UNIQUE REFERENCES users);
CREATE TABLE posts (id serial PRIMARY KEY, slug text NOT NULL UNIQUE,
                    title text NOT NULL,
                    author_id int REFERENCES users,
                    editor_id int NOT NULL REFERENCES editors);
-- every case starts from the same rows
CREATE FUNCTION reset() RETURNS void LANGUAGE sql AS $$
  TRUNCATE posts, profiles, users, editors RESTART IDENTITY;
  INSERT INTO users (email, name) VALUES ('ada@x', 'Ada'), ('bob@x', 'Bob');
  INSERT INTO editors (name) VALUES ('ed'), ('fay');
  INSERT INTO profiles (bio, user_id) VALUES ('hi', 1);
  INSERT INTO posts (slug, title, author_id, editor_id)
    VALUES ('p1', 'P1', 1, 1), ('p2', 'P2', NULL, 1);
$$;
CREATE VIEW rows AS
  SELECT 'users' AS t, string_agg(format('%s:%s:%s', id, email, name), ' ' ORDER BY id) FROM users
  UNION ALL SELECT 'editors', string_agg(format('%s:%s', id, name), ' ' ORDER BY id) FROM editors
  UNION ALL SELECT 'profiles', string_agg(format('%s:%s:%s', id, bio, user_id), ' ' ORDER BY id) FROM profiles
  UNION ALL SELECT 'posts', string_agg(format('%s:%s:%s:author=%s:editor=%s', id, slug, title,
                                              author_id, editor_id), ' ' ORDER BY id) FROM posts;

-- ---------------------------------------------------------------------
-- 1. update: {where, data} on a to-one or one-to-one relation
-- ---------------------------------------------------------------------

-- Prisma: post.update({where: {slug: 'p1'}, data: {author: {update:
--   {where: {name: 'Ada'}, data: {name: 'Ada L'}}}}}) updates the author
SELECT reset();
SELECT forge_update('posts', '{"where": {"slug": "p1"},
  "data": {"author": {"update": {"where": {"name": "Ada"}, "data": {"name": "Ada L"}}}}}');
SELECT * FROM rows WHERE t = 'users';
-- the where does not match the connected author: P2025, nothing written
SELECT reset();
SELECT err($$forge_update('posts', '{"where": {"slug": "p1"},
  "data": {"author": {"update": {"where": {"name": "Nope"}, "data": {"name": "X"}}}}}')$$);
SELECT * FROM rows WHERE t = 'users';
-- no author connected (p2): P2025, in both forms
SELECT err($$forge_update('posts', '{"where": {"slug": "p2"},
  "data": {"author": {"update": {"where": {"name": "Ada"}, "data": {"name": "X"}}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"slug": "p2"},
  "data": {"author": {"update": {"name": "X"}}}}')$$);
-- where is optional: {data} alone updates the connected row
SELECT forge_update('posts', '{"where": {"slug": "p1"},
  "data": {"author": {"update": {"data": {"name": "Only data"}}}}}') ->> 'slug';
SELECT * FROM rows WHERE t = 'users';
-- the where may name the key (a different editor: P2025) and relations
SELECT reset();
SELECT err($$forge_update('posts', '{"where": {"slug": "p1"},
  "data": {"editor": {"update": {"where": {"id": 2}, "data": {"name": "ed2"}}}}}')$$);
SELECT forge_update('posts', '{"where": {"slug": "p1"},
  "data": {"author": {"update": {"where": {"posts": {"some": {"slug": "p1"}}},
                                 "data": {"name": "by relation"}}}}}') ->> 'slug';
SELECT * FROM rows WHERE t IN ('users', 'editors');
-- one-to-one: user.update({data: {profile: {update: {where, data}}}})
SELECT reset();
SELECT forge_update('users', '{"where": {"email": "ada@x"},
  "data": {"profiles": {"update": {"where": {"bio": "hi"}, "data": {"bio": "hey"}}}},
  "include": {"profiles": true}}');
SELECT err($$forge_update('users', '{"where": {"email": "ada@x"},
  "data": {"profiles": {"update": {"where": {"bio": "nope"}, "data": {"bio": "x"}}}}}')$$);
-- bob has no profile
SELECT err($$forge_update('users', '{"where": {"email": "bob@x"},
  "data": {"profiles": {"update": {"where": {"bio": "hey"}, "data": {"bio": "x"}}}}}')$$);
SELECT * FROM rows WHERE t = 'profiles';
-- the form takes only where and data
SELECT err($$forge_update('posts', '{"where": {"slug": "p1"},
  "data": {"author": {"update": {"where": {"name": "Ada"}}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"slug": "p1"},
  "data": {"author": {"update": {"where": {"name": "Ada"}, "data": {}, "name": "x"}}}}')$$);
-- a related table with a column named "data": {"data": ...} sets it, as
-- before this form existed; {"where": ..., "data": ...} is the form
CREATE TABLE docs (id serial PRIMARY KEY, data jsonb);
CREATE TABLE pages (id serial PRIMARY KEY, doc_id int REFERENCES docs);
INSERT INTO docs (data) VALUES ('{"v": 1}');
INSERT INTO pages (doc_id) VALUES (1);
SELECT forge_update('pages', '{"where": {"id": 1},
  "data": {"doc": {"update": {"data": {"v": 2}}}}, "include": {"doc": true}}');
SELECT forge_update('pages', '{"where": {"id": 1},
  "data": {"doc": {"update": {"where": {"id": 1}, "data": {"data": {"v": 3}}}}},
  "include": {"doc": true}}');

-- ---------------------------------------------------------------------
-- 2. to-one create, connect, connectOrCreate inside upsert's branches
-- ---------------------------------------------------------------------

-- Prisma: post.upsert({where: {slug: 'p3'}, create: {slug, title,
--   editor: {connect: {name: 'fay'}}, author: {create: {email: 'c@x'}}},
--   update: {title: 'upd'}}): no p3, so the author is created and both are
--   connected
SELECT reset();
SELECT forge_upsert('posts', '{"where": {"slug": "p3"},
  "create": {"slug": "p3", "title": "P3", "editor": {"connect": {"name": "fay"}},
             "author": {"create": {"email": "c@x", "name": "C"}}},
  "update": {"title": "upd"}}');
SELECT * FROM rows;
-- the same when the post exists: the update runs, the create's author is
-- not created
SELECT reset();
SELECT forge_upsert('posts', '{"where": {"slug": "p1"},
  "create": {"slug": "p1", "title": "P3", "editor": {"connect": {"name": "fay"}},
             "author": {"create": {"email": "c@x", "name": "C"}}},
  "update": {"title": "upd"}}');
SELECT * FROM rows;
-- connectOrCreate in update: the post exists, so the author is created and
-- connected, and the editor connected
SELECT reset();
SELECT forge_upsert('posts', '{"where": {"slug": "p1"},
  "create": {"slug": "p1", "title": "new", "editor": {"connect": {"name": "fay"}}},
  "update": {"author": {"connectOrCreate": {"where": {"email": "d@x"},
                                           "create": {"email": "d@x", "name": "D"}}},
             "editor": {"connect": {"name": "fay"}}}}');
SELECT * FROM rows;
-- the post is new: the update's connectOrCreate does not run
SELECT reset();
SELECT forge_upsert('posts', '{"where": {"slug": "p3"},
  "create": {"slug": "p3", "title": "new", "editor": {"connect": {"name": "fay"}}},
  "update": {"author": {"connectOrCreate": {"where": {"email": "d@x"},
                                           "create": {"email": "d@x", "name": "D"}}}}}');
SELECT * FROM rows;
-- a connect of the branch not taken is not looked up: no error
SELECT reset();
SELECT forge_upsert('posts', '{"where": {"slug": "p1"},
  "create": {"slug": "p1", "title": "new", "editor": {"connect": {"name": "zz"}}},
  "update": {"title": "upd"}}') ->> 'title';
SELECT forge_upsert('posts', '{"where": {"slug": "p3"},
  "create": {"slug": "p3", "title": "new", "editor": {"connect": {"name": "ed"}}},
  "update": {"editor": {"connect": {"name": "zz"}}}}') ->> 'title';
-- in the branch taken, a connect that finds nothing is P2025
SELECT reset();
SELECT err($$forge_upsert('posts', '{"where": {"slug": "p3"},
  "create": {"slug": "p3", "title": "new", "editor": {"connect": {"name": "zz"}}},
  "update": {"title": "upd"}}')$$);
SELECT err($$forge_upsert('posts', '{"where": {"slug": "p1"},
  "create": {"slug": "p1", "title": "new", "editor": {"connect": {"name": "ed"}}},
  "update": {"editor": {"connect": {"name": "zz"}}}}')$$);
SELECT * FROM rows;
-- create in both branches, disconnect in update: the update's runs
SELECT reset();
SELECT forge_upsert('posts', '{"where": {"slug": "p1"},
  "create": {"slug": "p1", "title": "new", "editor": {"create": {"name": "new-ed"}}},
  "update": {"editor": {"create": {"name": "upd-ed"}}, "author": {"disconnect": true}}}');
SELECT * FROM rows WHERE t IN ('editors', 'posts');
-- connectOrCreate finds the editor in create; the update's create does not run
SELECT reset();
SELECT forge_upsert('posts', '{"where": {"slug": "p3"},
  "create": {"slug": "p3", "title": "new",
             "editor": {"connectOrCreate": {"where": {"name": "ed"}, "create": {"name": "ed"}}}},
  "update": {"editor": {"create": {"name": "upd-ed"}}}}');
SELECT * FROM rows WHERE t IN ('editors', 'posts');
-- to-one update, upsert and delete in upsert's update (they run after the
-- row is written, as in forge_update)
SELECT reset();
SELECT forge_upsert('posts', '{"where": {"slug": "p1"},
  "create": {"slug": "p1", "title": "new", "editor": {"connect": {"name": "ed"}}},
  "update": {"author": {"update": {"where": {"name": "Ada"}, "data": {"name": "AU"}}}}}') ->> 'slug';
SELECT err($$forge_upsert('posts', '{"where": {"slug": "p1"},
  "create": {"slug": "p1", "title": "new", "editor": {"connect": {"name": "ed"}}},
  "update": {"author": {"update": {"where": {"name": "zz"}, "data": {"name": "AU"}}}}}')$$);
SELECT forge_upsert('posts', '{"where": {"slug": "p2"},
  "create": {"slug": "p2", "title": "new", "editor": {"connect": {"name": "ed"}}},
  "update": {"author": {"upsert": {"create": {"email": "e@x"}, "update": {"name": "unused"}}}}}') ->> 'author_id';
SELECT forge_upsert('posts', '{"where": {"slug": "p2"},
  "create": {"slug": "p2", "title": "new", "editor": {"connect": {"name": "ed"}}},
  "update": {"author": {"delete": true}}}') ->> 'author_id';
SELECT * FROM rows WHERE t IN ('users', 'posts');
-- Prisma reads the row first, so a where whose extra filter rejects the
-- existing row makes it create, and fail on the unique slug (P2002); forge
-- says P2025, as its upsert always does, and writes nothing
SELECT reset();
SELECT err($$forge_upsert('posts', '{"where": {"slug": "p1", "title": "wrong"},
  "create": {"slug": "p1", "title": "new", "editor": {"connect": {"name": "ed"}}},
  "update": {"editor": {"create": {"name": "x-ed"}}}}')$$);
SELECT * FROM rows WHERE t = 'editors';
-- deeper: a nested connectOrCreate's create connects its own to-one, and a
-- to-many upsert's create does too
SELECT reset();
CREATE TABLE teams (id serial PRIMARY KEY, name text UNIQUE NOT NULL,
                    lead_id int REFERENCES users);
SELECT forge_update('posts', '{"where": {"slug": "p2"},
  "data": {"author": {"connectOrCreate": {"where": {"email": "f@x"},
    "create": {"email": "f@x", "profiles": {"create": {"bio": "new"}}}}}}}') ->> 'author_id';
SELECT forge_update('editors', '{"where": {"name": "fay"},
  "data": {"posts": {"upsert": {"where": {"slug": "p4"},
    "create": {"slug": "p4", "title": "P4", "author": {"connect": {"email": "bob@x"}}},
    "update": {"title": "unused"}}}}}') ->> 'name';
SELECT forge_upsert('teams', '{"where": {"name": "core"},
  "create": {"name": "core", "lead": {"connectOrCreate": {"where": {"email": "g@x"},
    "create": {"email": "g@x", "posts": {"create": {"slug": "g1", "title": "G1",
      "editor": {"connect": {"name": "ed"}}}}}}}},
  "update": {"lead": {"connect": {"email": "ada@x"}}}}') ->> 'lead_id';
SELECT forge_upsert('teams', '{"where": {"name": "core"},
  "create": {"name": "core", "lead": {"connect": {"email": "nobody@x"}}},
  "update": {"lead": {"connect": {"email": "ada@x"}}}}') ->> 'lead_id';
SELECT * FROM rows;
-- inside a savepoint that rolls back, nothing stays
DROP TABLE teams;
SELECT reset();
BEGIN;
SAVEPOINT a;
SELECT forge_upsert('posts', '{"where": {"slug": "p5"},
  "create": {"slug": "p5", "title": "P5", "editor": {"create": {"name": "sp-ed"}}},
  "update": {}}') ->> 'slug';
ROLLBACK TO SAVEPOINT a;
COMMIT;
SELECT * FROM rows WHERE t IN ('editors', 'posts');
-- the where's key may be a GENERATED ALWAYS identity (the row created gets
-- the next value, so the upsert runs as update-or-insert) or compound
CREATE TABLE notes (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    body text, editor_id int NOT NULL REFERENCES editors);
SELECT forge_upsert('notes', '{"where": {"id": 7},
  "create": {"body": "new", "editor": {"connect": {"name": "fay"}}},
  "update": {"body": "unused", "editor": {"create": {"name": "unused"}}}}');
SELECT forge_upsert('notes', '{"where": {"id": 1},
  "create": {"body": "unused", "editor": {"create": {"name": "unused"}}},
  "update": {"body": "upd", "editor": {"connectOrCreate": {"where": {"name": "nd"},
                                                         "create": {"name": "nd"}}}}}');
CREATE TABLE slots (day int, n int, editor_id int NOT NULL REFERENCES editors,
                    PRIMARY KEY (day, n));
SELECT forge_upsert('slots', '{"where": {"day_n": {"day": 1, "n": 2}},
  "create": {"editor": {"connect": {"name": "ed"}}},
  "update": {"editor": {"connect": {"name": "fay"}}}}');
SELECT forge_upsert('slots', '{"where": {"day_n": {"day": 1, "n": 2}},
  "create": {"editor": {"connect": {"name": "ed"}}},
  "update": {"editor": {"connect": {"name": "fay"}}}}');
SELECT * FROM rows WHERE t = 'editors';
DROP FUNCTION err(text);
