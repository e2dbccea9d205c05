-- upsert on a new key (the insert path), forge
\set r random(1, 1000000000000000)
SELECT forge_upsert('bench_users', jsonb_build_object('where', jsonb_build_object('email', 'i' || :r || '@example.com'), 'create', jsonb_build_object('email', 'i' || :r || '@example.com', 'name', 'bench user'), 'update', jsonb_build_object('views', jsonb_build_object('increment', 1))));
