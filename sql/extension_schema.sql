--
-- extension_schema: forge finds its own schema in one place
-- (forge_extension_schema, in catalog.c), from pg_extension, for the two
-- objects of that schema its SQL names: the upsert's update-branch marker
-- (the operator <@~@>) and the outbox table.
--
-- A role with CREATE on the database makes a schema named "forge" and
-- puts look-alikes of both there, and the caller's search_path puts that
-- schema first; none may be used.  The extension's schema is then renamed,
-- and the extension dropped and created in another schema, in the same
-- session, each time followed by the next call.  One call runs in a
-- trigger of a plain INSERT, with no forge call around it.
--
SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_forge_extschema;
DROP ROLE IF EXISTS regress_extschema_planter;
RESET client_min_messages;
CREATE ROLE regress_extschema_planter;
CREATE DATABASE regress_forge_extschema;
\c regress_forge_extschema
GRANT CREATE ON DATABASE regress_forge_extschema TO regress_extschema_planter;

SET ROLE regress_extschema_planter;
CREATE SCHEMA forge;
GRANT USAGE ON SCHEMA forge TO PUBLIC;
CREATE TABLE forge.trapped (trap text);
GRANT INSERT ON forge.trapped TO PUBLIC;
CREATE FUNCTION forge.mark(bool) RETURNS bool LANGUAGE sql
    AS $$ INSERT INTO forge.trapped VALUES ('<@~@> bool'); SELECT true $$;
CREATE OPERATOR forge.<@~@> (RIGHTARG = bool, FUNCTION = forge.mark);
CREATE TABLE forge.forge_outbox (id bigserial, created_at timestamptz,
                                 model text, event jsonb);
GRANT ALL ON forge.forge_outbox TO PUBLIC;
GRANT ALL ON SEQUENCE forge.forge_outbox_id_seq TO PUBLIC;
RESET ROLE;

CREATE SCHEMA "Forge Home";
CREATE EXTENSION forge SCHEMA "Forge Home";
SET search_path = forge, public, "Forge Home";
CREATE TABLE public.items (id int PRIMARY KEY, v text);
SELECT forge_outbox_enable('public.items');
-- the upsert's create branch, then its update branch (the marker), and an
-- update by an identity key (the marker in RETURNING)
SELECT forge_upsert('public.items', '{"where": {"id": 1}, "create": {"v": "a"}, "update": {"v": "b"}}');
SELECT forge_upsert('public.items', '{"where": {"id": 1}, "create": {"v": "a"}, "update": {"v": "b"}}');
CREATE TABLE public.tags (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text);
SELECT forge_create('public.tags', '{"data": {"label": "x"}}');
SELECT forge_upsert('public.tags', '{"where": {"id": 1}, "create": {"label": "y"}, "update": {"label": "z"}}');
SELECT model, event->>'op' AS op, event->>'verb' AS verb, event->'keys' AS keys
  FROM "Forge Home".forge_outbox ORDER BY id;

-- in a trigger of a plain INSERT: no forge call around it (the trigger
-- calls forge_upsert of wherever forge is installed now)
CREATE TABLE public.requests (id int, v text);
CREATE FUNCTION public.forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE pg_catalog.format('SELECT %I.forge_upsert($1, $2)',
        (SELECT n.nspname FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'forge'))
    USING 'public.items'::pg_catalog.regclass, pg_catalog.jsonb_build_object(
        'where', pg_catalog.jsonb_build_object('id', NEW.id),
        'create', pg_catalog.jsonb_build_object('v', NEW.v),
        'update', pg_catalog.jsonb_build_object('v', NEW.v));
    RETURN NEW;
END $$;
CREATE TRIGGER forward AFTER INSERT ON public.requests
    FOR EACH ROW EXECUTE FUNCTION public.forward();
INSERT INTO public.requests VALUES (1, 'from a trigger'), (2, 'new');
SELECT * FROM public.items ORDER BY id;

-- The extension's schema renamed: the next calls name it anew.
ALTER SCHEMA "Forge Home" RENAME TO "Forge Moved";
SET search_path = forge, public, "Forge Moved";
SELECT forge_upsert('public.items', '{"where": {"id": 1}, "create": {"v": "a"}, "update": {"v": "renamed"}}');
SELECT forge_upsert('public.tags', '{"where": {"id": 1}, "create": {"label": "y"}, "update": {"label": "renamed"}}');
INSERT INTO public.requests VALUES (2, 'renamed, from a trigger');
-- forge is not relocatable: ALTER EXTENSION ... SET SCHEMA is refused
ALTER EXTENSION forge SET SCHEMA public;
SELECT model, event->>'op' AS op, event->>'verb' AS verb, event->'keys' AS keys
  FROM "Forge Moved".forge_outbox ORDER BY id;

-- Dropped, and created again in another schema, in this same session.
SELECT forge_outbox_disable('public.items');
DROP EXTENSION forge;
CREATE SCHEMA "Forge Again";
CREATE EXTENSION forge SCHEMA "Forge Again";
SET search_path = forge, public, "Forge Again";
SELECT forge_outbox_enable('public.items');
SELECT forge_upsert('public.items', '{"where": {"id": 1}, "create": {"v": "a"}, "update": {"v": "again"}}');
INSERT INTO public.requests VALUES (2, 'again, from a trigger');
SELECT model, event->>'op' AS op, event->>'verb' AS verb, event->'keys' AS keys
  FROM "Forge Again".forge_outbox ORDER BY id;
SELECT * FROM public.items ORDER BY id;

-- Nothing the planter made was used.
SELECT count(*) AS trapped FROM forge.trapped;
SELECT count(*) AS planted_outbox_rows FROM forge.forge_outbox;

\c :regress_db
DROP DATABASE regress_forge_extschema;
DROP ROLE regress_extschema_planter;
