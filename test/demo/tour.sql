-- test/demo/tour.sql: a tour of forge's seven write verbs (run by test/demo.sh).
--
-- Each step prints a heading, the call as it is written here (the jsonb
-- descriptor is its second argument), and then the jsonb it returned.
-- Expects the schema of test/demo/schema.sql, empty, and psql with
-- ON_ERROR_STOP=1: every error not caught below stops the tour.
--
-- Returned rows are jsonb objects, so their keys come in jsonb's order
-- (shorter keys first), not in column order.

\pset format unaligned
\pset tuples_only on
\pset null '(null)'
\set ECHO queries

\echo 'forge tour: each step shows a call, whose second argument is the jsonb descriptor, and what it returned.'
\echo
\echo '== forge_create: insert a user; "select" narrows the returned row'
SELECT forge_create('users', '{"data":   {"email": "ada@example.com", "name": "Ada Lovelace"},
                               "select": {"id": true, "email": true, "version": true}}');

\echo
\echo '== forge_create: without "select" the whole row comes back, defaults filled in'
SELECT forge_create('posts', '{"data": {"author_id": 1, "title": "Notes on the Analytical Engine"}}');

\echo
\echo '== forge_create_many: rows may set different columns; skipDuplicates skips ada@ (already there)'
SELECT forge_create_many('users', '{"data": [{"email": "grace@example.com", "name": "Grace Hopper"},
                                             {"email": "ada@example.com",   "name": "Ada, again"},
                                             {"email": "alan@example.com"},
                                             {"email": "Win-Big@SPAM.example", "name": "Prize Desk", "views": 9000}],
                                    "skipDuplicates": true}');

\echo
\echo '== forge_create_many: stock for the inventory example (price is numeric(10,2))'
SELECT forge_create_many('products', '{"data": [{"name": "Widget", "stock": 3, "price": 9.99},
                                                {"name": "Gadget", "stock": 10, "price": "24.50"}]}');

\echo
\echo '== the tables so far (note: the skipped duplicate used up id 3 of the identity sequence)'
\set ECHO none
\pset format aligned
\pset tuples_only off
\pset footer off
SELECT * FROM users ORDER BY id;
SELECT * FROM products ORDER BY id;
\pset format unaligned
\pset tuples_only on
\set ECHO queries

\echo '== forge_update: an atomic increment (views = views + 1, no read in the application)'
SELECT forge_update('users', '{"where":  {"email": "ada@example.com"},
                               "data":   {"views": {"increment": 1}},
                               "select": {"email": true, "views": true}}');

\echo
\echo '== forge_update: optimistic locking; the where pins the id and the version last read'
SELECT forge_update('users', '{"where":  {"id": 1, "version": 1},
                               "data":   {"name": "Augusta Ada King", "version": {"increment": 1}},
                               "select": {"id": true, "name": true, "version": true}}');

\echo
\echo '== forge_update: the same check again, with the now stale version 1, matches no row: P2025'
DO $$
BEGIN
  PERFORM forge_update('users', '{"where":  {"id": 1, "version": 1},
                                  "data":   {"name": "Ada King", "version": {"increment": 1}},
                                  "select": {"id": true, "name": true, "version": true}}');
  RAISE EXCEPTION 'the stale update succeeded';
EXCEPTION WHEN SQLSTATE 'P2025' THEN
  RAISE NOTICE 'caught SQLSTATE %: %', SQLSTATE, SQLERRM;
END $$;

\echo
\echo '== forge_update_many: sell 2 Widgets, only while at least 2 are in stock (3 -> 1)'
SELECT forge_update_many('products', '{"where": {"name": "Widget", "stock": {"gte": 2}},
                                       "data":  {"stock": {"decrement": 2}}}');

\echo
\echo '== forge_update_many: the same sale again finds 1 in stock: count 0, stock untouched'
SELECT forge_update_many('products', '{"where": {"name": "Widget", "stock": {"gte": 2}},
                                       "data":  {"stock": {"decrement": 2}}}');

\echo
\echo '== forge_upsert: the first call creates the row ...'
SELECT forge_upsert('users', '{"where":  {"email": "linus@example.com"},
                               "create": {"name": "Linus"},
                               "update": {"views": {"increment": 1}},
                               "select": {"id": true, "email": true, "views": true}}');
\echo '== ... the second, with the same descriptor, updates it (views 0 -> 1)'
SELECT forge_upsert('users', '{"where":  {"email": "linus@example.com"},
                               "create": {"name": "Linus"},
                               "update": {"views": {"increment": 1}},
                               "select": {"id": true, "email": true, "views": true}}');

\echo
\echo '== forge_upsert: an idempotent webhook; the compound key (provider, event_id) is "provider_event_id"'
SELECT forge_upsert('provider_events', '{"where":  {"provider_event_id": {"provider": "stripe", "event_id": "evt_1"}},
                                         "create": {"payload": {"type": "charge.succeeded", "amount": 2000}},
                                         "update": {}}');
\echo '== ... delivered again: nothing changes (same received_at), and there is still one row'
SELECT forge_upsert('provider_events', '{"where":  {"provider_event_id": {"provider": "stripe", "event_id": "evt_1"}},
                                         "create": {"payload": {"type": "charge.succeeded", "amount": 2000}},
                                         "update": {}}');
SELECT count(*) FROM provider_events;

\echo
\echo '== where filters: "in" and "NOT" (of grace and alan, those that have a name)'
SELECT forge_update_many('users', '{"where": {"email": {"in": ["grace@example.com", "alan@example.com"]},
                                              "NOT":   {"name": null}},
                                    "data":  {"views": {"increment": 10}}}');

\echo
\echo '== forge_delete_many: "OR" of a case-insensitive "contains" and a null test'
SELECT forge_delete_many('users', '{"where": {"OR": [{"email": {"contains": "spam", "mode": "insensitive"}},
                                                     {"name": null}]}}');

\echo
\echo '== forge_delete: one row by its unique key, returned as it was'
SELECT forge_delete('posts', '{"where": {"id": 1}, "select": {"id": true, "title": true}}');

\echo
\echo '== nested writes: a user and two posts in one call; "include" reads the posts back'
SELECT forge_create('users', '{"data":    {"email": "ken@example.com", "name": "Ken Thompson",
                                           "posts": {"create": [{"title": "Reflections on Trusting Trust"},
                                                                {"title": "UNIX Implementation"}]}},
                               "include": {"posts": {"select": {"title": true, "published": true}}}}');
\echo '== ... a nested updateMany publishes his drafts'
SELECT forge_update('users', '{"where":  {"email": "ken@example.com"},
                               "data":   {"posts": {"updateMany": {"where": {"published": false},
                                                                   "data":  {"published": true}}}},
                               "select": {"email": true, "posts": {"select": {"title": true, "published": true}}}}');
\echo '== ... a post whose author is found or created by email (connectOrCreate is INSERT ... ON CONFLICT)'
SELECT forge_create('posts', '{"data":   {"title": "The Practice of Programming",
                                          "author": {"connectOrCreate": {"where":  {"email": "rob@example.com"},
                                                                         "create": {"email": "rob@example.com", "name": "Rob Pike"}}}},
                               "select": {"title": true, "author": {"select": {"name": true}}}}');

\echo
\echo '== the tables at the end'
\set ECHO none
\pset format aligned
\pset tuples_only off
SELECT * FROM users ORDER BY id;
SELECT * FROM products ORDER BY id;
SELECT provider, event_id, payload FROM provider_events;

\echo '== the plan cache: calls that differ only in values share one plan'
\set ECHO queries
SELECT * FROM forge_plan_cache_stats();
