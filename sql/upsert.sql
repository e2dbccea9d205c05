-- forge_upsert: one INSERT ... ON CONFLICT (key) DO UPDATE ... RETURNING.
CREATE TABLE us_users (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name text,
  views int NOT NULL DEFAULT 0
);

-- First call: no row with this email, so it is created.
SELECT forge_upsert('us_users', '{"where": {"email": "ada@example.com"},
  "create": {"email": "ada@example.com", "name": "Ada"},
  "update": {"views": {"increment": 1}}}');
-- Second call: the row exists, so the update runs against it.
SELECT forge_upsert('us_users', '{"where": {"email": "ada@example.com"},
  "create": {"email": "ada@example.com", "name": "Ada"},
  "update": {"views": {"increment": 1}}}');

-- The where's key values are the row's key when create leaves them out.
SELECT forge_upsert('us_users', '{"where": {"email": "bob@example.com"},
  "create": {"name": "Bob"}, "update": {"name": "Bob again"}}');
-- A create that contradicts the where is an error.
SELECT forge_upsert('us_users', '{"where": {"email": "cy@example.com"},
  "create": {"email": "other@example.com"}, "update": {}}');

-- update: {} still returns the existing row (atomically: no read, then write).
SELECT forge_upsert('us_users', '{"where": {"email": "bob@example.com"},
  "create": {"name": "ignored"}, "update": {}}');

-- A compound unique key, selected by the columns joined with "_" ...
CREATE TABLE provider_events (
  provider text NOT NULL,
  event_id text NOT NULL,
  payload jsonb,
  seen int NOT NULL DEFAULT 1,
  PRIMARY KEY (provider, event_id)
);
SELECT forge_upsert('provider_events', '{"where": {"provider_event_id": {"provider": "stripe", "event_id": "evt_1"}},
  "create": {"payload": {"amount": 100}}, "update": {"seen": {"increment": 1}}}');
-- ... or by the constraint's name.
SELECT forge_upsert('provider_events', '{"where": {"provider_events_pkey": {"provider": "stripe", "event_id": "evt_1"}},
  "create": {"payload": {"amount": 100}}, "update": {"seen": {"increment": 1}}}');
SELECT * FROM provider_events;

-- Extra filters restrict the update; a row that fails them is P2025.
SELECT forge_upsert('us_users', '{"where": {"email": "ada@example.com", "views": {"lt": 100}},
  "create": {"name": "Ada"}, "update": {"views": 100}}');
SELECT forge_upsert('us_users', '{"where": {"email": "ada@example.com", "views": {"lt": 100}},
  "create": {"name": "Ada"}, "update": {"views": 101}}');

-- The where must pin a unique key: the hint lists them.
SELECT forge_upsert('us_users', '{"where": {"name": "Ada"}, "create": {}, "update": {}}');
-- A partial unique index cannot be the ON CONFLICT target.
CREATE TABLE us_accounts (id serial PRIMARY KEY, handle text NOT NULL, active bool NOT NULL DEFAULT true);
CREATE UNIQUE INDEX us_accounts_active_handle ON us_accounts (handle) WHERE active;
SELECT forge_upsert('us_accounts', '{"where": {"handle": "ada"}, "create": {}, "update": {}}');
-- Nor can a deferrable unique constraint.
CREATE TABLE us_slots (id serial PRIMARY KEY, code text NOT NULL UNIQUE DEFERRABLE);
SELECT forge_upsert('us_slots', '{"where": {"code": "x"}, "create": {}, "update": {}}');

-- create and update are both required.
SELECT forge_upsert('us_users', '{"where": {"email": "ada@example.com"}, "create": {}}');

SELECT id, email, name, views FROM us_users ORDER BY id;
DROP TABLE us_users, provider_events, us_accounts, us_slots;
