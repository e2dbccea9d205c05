-- What Citus cannot run, forge refuses before anything is written, with
-- an error that says why.

-- A relation filter or include from a reference table (tags) to a
-- distributed one (posts, through post_tags): Citus cannot join a
-- reference table's row to a distributed table's rows in one statement.
SELECT forge_update_many('tags', '{"where": {"posts": {"some": {"title": "First"}}},
                                   "data": {"name": "x"}}');
SELECT forge_update('tags', '{"where": {"name": "pg"}, "data": {"name": "pg"},
                              "include": {"posts": true}}');
SELECT name FROM tags ORDER BY name;

-- Related rows are read back after a create or update of a Citus table's
-- row (Citus cannot run a correlated subquery over the write's CTE); after
-- a delete the row is gone, so a delete that asks for related rows is
-- refused before it deletes
SELECT forge_delete('users', '{"where": {"id": 4}, "include": {"posts": true}}');
SELECT forge_delete('posts', '{"where": {"author_id_id": {"author_id": 1, "id": 10}},
                               "select": {"title": true, "author": true}}');
SELECT count(*) AS still_there FROM users WHERE id = 4;
-- without related rows, delete works
SELECT forge_delete('users', '{"where": {"id": 4}, "select": {"email": true}}');

-- The outbox: its statement triggers would run on the nodes that hold the
-- rows, outside the forge call, and record nothing.  forge_outbox_enable
-- refuses a Citus table ...
SELECT forge_outbox_enable('users');
SELECT forge_outbox_enable('tags');
-- ... and with citus.enable_unsafe_triggers Citus would accept the
-- triggers, so forge refuses every write to a Citus table that has them
SET citus.enable_unsafe_triggers = on;
SET client_min_messages = warning;
CREATE TRIGGER forge_outbox_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS forge_new FOR EACH STATEMENT
    EXECUTE FUNCTION forge_outbox_capture('keys');
RESET client_min_messages;
SELECT forge_create('users', '{"data": {"id": 40, "email": "pat@x.co"}}');
SELECT forge_update_many('users', '{"where": {"id": 1}, "data": {"views": 0}}');
-- nested: the write to users is refused, and the whole call with it
SELECT forge_create('posts', '{"data": {"id": 41, "title": "t",
    "author": {"create": {"id": 41, "email": "quin@x.co"}}}}');
SELECT count(*) AS written FROM users WHERE id IN (40, 41);
SELECT count(*) AS recorded FROM forge_outbox;
DROP TRIGGER forge_outbox_insert ON users;
RESET citus.enable_unsafe_triggers;
-- without the triggers, writes work again
SELECT forge_create('users', '{"data": {"id": 40, "email": "pat@x.co"}, "select": {"id": true}}');

-- a plain table on the same coordinator keeps its outbox
SELECT forge_outbox_enable('plain');
SELECT forge_create('plain', '{"data": {"name": "p1"}}');
SELECT model, event->>'op' AS op, event->'keys' AS keys FROM forge_outbox;
