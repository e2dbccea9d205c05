-- upsert on an existing key (the update path), hand-written
\set id random(1, :nseed)
INSERT INTO bench_users (email, name) VALUES ('seed' || :id || '@example.com', 'bench user') ON CONFLICT (email) DO UPDATE SET views = bench_users.views + 1 RETURNING to_jsonb(bench_users.*);
