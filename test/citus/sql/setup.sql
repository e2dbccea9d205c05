-- forge on Citus: the tables every test of this suite uses.
--
-- Citus requires every unique key of a distributed table to include its
-- distribution column, and a foreign key between distributed tables to be
-- between colocated tables and to include both distribution columns.  So
-- users are distributed by id, and everything of a user (posts, post_tags)
-- by the user's id, colocated with users: a user's rows live on one worker.
-- Tags are shared: a reference table, copied to every node.
SET citus.shard_count = 4;
SET client_min_messages = warning;

CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL,
                    name text, views int NOT NULL DEFAULT 0);
SELECT create_distributed_table('users', 'id');

-- posts: to-one "author" to users, to-many "posts" from users; its
-- primary key includes author_id, the distribution column
CREATE TABLE posts (author_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
                    id bigserial, title text NOT NULL,
                    published boolean NOT NULL DEFAULT false,
                    PRIMARY KEY (author_id, id));
SELECT create_distributed_table('posts', 'author_id', colocate_with => 'users');

-- tags: a reference table
CREATE TABLE tags (id serial PRIMARY KEY, name text UNIQUE NOT NULL);
SELECT create_reference_table('tags');

-- post_tags: many-to-many between posts and tags, colocated with posts
-- (Citus takes a foreign key from a local table to a distributed one only
-- once both are distributed)
CREATE TABLE post_tags (author_id bigint NOT NULL, post_id bigint NOT NULL,
                        tag_id int NOT NULL REFERENCES tags ON DELETE CASCADE,
                        PRIMARY KEY (author_id, post_id, tag_id));
SELECT create_distributed_table('post_tags', 'author_id', colocate_with => 'posts');
ALTER TABLE post_tags ADD FOREIGN KEY (author_id, post_id) REFERENCES posts ON DELETE CASCADE;

-- counters: a distributed table with a unique key besides its primary key
-- (both include the distribution column, tenant)
CREATE TABLE counters (tenant int NOT NULL, name text NOT NULL,
                       n int NOT NULL DEFAULT 0, PRIMARY KEY (tenant, name));
SELECT create_distributed_table('counters', 'tenant');

-- settings: a reference table with a unique key besides its primary key
CREATE TABLE settings (id serial PRIMARY KEY, key text UNIQUE NOT NULL,
                       value text);
SELECT create_reference_table('settings');

-- plain: a table Citus does not manage, for comparison
CREATE TABLE plain (id serial PRIMARY KEY, name text UNIQUE NOT NULL);
RESET client_min_messages;

-- how Citus manages each: h = hash-distributed, n with t = reference
SELECT logicalrelid::text AS table, partmethod, repmodel, colocationid > 0 AS colocated
  FROM pg_dist_partition ORDER BY 1;
SELECT count(*) AS workers FROM pg_dist_node WHERE noderole = 'primary' AND groupid > 0;
-- CREATE EXTENSION forge ran on the coordinator only (test/citus.sh);
-- Citus created it on the workers too
SELECT success, result AS forge_version
  FROM run_command_on_workers($$SELECT extversion FROM pg_extension WHERE extname = 'forge'$$);
