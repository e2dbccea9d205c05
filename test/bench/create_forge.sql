-- create, forge: one new row, returned as jsonb
\set r random(1, 1000000000000000)
SELECT forge_create('bench_users', jsonb_build_object('data', jsonb_build_object('email', 'c' || :r || '@example.com', 'name', 'bench user')));
