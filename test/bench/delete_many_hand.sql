-- delete_many, hand-written: the same ids; the count comes back in the
-- command tag
\set n :n + 1
\set lo :base + ((:n - 1) * :nclients + :client_id) * 10
\set hi :lo + 10
DELETE FROM bench_delm WHERE id >= :lo AND id < :hi;
