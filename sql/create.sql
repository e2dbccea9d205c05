-- forge_create: insert one row, return it as jsonb.
SET timezone = 'UTC';
CREATE TABLE users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  views int NOT NULL DEFAULT 0,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00'
);

-- Columns not named take their DEFAULT.
SELECT forge_create('users', '{"data": {"email": "ada@example.com", "name": "Ada"}}');

-- null sets NULL; {"set": v} is an explicit set; {"unset": true} is NULL too.
SELECT forge_create('users', '{"data": {"email": "bob@example.com", "name": null}}');
SELECT forge_create('users', '{"data": {"email": {"set": "cy@example.com"}, "name": {"unset": true}}}');

-- select narrows the returned row.
SELECT forge_create('users', '{"data": {"email": "dee@example.com"}, "select": {"id": true, "email": true}}');

-- The model resolves like any table name, schema-qualified or not.
CREATE SCHEMA app;
CREATE TABLE app.notes (id serial PRIMARY KEY, body text NOT NULL);
SELECT forge_create('app.notes', '{"data": {"body": "in a schema"}}');

-- An empty data object inserts a row of defaults.
CREATE TABLE counters (id serial PRIMARY KEY, n int NOT NULL DEFAULT 7);
SELECT forge_create('counters', '{"data": {}}');

-- Number operations need an existing row.
SELECT forge_create('users', '{"data": {"email": "e@example.com", "views": {"increment": 1}}}');

-- PostgreSQL's own errors pass through: unique (23505), not null (23502).
SELECT forge_create('users', '{"data": {"email": "ada@example.com"}}');
SELECT forge_create('users', '{"data": {"name": "no email"}}');

-- A failed call leaves nothing behind.
SELECT count(*) FROM users;

DROP TABLE users, app.notes, counters;
DROP SCHEMA app;
