-- update_include, hand-written: the same update, the posts aggregated by a
-- correlated subquery in RETURNING (as forge's include does)
\set id random(1, 10000)
UPDATE bench_nusers AS u SET views = views + 1 WHERE id = :id RETURNING to_jsonb(u.*) || jsonb_build_object('bench_nposts', (SELECT coalesce(jsonb_agg(to_jsonb(p.*) ORDER BY p.id), '[]'::jsonb) FROM bench_nposts AS p WHERE p.author_id = u.id));
