-- update_many, hand-written: the count comes back in the command tag
\set lo random(1, :nseed - 9)
\set hi :lo + 10
UPDATE bench_users SET views = views + 1 WHERE id >= :lo AND id < :hi;
