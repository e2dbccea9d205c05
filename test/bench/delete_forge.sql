-- delete, forge: one row that exists.  Every client deletes its own run of
-- ids upwards from :base (n counts this client's transactions; pgbench keeps
-- variables across transactions), so no id is asked for twice.
\set n :n + 1
\set id :base + (:n - 1) * :nclients + :client_id
SELECT forge_delete('bench_del', jsonb_build_object('where', jsonb_build_object('id', :id::bigint)));
