/* forge--0.1.0--0.2.0.sql: from 0.1.0, the first release, to 0.2.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION forge UPDATE TO '0.2.0'" to load this file. \quit
