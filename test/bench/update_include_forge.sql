-- update_include, forge: views + 1 on one seeded user and return it with its
-- posts (include), as jsonb
\set id random(1, 10000)
SELECT forge_update('bench_nusers', jsonb_build_object('where', jsonb_build_object('id', :id::bigint), 'data', jsonb_build_object('views', jsonb_build_object('increment', 1)), 'include', jsonb_build_object('bench_nposts', true)));
