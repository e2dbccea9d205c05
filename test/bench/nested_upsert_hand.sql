-- nested_upsert, hand-written: the same write in one transaction, as an
-- application writes it: lock the user, update the post if it is the
-- user's, else create it, and return the user
\set r random(1, 10000)
BEGIN;
SELECT 1 FROM bench_nusers WHERE id = :r FOR UPDATE;
WITH u AS (UPDATE bench_nposts SET title = 'u' || :r::int WHERE id = :r AND author_id = :r RETURNING id)
INSERT INTO bench_nposts (author_id, title) SELECT :r, 'c' || :r::int WHERE NOT EXISTS (SELECT 1 FROM u);
SELECT to_jsonb(t.*) FROM bench_nusers AS t WHERE id = :r;
COMMIT;
