-- update, hand-written
\set id random(1, :nseed)
UPDATE bench_users SET views = views + 1 WHERE id = :id RETURNING to_jsonb(bench_users.*);
