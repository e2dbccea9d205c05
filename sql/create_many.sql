-- forge_create_many: insert many rows in one statement, return {"count": n}.
CREATE TABLE cm_users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text DEFAULT 'anonymous',
  views int NOT NULL DEFAULT 0
);

SELECT forge_create_many('cm_users', '{"data": [
  {"email": "a@example.com", "name": "A"},
  {"email": "b@example.com", "name": "B"}]}');

-- Rows with different key sets: missing keys take the column default.
SELECT forge_create_many('cm_users', '{"data": [
  {"email": "c@example.com"},
  {"email": "d@example.com", "views": 4},
  {"email": "e@example.com", "name": null}]}');
SELECT email, name, views FROM cm_users ORDER BY email;

-- skipDuplicates: rows that hit a unique key are skipped, not errors.
SELECT forge_create_many('cm_users', '{"data": [
  {"email": "a@example.com"},
  {"email": "f@example.com"}], "skipDuplicates": true}');

-- Without it, a duplicate fails the whole call: nothing is written.
SELECT forge_create_many('cm_users', '{"data": [
  {"email": "g@example.com"},
  {"email": "a@example.com"}]}');
SELECT count(*) FROM cm_users;

-- A duplicate within the call itself: skipped with skipDuplicates ...
SELECT forge_create_many('cm_users', '{"data": [
  {"email": "h@example.com"}, {"email": "h@example.com"}], "skipDuplicates": true}');
-- ... and an error without it.
SELECT forge_create_many('cm_users', '{"data": [
  {"email": "i@example.com"}, {"email": "i@example.com"}]}');

-- An empty array writes nothing.
SELECT forge_create_many('cm_users', '{"data": []}');

-- 100,000 rows in one call: one jsonb parameter, whatever the row count.
SELECT forge_create_many('cm_users',
  jsonb_build_object('data', (SELECT jsonb_agg(jsonb_build_object('email', 'bulk' || g || '@example.com', 'views', g))
                                FROM generate_series(1, 100000) g)));
SELECT count(*), sum(views) FROM cm_users WHERE email LIKE 'bulk%';

-- Every row must be an object of plain values.
SELECT forge_create_many('cm_users', '{"data": [{"email": "j@example.com"}, 5]}');
SELECT forge_create_many('cm_users', '{"data": [{"email": "k@example.com", "views": {"increment": 1}}]}');
SELECT forge_create_many('cm_users', '{"data": {"email": "l@example.com"}}');
SELECT forge_create_many('cm_users', '{"data": [{"email": "m@example.com"}], "skipDuplicates": "yes"}');

DROP TABLE cm_users;
