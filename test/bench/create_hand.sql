-- create, hand-written: the same row, the same jsonb
\set r random(1, 1000000000000000)
INSERT INTO bench_users (email, name) VALUES ('c' || :r || '@example.com', 'bench user') RETURNING to_jsonb(bench_users.*);
