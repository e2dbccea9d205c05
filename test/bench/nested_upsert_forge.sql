-- nested_upsert, forge (test/bench/instructions.sh only): a user's post
-- upserted through the user (the post exists and is the user's: the
-- update branch), the user returned
\set r random(1, 10000)
SELECT forge_update('bench_nusers', jsonb_build_object('where', jsonb_build_object('id', :r::int),
  'data', jsonb_build_object('bench_nposts', jsonb_build_object('upsert', jsonb_build_object(
    'where', jsonb_build_object('id', :r::int), 'update', jsonb_build_object('title', 'u' || :r::int),
    'create', jsonb_build_object('title', 'c' || :r::int))))));
