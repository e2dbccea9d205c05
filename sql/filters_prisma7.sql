-- "mode": "insensitive" on "in" and "notIn", as Prisma 7 has it on
-- PostgreSQL.  Prisma compiles LOWER(name) IN (LOWER($1), LOWER($2), ...),
-- one parameter per value; forge compiles name ILIKE ANY ($1), the values
-- as one text[] of ILIKE patterns (escaped as the insensitive "equals"
-- escapes its one, so % and _ are literal), so that the plan does not
-- depend on how many values there are.
CREATE TABLE fp_people (id int PRIMARY KEY, name text, n int, hits int NOT NULL DEFAULT 0);
INSERT INTO fp_people VALUES
  (1, 'Alice', 1), (2, 'bob', 2), (3, NULL, NULL), (4, 'ALICE', 4),
  (5, 'x', 5), (6, '50%', 6), (7, '50x', 7);

CREATE FUNCTION matched(w jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  ids text;
BEGIN
  PERFORM forge_update_many('fp_people',
    jsonb_build_object('where', w, 'data', '{"hits": {"increment": 1}}'::jsonb));
  SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '(none)') INTO ids
    FROM fp_people WHERE hits > 0;
  UPDATE fp_people SET hits = 0;
  RETURN ids;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Prisma: in ["alice", "BOB"] insensitive -> 1,2,4; notIn -> 5,6,7 (NULL
-- names match neither, as in SQL).
SELECT matched('{"name": {"in": ["alice", "BOB"], "mode": "insensitive"}}');
SELECT matched('{"name": {"notIn": ["alice", "BOB"], "mode": "insensitive"}}');
-- Empty lists: Prisma writes 1=0 and 1=1, so notIn [] matches NULL names too.
SELECT matched('{"name": {"in": [], "mode": "insensitive"}}');
SELECT matched('{"name": {"notIn": [], "mode": "insensitive"}}');
-- The mode of the object reaches a "not" inside it (Prisma: 2,5,6,7).
SELECT matched('{"name": {"not": {"in": ["alice"]}, "mode": "insensitive"}}');
-- % and _ are literal (forge's LIKE escaping; Prisma has no pattern here).
SELECT matched('{"name": {"in": ["50%"], "mode": "insensitive"}}');
-- A null element: Prisma refuses it; forge keeps SQL's meaning, as "in"
-- and "notIn" without mode do: it matches nothing, so notIn with a null
-- matches no row.
SELECT matched('{"name": {"in": ["alice", null], "mode": "insensitive"}}');
SELECT matched('{"name": {"notIn": ["alice", null], "mode": "insensitive"}}');
SELECT matched('{"name": {"notIn": ["alice", null]}}');
-- Errors: insensitive needs a text column; the values must be strings.
SELECT matched('{"n": {"in": [1, 2], "mode": "insensitive"}}');
SELECT matched('{"name": {"in": ["a", 1], "mode": "insensitive"}}');
SELECT matched('{"name": {"in": "alice", "mode": "insensitive"}}');

-- One plan for any number of values.
CREATE FUNCTION misses() RETURNS bigint LANGUAGE sql
  AS $$ SELECT misses FROM forge_plan_cache_stats() $$;
SELECT forge_plan_cache_reset();
SELECT matched('{"name": {"in": ["x"], "mode": "insensitive"}}');
SELECT misses() AS after_first \gset
SELECT matched('{"name": {"in": ["x", "y", "bob", "z"], "mode": "insensitive"}}');
SELECT misses() - :after_first AS new_plans;

DROP TABLE fp_people;
DROP FUNCTION matched(jsonb);
DROP FUNCTION misses();
