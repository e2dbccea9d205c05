-- nested_create, forge: one call writes a user, a profile and three posts
-- with two tags each (connectOrCreate), and returns the user
\set r random(1, 1000000000000000)
\set a random(1, 100)
\set b random(101, 200)
\set c random(1, 100)
\set d random(101, 200)
\set e random(1, 100)
\set f random(101, 200)
SELECT forge_create('bench_nusers', jsonb_build_object('data', jsonb_build_object(
  'email', 'n' || :r || '@example.com', 'name', 'nested',
  'bench_nprofiles', jsonb_build_object('create', jsonb_build_object('bio', 'bio')),
  'bench_nposts', jsonb_build_object('create', jsonb_build_array(
    jsonb_build_object('title', 'p1', 'bench_ntags', jsonb_build_object('connectOrCreate', jsonb_build_array(
      jsonb_build_object('where', jsonb_build_object('name', 'tag' || :a), 'create', jsonb_build_object('name', 'tag' || :a)),
      jsonb_build_object('where', jsonb_build_object('name', 'tag' || :b), 'create', jsonb_build_object('name', 'tag' || :b))))),
    jsonb_build_object('title', 'p2', 'bench_ntags', jsonb_build_object('connectOrCreate', jsonb_build_array(
      jsonb_build_object('where', jsonb_build_object('name', 'tag' || :c), 'create', jsonb_build_object('name', 'tag' || :c)),
      jsonb_build_object('where', jsonb_build_object('name', 'tag' || :d), 'create', jsonb_build_object('name', 'tag' || :d))))),
    jsonb_build_object('title', 'p3', 'bench_ntags', jsonb_build_object('connectOrCreate', jsonb_build_array(
      jsonb_build_object('where', jsonb_build_object('name', 'tag' || :e), 'create', jsonb_build_object('name', 'tag' || :e)),
      jsonb_build_object('where', jsonb_build_object('name', 'tag' || :f), 'create', jsonb_build_object('name', 'tag' || :f))))))))));
