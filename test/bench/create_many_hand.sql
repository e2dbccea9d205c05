-- create_many, hand-written: the same 10,000 rows from the same jsonb
INSERT INTO bench_many (email, name, views)
SELECT r.email, r.name, r.views
FROM bench_payload AS p, jsonb_to_recordset(p.args -> 'data') AS r(email text, name text, views integer)
WHERE p.id = 1;
