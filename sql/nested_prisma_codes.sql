-- What Prisma 7 answers when a nested write meets a required relation, a
-- row that is not connected, or a row already connected elsewhere, and
-- what forge answers.  Each case was run through the real Prisma 7.10.1
-- client on the same tables (test/prisma/diff.ts has them all); the
-- comments say what Prisma does.  err() runs a call and prints SQLSTATE:
-- message; forge raises Prisma's own codes P2014, P2017, P2018 and P2025.
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

-- model User     { id, email @unique, posts Post[], profile Profile?, passport Passport? }
-- model Profile  { id, bio, userId Int @unique, user User }         (required key)
-- model Passport { id, number, userId Int? @unique, user User? }    (optional key)
-- model Post     { id, title, author User?, comments Comment[], tags Tag[] }
-- model Comment  { id, body, postId Int, post Post }                (required key)
-- model Tag      { id, name @unique, posts Post[] }
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE profiles (id serial PRIMARY KEY, bio text NOT NULL,
                       user_id int NOT NULL UNIQUE REFERENCES users);
CREATE TABLE passports (id serial PRIMARY KEY, number text NOT NULL,
                        user_id int UNIQUE REFERENCES users ON DELETE SET NULL);
CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL,
                    author_id int REFERENCES users ON DELETE SET NULL);
CREATE TABLE comments (id serial PRIMARY KEY, body text NOT NULL,
                       post_id int NOT NULL REFERENCES posts ON DELETE CASCADE);
CREATE TABLE tags (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE "_PostToTag" ("A" int NOT NULL REFERENCES posts ON DELETE CASCADE,
                           "B" int NOT NULL REFERENCES tags ON DELETE CASCADE,
                           PRIMARY KEY ("A", "B"));
COMMENT ON CONSTRAINT profiles_user_id_fkey ON profiles IS E'@fieldName user\n@foreignFieldName profile';
COMMENT ON CONSTRAINT passports_user_id_fkey ON passports IS E'@fieldName user\n@foreignFieldName passport';
COMMENT ON CONSTRAINT posts_author_id_fkey ON posts IS E'@fieldName author\n@foreignFieldName posts';
COMMENT ON CONSTRAINT comments_post_id_fkey ON comments IS E'@fieldName post\n@foreignFieldName comments';
COMMENT ON CONSTRAINT "_PostToTag_A_fkey" ON "_PostToTag" IS '@manyToManyFieldName posts';
COMMENT ON CONSTRAINT "_PostToTag_B_fkey" ON "_PostToTag" IS '@manyToManyFieldName tags';
-- every case starts from the same rows
CREATE FUNCTION reset() RETURNS void LANGUAGE sql AS $$
  TRUNCATE users, profiles, passports, posts, comments, tags, "_PostToTag" RESTART IDENTITY;
  INSERT INTO users (email) VALUES ('ada@x'), ('bob@x');
  INSERT INTO profiles (bio, user_id) VALUES ('math', 1);
  INSERT INTO passports (number, user_id) VALUES ('P1', 1), ('P0', NULL);
  INSERT INTO posts (title, author_id) VALUES ('Notes', 1), ('Hello', 2);
  INSERT INTO comments (body, post_id) VALUES ('c1', 1), ('c2', 2);
  INSERT INTO tags (name) VALUES ('pg'), ('math');
  INSERT INTO "_PostToTag" VALUES (1, 1);
$$;
CREATE VIEW rows AS
  SELECT 'profiles' AS t, string_agg(format('%s:%s:user=%s', id, bio, user_id), ' ' ORDER BY id) FROM profiles
  UNION ALL SELECT 'passports', string_agg(format('%s:%s:user=%s', id, number, user_id), ' ' ORDER BY id) FROM passports
  UNION ALL SELECT 'comments', string_agg(format('%s:%s:post=%s', id, body, post_id), ' ' ORDER BY id) FROM comments
  UNION ALL SELECT 'posts', string_agg(format('%s:%s:author=%s', id, title, author_id), ' ' ORDER BY id) FROM posts;

-- ---------------------------------------------------------------------
-- 1. P2014: the change would violate a required relation
-- ---------------------------------------------------------------------

-- Prisma: user.update({where: {id: 1}, data: {profile: {create: {bio: 'again'}}}})
-- fails with P2014: Ada's profile cannot let go of her (userId is required)
SELECT reset();
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {"profile": {"create": {"bio": "again"}}}}')$$);
-- so does connecting another profile to her
INSERT INTO profiles (bio, user_id) VALUES ('b', 2);
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {"profile": {"connect": {"id": 2}}}}')$$);
-- and creating a profile that connects her, from the profile's side
SELECT err($$forge_create('profiles', '{"data": {"bio": "b", "user": {"connect": {"id": 1}}}}')$$);
-- so does an upsert that creates such a profile
SELECT err($$forge_upsert('profiles', '{"where": {"id": 9}, "create": {"bio": "b", "user": {"connect": {"id": 1}}}, "update": {}}')$$);
SELECT * FROM rows WHERE t = 'profiles';
-- connecting the profile she has is no change
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"profile": {"connect": {"id": 1}}},
  "include": {"profile": true}}');
-- a user without a profile takes a new one
SELECT reset();
SELECT forge_update('users', '{"where": {"id": 2}, "data": {"profile": {"create": {"bio": "b"}}}}');

-- Prisma: disconnect or set on a relation whose key is required is P2014,
-- checked before anything is written
SELECT reset();
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {"profile": {"disconnect": true}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 1}, "data": {"comments": {"disconnect": {"id": 1}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 1}, "data": {"comments": {"set": []}}}')$$);
-- from the comment's side Prisma's client offers no disconnect or delete of
-- its required post: a validation error, 22023 in forge
SELECT err($$forge_update('comments', '{"where": {"id": 1}, "data": {"post": {"disconnect": true}}}')$$);
SELECT err($$forge_update('comments', '{"where": {"id": 1}, "data": {"post": {"delete": true}}}')$$);
SELECT * FROM rows WHERE t = 'comments';

-- ---------------------------------------------------------------------
-- 2. An optional one-to-one lets the row connected before go
-- ---------------------------------------------------------------------

-- Prisma: user.update({where: {id: 1}, data: {passport: {create: {number: 'P2'}}}})
-- clears P1's userId and creates P2 for Ada
SELECT reset();
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"passport": {"create": {"number": "P2"}}},
  "include": {"passport": true}}');
SELECT * FROM rows WHERE t = 'passports';
-- passport.create({data: {number: 'P5', user: {connect: {id: 1}}}}): the
-- same from the passport's side
SELECT reset();
SELECT forge_create('passports', '{"data": {"number": "P5", "user": {"connect": {"id": 1}}}}');
SELECT * FROM rows WHERE t = 'passports';
-- and from an upsert that creates (its update branch is left to the unique
-- index: the row it updates may hold the key already)
SELECT reset();
SELECT forge_upsert('passports', '{"where": {"id": 9}, "create": {"number": "P9", "user": {"connect": {"id": 1}}}, "update": {}}');
SELECT * FROM rows WHERE t = 'passports';

-- ---------------------------------------------------------------------
-- 3. P2018 and P2017: to-many connect and delete
-- ---------------------------------------------------------------------

-- Prisma: connecting a post that does not exist through user.posts is
-- P2018 ("the required connected records were not found"), in a create too
SELECT reset();
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {"posts": {"connect": [{"id": 2}, {"id": 99}]}}}')$$);
SELECT err($$forge_create('users', '{"data": {"email": "n@x", "posts": {"connect": {"id": 99}}}}')$$);
-- forge's set connects the same way (Prisma's set skips a missing row)
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {"posts": {"set": [{"id": 99}]}}}')$$);
-- through a many-to-many or a to-one it is P2025, as in Prisma
SELECT err($$forge_update('posts', '{"where": {"id": 1}, "data": {"tags": {"connect": {"name": "nope"}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 2}, "data": {"author": {"connect": {"id": 99}}}}')$$);
-- deleting a row that is not connected: P2017 ("the records are not
-- connected") through a to-many or many-to-many
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {"posts": {"delete": {"id": 2}}}}')$$);
SELECT err($$forge_update('posts', '{"where": {"id": 2}, "data": {"tags": {"delete": {"id": 1}}}}')$$);
-- updating one is P2025, as in Prisma
SELECT err($$forge_update('users', '{"where": {"id": 1}, "data": {"posts": {"update": {"where": {"id": 2}, "data": {"title": "x"}}}}}')$$);
SELECT * FROM rows WHERE t = 'posts';

DROP VIEW rows;
DROP TABLE "_PostToTag", tags, comments, posts, passports, profiles, users;
DROP FUNCTION reset(), err(text);
