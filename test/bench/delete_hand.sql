-- delete, hand-written: the same ids as delete_forge.sql
\set n :n + 1
\set id :base + (:n - 1) * :nclients + :client_id
DELETE FROM bench_del WHERE id = :id RETURNING to_jsonb(bench_del.*);
