-- nested_create, hand-written: the same rows in one transaction, as an
-- application writes them: the user, its profile, each post, and each tag
-- as an upsert that also inserts the join row (one statement per tag)
\set r random(1, 1000000000000000)
\set a random(1, 100)
\set b random(101, 200)
\set c random(1, 100)
\set d random(101, 200)
\set e random(1, 100)
\set f random(101, 200)
BEGIN;
INSERT INTO bench_nusers (email, name) VALUES ('n' || :r || '@example.com', 'nested') RETURNING id AS uid, to_jsonb(bench_nusers.*) AS u \gset
INSERT INTO bench_nprofiles (user_id, bio) VALUES (:uid, 'bio');
INSERT INTO bench_nposts (author_id, title) VALUES (:uid, 'p1') RETURNING id AS p \gset
WITH t AS (INSERT INTO bench_ntags (name) VALUES ('tag' || :a) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id) INSERT INTO bench_npost_tags SELECT :p, id FROM t ON CONFLICT DO NOTHING;
WITH t AS (INSERT INTO bench_ntags (name) VALUES ('tag' || :b) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id) INSERT INTO bench_npost_tags SELECT :p, id FROM t ON CONFLICT DO NOTHING;
INSERT INTO bench_nposts (author_id, title) VALUES (:uid, 'p2') RETURNING id AS p \gset
WITH t AS (INSERT INTO bench_ntags (name) VALUES ('tag' || :c) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id) INSERT INTO bench_npost_tags SELECT :p, id FROM t ON CONFLICT DO NOTHING;
WITH t AS (INSERT INTO bench_ntags (name) VALUES ('tag' || :d) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id) INSERT INTO bench_npost_tags SELECT :p, id FROM t ON CONFLICT DO NOTHING;
INSERT INTO bench_nposts (author_id, title) VALUES (:uid, 'p3') RETURNING id AS p \gset
WITH t AS (INSERT INTO bench_ntags (name) VALUES ('tag' || :e) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id) INSERT INTO bench_npost_tags SELECT :p, id FROM t ON CONFLICT DO NOTHING;
WITH t AS (INSERT INTO bench_ntags (name) VALUES ('tag' || :f) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id) INSERT INTO bench_npost_tags SELECT :p, id FROM t ON CONFLICT DO NOTHING;
COMMIT;
