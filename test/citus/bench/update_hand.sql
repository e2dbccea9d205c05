-- the hand-written statement that returns the same jsonb on Citus (to_jsonb
-- may not be in RETURNING there): the row through a CTE
\set id random(1, :nseed)
WITH t AS (UPDATE bench_users AS t SET views = t.views + 1 WHERE t.id = :id RETURNING t.*) SELECT to_jsonb(t.*) FROM t;
