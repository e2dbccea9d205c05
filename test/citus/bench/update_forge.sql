-- forge_update on the distributed table: views + 1 on one row, as jsonb
\set id random(1, :nseed)
SELECT forge_update('bench_users', jsonb_build_object('where', jsonb_build_object('id', :id::bigint), 'data', jsonb_build_object('views', jsonb_build_object('increment', 1))));
