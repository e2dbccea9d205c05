-- update through a CTE, hand-written: the form
--   WITH u AS (UPDATE ... RETURNING *) SELECT to_jsonb(u) FROM u
-- which costs a little more than update_hand.sql's RETURNING to_jsonb(...)
-- (the tuplestore of the CTE).  Optional verb update_cte; its forge side is
-- update_forge.sql.
\set id random(1, :nseed)
WITH u AS (UPDATE bench_users SET views = views + 1 WHERE id = :id RETURNING *) SELECT to_jsonb(u) FROM u;
