-- timestamp (without time zone) columns hold UTC, as Prisma's DateTime does.
--
-- Prisma maps DateTime to timestamp(3) and stores the UTC instant: the
-- string "2024-05-01T12:00:00+02:00" is stored as 10:00.  PostgreSQL's
-- timestamp input would keep 12:00 and drop the offset, so forge reads a
-- string with an offset (or a zone name) as that instant in UTC; a string
-- without one is the time as given.  The same holds in filters, in
-- createMany, for domains over timestamp and for timestamp[]; the
-- session's TimeZone changes none of it.
CREATE DOMAIN tsu_when AS timestamp(3) CHECK (VALUE > '2000-01-01');
CREATE TABLE tsu_events (
  id serial PRIMARY KEY,
  at timestamp(3),
  dom tsu_when,
  ats timestamp[],
  atz timestamptz
);
-- A time zone far from UTC, with a 45-minute part: nothing below depends on it.
SET TimeZone = 'Pacific/Chatham';

SELECT forge_create('tsu_events', '{"data": {"at": "2024-05-01T12:00:00+02:00", "dom": "2024-05-01T12:00:00+02:00", "ats": ["2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00Z", null], "atz": "2024-05-01T12:00:00+02:00"}}');
-- Without an offset the time is kept as given (Prisma refuses such strings:
-- "Expected ISO-8601 DateTime"); a date alone is its midnight.
SELECT forge_create('tsu_events', '{"data": {"at": "2024-05-01T12:00:00", "dom": "2024-05-01"}, "select": {"at": true, "dom": true}}');
-- Fractions are kept to the column's precision; a zone name is an offset too.
SELECT forge_create('tsu_events', '{"data": {"at": "2024-05-01T12:00:00.123456-03:30", "dom": "2024-05-01 12:00 Europe/Paris"}, "select": {"at": true, "dom": true}}');
SELECT id, at, dom, ats FROM tsu_events ORDER BY id;

-- Filters convert their value the same way: 11:00+01:00 is 10:00 UTC.
SELECT forge_update_many('tsu_events', '{"where": {"at": "2024-05-01T11:00:00+01:00"}, "data": {"dom": "2024-06-01T00:00:00+00:00"}}');
SELECT forge_update_many('tsu_events', '{"where": {"at": {"gt": "2024-05-01T13:00:00+02:00", "lt": "2024-05-01T15:31:00-00:30"}}, "data": {"dom": "2024-07-01T00:00:00Z"}}');
SELECT forge_update_many('tsu_events', '{"where": {"dom": {"in": ["2024-06-01T02:00:00+02:00"]}}, "data": {"ats": {"push": "2024-05-01T23:00:00-01:00"}}}');
SELECT id, at, dom, ats FROM tsu_events ORDER BY id;

-- createMany reads them as create does.
SELECT forge_create_many('tsu_events', '{"data": [{"at": "2024-05-01T12:00:00+02:00", "ats": ["2024-05-01T12:00:00+02:00"]}, {"dom": "2024-05-01T12:00:00+02:00"}]}');
SELECT id, at, dom, ats FROM tsu_events WHERE id > 3 ORDER BY id;

-- The session's TimeZone is left as it was, also after an error.
-- (terse: PostgreSQL 18 spells the hint's "DateStyle" otherwise)
\set VERBOSITY terse
SELECT forge_create('tsu_events', '{"data": {"at": "2024-13-01T12:00:00+02:00"}}');
\set VERBOSITY default
SHOW TimeZone;
RESET TimeZone;
DROP TABLE tsu_events;
DROP DOMAIN tsu_when;
