-- upsert on an existing key (the update path), forge
\set id random(1, :nseed)
SELECT forge_upsert('bench_users', jsonb_build_object('where', jsonb_build_object('email', 'seed' || :id || '@example.com'), 'create', jsonb_build_object('email', 'seed' || :id || '@example.com', 'name', 'bench user'), 'update', jsonb_build_object('views', jsonb_build_object('increment', 1))));
