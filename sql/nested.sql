-- Nested writes: a relation's name inside data (or upsert's create and
-- update) takes nested actions, run in one call, all-or-nothing.
CREATE SCHEMA nw;
SET search_path = nw, public;
CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL, name text);
-- one-to-one: profiles.user_id is unique
CREATE TABLE profiles (id serial PRIMARY KEY, user_id int UNIQUE REFERENCES users,
                       bio text);
-- to-one "author" from posts, to-many "posts" from users
CREATE TABLE posts (id serial PRIMARY KEY, author_id int REFERENCES users,
                    title text UNIQUE NOT NULL,
                    published boolean NOT NULL DEFAULT false);
-- many-to-many through post_tags
CREATE TABLE tags (id serial PRIMARY KEY, name text UNIQUE NOT NULL);
CREATE TABLE post_tags (post_id int REFERENCES posts ON DELETE CASCADE,
                        tag_id int REFERENCES tags ON DELETE CASCADE,
                        PRIMARY KEY (post_id, tag_id));
-- a required key: comments.post_id is NOT NULL; comments.user_id is not
CREATE TABLE comments (id serial PRIMARY KEY,
                       post_id int NOT NULL REFERENCES posts ON DELETE CASCADE,
                       user_id int REFERENCES users, body text NOT NULL);

-- A user with a profile and two posts, one of them tagged, in one call.
-- Rows this row's key points to are written first; rows that point to it
-- after.  The row returned is read after all the writes.
SELECT forge_create('users', '{"data": {"email": "ada@x.co", "name": "Ada",
    "profiles": {"create": {"bio": "first programmer"}},
    "posts": {"create": [
        {"title": "Notes", "tags": {"connectOrCreate": [
            {"where": {"name": "math"}, "create": {"name": "math"}},
            {"where": {"name": "engines"}, "create": {"name": "engines"}}]}},
        {"title": "Letters"}]}},
  "include": {"profiles": true,
              "posts": {"orderBy": {"id": "asc"}, "include": {"tags": {"orderBy": {"id": "asc"}}}}}}');

-- to-many in a create: createMany, connect, connectOrCreate
SELECT forge_create('users', '{"data": {"email": "bob@x.co",
    "posts": {"createMany": {"data": [{"title": "B1"}, {"title": "B2"}]}}},
  "include": {"posts": {"select": {"title": true}, "orderBy": {"id": "asc"}}}}');
SELECT forge_create('users', '{"data": {"email": "cy@x.co",
    "posts": {"connect": {"id": 4},
              "connectOrCreate": [{"where": {"id": 2}, "create": {"title": "unused"}},
                                  {"where": {"id": 99}, "create": {"id": 99, "title": "C99"}}]}},
  "include": {"posts": {"select": {"id": true, "title": true}, "orderBy": {"id": "asc"}}}}');
-- Letters (2) and B2 (4) moved to cy: connecting sets their key
SELECT id, author_id, title FROM posts ORDER BY id;

-- to-one in a create: create, connect, connectOrCreate
SELECT forge_create('posts', '{"data": {"title": "by a new user",
    "author": {"create": {"email": "dee@x.co"}}},
  "select": {"title": true, "author": {"select": {"email": true}}}}');
SELECT forge_create('posts', '{"data": {"title": "by Ada",
    "author": {"connect": {"email": "ada@x.co"}}},
  "select": {"title": true, "author": {"select": {"email": true}}}}');
SELECT forge_create('posts', '{"data": {"title": "by Eve",
    "author": {"connectOrCreate": {"where": {"email": "eve@x.co"},
                                   "create": {"email": "eve@x.co", "name": "Eve"}}}},
  "select": {"title": true, "author": {"select": {"email": true, "name": true}}}}');
-- connectOrCreate of a row that exists connects it and changes nothing
SELECT forge_create('posts', '{"data": {"title": "by Eve again",
    "author": {"connectOrCreate": {"where": {"email": "eve@x.co"},
                                   "create": {"email": "eve@x.co", "name": "not used"}}}},
  "select": {"title": true, "author": {"select": {"email": true, "name": true}}}}');

-- many-to-many in a create: create, connect
SELECT forge_create('posts', '{"data": {"title": "tagged",
    "tags": {"create": {"name": "new"}, "connect": [{"name": "math"}]}},
  "select": {"title": true, "tags": {"select": {"name": true}, "orderBy": {"name": "asc"}}}}');

-- one-to-one in a create: connect moves an existing profile
SELECT forge_create('profiles', '{"data": {"bio": "spare"}}');
SELECT forge_create('users', '{"data": {"email": "fay@x.co",
    "profiles": {"connect": {"id": 2}}},
  "select": {"email": true, "profiles": {"select": {"bio": true}}}}');

-- Updates.  A user publishes their drafts through posts.updateMany.
SELECT forge_update('users', '{"where": {"email": "ada@x.co"},
    "data": {"name": "Ada L.",
             "posts": {"updateMany": {"where": {"published": false},
                                      "data": {"published": true}}}},
  "select": {"name": true, "posts": {"select": {"title": true, "published": true}, "orderBy": {"id": "asc"}}}}');
-- to-many update and upsert take a where; they touch only this user's posts
SELECT forge_update('users', '{"where": {"email": "bob@x.co"},
    "data": {"posts": {"update": {"where": {"id": 3}, "data": {"title": "B1 edited"}},
                       "upsert": [{"where": {"id": 3}, "create": {"title": "unused"},
                                   "update": {"published": true}},
                                  {"where": {"id": 50}, "create": {"id": 50, "title": "B50"},
                                   "update": {"published": true}}]}},
  "select": {"posts": {"select": {"id": true, "title": true, "published": true}, "orderBy": {"id": "asc"}}}}');
-- disconnect, delete and deleteMany on a to-many
SELECT forge_update('users', '{"where": {"email": "cy@x.co"},
    "data": {"posts": {"disconnect": {"id": 2}, "delete": {"id": 4},
                       "deleteMany": {"title": {"startsWith": "C"}}}},
  "select": {"posts": {"select": {"id": true}}}}');
SELECT id, author_id, title FROM posts WHERE id IN (2, 4, 99) ORDER BY id;
-- set replaces them all: disconnect every post, then connect the listed ones
SELECT forge_update('users', '{"where": {"email": "bob@x.co"},
    "data": {"posts": {"set": [{"id": 2}, {"id": 3}]}},
  "select": {"posts": {"select": {"id": true}, "orderBy": {"id": "asc"}}}}');
SELECT id, author_id FROM posts WHERE id IN (2, 3, 50) ORDER BY id;

-- A post's tags replaced: set [] plus connectOrCreate
SELECT forge_update('posts', '{"where": {"id": 1},
    "data": {"tags": {"set": [],
                      "connectOrCreate": {"where": {"name": "history"},
                                          "create": {"name": "history"}}}},
  "select": {"title": true, "tags": {"select": {"name": true}}}}');
-- many-to-many connect, disconnect, update, updateMany, upsert
SELECT forge_update('posts', '{"where": {"id": 1},
    "data": {"tags": {"connect": [{"name": "math"}, {"name": "engines"}],
                      "disconnect": {"name": "history"}}},
  "select": {"tags": {"select": {"name": true}, "orderBy": {"name": "asc"}}}}');
SELECT forge_update('posts', '{"where": {"id": 1},
    "data": {"tags": {"update": {"where": {"name": "math"}, "data": {"name": "maths"}},
                      "updateMany": {"where": {"name": {"startsWith": "e"}},
                                     "data": {"name": "engines!"}},
                      "upsert": {"where": {"name": "poetry"}, "create": {"name": "poetry"},
                                 "update": {"name": "poetry!"}}}},
  "select": {"tags": {"select": {"name": true}, "orderBy": {"name": "asc"}}}}');
-- many-to-many delete and deleteMany delete the related rows themselves
-- (the join rows go by their ON DELETE CASCADE)
SELECT forge_update('posts', '{"where": {"id": 1},
    "data": {"tags": {"delete": {"name": "poetry"}, "deleteMany": {"name": "engines!"}}},
  "select": {"tags": {"select": {"name": true}}}}');
SELECT name FROM tags ORDER BY name;

-- to-one in an update: update, disconnect, upsert (both branches), delete
SELECT forge_update('posts', '{"where": {"title": "by Eve"},
    "data": {"author": {"update": {"name": "Eve E."}}},
  "select": {"author": {"select": {"name": true}}}}');
SELECT forge_update('posts', '{"where": {"title": "by Eve"},
    "data": {"author": {"disconnect": true}}, "select": {"author_id": true}}');
-- not connected: upsert creates the author and connects it
SELECT forge_update('posts', '{"where": {"title": "by Eve"},
    "data": {"author": {"upsert": {"create": {"email": "gus@x.co"},
                                   "update": {"name": "unused"}}}},
  "select": {"author": {"select": {"email": true, "name": true}}}}');
-- connected: upsert updates it
SELECT forge_update('posts', '{"where": {"title": "by Eve"},
    "data": {"author": {"upsert": {"create": {"email": "unused@x.co"},
                                   "update": {"name": "Gus"}}}},
  "select": {"author": {"select": {"email": true, "name": true}}}}');
-- delete clears this row's key, then deletes the related row
SELECT forge_update('posts', '{"where": {"title": "by Eve"},
    "data": {"author": {"delete": true}}, "select": {"author_id": true}}');
SELECT count(*) AS gus FROM users WHERE email = 'gus@x.co';
-- connect in an update
SELECT forge_update('posts', '{"where": {"title": "by Eve"},
    "data": {"author": {"connect": {"email": "eve@x.co"}}},
  "select": {"author": {"select": {"email": true}}}}');

-- one-to-one in an update: a nested upsert of a profile (ON CONFLICT on
-- profiles.user_id), update, disconnect, delete
SELECT forge_update('users', '{"where": {"email": "bob@x.co"},
    "data": {"profiles": {"upsert": {"create": {"bio": "new"}, "update": {"bio": "unused"}}}},
  "select": {"profiles": {"select": {"bio": true}}}}');
SELECT forge_update('users', '{"where": {"email": "bob@x.co"},
    "data": {"profiles": {"upsert": {"create": {"bio": "unused"}, "update": {"bio": "updated"}}}},
  "select": {"profiles": {"select": {"bio": true}}}}');
SELECT forge_update('users', '{"where": {"email": "bob@x.co"},
    "data": {"profiles": {"update": {"bio": "edited"}}},
  "select": {"profiles": {"select": {"bio": true}}}}');
SELECT forge_update('users', '{"where": {"email": "bob@x.co"},
    "data": {"profiles": {"disconnect": true}}, "select": {"profiles": true}}');
SELECT forge_update('users', '{"where": {"email": "ada@x.co"},
    "data": {"profiles": {"delete": true}}, "select": {"profiles": true}}');
SELECT bio, user_id FROM profiles ORDER BY id;

-- Depth three: a user, their post, its comment, the comment's author
SELECT forge_create('users', '{"data": {"email": "hal@x.co",
    "posts": {"create": {"title": "deep",
        "comments": {"create": {"body": "nice",
            "user": {"connect": {"email": "ada@x.co"}}}}}}},
  "select": {"email": true,
             "posts": {"select": {"title": true,
                 "comments": {"select": {"body": true, "user": {"select": {"email": true}}}}}}}}');

-- upsert: the relations of the branch it takes run after it
SELECT forge_upsert('users', '{"where": {"email": "ivy@x.co"},
    "create": {"email": "ivy@x.co", "posts": {"create": {"title": "ivy created"}}},
    "update": {"posts": {"create": {"title": "ivy updated"}}},
  "select": {"posts": {"select": {"title": true}}}}');
SELECT forge_upsert('users', '{"where": {"email": "ivy@x.co"},
    "create": {"email": "ivy@x.co", "posts": {"create": {"title": "ivy created"}}},
    "update": {"posts": {"create": {"title": "ivy updated"}}},
  "select": {"posts": {"select": {"title": true}, "orderBy": {"id": "asc"}}}}');

-- The rest of the matrix: a to-one create in an update, a one-to-one
-- connectOrCreate (finding fay's spare profile and taking it over, then
-- creating one), a many-to-many upsert that finds its row, a to-many
-- createMany in an update
SELECT forge_update('posts', '{"where": {"title": "deep"},
    "data": {"author": {"create": {"email": "kim@x.co"}}},
  "select": {"title": true, "author": {"select": {"email": true}}}}');
SELECT forge_update('users', '{"where": {"email": "kim@x.co"},
    "data": {"profiles": {"connectOrCreate": {"where": {"id": 2}, "create": {"bio": "unused"}}}},
  "select": {"profiles": {"select": {"id": true, "bio": true}}}}');
SELECT forge_update('users', '{"where": {"email": "kim@x.co"},
    "data": {"profiles": {"connectOrCreate": {"where": {"id": 1000}, "create": {"id": 1000, "bio": "kim"}}}},
  "select": {"profiles": {"select": {"id": true, "bio": true}}}}');
SELECT user_id, bio FROM profiles WHERE bio IN ('spare', 'kim') ORDER BY bio;
SELECT forge_update('posts', '{"where": {"id": 1},
    "data": {"tags": {"upsert": {"where": {"name": "maths"}, "create": {},
                                 "update": {"name": "maths!"}}}},
  "select": {"tags": {"select": {"name": true}}}}');
SELECT forge_update('users', '{"where": {"email": "kim@x.co"},
    "data": {"posts": {"createMany": {"data": [{"title": "k1"}, {"title": "k2"}]}}},
  "select": {"posts": {"select": {"title": true}, "orderBy": {"title": "asc"}}}}');
-- createMany takes one object, as in Prisma (whose client refuses an
-- array there); an array, even empty, is 22023 (an empty one crashed the
-- backend once: the first item of no items)
SELECT forge_update('users', '{"where": {"email": "kim@x.co"},
    "data": {"posts": {"createMany": []}}, "select": {"email": true}}');

-- Prisma's implicit many-to-many table "_PostToTag" ("A", "B")
CREATE TABLE "Post" (id serial PRIMARY KEY, title text);
CREATE TABLE "Tag" (id serial PRIMARY KEY, name text UNIQUE);
CREATE TABLE "_PostToTag" ("A" int NOT NULL REFERENCES "Post" ON DELETE CASCADE,
                           "B" int NOT NULL REFERENCES "Tag" ON DELETE CASCADE);
CREATE UNIQUE INDEX ON "_PostToTag" ("A", "B");
SELECT forge_create('"Post"', '{"data": {"title": "implicit",
    "Tag": {"connectOrCreate": [{"where": {"name": "a"}, "create": {"name": "a"}},
                                {"where": {"name": "b"}, "create": {"name": "b"}}]}},
  "include": {"Tag": {"orderBy": {"name": "asc"}}}}');
SELECT forge_update('"Post"', '{"where": {"id": 1},
    "data": {"Tag": {"disconnect": {"name": "a"}}}, "include": {"Tag": true}}');
SELECT * FROM "_PostToTag";

-- Errors.  Nothing of a failed call is written.
SELECT count(*) AS users_before FROM users;
-- connect to a row that does not exist: P2025 naming the relation
SELECT forge_create('posts', '{"data": {"title": "x", "author": {"connect": {"email": "nobody"}}}}');
SELECT forge_update('users', '{"where": {"email": "bob@x.co"},
    "data": {"posts": {"connect": {"id": 12345}}}}');
SELECT forge_update('posts', '{"where": {"id": 1}, "data": {"tags": {"connect": {"name": "nope"}}}}');
-- update or delete of a related row that is not connected to this one
SELECT forge_update('users', '{"where": {"email": "bob@x.co"},
    "data": {"posts": {"update": {"where": {"id": 1}, "data": {"title": "not bob''s"}}}}}');
SELECT forge_update('posts', '{"where": {"id": 1}, "data": {"tags": {"delete": {"name": "new"}}}}');
SELECT forge_update('users', '{"where": {"email": "bob@x.co"}, "data": {"profiles": {"delete": true}}}');
-- a later failure undoes the earlier nested writes of the call
SELECT forge_create('users', '{"data": {"email": "jo@x.co",
    "posts": {"create": {"title": "kept?"}, "connect": {"id": 12345}}}}');
SELECT count(*) AS users_after, (SELECT count(*) FROM posts WHERE title = 'kept?') AS posts
  FROM users;
-- disconnect of a required key is refused before anything is written
SELECT forge_update('posts', '{"where": {"id": 1},
    "data": {"title": "unchanged", "comments": {"disconnect": {"id": 1}}}}');
SELECT forge_update('posts', '{"where": {"id": 1}, "data": {"comments": {"set": []}}}');
SELECT forge_update('comments', '{"where": {"id": 1}, "data": {"post": {"disconnect": true}}}');
SELECT title FROM posts WHERE id = 1;
-- an unknown relation: the hint lists the relations
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"post": {"connect": {"id": 1}}}}');
-- an action the kind does not allow says which kinds allow it
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"profiles": {"set": []}}}');
SELECT forge_create('posts', '{"data": {"title": "x", "tags": {"createMany": {"data": []}}}}');
SELECT forge_update('posts', '{"where": {"id": 1}, "data": {"author": {"deleteMany": {}}}}');
-- a row being created has nothing to update, disconnect or delete
SELECT forge_create('users', '{"data": {"email": "x", "posts": {"update": {"where": {"id": 1}, "data": {}}}}}');
SELECT forge_create('posts', '{"data": {"title": "x", "author": {"disconnect": true}}}');
-- malformed actions
SELECT forge_create('users', '{"data": {"email": "x", "posts": {"attach": {}}}}');
SELECT forge_create('users', '{"data": {"email": "x", "posts": {}}}');
SELECT forge_create('users', '{"data": {"email": "x", "posts": [{"title": "t"}]}}');
SELECT forge_create('users', '{"data": {"email": "x", "posts": {"create": "t"}}}');
SELECT forge_create('users', '{"data": {"email": "x", "profiles": {"create": [{"bio": "b"}]}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"profiles": {"delete": false}}}');
SELECT forge_update('users', '{"where": {"id": 1},
    "data": {"posts": {"connectOrCreate": {"where": {"id": 1}}}}}');
SELECT forge_update('users', '{"where": {"id": 1},
    "data": {"posts": {"update": {"where": {"id": 1}, "data": {}, "limit": 1}}}}');
-- a to-one or one-to-one relation takes one action
SELECT forge_update('posts', '{"where": {"id": 1},
    "data": {"author": {"connect": {"id": 1}, "disconnect": true}}}');
-- the relation sets the key: naming it too is an error
SELECT forge_create('users', '{"data": {"email": "x", "posts": {"create": {"title": "t", "author_id": 2}}}}');
SELECT forge_create('posts', '{"data": {"title": "t", "author_id": 1, "author": {"connect": {"id": 2}}}}');
-- connect needs a unique where
SELECT forge_create('posts', '{"data": {"title": "t", "author": {"connect": {"name": "Ada L."}}}}');
-- an upsert whose branch takes a to-one connect (sql/nested_to_one.sql)
SELECT forge_upsert('posts', '{"where": {"id": 1}, "create": {"title": "t",
    "author": {"connect": {"id": 1}}}, "update": {}}');
-- createMany and updateMany write columns only
SELECT forge_create_many('users', '{"data": [{"email": "x", "posts": {"create": {"title": "t"}}}]}');
SELECT forge_update_many('users', '{"data": {"posts": {"create": {"title": "t"}}}}');
SELECT count(*) AS users_after_errors FROM users;

-- Nesting has no fixed limit; the stack has.  1000 levels of nested create
-- through a self-reference stop cleanly at max_stack_depth, writing nothing.
CREATE TABLE cats (id serial PRIMARY KEY, "parentId" int REFERENCES cats, name text);
\set VERBOSITY terse
SELECT forge_create('cats', (repeat('{"data": {"name": "c", "cats": {"create": ', 1)
    || repeat('{"name": "c", "cats": {"create": ', 999) || '{"name": "leaf"}'
    || repeat('}}', 999) || '}}}')::jsonb) IS NOT NULL AS created;
\set VERBOSITY default
SELECT count(*) AS cats FROM cats;
-- 40 levels are fine
SELECT forge_create('cats', (repeat('{"data": {"name": "c", "cats": {"create": ', 1)
    || repeat('{"name": "c", "cats": {"create": ', 39) || '{"name": "leaf"}'
    || repeat('}}', 39) || '}}}')::jsonb) ->> 'name' AS created;
SELECT count(*) AS cats, count(*) FILTER (WHERE "parentId" IS NULL) AS roots FROM cats;

-- A table without a primary key cannot be read back after nested writes
CREATE TABLE nokey (email text UNIQUE REFERENCES users (email));
CREATE TABLE nokey_notes (email text REFERENCES nokey (email), note text);
-- (one whose nested writes all run before its row needs none)
SELECT forge_create('nokey', '{"data": {"nokey_email_fkey": {"connect": {"email": "ada@x.co"}}}}');
SELECT forge_create('nokey', '{"data": {"email": "bob@x.co",
    "nokey_notes": {"create": {"note": "n"}}}}');

RESET search_path;
DROP SCHEMA nw CASCADE;

-- A to-many upsert updates only a row connected to this one.  Its where
-- may match a row of another parent: then, as in Prisma, it creates (the
-- row updated and the row created are decided in one statement: UPDATE the
-- connected row, else INSERT where no connected row has the key).
CREATE TABLE ups_users (id serial PRIMARY KEY, email text UNIQUE NOT NULL);
CREATE TABLE ups_posts (id serial PRIMARY KEY, title text UNIQUE NOT NULL,
                        author_id int REFERENCES ups_users);
CREATE TABLE ups_tags (id serial PRIMARY KEY, name text UNIQUE NOT NULL);
CREATE TABLE ups_post_tags (post_id int REFERENCES ups_posts ON DELETE CASCADE,
                            tag_id int REFERENCES ups_tags ON DELETE CASCADE,
                            PRIMARY KEY (post_id, tag_id));
INSERT INTO ups_users (email) VALUES ('u1@x.co'), ('u2@x.co');
INSERT INTO ups_posts (title, author_id) VALUES ('p1', 1), ('p2', 2);
INSERT INTO ups_tags (name) VALUES ('a'), ('b');
INSERT INTO ups_post_tags VALUES (1, 1);
CREATE FUNCTION ups_err(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
  EXECUTE 'SELECT ' || call;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
  RETURN st || ': ' || msg;
END $$;
-- user 2 upserts post 1, which is user 1's: a new post (the id's default)
SELECT forge_update('ups_users', '{"where": {"id": 2}, "data": {"ups_posts":
    {"upsert": {"where": {"id": 1}, "create": {"title": "new"}, "update": {"title": "changed"}}}},
  "select": {"id": true, "ups_posts": {"orderBy": {"id": "asc"}}}}');
-- a create that repeats post 1's id or title: the unique violation (Prisma: P2002)
SELECT ups_err($$forge_update('ups_users', '{"where": {"id": 2}, "data": {"ups_posts":
    {"upsert": {"where": {"id": 1}, "create": {"id": 1, "title": "new2"}, "update": {"title": "changed"}}}}}')$$);
SELECT ups_err($$forge_update('ups_users', '{"where": {"id": 2}, "data": {"ups_posts":
    {"upsert": {"where": {"title": "p1"}, "create": {"title": "p1"}, "update": {"title": "changed"}}}}}')$$);
-- user 1 upserts its own post 1: updated
SELECT forge_update('ups_users', '{"where": {"id": 1}, "data": {"ups_posts":
    {"upsert": {"where": {"id": 1}, "create": {"title": "new3"}, "update": {"title": "changed"}}}},
  "select": {"id": true, "ups_posts": {"orderBy": {"id": "asc"}}}}');
SELECT * FROM ups_posts ORDER BY id;

-- The same through a many-to-many: a linked tag is updated; a tag not
-- linked to this post is neither updated nor linked: the tag is created
-- and linked, and a create that repeats its name is 23505 (Prisma: P2002).
SELECT forge_update('ups_posts', '{"where": {"id": 1}, "data": {"ups_tags":
    {"upsert": {"where": {"name": "a"}, "create": {"name": "a"}, "update": {"name": "A"}}}},
  "select": {"id": true, "ups_tags": {"orderBy": {"id": "asc"}}}}');
SELECT ups_err($$forge_update('ups_posts', '{"where": {"id": 1}, "data": {"ups_tags":
    {"upsert": {"where": {"name": "b"}, "create": {"name": "b"}, "update": {"name": "B"}}}}}')$$);
SELECT forge_update('ups_posts', '{"where": {"id": 1}, "data": {"ups_tags":
    {"upsert": {"where": {"id": 2}, "create": {"name": "c"}, "update": {"name": "B"}}}},
  "select": {"id": true, "ups_tags": {"orderBy": {"id": "asc"}}}}');
SELECT forge_update('ups_posts', '{"where": {"id": 1}, "data": {"ups_tags":
    {"upsert": {"where": {"name": "d"}, "create": {"name": "d"}, "update": {"name": "D"}}}},
  "select": {"id": true, "ups_tags": {"orderBy": {"id": "asc"}}}}');
SELECT * FROM ups_tags ORDER BY id;
SELECT * FROM ups_post_tags ORDER BY post_id, tag_id;

-- createMany writes every row of its data; data may be one row (as in
-- Prisma); createMany itself is one object, not an array (22023).
SELECT forge_update('ups_users', '{"where": {"id": 1}, "data": {"ups_posts":
    {"createMany": {"data": {"title": "c3"}}}}, "select": {"id": true}}');
SELECT forge_update('ups_users', '{"where": {"id": 1}, "data": {"ups_posts":
    {"createMany": {"data": [{"title": "c4"}, {"title": "c5"}, {"title": "c6"}]}}},
  "select": {"ups_posts": {"select": {"title": true}, "orderBy": {"id": "asc"}}}}');
SELECT ups_err($$forge_update('ups_users', '{"where": {"id": 1}, "data": {"ups_posts":
    {"createMany": [{"data": [{"title": "c7"}]}, {"data": [{"title": "c8"}]}]}}}')$$);
DROP TABLE ups_post_tags, ups_tags, ups_posts, ups_users;
DROP FUNCTION ups_err(text);

-- A nested connectOrCreate or upsert finds its row before it inserts, as
-- Prisma's does (it reads, then writes): connecting a tag that exists
-- spends no value of the tags' sequence, so the next tag created gets the
-- id Prisma would give it.  The INSERT is still guarded by ON CONFLICT on
-- the where's key (test/isolation/specs/nested_connect_or_create.spec).
CREATE TABLE seq_tags (id serial PRIMARY KEY, name text UNIQUE NOT NULL);
CREATE TABLE seq_posts (id serial PRIMARY KEY, title text);
CREATE TABLE seq_post_tags (post_id int REFERENCES seq_posts, tag_id int REFERENCES seq_tags,
                            PRIMARY KEY (post_id, tag_id));
INSERT INTO seq_tags (name) VALUES ('pg');
INSERT INTO seq_posts (title) VALUES ('p');
SELECT forge_update('seq_posts', '{"where": {"id": 1}, "data": {"seq_tags": {"connectOrCreate": [
    {"where": {"name": "pg"}, "create": {"name": "pg"}},
    {"where": {"name": "c"}, "create": {"name": "c"}}]}},
  "select": {"seq_tags": {"orderBy": {"id": "asc"}}}}');
SELECT forge_update('seq_posts', '{"where": {"id": 1}, "data": {"seq_tags": {"upsert":
    {"where": {"name": "c"}, "create": {"name": "c"}, "update": {"name": "C"}}}},
  "select": {"seq_tags": {"orderBy": {"id": "asc"}}}}');
SELECT forge_create('seq_tags', '{"data": {"name": "next"}}');
DROP TABLE seq_post_tags, seq_tags, seq_posts;

-- That read reads the where's unique index, even on a table so small that
-- the planner would rather scan it (its plan below): a scan evaluates the
-- where on every row, which costs a connect more than the insert it saves.
-- forge turns sequential scans off for that one statement; the session's
-- setting is untouched, after an error inside the read too.
CREATE TABLE idx_tags (id serial PRIMARY KEY, name text UNIQUE NOT NULL);
CREATE TABLE idx_posts (id serial PRIMARY KEY, title text);
CREATE TABLE idx_post_tags (post_id int REFERENCES idx_posts, tag_id int REFERENCES idx_tags,
                            PRIMARY KEY (post_id, tag_id));
INSERT INTO idx_tags (name) SELECT 'tag' || i FROM generate_series(1, 200) AS i;
INSERT INTO idx_posts (title) VALUES ('p');
ANALYZE idx_tags;
EXPLAIN (COSTS OFF) SELECT * FROM idx_tags WHERE name = 'tag150';
BEGIN;
SELECT forge_update('idx_posts', '{"where": {"id": 1}, "data": {"idx_tags": {"connectOrCreate":
    {"where": {"name": "tag150"}, "create": {"name": "tag150"}}}},
  "select": {"idx_tags": {"select": {"id": true}}}}');
SELECT pg_stat_get_xact_numscans('idx_tags_name_key'::regclass) AS name_index_scans;
SHOW enable_seqscan;
COMMIT;
-- a policy that raises on the row the read finds: the error is caught,
-- and the setting is back
CREATE FUNCTION idx_check(name text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF name = 'tag7' THEN
    RAISE EXCEPTION 'read tag7 with enable_seqscan = %', current_setting('enable_seqscan');
  END IF;
  RETURN true;
END $$;
ALTER TABLE idx_tags ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY idx_all ON idx_tags USING (idx_check(name)) WITH CHECK (true);
CREATE ROLE regress_nested_reader;
GRANT ALL ON idx_tags, idx_posts, idx_post_tags TO regress_nested_reader;
SET ROLE regress_nested_reader;
DO $$
BEGIN
  PERFORM forge_update('idx_posts', '{"where": {"id": 1}, "data": {"idx_tags": {"connectOrCreate":
      {"where": {"name": "tag7"}, "create": {"name": "tag7"}}}}}');
EXCEPTION WHEN raise_exception THEN
  RAISE NOTICE 'caught: %', SQLERRM;
END $$;
SHOW enable_seqscan;
RESET ROLE;
DROP TABLE idx_post_tags, idx_tags, idx_posts;
DROP FUNCTION idx_check(text);
DROP ROLE regress_nested_reader;
