-- the plainest hand-written update, returning the row as a record
\set id random(1, :nseed)
UPDATE bench_users SET views = views + 1 WHERE id = :id RETURNING *;
