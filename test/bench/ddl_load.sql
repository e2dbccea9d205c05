-- The concurrent DDL of update_include_ddl: a temporary table created and
-- dropped, run by run.sh at 200 transactions a second beside the measured
-- side.  Each one sends relcache invalidations to every backend.
CREATE TEMP TABLE bench_ddl_tmp (a int);
DROP TABLE bench_ddl_tmp;
