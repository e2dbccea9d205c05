-- plan_shape: the plan-cache key follows the SQL.  The key is computed by
-- walking the finished statement tree as deparse.c does (src/shape.c), so
-- two descriptors get one plan exactly when their statements have one SQL
-- text.  Each table below runs descriptors in order; each row differs from
-- an earlier one in one decision, and says whether the call prepared a new
-- plan or reused a cached one.  sql/plancache.sql shows the cache itself
-- (values, in-list lengths, DDL, eviction).
CREATE SCHEMA ps;
SET search_path = ps, public;
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, name text, age int);
CREATE TABLE posts (id int PRIMARY KEY, author_id int REFERENCES users, title text, score int);
CREATE TABLE tags (id int PRIMARY KEY, name text);
CREATE TABLE post_tags (post_id int REFERENCES posts, tag_id int REFERENCES tags,
                        PRIMARY KEY (post_id, tag_id));
CREATE TABLE profiles (id int PRIMARY KEY, user_id int UNIQUE REFERENCES users, bio text);
CREATE TABLE pairs (a int, b int, note text, PRIMARY KEY (a, b));
CREATE TABLE items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text UNIQUE, qty int);
INSERT INTO users VALUES (1, 'ada@x', 'ada', 36), (2, 'bob@x', 'bob', 40);
INSERT INTO posts VALUES (10, 1, 'engines', 5), (11, 1, 'notes', 3);
INSERT INTO tags VALUES (100, 'pg');
INSERT INTO post_tags VALUES (10, 100);
INSERT INTO profiles VALUES (1000, 1, 'first programmer');
INSERT INTO pairs VALUES (1, 2, 'x');
INSERT INTO items (name, qty) VALUES ('bolt', 1);

-- plan_of: make the call, undo its write (the cache keeps its plan), and
-- say whether the call prepared a new plan.
CREATE FUNCTION plan_of(verb text, model regclass, args jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    before bigint;
    after bigint;
BEGIN
    SELECT misses INTO before FROM forge_plan_cache_stats();
    BEGIN
        EXECUTE format('SELECT %I($1, $2)', verb) USING model, args;
        SELECT misses INTO after FROM forge_plan_cache_stats();
        RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    RETURN CASE WHEN after > before THEN 'new plan' ELSE 'cached plan' END;
END $$;
SELECT forge_plan_cache_reset();

-- data: the column, the operation, an empty data, the verb.  A value,
-- null, "unset" and an explicit "set" are all one parameter.
SELECT what, plan_of(verb, model, args::jsonb) FROM (VALUES
  ('set name',               'forge_update', 'users', '{"where": {"id": 1}, "data": {"name": "a"}}'),
  ('set name, other values', 'forge_update', 'users', '{"where": {"id": 2}, "data": {"name": "b"}}'),
  ('set name to null',       'forge_update', 'users', '{"where": {"id": 1}, "data": {"name": null}}'),
  ('unset name',             'forge_update', 'users', '{"where": {"id": 1}, "data": {"name": {"unset": true}}}'),
  ('set name explicitly',    'forge_update', 'users', '{"where": {"id": 1}, "data": {"name": {"set": "c"}}}'),
  ('set email instead',      'forge_update', 'users', '{"where": {"id": 1}, "data": {"email": "a@x"}}'),
  ('set age',                'forge_update', 'users', '{"where": {"id": 1}, "data": {"age": 1}}'),
  ('increment age',          'forge_update', 'users', '{"where": {"id": 1}, "data": {"age": {"increment": 1}}}'),
  ('set age and name',       'forge_update', 'users', '{"where": {"id": 1}, "data": {"age": 1, "name": "a"}}'),
  ('empty data',             'forge_update', 'users', '{"where": {"id": 1}, "data": {}}'),
  ('set name, update_many',  'forge_update_many', 'users', '{"where": {"id": 1}, "data": {"name": "a"}}')
) AS c(what, verb, model, args);

-- where: null test against equality, operators, NOT, AND, OR.  The text
-- operations put their wildcards in the parameter, so contains,
-- startsWith and endsWith share a plan, and so do the insensitive ones.
-- A compound key selector is the same equalities as its columns, and an
-- empty where is no where at all.
SELECT what, plan_of(verb, model, args::jsonb) FROM (VALUES
  ('age = 1',                 'forge_update_many', 'users', '{"where": {"age": 1}, "data": {"name": "a"}}'),
  ('age = 2',                 'forge_update_many', 'users', '{"where": {"age": 2}, "data": {"name": "a"}}'),
  ('age is null',             'forge_update_many', 'users', '{"where": {"age": null}, "data": {"name": "a"}}'),
  ('age is not null',         'forge_update_many', 'users', '{"where": {"age": {"not": null}}, "data": {"name": "a"}}'),
  ('age not 1',               'forge_update_many', 'users', '{"where": {"age": {"not": 1}}, "data": {"name": "a"}}'),
  ('age < 1',                 'forge_update_many', 'users', '{"where": {"age": {"lt": 1}}, "data": {"name": "a"}}'),
  ('age >= 1',                'forge_update_many', 'users', '{"where": {"age": {"gte": 1}}, "data": {"name": "a"}}'),
  ('age in',                  'forge_update_many', 'users', '{"where": {"age": {"in": [1, 2]}}, "data": {"name": "a"}}'),
  ('age notIn',               'forge_update_many', 'users', '{"where": {"age": {"notIn": [1, 2]}}, "data": {"name": "a"}}'),
  ('age > 1 and < 9',         'forge_update_many', 'users', '{"where": {"age": {"gt": 1, "lt": 9}}, "data": {"name": "a"}}'),
  ('OR of two',               'forge_update_many', 'users', '{"where": {"OR": [{"age": 1}, {"age": 2}]}, "data": {"name": "a"}}'),
  ('AND of two',              'forge_update_many', 'users', '{"where": {"AND": [{"age": 1}, {"age": 2}]}, "data": {"name": "a"}}'),
  ('name contains',           'forge_update_many', 'users', '{"where": {"name": {"contains": "a"}}, "data": {"name": "a"}}'),
  ('name startsWith',         'forge_update_many', 'users', '{"where": {"name": {"startsWith": "a"}}, "data": {"name": "a"}}'),
  ('name endsWith',           'forge_update_many', 'users', '{"where": {"name": {"endsWith": "a"}}, "data": {"name": "a"}}'),
  ('name contains, insensitive', 'forge_update_many', 'users', '{"where": {"name": {"contains": "a", "mode": "insensitive"}}, "data": {"name": "a"}}'),
  ('name equals, insensitive', 'forge_update_many', 'users', '{"where": {"name": {"equals": "a", "mode": "insensitive"}}, "data": {"name": "a"}}'),
  ('no where',                'forge_update_many', 'users', '{"data": {"name": "a"}}'),
  ('empty where',             'forge_update_many', 'users', '{"where": {}, "data": {"name": "a"}}'),
  ('pair by columns',         'forge_update', 'pairs', '{"where": {"a": 1, "b": 2}, "data": {"note": "y"}}'),
  ('pair by compound key',    'forge_update', 'pairs', '{"where": {"a_b": {"a": 1, "b": 2}}, "data": {"note": "z"}}')
) AS c(what, verb, model, args);

-- relation filters: the test (some, none, every; is, isNot, null), the
-- related where, and the relation.
SELECT what, plan_of(verb, model, args::jsonb) FROM (VALUES
  ('posts some score = 1',    'forge_update_many', 'users', '{"where": {"posts": {"some": {"score": 1}}}, "data": {"name": "a"}}'),
  ('posts some score = 2',    'forge_update_many', 'users', '{"where": {"posts": {"some": {"score": 2}}}, "data": {"name": "a"}}'),
  ('posts none score = 1',    'forge_update_many', 'users', '{"where": {"posts": {"none": {"score": 1}}}, "data": {"name": "a"}}'),
  ('posts every score = 1',   'forge_update_many', 'users', '{"where": {"posts": {"every": {"score": 1}}}, "data": {"name": "a"}}'),
  ('posts some title = x',    'forge_update_many', 'users', '{"where": {"posts": {"some": {"title": "x"}}}, "data": {"name": "a"}}'),
  ('posts some, any',         'forge_update_many', 'users', '{"where": {"posts": {"some": {}}}, "data": {"name": "a"}}'),
  ('profiles is bio = x',     'forge_update_many', 'users', '{"where": {"profiles": {"is": {"bio": "x"}}}, "data": {"name": "a"}}'),
  ('profiles bio = y',        'forge_update_many', 'users', '{"where": {"profiles": {"bio": "y"}}, "data": {"name": "a"}}'),
  ('profiles isNot bio = x',  'forge_update_many', 'users', '{"where": {"profiles": {"isNot": {"bio": "x"}}}, "data": {"name": "a"}}'),
  ('profiles null',           'forge_update_many', 'users', '{"where": {"profiles": null}, "data": {"name": "a"}}'),
  ('author is email = x',     'forge_update_many', 'posts', '{"where": {"author": {"is": {"email": "x"}}}, "data": {"title": "a"}}'),
  ('tags some name = pg',     'forge_update_many', 'posts', '{"where": {"tags": {"some": {"name": "pg"}}}, "data": {"title": "a"}}')
) AS c(what, verb, model, args);

-- select and include: columns, relations, each include's options.  A
-- column selected false is not selected; an include's name is spelled out
-- in the SQL, so the constraint name is another plan.
SELECT what, plan_of(verb, model, args::jsonb) FROM (VALUES
  ('select id',               'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "select": {"id": true}}'),
  ('select id, email false',  'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "select": {"id": true, "email": false}}'),
  ('select email',            'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "select": {"email": true}}'),
  ('select id and email',     'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "select": {"id": true, "email": true}}'),
  ('select posts only',       'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "select": {"posts": true}}'),
  ('include posts',           'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": true}}'),
  ('include posts by constraint name', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts_author_id_fkey": true}}'),
  ('include posts, take',     'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"take": 1}}}'),
  ('include posts, skip',     'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"skip": 1}}}'),
  ('include posts, by title', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"title": "asc"}}}}'),
  ('include posts, by title desc', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"title": "desc"}}}}'),
  ('include posts, where',    'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"where": {"score": 1}}}}'),
  ('include posts, select',   'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"select": {"title": true}}}}'),
  ('include posts and tags',  'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"include": {"tags": true}}}}'),
  ('include profiles',        'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"profiles": true}}'),
  ('include posts, cursor 10', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"cursor": {"id": 10}}}}'),
  ('include posts, cursor 11', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"cursor": {"id": 11}}}}'),
  ('include posts, cursor and a filter', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"cursor": {"id": 11, "score": 3}}}}'),
  ('include posts, cursor, by title', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"cursor": {"id": 11}, "orderBy": {"title": "asc"}}}}'),
  ('include posts, by author email', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": {"email": "asc"}}}}}'),
  ('include posts, by author name', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": {"name": "asc"}}}}}'),
  ('include posts, by author name desc', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": {"name": "desc"}}}}}'),
  ('include posts, by author name desc, nulls last', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": {"name": {"sort": "desc", "nulls": "last"}}}}}}'),
  ('include posts, by author name desc, nulls first', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"author": {"name": {"sort": "desc", "nulls": "first"}}}}}}'),
  ('include posts, by tags count', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"tags": {"_count": "asc"}}}}}'),
  ('include posts, by tags count desc', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"posts": {"orderBy": {"tags": {"_count": "desc"}}}}}'),
  ('include _count',          'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"_count": true}}'),
  ('include _count of posts (all true counts)', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"_count": {"select": {"posts": true}}}}'),
  ('include _count of posts, where score 1', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"_count": {"select": {"posts": {"where": {"score": 1}}}}}}'),
  ('include _count of posts, where score 2', 'forge_update', 'users', '{"where": {"id": 1}, "data": {}, "include": {"_count": {"select": {"posts": {"where": {"score": 2}}}}}}')
) AS c(what, verb, model, args);

-- create, createMany, upsert, delete.  createMany's rows are one
-- parameter, so their number is a value; its columns and skipDuplicates
-- are not.  An upsert's conflict key is the unique key its where pins; an
-- identity key the row created cannot carry makes it an update, then an
-- insert, with no ON CONFLICT.
SELECT what, plan_of(verb, model, args::jsonb) FROM (VALUES
  ('create id, email',        'forge_create', 'users', '{"data": {"id": 5, "email": "e@x"}}'),
  ('create id, email again',  'forge_create', 'users', '{"data": {"id": 6, "email": "f@x"}}'),
  ('create id only',          'forge_create', 'users', '{"data": {"id": 5}}'),
  ('createMany, one row',     'forge_create_many', 'users', '{"data": [{"id": 5}]}'),
  ('createMany, two rows',    'forge_create_many', 'users', '{"data": [{"id": 5}, {"id": 6}]}'),
  ('createMany, id and name', 'forge_create_many', 'users', '{"data": [{"id": 5, "name": "e"}]}'),
  ('createMany, skipDuplicates', 'forge_create_many', 'users', '{"data": [{"id": 5}], "skipDuplicates": true}'),
  ('upsert on id',            'forge_upsert', 'users', '{"where": {"id": 1}, "create": {"email": "e@x"}, "update": {"name": "a"}}'),
  ('upsert on id again',      'forge_upsert', 'users', '{"where": {"id": 2}, "create": {"email": "f@x"}, "update": {"name": "b"}}'),
  ('upsert on email',         'forge_upsert', 'users', '{"where": {"email": "ada@x"}, "create": {"id": 5}, "update": {"name": "a"}}'),
  ('upsert on id, empty update', 'forge_upsert', 'users', '{"where": {"id": 1}, "create": {"email": "e@x"}, "update": {}}'),
  ('upsert on identity',      'forge_upsert', 'items', '{"where": {"id": 1}, "create": {"name": "nut"}, "update": {"qty": 2}}'),
  ('upsert on identity again', 'forge_upsert', 'items', '{"where": {"id": 7}, "create": {"name": "pin"}, "update": {"qty": 3}}'),
  ('upsert on name',          'forge_upsert', 'items', '{"where": {"name": "bolt"}, "create": {"qty": 1}, "update": {"qty": 2}}'),
  ('delete',                  'forge_delete', 'profiles', '{"where": {"id": 1000}}'),
  ('delete_many',             'forge_delete_many', 'profiles', '{"where": {"id": 1000}}')
) AS c(what, verb, model, args);

-- Returning the keys written to the event (forge.notify_keys) is a
-- setting, not part of the descriptor, and another plan.
SET forge.notify_keys = on;
SELECT plan_of('forge_update_many', 'users', '{"where": {"age": 1}, "data": {"name": "a"}}');
RESET forge.notify_keys;
SELECT plan_of('forge_update_many', 'users', '{"where": {"age": 1}, "data": {"name": "a"}}');

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ps CASCADE;
RESET client_min_messages;
