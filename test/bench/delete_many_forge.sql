-- delete_many, forge: the next ten ids of this client (see delete_forge.sql),
-- {"count": 10}
\set n :n + 1
\set lo :base + ((:n - 1) * :nclients + :client_id) * 10
\set hi :lo + 10
SELECT forge_delete_many('bench_delm', jsonb_build_object('where', jsonb_build_object('id', jsonb_build_object('gte', :lo::bigint, 'lt', :hi::bigint))));
