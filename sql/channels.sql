--
-- channels: the per-table channel of each table, forge_model_channel().
--
-- With forge.notify_model_channel = on, each event also goes to its table's
-- own channel: the notify channel, ":" and the table's name as SQL writes
-- it (quoted where it must be), or, when that passes 63 bytes, as much of
-- it as fits, "#" and 20 hex digits of the SHA-256 of the channel, schema
-- and table.  Names, not OIDs: the same after a restart or a
-- pg_dump/restore.  test/suites/events.sh shows the events arriving there.
--
CREATE SCHEMA ch;
CREATE TABLE ch.users (id int PRIMARY KEY);
CREATE TABLE ch."Users" (id int PRIMARY KEY);
CREATE SCHEMA "ch.x";
CREATE TABLE "ch.x".y (id int PRIMARY KEY);
CREATE TABLE ch."x.y" (id int PRIMARY KEY);
CREATE TABLE ch."a""b:c" (id int PRIMARY KEY);
CREATE TABLE ch.ünïcödé (id int PRIMARY KEY);
CREATE TABLE ch."user" (id int PRIMARY KEY);

-- Under the default channel every name fits; quoting keeps apart the names
-- that read the same unquoted.  Only lowercase ASCII names go unquoted, and
-- keywords are not quoted ("user"), so a word a later PostgreSQL reserves
-- cannot change a channel.
SELECT c.oid::regclass AS model, forge_model_channel(c.oid) AS channel
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('ch', 'ch.x') AND c.relkind = 'r'
ORDER BY 2;

-- The second argument names the notify channel; without it,
-- forge.notify_channel as it is set now.
SELECT forge_model_channel('ch.users', 'app') AS app,
       forge_model_channel('ch.users', repeat('c', 50)) AS long;
SET forge.notify_channel = 'app';
SELECT forge_model_channel('ch.users');
RESET forge.notify_channel;

-- Too long to fit: cut, "#", and the hash.  A 63-byte table name under the
-- default channel, and any table under a 62-byte channel (63 is allowed
-- too: then the channel itself is cut).
CREATE TABLE ch.ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt (id int);
CREATE TABLE ch.ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttu (id int);
SELECT forge_model_channel('ch.ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt') AS t,
       forge_model_channel('ch.ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttu') AS u;
SELECT forge_model_channel('ch.users', repeat('c', 62)) AS users,
       forge_model_channel('ch."Users"', repeat('c', 62)) AS "Users";
SELECT forge_model_channel('ch.users', repeat('c', 63)) AS users,
       octet_length(forge_model_channel('ch.users', repeat('c', 63))) AS bytes;

-- Every table has a channel of its own under every notify channel length
-- from 1 to 63 bytes (ASCII and two-byte characters), never the notify
-- channel itself, never over 63 bytes.
SELECT count(*) AS pairs,
       count(DISTINCT (base, forge_model_channel(rel, base))) AS distinct_channels,
       bool_and(forge_model_channel(rel, base) <> base) AS never_the_base,
       max(octet_length(forge_model_channel(rel, base))) AS longest
FROM (SELECT c.oid AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('ch', 'ch.x') AND c.relkind = 'r') t,
     (SELECT repeat('c', g) AS base FROM generate_series(1, 63) g
      UNION ALL
      SELECT repeat('é', g) FROM generate_series(1, 31) g) b;

-- Not a channel name, not a table.
SELECT forge_model_channel('ch.users', '');
SELECT forge_model_channel('ch.users', repeat('c', 64));
SELECT forge_model_channel(0);

SET client_min_messages = warning;
DROP SCHEMA ch, "ch.x" CASCADE;
RESET client_min_messages;
