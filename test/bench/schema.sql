-- test/bench/schema.sql: the tables forge's benchmark writes to.
-- Loaded by test/bench/run.sh into a throwaway cluster; never by the tests.
--
-- bench_users   create, update, upsert, update_many: :nseed seeded rows,
--               id 1..nseed, email 'seed<id>@example.com'
-- bench_del     delete: each run deletes ids upwards from where the last
--               run stopped, so every call deletes a row that exists
--               (run.sh inserts the rows ahead of each run)
-- bench_delm    delete_many: the same, ten ids per call
-- bench_many    create_many: truncated before every run
-- bench_payload the 10,000-row createMany descriptor both sides read
--
-- Autovacuum is off on these tables; run.sh vacuums the table a run writes
-- before the run, so forge's and the hand-written runs start alike.
\set ON_ERROR_STOP on

CREATE EXTENSION IF NOT EXISTS forge;

CREATE TABLE bench_users (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    name       text,
    views      integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
) WITH (autovacuum_enabled = off);

INSERT INTO bench_users (email, name)
SELECT 'seed' || i || '@example.com', 'user ' || i
FROM generate_series(1, :nseed) AS i;
-- so that forge_create's and INSERT's ids continue after the seed
SELECT setval('bench_users_id_seq', :nseed);

CREATE TABLE bench_del (
    id         bigint PRIMARY KEY,
    email      text NOT NULL,
    name       text,
    views      integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
) WITH (autovacuum_enabled = off);

CREATE TABLE bench_delm (
    id         bigint PRIMARY KEY,
    email      text NOT NULL,
    name       text,
    views      integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
) WITH (autovacuum_enabled = off);

CREATE TABLE bench_many (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL,
    name       text,
    views      integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
) WITH (autovacuum_enabled = off);

-- The createMany descriptor, {"data": [10,000 rows]}.  forge_create_many
-- takes it whole; the hand-written INSERT takes its "data" array.
CREATE TABLE bench_payload (
    id   integer PRIMARY KEY,
    args jsonb NOT NULL
);
-- stored uncompressed, so neither side spends its time in pglz
ALTER TABLE bench_payload ALTER COLUMN args SET STORAGE EXTERNAL;
INSERT INTO bench_payload
SELECT 1, jsonb_build_object('data', jsonb_agg(jsonb_build_object(
           'email', 'many' || i || '@example.com',
           'name', 'user ' || i,
           'views', i % 100) ORDER BY i))
FROM generate_series(1, :nmany) AS i;


-- nested_create: a user, their profile, three posts with two tags each.
-- Tags come from a pool of 200 names, so every connectOrCreate finds its tag.
CREATE TABLE bench_nusers (
    id    bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name  text,
    views integer NOT NULL DEFAULT 0    -- update_include counts its calls here
) WITH (autovacuum_enabled = off);
CREATE TABLE bench_nprofiles (
    id      bigserial PRIMARY KEY,
    user_id bigint UNIQUE REFERENCES bench_nusers,
    bio     text
) WITH (autovacuum_enabled = off);
CREATE TABLE bench_nposts (
    id        bigserial PRIMARY KEY,
    author_id bigint REFERENCES bench_nusers,
    title     text NOT NULL
) WITH (autovacuum_enabled = off);
CREATE TABLE bench_ntags (
    id   bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE
) WITH (autovacuum_enabled = off);
CREATE TABLE bench_npost_tags (
    post_id bigint REFERENCES bench_nposts,
    tag_id  bigint REFERENCES bench_ntags,
    PRIMARY KEY (post_id, tag_id)
) WITH (autovacuum_enabled = off);
INSERT INTO bench_ntags (name) SELECT 'tag' || i FROM generate_series(1, 200) AS i;
-- seeded like bench_users, so that plans made in the first run are made
-- for tables of a realistic size (plans made for empty tables scan them)
INSERT INTO bench_nusers (email, name)
SELECT 'nseed' || i || '@example.com', 'user ' || i FROM generate_series(1, 10000) AS i;
INSERT INTO bench_nposts (author_id, title) SELECT i, 'seed' FROM generate_series(1, 10000) AS i;
-- update_include reads a user's posts by author_id, as any include of a
-- to-many relation does: index it, as a schema with such reads would
CREATE INDEX bench_nposts_author_id ON bench_nposts (author_id);

VACUUM ANALYZE;
