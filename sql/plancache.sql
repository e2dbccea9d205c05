-- The plan cache: one prepared plan per statement shape, never per value.
CREATE TABLE pc_users (id int PRIMARY KEY, email text UNIQUE, name text, views int DEFAULT 0);
INSERT INTO pc_users SELECT g, 'u' || g || '@example.com', 'user ' || g FROM generate_series(1, 10) g;
SELECT forge_plan_cache_reset();

-- Two calls that differ only in values: one miss, then a hit.
SELECT forge_update('pc_users', '{"where": {"id": 1}, "data": {"views": {"increment": 1}}}');
SELECT forge_update('pc_users', '{"where": {"id": 2}, "data": {"views": {"increment": 7}}}');
SELECT * FROM forge_plan_cache_stats();

-- in lists of any length share a plan.
SELECT forge_update_many('pc_users', '{"where": {"id": {"in": [1]}}, "data": {"name": "x"}}');
SELECT forge_update_many('pc_users', '{"where": {"id": {"in": [1, 2, 3, 4, 5]}}, "data": {"name": "y"}}');
SELECT * FROM forge_plan_cache_stats();

-- Another shape (another column, operation or filter) is another plan.
SELECT forge_update('pc_users', '{"where": {"id": 1}, "data": {"views": {"decrement": 1}}}');
SELECT forge_update('pc_users', '{"where": {"email": "u1@example.com"}, "data": {"views": {"decrement": 1}}}');
SELECT forge_update_many('pc_users', '{"where": {"name": null}, "data": {"name": "z"}}');
SELECT * FROM forge_plan_cache_stats();

-- DDL never leaves a stale plan in use.
-- Add a column: the cached plan is invalid, so the next call re-plans.
ALTER TABLE pc_users ADD COLUMN score int DEFAULT 0;
SELECT forge_update('pc_users', '{"where": {"id": 3}, "data": {"views": {"increment": 1}}}');
SELECT forge_update('pc_users', '{"where": {"id": 3}, "data": {"score": 5}, "select": {"id": true, "score": true}}');
-- Rename a column: the old name is unknown, the new one works.
ALTER TABLE pc_users RENAME COLUMN views TO visits;
SELECT forge_update('pc_users', '{"where": {"id": 3}, "data": {"views": {"increment": 1}}}');
SELECT forge_update('pc_users', '{"where": {"id": 3}, "data": {"visits": {"increment": 1}}}');
-- Change a column's type.
ALTER TABLE pc_users ALTER COLUMN visits TYPE numeric;
SELECT forge_update('pc_users', '{"where": {"id": 3}, "data": {"visits": {"increment": 0.5}}}');
-- Drop a column.
ALTER TABLE pc_users DROP COLUMN score;
SELECT forge_update('pc_users', '{"where": {"id": 3}, "data": {"score": 5}}');
SELECT forge_update('pc_users', '{"where": {"id": 3}, "data": {"visits": 1}}');
-- Drop the unique key that selected the row.
ALTER TABLE pc_users DROP CONSTRAINT pc_users_email_key;
SELECT forge_update('pc_users', '{"where": {"email": "u1@example.com"}, "data": {"visits": 1}}');
-- Drop and re-create the table.
DROP TABLE pc_users;
CREATE TABLE pc_users (id int PRIMARY KEY, visits text);
INSERT INTO pc_users VALUES (3, 'three');
SELECT forge_update('pc_users', '{"where": {"id": 3}, "data": {"visits": "3"}}');
-- Rename the table, and move it to another schema.
ALTER TABLE pc_users RENAME TO pc_people;
SELECT forge_update('pc_people', '{"where": {"id": 3}, "data": {"visits": "4"}}');
CREATE SCHEMA pc_other;
ALTER TABLE pc_people SET SCHEMA pc_other;
SELECT forge_update('pc_other.pc_people', '{"where": {"id": 3}, "data": {"visits": "5"}}');
DROP TABLE pc_other.pc_people;
DROP SCHEMA pc_other;

-- The cache is bounded by forge.plan_cache_size (least recently used goes).
CREATE TABLE pc_wide (id int PRIMARY KEY, a int, b int, c int, d int, e int);
INSERT INTO pc_wide VALUES (1, 0, 0, 0, 0, 0);
SELECT forge_plan_cache_reset();
SET forge.plan_cache_size = 3;
SELECT forge_update('pc_wide', '{"where": {"id": 1}, "data": {"a": 1}}');
SELECT forge_update('pc_wide', '{"where": {"id": 1}, "data": {"b": 1}}');
SELECT forge_update('pc_wide', '{"where": {"id": 1}, "data": {"c": 1}}');
SELECT forge_update('pc_wide', '{"where": {"id": 1}, "data": {"d": 1}}');
SELECT forge_update('pc_wide', '{"where": {"id": 1}, "data": {"e": 1}}');
SELECT * FROM forge_plan_cache_stats();
-- "a" was evicted: a miss; "e" is still cached: a hit.
SELECT forge_update('pc_wide', '{"where": {"id": 1}, "data": {"a": 2}}');
SELECT forge_update('pc_wide', '{"where": {"id": 1}, "data": {"e": 2}}');
SELECT * FROM forge_plan_cache_stats();
-- Size 0 turns caching off; calls still work.
SET forge.plan_cache_size = 0;
SELECT forge_update('pc_wide', '{"where": {"id": 1}, "data": {"a": 3}}');
SELECT * FROM forge_plan_cache_stats();
RESET forge.plan_cache_size;

DROP TABLE pc_wide;

-- A plan stays alive while it runs, whatever the forge calls of its
-- triggers do to the cache: here an AFTER UPDATE trigger of forge_update on
-- pc_runner makes forge calls on pc_log.  Each forge_update below must
-- finish, with the trigger's rows written (before this was fixed, each
-- freed the running plan and the backend crashed).
CREATE TABLE pc_runner (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
CREATE TABLE pc_log (id serial PRIMARY KEY, a int, b text, c int, d text);
INSERT INTO pc_runner VALUES (1);
CREATE FUNCTION pc_runner_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'evict' THEN
        -- four shapes through a cache of one evict the running plan
        PERFORM forge_create('pc_log', '{"data": {"a": 1}}');
        PERFORM forge_create('pc_log', '{"data": {"b": "x"}}');
        PERFORM forge_create('pc_log', '{"data": {"c": 1}}');
        PERFORM forge_create('pc_log', '{"data": {"d": "x"}}');
    ELSIF TG_ARGV[0] = 'reset' THEN
        PERFORM forge_plan_cache_reset();
        PERFORM forge_create('pc_log', '{"data": {"a": 2}}');
    ELSIF TG_ARGV[0] = 'reset-error' THEN
        -- the trigger's call fails after the reset: its pins go too
        BEGIN
            PERFORM forge_plan_cache_reset();
            PERFORM forge_create('pc_log', '{"data": {"a": "not a number"}}');
        EXCEPTION WHEN invalid_text_representation THEN NULL;
        END;
    ELSIF TG_ARGV[0] = 'replan' AND NEW.n < 100 THEN
        -- a GRANT invalidates the running plan (the table's relcache entry
        -- changes), then the same shape runs again inside it and replaces
        -- the plan in the cache
        GRANT SELECT ON pc_runner TO PUBLIC;
        PERFORM forge_update('pc_runner', '{"where": {"id": 1}, "data": {"n": {"increment": 100}}}');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pc_runner_log AFTER UPDATE ON pc_runner
    FOR EACH ROW EXECUTE FUNCTION pc_runner_log('evict');
SET forge.plan_cache_size = 1;
SELECT forge_update('pc_runner', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}');
SELECT forge_update('pc_runner', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}');
SELECT count(*) AS logged FROM pc_log;
SELECT entries FROM forge_plan_cache_stats();
RESET forge.plan_cache_size;
DROP TRIGGER pc_runner_log ON pc_runner;
CREATE TRIGGER pc_runner_log AFTER UPDATE ON pc_runner
    FOR EACH ROW EXECUTE FUNCTION pc_runner_log('reset');
SELECT forge_update('pc_runner', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}');
SELECT forge_update('pc_runner', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}');
DROP TRIGGER pc_runner_log ON pc_runner;
CREATE TRIGGER pc_runner_log AFTER UPDATE ON pc_runner
    FOR EACH ROW EXECUTE FUNCTION pc_runner_log('reset-error');
SELECT forge_update('pc_runner', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}');
SELECT forge_update('pc_runner', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}');
DROP TRIGGER pc_runner_log ON pc_runner;
CREATE TRIGGER pc_runner_log AFTER UPDATE ON pc_runner
    FOR EACH ROW EXECUTE FUNCTION pc_runner_log('replan');
SELECT forge_update('pc_runner', '{"where": {"id": 1}, "data": {"n": {"increment": 1}}}');
SELECT id, n FROM pc_runner;
SELECT count(*) AS logged FROM pc_log;
DROP TABLE pc_runner, pc_log;
DROP FUNCTION pc_runner_log();
