-- Nested writes on Citus: a user with posts (colocated), to-one connect,
-- a many-to-many through a distributed join table to a reference table.
-- Each nested statement is its own forge statement (nested.c), so each
-- runs on Citus as the verbs do.

SELECT forge_create('users', '{"data": {"id": 20, "email": "nia@x.co",
    "posts": {"create": [{"id": 21, "title": "First"}, {"id": 22, "title": "Second"}]}},
  "include": {"posts": {"select": {"id": true, "title": true}, "orderBy": {"id": "asc"}}}}');

-- to-one connect: the post's key to users is also its distribution column
SELECT forge_create('posts', '{"data": {"id": 23, "title": "Third",
    "author": {"connect": {"id": 20}}},
  "select": {"title": true, "author": {"select": {"email": true}}}}');

-- nested update of the user's posts (updateMany on colocated rows)
SELECT forge_update('users', '{"where": {"id": 20}, "data": {"posts":
    {"updateMany": {"where": {"published": false}, "data": {"published": true}}}},
  "select": {"id": true, "posts": {"select": {"id": true, "published": true}, "orderBy": {"id": "asc"}}}}');

-- many-to-many: tag a post (tags is a reference table, post_tags is
-- distributed with the post): create a tag and connect one that exists
-- (connectOrCreate is an upsert: see upsert.sql)
SELECT forge_update('posts', '{"where": {"author_id_id": {"author_id": 20, "id": 21}},
    "data": {"tags": {"create": {"name": "citus"}, "connect": {"name": "pg"}}},
  "select": {"title": true, "tags": {"select": {"name": true}, "orderBy": {"name": "asc"}}}}');
-- and from the post's side of a to-one, the author with their posts
SELECT forge_update('posts', '{"where": {"author_id_id": {"author_id": 20, "id": 22}},
    "data": {"title": "Second, edited"},
  "include": {"author": {"select": {"email": true,
                                    "posts": {"select": {"title": true}, "orderBy": {"id": "asc"}}}},
              "tags": true}}');
SELECT author_id, post_id, (SELECT name FROM tags WHERE id = tag_id) AS tag
  FROM post_tags ORDER BY 1, 2, 3;

-- nested delete
SELECT forge_update('users', '{"where": {"id": 20}, "data": {"posts":
    {"delete": {"author_id_id": {"author_id": 20, "id": 23}}}},
  "select": {"posts": {"select": {"id": true}, "orderBy": {"id": "asc"}}}}');
