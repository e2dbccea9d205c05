-- The where language, shown through forge_update_many: matched() marks the
-- rows a where selects and returns their ids.
CREATE TABLE w_items (
  id int PRIMARY KEY,
  name text,
  code varchar(10),
  qty int,
  price numeric(8,2),
  tags text[],
  meta jsonb,
  made date,
  hits int NOT NULL DEFAULT 0
);
INSERT INTO w_items VALUES
  (1, 'Apple', 'A-1', 10, 1.50, '{fruit,red}', '{"origin": "NZ"}', '2026-01-10'),
  (2, 'apricot', 'A-2', 0, 2.25, '{fruit}', '{"origin": "TR"}', '2026-02-20'),
  (3, 'Banana', 'B_1', 25, 0.75, '{fruit,yellow}', NULL, '2026-03-30'),
  (4, '50% off', 'C-1', NULL, 9.99, '{}', '{"sale": true}', NULL),
  (5, NULL, NULL, 5, NULL, NULL, NULL, '2026-05-05');

CREATE FUNCTION matched(w jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  ids text;
BEGIN
  PERFORM forge_update_many('w_items',
    jsonb_build_object('where', w, 'data', '{"hits": {"increment": 1}}'::jsonb));
  SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '(none)') INTO ids
    FROM w_items WHERE hits > 0;
  UPDATE w_items SET hits = 0;
  RETURN ids;
END $$;

-- equality, and null as IS NULL
SELECT matched('{"name": "Apple"}');
SELECT matched('{"name": {"equals": "Apple"}}');
SELECT matched('{"name": null}');
SELECT matched('{"qty": {"equals": null}}');
-- not: a value (NULLs do not match, as in SQL), null (IS NOT NULL), a filter
SELECT matched('{"name": {"not": "Apple"}}');
SELECT matched('{"qty": {"not": null}}');
SELECT matched('{"qty": {"not": {"gt": 5}}}');
-- in / notIn take arrays of any length (one plan: = ANY ($n))
SELECT matched('{"id": {"in": [1, 3]}}');
SELECT matched('{"id": {"in": [1, 2, 3, 4]}}');
SELECT matched('{"id": {"in": []}}');
SELECT matched('{"code": {"notIn": ["A-1", "A-2"]}}');
-- ranges
SELECT matched('{"qty": {"gt": 0, "lte": 10}}');
SELECT matched('{"price": {"gte": 2.25}}');
SELECT matched('{"made": {"lt": "2026-03-01"}}');
-- text: contains, startsWith, endsWith; LIKE's wildcards in the value are literal
SELECT matched('{"name": {"startsWith": "Ap"}}');
SELECT matched('{"name": {"startsWith": "ap", "mode": "insensitive"}}');
SELECT matched('{"name": {"equals": "APPLE", "mode": "insensitive"}}');
SELECT matched('{"name": {"contains": "%"}}');
SELECT matched('{"code": {"contains": "_"}}');
SELECT matched('{"code": {"endsWith": "-1"}}');
-- arrays and jsonb compare by equality
SELECT matched('{"tags": ["fruit"]}');
SELECT matched('{"meta": {"equals": {"origin": "NZ"}}}');
-- AND (object or array), OR (array), NOT (an object: not all of it; an
-- array: none of them)
SELECT matched('{"AND": [{"qty": {"gt": 0}}, {"price": {"lt": 2}}]}');
SELECT matched('{"AND": {"qty": {"gt": 0}}}');
SELECT matched('{"OR": [{"id": 1}, {"name": {"startsWith": "B"}}]}');
SELECT matched('{"OR": []}');
SELECT matched('{"NOT": {"name": null}}');
SELECT matched('{"NOT": {"qty": null, "price": null}}');
SELECT matched('{"NOT": [{"qty": null}, {"price": null}]}');
SELECT matched('{"NOT": []}');
SELECT matched('{"qty": {"gt": 0}, "OR": [{"id": 2}, {"id": 3}, {"id": 5}]}');
-- an empty filter object matches every row, like an empty where
SELECT matched('{"qty": {}}');
SELECT matched('{}');

-- Errors: unknown filter, wrong value types, unsupported combinations.
\set SHOW_CONTEXT never
SELECT matched('{"qty": {"between": [1, 2]}}');
SELECT matched('{"qty": {"in": 5}}');
SELECT matched('{"qty": {"lt": null}}');
SELECT matched('{"qty": {"contains": "1"}}');
-- lt, lte, gt and gte compare insensitively as Prisma 7 does,
-- lower(col) < lower(value); the value must be a string
SELECT matched('{"name": {"lt": "B", "mode": "insensitive"}}');
SELECT matched('{"name": {"gte": "b", "mode": "insensitive"}}');
SELECT matched('{"name": {"lt": 5, "mode": "insensitive"}}');
SELECT matched('{"name": {"contains": "a", "mode": "loud"}}');
SELECT matched('{"OR": {"id": 1}}');
SELECT matched('{"AND": [1]}');
SELECT matched('{"nope": 1}');

DROP FUNCTION matched(jsonb);
DROP TABLE w_items;
