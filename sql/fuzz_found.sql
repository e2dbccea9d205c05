-- Bugs the fuzzer (test/fuzz/fuzz.py) found, each as its smallest case.

-- 1. An upsert whose where pins a column of the compound key twice: once
-- in the key's selector and once more as a top-level filter.  The create
-- row got the column twice (PostgreSQL's 42701 "column specified more
-- than once").  Now the key's first pin fills create, an equal second pin
-- is one more filter of the update, and two different values are a
-- descriptor error (22023).
CREATE TABLE ff_a (id int PRIMARY KEY);
CREATE TABLE ff_t (id int PRIMARY KEY);
CREATE TABLE ff_at (
  a_id int REFERENCES ff_a,
  t_id int REFERENCES ff_t,
  n int NOT NULL DEFAULT 0,
  PRIMARY KEY (a_id, t_id)
);
INSERT INTO ff_a VALUES (4), (5);
INSERT INTO ff_t VALUES (4);
-- the same value twice: created, then updated
SELECT forge_upsert('ff_at', '{"where": {"ff_at_pkey": {"a_id": 4, "t_id": 4}, "a_id": 4},
  "create": {}, "update": {"n": {"increment": 1}}}');
SELECT forge_upsert('ff_at', '{"where": {"a_id_t_id": {"a_id": 4, "t_id": 4}, "a_id": {"equals": 4}},
  "create": {}, "update": {"n": {"increment": 1}}}');
-- two values: an error, whichever comes first, and nothing written
SELECT forge_upsert('ff_at', '{"where": {"ff_at_pkey": {"a_id": 4, "t_id": 4}, "a_id": 5},
  "create": {}, "update": {"n": {"increment": 1}}}');
SELECT forge_upsert('ff_at', '{"where": {"a_id_t_id": {"a_id": 5, "t_id": 4}, "a_id": 4},
  "create": {}, "update": {"n": {"increment": 1}}}');
SELECT * FROM ff_at ORDER BY a_id, t_id;
DROP TABLE ff_at, ff_a, ff_t;
