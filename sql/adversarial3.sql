--
-- adversarial3: attacks found by a third breaker pass, each kept as the
-- regression test of its fix.
--
CREATE SCHEMA adv3;
SET search_path = adv3, public;
SET forge.notify = off;

--
-- 1. An upsert must never update a row its where does not select, when
-- create repeats the key in another JSON spelling.
--
-- The where {"code": 1} selects the text "1"; create {"code": 1.0} writes
-- the text "1.0".  As JSON numbers the two are equal, so the check that
-- create carries the key the where selects let it through, and the
-- conflict arbiter and the update branch's key comparison then used the
-- create's value: the upsert updated the row "1.0", which forge_update with
-- the same where does not find.  The values are now compared as the column
-- compares them: create must carry the same key (nothing is written).
--
CREATE TABLE codes (id serial PRIMARY KEY, code text UNIQUE, v text);
INSERT INTO codes (code, v) VALUES ('1.0', 'orig');
SELECT forge_update('codes', '{"where": {"code": 1}, "data": {"v": "updated"}}');
SELECT forge_upsert('codes', '{"where": {"code": 1}, "create": {"code": 1.0, "v": "created"}, "update": {"v": "updated"}}');
SELECT id, code, v FROM codes ORDER BY id;
-- the same spelling, or the same value of the column, still upserts
SELECT forge_upsert('codes', '{"where": {"code": "1.0"}, "create": {"code": "1.0", "v": "created"}, "update": {"v": "updated"}}');
SELECT forge_upsert('codes', '{"where": {"code": 2}, "create": {"code": 2, "v": "created"}, "update": {"v": "updated"}}');
CREATE TABLE nums (id int PRIMARY KEY, v text);
INSERT INTO nums VALUES (1, 'orig');
SELECT forge_upsert('nums', '{"where": {"id": 1}, "create": {"id": 1.0, "v": "created"}, "update": {"v": "updated"}}');
SELECT * FROM nums ORDER BY id;

--
-- 2. A one-to-one connect lets go of the row connected before, also when
-- the where compares that row with null.
--
-- Before the new row takes the key, the old one lets go of it: every row
-- holding this row's key that the where does not select.  "Does not
-- select" was NOT (where), which is null, not true, for a row whose
-- column in the where is null: the old profile (handle null) kept the
-- key, and the connect by {"handle": "h2"} failed with a unique violation
-- on profiles.user_id.  It is now (where) IS NOT TRUE.
--
CREATE TABLE users (id serial PRIMARY KEY, email text);
CREATE TABLE profiles (id serial PRIMARY KEY, user_id int UNIQUE REFERENCES users,
                       handle text UNIQUE, bio text);
INSERT INTO users (email) VALUES ('a@x');
INSERT INTO profiles (user_id, handle, bio) VALUES (1, NULL, 'old'), (NULL, 'h2', 'new');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"profiles": {"connect": {"handle": "h2"}}}, "include": {"profiles": true}}');
SELECT id, user_id, handle, bio FROM profiles ORDER BY id;
-- connectOrCreate lets go the same way
INSERT INTO profiles (user_id, handle, bio) VALUES (NULL, 'h3', 'newer');
UPDATE profiles SET handle = NULL WHERE id = 2;
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"profiles": {"connectOrCreate": {"where": {"handle": "h3"}, "create": {"bio": "created"}}}}, "include": {"profiles": true}}');
SELECT id, user_id, handle, bio FROM profiles ORDER BY id;

--
-- 3. A nested update never moves a row to another parent through a
-- foreign key that shares a column with the relation's.
--
-- posts (author_id) -> users and posts (author_id, org_id) -> members:
-- the nested update of a user's post connected it to another user's
-- membership, which set author_id, and moved the post to that user (a
-- disconnect cleared it).  Only the to-one over the very foreign key was
-- refused.  Now every to-one relation that sets a column the nested write
-- pins is refused in the data of update, updateMany and upsert.
--
CREATE TABLE orgs (id int PRIMARY KEY);
CREATE TABLE members (user_id int REFERENCES users, org_id int REFERENCES orgs,
                      PRIMARY KEY (user_id, org_id));
CREATE TABLE posts (id serial PRIMARY KEY, author_id int REFERENCES users, org_id int,
                    title text,
                    CONSTRAINT membership FOREIGN KEY (author_id, org_id)
                        REFERENCES members (user_id, org_id));
INSERT INTO users (email) VALUES ('b@x');
INSERT INTO orgs VALUES (10);
INSERT INTO members VALUES (1, 10), (2, 10);
INSERT INTO posts (author_id, org_id, title) VALUES (1, 10, 'mine');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts": {"update": {"where": {"id": 1}, "data": {"membership": {"connect": {"user_id_org_id": {"user_id": 2, "org_id": 10}}}}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts": {"update": {"where": {"id": 1}, "data": {"membership": {"disconnect": true}}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts": {"upsert": {"where": {"id": 1}, "create": {"title": "new"}, "update": {"membership": {"disconnect": true}}}}}}');
SELECT id, author_id, org_id, title FROM posts ORDER BY id;
-- the post's own columns still update
SELECT forge_update('users', '{"where": {"id": 1}, "data": {"posts": {"update": {"where": {"id": 1}, "data": {"title": "still mine"}}}}}');
SELECT id, author_id, org_id, title FROM posts ORDER BY id;

RESET forge.notify;
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA adv3 CASCADE;
RESET client_min_messages;
