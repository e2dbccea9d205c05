--
-- relation_names: the relation field names of a Prisma schema, declared in
-- the database, and used in descriptors.
--
-- A Prisma schema names each side of a relation (User.posts, Post.author,
-- User.profile, Post.tags, Tag.posts); the database holds only foreign
-- keys.  forge reads the names from the foreign keys' comments, in
-- PostGraphile's smart-comment tags, which pg_dump keeps:
--   @fieldName           on a key: its to-one (Post.author)
--   @foreignFieldName    on a key: the referenced table's to-many or
--                        one-to-one (User.posts, User.profile)
--   @manyToManyFieldName on a join table's key to a table: the many-to-many
--                        by which the join table's other table reaches it
--                        (on "_PostToTag".B -> "Tag": Post.tags)
-- tools/prisma-relations prints these comments from a schema.prisma.
--
CREATE SCHEMA rn;
SET search_path = rn, public;

-- The tables as Prisma Migrate makes them for:
--   model User    { id Int @id @default(autoincrement())  email String @unique
--                   posts Post[]  profile Profile?
--                   invitedBy User? @relation("Invites", fields: [invitedById], references: [id])
--                   invitedById Int?  invited User[] @relation("Invites")
--                   followedBy User[] @relation("Follows")  following User[] @relation("Follows") }
--   model Profile { id Int @id @default(autoincrement())  bio String
--                   user User @relation(fields: [userId], references: [id])  userId Int @unique }
--   model Post    { id Int @id @default(autoincrement())  title String
--                   author User @relation(fields: [authorId], references: [id])  authorId Int
--                   tags Tag[] }
--   model Tag     { id Int @id @default(autoincrement())  name String @unique  posts Post[] }
CREATE TABLE "User" (id serial PRIMARY KEY, email text NOT NULL UNIQUE,
                     "invitedById" int);
ALTER TABLE "User" ADD CONSTRAINT "User_invitedById_fkey"
    FOREIGN KEY ("invitedById") REFERENCES "User"(id) ON DELETE SET NULL;
CREATE TABLE "Profile" (id serial PRIMARY KEY, bio text NOT NULL,
                        "userId" int NOT NULL UNIQUE,
                        CONSTRAINT "Profile_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"(id));
CREATE TABLE "Post" (id serial PRIMARY KEY, title text NOT NULL, "authorId" int NOT NULL,
                     CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"(id));
CREATE TABLE "Tag" (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE "_PostToTag" (
    "A" int NOT NULL CONSTRAINT "_PostToTag_A_fkey" REFERENCES "Post"(id) ON DELETE CASCADE,
    "B" int NOT NULL CONSTRAINT "_PostToTag_B_fkey" REFERENCES "Tag"(id) ON DELETE CASCADE,
    CONSTRAINT "_PostToTag_AB_pkey" PRIMARY KEY ("A", "B"));
CREATE INDEX "_PostToTag_B_index" ON "_PostToTag" ("B");
CREATE TABLE "_Follows" (
    "A" int NOT NULL CONSTRAINT "_Follows_A_fkey" REFERENCES "User"(id) ON DELETE CASCADE,
    "B" int NOT NULL CONSTRAINT "_Follows_B_fkey" REFERENCES "User"(id) ON DELETE CASCADE,
    CONSTRAINT "_Follows_AB_pkey" PRIMARY KEY ("A", "B"));

-- Without comments, the default names: table names, and the key column
-- without "Id"; the self-relations and the self join table have none.
SELECT name, kind, constraint_name, declared_name FROM forge_relations('"User"')
 ORDER BY kind, constraint_name;

-- The names of the Prisma schema above (what tools/prisma-relations prints
-- for it).  A line that does not start with @ is free text.
COMMENT ON CONSTRAINT "Post_authorId_fkey" ON "Post"
    IS E'Who wrote the post.\n@fieldName author\n@foreignFieldName posts';
COMMENT ON CONSTRAINT "Profile_userId_fkey" ON "Profile"
    IS E'@fieldName user\n@foreignFieldName profile';
COMMENT ON CONSTRAINT "User_invitedById_fkey" ON "User"
    IS E'@fieldName invitedBy\n@foreignFieldName invited';
-- _PostToTag: "A" is Post (the model name that sorts first), "B" is Tag.
-- Post reaches Tag through the key to Tag, and Tag Post through the key to Post.
COMMENT ON CONSTRAINT "_PostToTag_B_fkey" ON "_PostToTag" IS '@manyToManyFieldName tags';
COMMENT ON CONSTRAINT "_PostToTag_A_fkey" ON "_PostToTag" IS '@manyToManyFieldName posts';
-- A self many-to-many: Prisma sorts the two fields by name; the first
-- (followedBy) is model A's field, reaching "B" rows, the second
-- (following) model B's, reaching "A" rows (as Prisma 7 writes it: when
-- user 2 follows user 1, the row is A = 1, B = 2).
COMMENT ON CONSTRAINT "_Follows_B_fkey" ON "_Follows" IS '@manyToManyFieldName followedBy';
COMMENT ON CONSTRAINT "_Follows_A_fkey" ON "_Follows" IS '@manyToManyFieldName following';

-- forge_relations shows each name, and what the comment declared.
SELECT name, kind, constraint_name, target, declared_name FROM forge_relations('"User"')
 ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, target, join_table, declared_name FROM forge_relations('"Post"')
 ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, target, join_table, declared_name FROM forge_relations('"Tag"')
 ORDER BY kind, constraint_name;
SELECT name, kind, constraint_name, target, declared_name FROM forge_relations('"Profile"');

-- Nested writes by Prisma's names, as prisma.user.create({data: {...}, include: {...}}).
-- to-many create and one-to-one create, the post's tags by connectOrCreate:
SELECT forge_create('"User"', '{"data": {"email": "ada@x.co",
    "profile": {"create": {"bio": "first programmer"}},
    "posts": {"create": [{"title": "Notes", "tags": {"connectOrCreate": [
        {"where": {"name": "math"}, "create": {"name": "math"}}]}}]}},
  "include": {"profile": true, "posts": {"include": {"tags": true}}}}');
-- to-one connect, and the many-to-many from the other side (Tag.posts):
SELECT forge_create('"Post"', '{"data": {"title": "Letters",
    "author": {"connect": {"email": "ada@x.co"}}},
  "include": {"author": {"select": {"email": true}}}}');
SELECT forge_update('"Tag"', '{"where": {"name": "math"},
    "data": {"posts": {"connect": {"id": 2}}},
  "include": {"posts": {"select": {"title": true}}}}');
-- the one-to-one from the side that holds the key (Profile.user):
SELECT forge_update('"Profile"', '{"where": {"id": 1}, "data": {"user": {"update": {"email": "ada@l.co"}}},
  "include": {"user": {"select": {"email": true}}}}');
-- self-relations: invitedBy / invited (to-one and to-many over one key)
SELECT forge_create('"User"', '{"data": {"email": "bob@x.co",
    "invitedBy": {"connect": {"email": "ada@l.co"}}},
  "include": {"invitedBy": {"select": {"email": true}}}}');
SELECT forge_update('"User"', '{"where": {"email": "ada@l.co"}, "data": {},
  "include": {"invited": {"select": {"email": true}}}}');
-- and followedBy / following (both directions of one join table)
SELECT forge_update('"User"', '{"where": {"email": "bob@x.co"},
    "data": {"following": {"connect": {"email": "ada@l.co"}}},
  "include": {"following": {"select": {"email": true}}, "followedBy": {"select": {"email": true}}}}');
SELECT * FROM "_Follows";
SELECT forge_update('"User"', '{"where": {"email": "ada@l.co"}, "data": {},
  "include": {"following": {"select": {"email": true}}, "followedBy": {"select": {"email": true}}}}');
-- names in relation filters too (Prisma's some / every / none / is):
SELECT forge_update_many('"Post"', '{"where": {"tags": {"some": {"name": "math"}},
    "author": {"is": {"email": "ada@l.co"}}}, "data": {}}');
-- The constraint name still addresses each relation.
SELECT forge_update('"Post"', '{"where": {"id": 1}, "data": {},
  "include": {"Post_authorId_fkey": {"select": {"id": true}},
              "_PostToTag._PostToTag_B_fkey": {"select": {"name": true}}}}');
-- A declared name replaces the default: User's "Post" is no name now.
SELECT forge_update('"User"', '{"where": {"id": 1}, "data": {}, "include": {"Post": true}}');

-- How a comment is read.  Only lines that start with "@" are tags, the tag
-- name ends at a blank, the value is the rest of the line without
-- surrounding blanks; the first line of a tag counts; a bare or empty tag
-- declares nothing; unknown tags (other tools') are ignored.
CREATE TABLE cm_parent (id int PRIMARY KEY);
CREATE TABLE cm_child (id int PRIMARY KEY, parent_id int CONSTRAINT cm_fk REFERENCES cm_parent);
COMMENT ON CONSTRAINT cm_fk ON cm_child
    IS E'  @fieldName no: not at the start\r\n@omit create\r\n@fieldNameX no\r\n@fieldName \t mother  \r\n@fieldName second\r\n@foreignFieldName\r\n';
SELECT name, kind, declared_name FROM forge_relations('cm_child');
SELECT name, kind, declared_name FROM forge_relations('cm_parent');
COMMENT ON CONSTRAINT cm_fk ON cm_child IS NULL;
SELECT name, kind, declared_name FROM forge_relations('cm_child');

-- Clashes.  A declared name two relations declare is nobody's, and a
-- descriptor that uses it is an error naming both comments; each relation
-- is still addressed by its constraint name.
CREATE TABLE cl_user (id int PRIMARY KEY, name text);
CREATE TABLE cl_post (id int PRIMARY KEY, title text,
    author_id int CONSTRAINT cl_post_author REFERENCES cl_user,
    editor_id int CONSTRAINT cl_post_editor REFERENCES cl_user);
INSERT INTO cl_user VALUES (1, 'ann');
INSERT INTO cl_post VALUES (10, 'p', 1, 1);
-- default names first: both to-many would be "cl_post", so neither is
SELECT name, kind, constraint_name, declared_name FROM forge_relations('cl_user') ORDER BY constraint_name;
-- one declared: it takes the name, the other keeps none
COMMENT ON CONSTRAINT cl_post_author ON cl_post IS '@foreignFieldName cl_post';
SELECT name, kind, constraint_name, declared_name FROM forge_relations('cl_user') ORDER BY constraint_name;
-- both declare one name
COMMENT ON CONSTRAINT cl_post_editor ON cl_post IS '@foreignFieldName cl_post';
SELECT name, kind, constraint_name, declared_name FROM forge_relations('cl_user') ORDER BY constraint_name;
SELECT forge_update('cl_user', '{"where": {"id": 1}, "data": {}, "include": {"cl_post": true}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT forge_update('cl_user', '{"where": {"id": 1}, "data": {}, "include": {"cl_post_editor": {"select": {"id": true}}}}');
-- a declared name that is a column: the column is still the column, the
-- relation has no name; where only a relation fits (include), an error
COMMENT ON CONSTRAINT cl_post_editor ON cl_post IS '@foreignFieldName edited';
COMMENT ON CONSTRAINT cl_post_author ON cl_post IS '@fieldName title';
SELECT name, kind, constraint_name, declared_name FROM forge_relations('cl_post') ORDER BY constraint_name;
SELECT forge_update('cl_post', '{"where": {"id": 10}, "data": {"title": "q"}}');
SELECT forge_update('cl_post', '{"where": {"id": 10}, "data": {}, "include": {"title": true}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a declared name beats another relation's default name
COMMENT ON CONSTRAINT cl_post_author ON cl_post IS '@fieldName editor';
SELECT name, kind, constraint_name, declared_name FROM forge_relations('cl_post') ORDER BY constraint_name;
SELECT forge_update('cl_post', '{"where": {"id": 10}, "data": {}, "include": {"editor": {"select": {"name": true}}}}');

-- Invalidation: COMMENT sends none of its own, forge's event trigger does
-- (for the constraint's table and the table it references), so the next
-- call in this session sees a new name, after warm calls with the old one.
SELECT forge_update('"User"', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"select": {"id": true}}}}');
COMMENT ON CONSTRAINT "Post_authorId_fkey" ON "Post" IS E'@fieldName writer\n@foreignFieldName articles';
SELECT forge_update('"User"', '{"where": {"id": 1}, "data": {}, "include": {"articles": {"select": {"id": true}}}}');
SELECT forge_update('"User"', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"select": {"id": true}}}}');
SELECT forge_update('"Post"', '{"where": {"id": 1}, "data": {}, "include": {"writer": {"select": {"id": true}}}}');
-- a rolled-back comment: the name before comes back
BEGIN;
COMMENT ON CONSTRAINT "Post_authorId_fkey" ON "Post" IS '@foreignFieldName drafts';
SELECT name FROM forge_relations('"User"') WHERE constraint_name = 'Post_authorId_fkey';
ROLLBACK;
SELECT name FROM forge_relations('"User"') WHERE constraint_name = 'Post_authorId_fkey';
-- the join table's comment reaches both sides
COMMENT ON CONSTRAINT "_PostToTag_B_fkey" ON "_PostToTag" IS '@manyToManyFieldName labels';
SELECT forge_update('"Post"', '{"where": {"id": 1}, "data": {}, "include": {"labels": {"select": {"name": true}}}}');
COMMENT ON CONSTRAINT "_PostToTag_B_fkey" ON "_PostToTag" IS '@manyToManyFieldName tags';

-- The event trigger fires for a table owner who is not a superuser.
CREATE ROLE regress_rn_owner;
GRANT USAGE, CREATE ON SCHEMA rn TO regress_rn_owner;
SET ROLE regress_rn_owner;
CREATE TABLE ow_a (id int PRIMARY KEY);
CREATE TABLE ow_b (id int PRIMARY KEY, a_id int CONSTRAINT ow_fk REFERENCES ow_a);
INSERT INTO ow_a VALUES (1);
INSERT INTO ow_b VALUES (2, 1);
SELECT forge_update('ow_a', '{"where": {"id": 1}, "data": {}, "include": {"ow_b": true}}');
COMMENT ON CONSTRAINT ow_fk ON ow_b IS '@foreignFieldName bees';
SELECT forge_update('ow_a', '{"where": {"id": 1}, "data": {}, "include": {"bees": true}}');
-- a comment on a table or a column invalidates that table (another
-- declaration, @softDelete, is read from a column's comment)
COMMENT ON TABLE ow_a IS 'As';
COMMENT ON COLUMN ow_b.a_id IS 'the a';
DROP TABLE ow_b, ow_a;
RESET ROLE;
REVOKE ALL ON SCHEMA rn FROM regress_rn_owner;
DROP ROLE regress_rn_owner;

-- The event trigger's function is only for the event trigger.
SELECT forge_comment_invalidate();

DROP SCHEMA rn CASCADE;
