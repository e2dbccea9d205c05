-- create_many, forge: 10,000 rows in one call, {"count": 10000}
SELECT forge_create_many('bench_many', p.args) FROM bench_payload AS p WHERE p.id = 1;
