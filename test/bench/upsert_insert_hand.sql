-- upsert on a new key (the insert path), hand-written
\set r random(1, 1000000000000000)
INSERT INTO bench_users (email, name) VALUES ('i' || :r || '@example.com', 'bench user') ON CONFLICT (email) DO UPDATE SET views = bench_users.views + 1 RETURNING to_jsonb(bench_users.*);
