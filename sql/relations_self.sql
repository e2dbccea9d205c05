--
-- relations_self: a self-referencing many-to-many.
--
-- follows(follower_id, followee_id) joins users to users.  Both keys of
-- the join table reference users, so users has two to-many relations
-- (the join rows, by each key) and two many-to-many relations (the users
-- at the other end), over two constraint names.  A constraint name
-- addresses the to-many; each many-to-many is addressed as
-- "join_table.constraint", the join table's key to the other user:
--
--   follows.follows_followee_id_fkey   the users this one follows
--   follows.follows_follower_id_fkey   the users who follow this one
--
CREATE SCHEMA self;
SET search_path = self, public;
CREATE TABLE users (id int PRIMARY KEY, name text UNIQUE, note text);
CREATE TABLE follows (follower_id int REFERENCES users ON DELETE CASCADE,
                      followee_id int REFERENCES users ON DELETE CASCADE,
                      PRIMARY KEY (follower_id, followee_id));
INSERT INTO users VALUES (1, 'ada', NULL), (2, 'bob', NULL), (3, 'cy', NULL),
                         (4, 'di', NULL), (5, 'ed', NULL);
-- ada follows bob and cy; di follows ada.
INSERT INTO follows VALUES (1, 2), (1, 3), (4, 1);

-- The four relations: no name (both pairs would share one), and the
-- constraint each follows.
SELECT name, kind, constraint_name, columns, target, join_table,
       join_columns, join_target_columns
  FROM forge_relations('users') ORDER BY kind, constraint_name;

-- a view of who follows whom, and of the notes
CREATE VIEW edges AS
  SELECT f.name AS follower, e.name AS followee
    FROM follows JOIN users f ON f.id = follower_id
                 JOIN users e ON e.id = followee_id ORDER BY 1, 2;
CREATE VIEW notes AS SELECT id, name, note FROM users ORDER BY id;

-- include: both directions, and the join rows by constraint name
SELECT forge_update('users', '{"where": {"id": 1}, "data": {},
  "select": {"name": true,
    "follows.follows_followee_id_fkey": {"select": {"name": true}},
    "follows.follows_follower_id_fkey": {"select": {"name": true}},
    "follows_follower_id_fkey": true}}');

-- relation filters: the users ada follows, and the users who follow ada
SELECT forge_update_many('users', '{"where":
  {"follows.follows_follower_id_fkey": {"some": {"name": "ada"}}},
  "data": {"note": "followed by ada"}}');
SELECT forge_update_many('users', '{"where":
  {"follows.follows_followee_id_fkey": {"some": {"name": "ada"}}},
  "data": {"note": "follows ada"}}');
SELECT * FROM notes;
UPDATE users SET note = NULL;

-- updateMany through each direction changes the related users only,
-- never ada herself.
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_followee_id_fkey": {"updateMany": {"where": {}, "data": {"note": "ada follows me"}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"updateMany": {"where": {}, "data": {"note": "I follow ada"}}}}}');
SELECT * FROM notes;
-- update by a unique where: a user not on that side of ada is P2025.
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_followee_id_fkey": {"update": {"where": {"name": "bob"}, "data": {"note": "bob"}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"update": {"where": {"name": "bob"}, "data": {"note": "bob"}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"update": {"where": {"name": "di"}, "data": {"note": "di"}}}}}');
SELECT * FROM notes;
UPDATE users SET note = NULL;

-- connect, disconnect and set write the join rows the right way round.
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_followee_id_fkey": {"connect": {"name": "ed"}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"connect": {"name": "bob"}}}}');
SELECT * FROM edges;
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_followee_id_fkey": {"disconnect": {"name": "bob"}}}}');
SELECT * FROM edges;
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"set": [{"name": "cy"}]}}}');
SELECT * FROM edges;

-- create, connectOrCreate and upsert link a new or found user.
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_followee_id_fkey": {"create": {"id": 6, "name": "flo"}},
   "follows.follows_follower_id_fkey": {"connectOrCreate": {"where": {"name": "gus"},
                                                           "create": {"id": 7, "name": "gus"}}}}}');
-- upsert updates only a user on that side of ada; ed is not one, so it
-- creates, and the create repeats ed's key: 23505, as in Prisma.  Once
-- connected, ed is updated.
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"upsert": {"where": {"name": "ed"},
     "create": {"id": 5, "name": "ed"}, "update": {"note": "upserted"}}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"connect": {"name": "ed"}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"upsert": {"where": {"name": "ed"},
     "create": {"id": 5, "name": "ed"}, "update": {"note": "upserted"}}}}}');
SELECT * FROM edges;
SELECT * FROM notes;

-- delete and deleteMany remove the related users on that side only.
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_followee_id_fkey": {"delete": {"name": "flo"}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"deleteMany": {"name": {"in": ["gus", "bob"]}}}}}');
SELECT * FROM edges;
SELECT * FROM notes;

-- The same actions the other way round.
UPDATE users SET note = NULL;
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"disconnect": {"name": "cy"}},
   "follows.follows_followee_id_fkey": {"set": [{"name": "cy"}, {"name": "di"}]}}}');
SELECT * FROM edges;
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"create": {"id": 8, "name": "hal"}},
   "follows.follows_followee_id_fkey": {"connectOrCreate": {"where": {"name": "ivy"},
                                                           "create": {"id": 9, "name": "ivy"}},
                                        "connect": {"name": "bob"}}}}');
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_followee_id_fkey": {"upsert": {"where": {"name": "bob"},
                                                   "create": {"id": 2, "name": "bob"},
                                                   "update": {"note": "upserted"}}}}}');
SELECT * FROM edges;
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows.follows_follower_id_fkey": {"delete": {"name": "hal"}},
   "follows.follows_followee_id_fkey": {"deleteMany": {"name": "ivy"},
                                        "update": {"where": {"name": "cy"}, "data": {"note": "followed"}}}}}');
SELECT * FROM edges;
SELECT * FROM notes;

-- The join rows by each constraint name: a to-many, as for any table.
SELECT forge_update('users', '{"where": {"id": 1}, "data":
  {"follows_follower_id_fkey": {"create": {"followee_id": 5}}},
  "include": {"follows_follower_id_fkey": true, "follows_followee_id_fkey": true}}');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA self CASCADE;
RESET client_min_messages;
