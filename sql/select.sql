-- select: shape the returned row.
SET timezone = 'UTC';
CREATE TABLE sel_users (
  id int PRIMARY KEY,
  email text NOT NULL,
  secret text,
  born date
);

-- Without select, the whole row, as to_jsonb(row) gives it.
SELECT forge_create('sel_users', '{"data": {"id": 1, "email": "a@example.com", "secret": "s", "born": "2000-02-29"}}');
SELECT forge_create('sel_users', '{"data": {"id": 2, "email": "b@example.com"}}') AS row2 \gset
SELECT :'row2'::jsonb = (SELECT to_jsonb(u) FROM sel_users u WHERE id = 2) AS same_as_to_jsonb;

-- select picks columns; false leaves a column out.
SELECT forge_update('sel_users', '{"where": {"id": 1}, "data": {"secret": "t"}, "select": {"id": true, "secret": false, "born": true}}');
SELECT forge_delete('sel_users', '{"where": {"id": 2}, "select": {"email": true}}');

-- Errors: nothing selected, not a boolean, an unknown column, an unknown
-- relation (sel_users has none; see include.sql).
SELECT forge_update('sel_users', '{"where": {"id": 1}, "data": {}, "select": {"id": false}}');
SELECT forge_update('sel_users', '{"where": {"id": 1}, "data": {}, "select": {"id": 1}}');
SELECT forge_update('sel_users', '{"where": {"id": 1}, "data": {}, "select": {"posts": true}}');
SELECT forge_update('sel_users', '{"where": {"id": 1}, "data": {}, "include": {"posts": true}}');

-- A wide table: more columns than one jsonb_build_object call takes.
SELECT format('CREATE TABLE sel_wide (id int PRIMARY KEY, %s)',
              string_agg(format('c%s int DEFAULT %s', g, g), ', '))
  FROM generate_series(1, 70) g \gexec
SELECT forge_create('sel_wide', jsonb_build_object('data', '{"id": 1}'::jsonb,
         'select', (SELECT jsonb_object_agg(attname, true) FROM pg_attribute
                     WHERE attrelid = 'sel_wide'::regclass AND attnum > 0))) AS wide \gset
SELECT :'wide'::jsonb = (SELECT to_jsonb(w) FROM sel_wide w) AS wide_select_complete,
       (SELECT count(*) FROM jsonb_object_keys(:'wide'::jsonb)) AS keys;

DROP TABLE sel_users, sel_wide;
