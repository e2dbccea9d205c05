SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_users;
CREATE TABLE bench_users (id bigint PRIMARY KEY, email text NOT NULL,
                          name text, views int NOT NULL DEFAULT 0);
SELECT create_distributed_table('bench_users', 'id', shard_count => 4);
INSERT INTO bench_users SELECT i, 'u' || i || '@x.co', 'user ' || i FROM generate_series(1, 10000) i;
