-- update_many, forge: views + 1 on ten seeded rows, {"count": 10}
\set lo random(1, :nseed - 9)
\set hi :lo + 10
SELECT forge_update_many('bench_users', jsonb_build_object('where', jsonb_build_object('id', jsonb_build_object('gte', :lo::bigint, 'lt', :hi::bigint)), 'data', jsonb_build_object('views', jsonb_build_object('increment', 1))));
