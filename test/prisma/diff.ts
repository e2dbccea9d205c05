// test/prisma/diff.ts: the same writes through the real Prisma 7 client and
// through forge, on two databases with identical tables and rows; compares
// the returned value (or the error) and every table afterwards.
//
// Each scenario names the Prisma call and the forge call that a Prisma user
// would write for it.  Before each, both databases are emptied and given
// the same rows (SEED).  Results are compared after normalising what differs
// only in spelling: Prisma's Date objects and forge's ISO strings become
// the same instant, object keys are sorted, and a scenario may rename
// forge's keys.  forge_side's relations carry Prisma's field names
// (run.sh applies tools/prisma-relations), so descriptors use them as a
// Prisma user writes them.  Errors compare as Prisma's codes: forge's
// SQLSTATEs map to them as README's Errors table says.
//
// Run by test/prisma/run.sh, which creates the databases; PGHOST and PGPORT
// name the cluster (FORGE_DIFF_SHOW=1 also prints what agreeing calls returned).  Prints one line a scenario and ends with
// "prisma-diff: N passed, N failed"; exits 1 on any failure.
import { PrismaClient, Prisma } from "./generated/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { Client } from "pg";

const host = process.env.PGHOST ?? "/tmp";
const port = process.env.PGPORT ?? "5432";
const url = (db: string) =>
  `postgresql://postgres@localhost/${db}?host=${encodeURIComponent(host)}&port=${port}`;

const TABLES: [string, string][] = [
  ['"User"', "id"],
  ['"Profile"', "id"],
  ['"Post"', "id"],
  ['"Tag"', "id"],
  ['"_PostToTag"', '"A", "B"'],
  ['"Item"', "id"],
  ['"Comment"', "id"],
  ['"Passport"', "id"],
];

const SEED = `
TRUNCATE "User", "Profile", "Post", "Tag", "_PostToTag", "Item", "Comment", "Passport" RESTART IDENTITY CASCADE;
INSERT INTO "User" (email, name, views, score) VALUES
  ('ada@x.co', 'Ada', 5, 1.5), ('bob@x.co', 'Bob', 0, 0), ('cy@x.co', NULL, 2, 4);
INSERT INTO "Profile" (bio, "userId") VALUES ('math', 1);
INSERT INTO "Post" (title, published, "authorId", labels, meta) VALUES
  ('Notes', true, 1, '{pg,sql}', '{"a": 1, "tags": ["x", "y"]}'),
  ('Draft', false, 1, '{}', 'null'),
  ('Hello', true, 2, '{pg}', '{"a": 2, "s": "Hello world"}'),
  ('Orphan', false, NULL, NULL, NULL);
INSERT INTO "Tag" (name) VALUES ('pg'), ('math');
INSERT INTO "_PostToTag" ("A", "B") VALUES (1, 1), (1, 2), (3, 1);
INSERT INTO "Item" (shop, sku, price, qty) VALUES (1, 'a', 9.99, 5), (1, 'b', 1.50, 0);
INSERT INTO "Comment" (body, "postId") VALUES ('c1', 1), ('c2', 1), ('c3', 3);
INSERT INTO "Passport" (number, "userId") VALUES ('P1', 1), ('P0', NULL);
`;

type Scenario = {
  name: string;
  prisma: (p: PrismaClient) => Promise<unknown>;
  forge: [fn: string, model: string, args: unknown]; // args a string: sent as written

  forgeAll?: [fn: string, model: string, args: unknown][]; // several calls, results in an array
  rename?: Record<string, string>; // forge key -> Prisma key, at any depth
  ordered?: boolean; // arrays keep their order (else rows sort by id)
  // a difference README states: both sides must give these results (the
  // tables are not compared), so the record of what Prisma does stays checked
  deliberate?: { prisma: string; forge: string };
};

const scenarios: Scenario[] = [
  {
    name: "create",
    prisma: (p) => p.user.create({ data: { email: "eve@x.co", name: "Eve" } }),
    forge: ["forge_create", "User", { data: { email: "eve@x.co", name: "Eve" } }],
  },
  {
    name: "create with select",
    prisma: (p) =>
      p.user.create({ data: { email: "eve@x.co" }, select: { id: true, email: true } }),
    forge: ["forge_create", "User", { data: { email: "eve@x.co" }, select: { id: true, email: true } }],
  },
  {
    name: "create: unique violation is P2002",
    prisma: (p) => p.user.create({ data: { email: "ada@x.co" } }),
    forge: ["forge_create", "User", { data: { email: "ada@x.co" } }],
  },
  {
    name: "create: a foreign key violation is P2003",
    prisma: (p) => p.post.create({ data: { title: "x", authorId: 99 } }),
    forge: ["forge_create", "Post", { data: { title: "x", authorId: 99 } }],
  },
  {
    name: "create with nested create and connect, include",
    prisma: (p) =>
      p.user.create({
        data: {
          email: "f@x.co",
          posts: { create: [{ title: "A" }, { title: "B", tags: { connect: [{ name: "pg" }] } }] },
        },
        include: { posts: { include: { tags: true } } },
      }),
    forge: ["forge_create", "User", {
      data: {
        email: "f@x.co",
        posts: { create: [{ title: "A" }, { title: "B", tags: { connect: [{ name: "pg" }] } }] },
      },
      include: { posts: { include: { tags: true } } },
    }],
  },
  {
    name: "update: set and increment",
    prisma: (p) => p.user.update({ where: { id: 1 }, data: { views: { increment: 3 }, name: "A2" } }),
    forge: ["forge_update", "User", { where: { id: 1 }, data: { views: { increment: 3 }, name: "A2" } }],
  },
  {
    name: "update: multiply and divide a float",
    prisma: (p) => p.user.update({ where: { id: 3 }, data: { score: { divide: 8 } } }),
    forge: ["forge_update", "User", { where: { id: 3 }, data: { score: { divide: 8 } } }],
  },
  {
    name: "update: optimistic version check fails with P2025",
    prisma: (p) => p.user.update({ where: { id: 1, version: 7 }, data: { name: "x", version: { increment: 1 } } }),
    forge: ["forge_update", "User", { where: { id: 1, version: 7 }, data: { name: "x", version: { increment: 1 } } }],
  },
  {
    name: "update: optimistic version check passes",
    prisma: (p) => p.user.update({ where: { id: 1, version: 1 }, data: { name: "x", version: { increment: 1 } } }),
    forge: ["forge_update", "User", { where: { id: 1, version: 1 }, data: { name: "x", version: { increment: 1 } } }],
  },
  {
    name: "update: no such row is P2025",
    prisma: (p) => p.user.update({ where: { email: "no@x.co" }, data: { name: "x" } }),
    forge: ["forge_update", "User", { where: { email: "no@x.co" }, data: { name: "x" } }],
  },
  {
    name: "update: empty data returns the row",
    prisma: (p) => p.user.update({ where: { id: 2 }, data: {} }),
    forge: ["forge_update", "User", { where: { id: 2 }, data: {} }],
  },
  {
    name: "updateMany with OR, insensitive contains and gt",
    prisma: (p) =>
      p.user.updateMany({
        where: { OR: [{ name: { contains: "A", mode: "insensitive" } }, { views: { gt: 1 } }] },
        data: { score: 9 },
      }),
    forge: ["forge_update_many", "User", {
      where: { OR: [{ name: { contains: "A", mode: "insensitive" } }, { views: { gt: 1 } }] },
      data: { score: 9 },
    }],
  },
  {
    name: "updateMany: null filter, NOT, in",
    prisma: (p) =>
      p.user.updateMany({ where: { name: null, NOT: { id: { in: [1, 2] } } }, data: { views: { decrement: 1 } } }),
    forge: ["forge_update_many", "User", {
      where: { name: null, NOT: { id: { in: [1, 2] } } }, data: { views: { decrement: 1 } },
    }],
  },
  {
    name: "updateMany by a relation filter (some)",
    prisma: (p) => p.user.updateMany({ where: { posts: { some: { published: false } } }, data: { views: 0 } }),
    forge: ["forge_update_many", "User", { where: { posts: { some: { published: false } } }, data: { views: 0 } }],
  },
  {
    name: "deleteMany by a to-one relation filter (is)",
    prisma: (p) => p.post.deleteMany({ where: { author: { is: { name: "Bob" } } } }),
    forge: ["forge_delete_many", "Post", { where: { author: { is: { name: "Bob" } } } }],
  },
  {
    name: "deleteMany by a many-to-many filter (none)",
    prisma: (p) => p.post.deleteMany({ where: { tags: { none: {} } } }),
    forge: ["forge_delete_many", "Post", { where: { tags: { none: {} } } }],
  },
  {
    name: "upsert: the row exists",
    prisma: (p) =>
      p.user.upsert({ where: { email: "ada@x.co" }, create: { email: "ada@x.co" }, update: { views: { increment: 1 } } }),
    forge: ["forge_upsert", "User", {
      where: { email: "ada@x.co" }, create: { email: "ada@x.co" }, update: { views: { increment: 1 } },
    }],
  },
  {
    name: "upsert: the row is new",
    prisma: (p) =>
      p.user.upsert({ where: { email: "new@x.co" }, create: { email: "new@x.co", name: "N" }, update: { views: { increment: 1 } } }),
    forge: ["forge_upsert", "User", {
      where: { email: "new@x.co" }, create: { email: "new@x.co", name: "N" }, update: { views: { increment: 1 } },
    }],
  },
  {
    name: "upsert: where by a key with a default creates with the default",
    prisma: (p) => p.user.upsert({ where: { id: 0 }, create: { email: "zero@x.co" }, update: {} }),
    forge: ["forge_upsert", "User", { where: { id: 0 }, create: { email: "zero@x.co" }, update: {} }],
  },
  {
    name: "delete with select",
    prisma: (p) => p.post.delete({ where: { id: 4 }, select: { id: true, title: true } }),
    forge: ["forge_delete", "Post", { where: { id: 4 }, select: { id: true, title: true } }],
  },
  {
    name: "delete: no such row is P2025",
    prisma: (p) => p.post.delete({ where: { id: 99 } }),
    forge: ["forge_delete", "Post", { where: { id: 99 } }],
  },
  {
    name: "delete: a restricting foreign key is P2003",
    prisma: (p) => p.user.delete({ where: { id: 1 } }),
    forge: ["forge_delete", "User", { where: { id: 1 } }],
  },
  {
    name: "delete: ON DELETE SET NULL runs",
    prisma: (p) => p.user.delete({ where: { id: 2 } }),
    forge: ["forge_delete", "User", { where: { id: 2 } }],
  },
  {
    name: "deleteMany: count",
    prisma: (p) => p.post.deleteMany({ where: { published: false } }),
    forge: ["forge_delete_many", "Post", { where: { published: false } }],
  },
  {
    name: "createMany with skipDuplicates",
    prisma: (p) =>
      p.user.createMany({ data: [{ email: "ada@x.co" }, { email: "g@x.co", name: "G" }, { email: "g@x.co" }], skipDuplicates: true }),
    forge: ["forge_create_many", "User", {
      data: [{ email: "ada@x.co" }, { email: "g@x.co", name: "G" }, { email: "g@x.co" }], skipDuplicates: true,
    }],
  },
  {
    name: "createMany: ids follow the array",
    prisma: (p) =>
      p.user.createMany({ data: [{ email: "h1@x.co", name: "H" }, { email: "h2@x.co" }, { email: "h3@x.co", name: "H" }] }),
    forge: ["forge_create_many", "User", {
      data: [{ email: "h1@x.co", name: "H" }, { email: "h2@x.co" }, { email: "h3@x.co", name: "H" }],
    }],
  },
  {
    name: "createMany: a duplicate fails the whole call",
    prisma: (p) => p.user.createMany({ data: [{ email: "i@x.co" }, { email: "ada@x.co" }] }),
    forge: ["forge_create_many", "User", { data: [{ email: "i@x.co" }, { email: "ada@x.co" }] }],
  },
  {
    name: "nested updateMany of a to-many",
    prisma: (p) =>
      p.user.update({
        where: { id: 1 },
        data: { posts: { updateMany: { where: { published: false }, data: { published: true } } } },
        include: { posts: true },
      }),
    forge: ["forge_update", "User", {
      where: { id: 1 },
      data: { posts: { updateMany: { where: { published: false }, data: { published: true } } } },
      include: { posts: true },
    }],
  },
  {
    name: "nested set of a many-to-many",
    prisma: (p) =>
      p.post.update({ where: { id: 1 }, data: { tags: { set: [{ name: "math" }] } }, include: { tags: true } }),
    forge: ["forge_update", "Post", {
      where: { id: 1 }, data: { tags: { set: [{ name: "math" }] } }, include: { tags: true },
    }],
  },
  {
    name: "nested connectOrCreate of a many-to-many",
    prisma: (p) =>
      p.post.update({
        where: { id: 2 },
        data: { tags: { connectOrCreate: [
          { where: { name: "pg" }, create: { name: "pg" } },
          { where: { name: "c" }, create: { name: "c" } }] } },
        include: { tags: true },
      }),
    forge: ["forge_update", "Post", {
      where: { id: 2 },
      data: { tags: { connectOrCreate: [
        { where: { name: "pg" }, create: { name: "pg" } },
        { where: { name: "c" }, create: { name: "c" } }] } },
      include: { tags: true },
    }],
  },
  {
    name: "nested disconnect of a to-one",
    prisma: (p) => p.post.update({ where: { id: 1 }, data: { author: { disconnect: true } } }),
    forge: ["forge_update", "Post", { where: { id: 1 }, data: { author: { disconnect: true } } }],
  },
  {
    name: "nested update of a to-many: a row not connected is P2025",
    prisma: (p) =>
      p.user.update({ where: { id: 2 }, data: { posts: { update: { where: { id: 1 }, data: { title: "x" } } } } }),
    forge: ["forge_update", "User", {
      where: { id: 2 }, data: { posts: { update: { where: { id: 1 }, data: { title: "x" } } } },
    }],
  },
  {
    name: "nested one-to-one create",
    prisma: (p) => p.user.update({ where: { id: 2 }, data: { profile: { create: { bio: "b" } } }, include: { profile: true } }),
    forge: ["forge_update", "User", {
      where: { id: 2 }, data: { profile: { create: { bio: "b" } } }, include: { profile: true },
    }],
  },
  // issue 12: what a Prisma 7 user writes beyond the basics
  {
    name: "create with omit",
    prisma: (p) => p.user.create({ data: { email: "o@x.co" }, omit: { views: true, score: true } }),
    forge: ["forge_create", "User", { data: { email: "o@x.co" }, omit: { views: true, score: true } }],
  },
  {
    name: "createManyAndReturn with select",
    prisma: (p) =>
      p.user.createManyAndReturn({ data: [{ email: "m1@x.co" }, { email: "m2@x.co", name: "M" }], select: { id: true, name: true } }),
    forge: ["forge_create_many_and_return", "User", {
      data: [{ email: "m1@x.co" }, { email: "m2@x.co", name: "M" }], select: { id: true, name: true },
    }],
    ordered: true,
  },
  {
    name: "updateManyAndReturn with omit",
    prisma: (p) => p.user.updateManyAndReturn({ where: { views: { gt: 0 } }, data: { views: 0 }, omit: { score: true } }),
    forge: ["forge_update_many_and_return", "User", {
      where: { views: { gt: 0 } }, data: { views: 0 }, omit: { score: true },
    }],
  },
  {
    name: "updateMany with limit",
    prisma: (p) => p.post.updateMany({ where: { published: true }, data: { title: "L" }, limit: 1 }),
    forge: ["forge_update_many", "Post", { where: { published: true }, data: { title: "L" }, limit: 1 }],
  },
  {
    name: "deleteMany with limit",
    prisma: (p) => p.post.deleteMany({ where: { authorId: 1 }, limit: 1 }),
    forge: ["forge_delete_many", "Post", { where: { authorId: 1 }, limit: 1 }],
  },
  {
    name: "scalar list push",
    prisma: (p) => p.post.update({ where: { id: 1 }, data: { labels: { push: ["new", "pg"] } } }),
    forge: ["forge_update", "Post", { where: { id: 1 }, data: { labels: { push: ["new", "pg"] } } }],
  },
  {
    name: "scalar list push onto a NULL list",
    prisma: (p) => p.post.update({ where: { id: 4 }, data: { labels: { push: "a" } }, select: { labels: true } }),
    forge: ["forge_update", "Post", { where: { id: 4 }, data: { labels: { push: "a" } }, select: { labels: true } }],
  },
  {
    name: "scalar list filters has, hasSome, isEmpty",
    prisma: (p) =>
      p.post.updateMany({ where: { OR: [{ labels: { has: "sql" } }, { labels: { hasSome: ["x", "pg"] } }, { labels: { isEmpty: true } }] }, data: { title: "F" } }),
    forge: ["forge_update_many", "Post", {
      where: { OR: [{ labels: { has: "sql" } }, { labels: { hasSome: ["x", "pg"] } }, { labels: { isEmpty: true } }] }, data: { title: "F" },
    }],
  },
  {
    name: "insensitive in",
    prisma: (p) => p.user.updateMany({ where: { name: { in: ["ADA", "bob"], mode: "insensitive" } }, data: { views: 7 } }),
    forge: ["forge_update_many", "User", { where: { name: { in: ["ADA", "bob"], mode: "insensitive" } }, data: { views: 7 } }],
  },
  {
    name: "Json null written as JsonNull, and DbNull",
    prisma: async (p) => [
      await p.post.update({ where: { id: 1 }, data: { meta: Prisma.JsonNull }, select: { meta: true } }),
      await p.post.update({ where: { id: 3 }, data: { meta: Prisma.DbNull }, select: { meta: true } })],
    forge: ["forge_update_many", "Post", { where: { id: -1 }, data: { title: "unused" } }],
    forgeAll: [
      ["forge_update", "Post", { where: { id: 1 }, data: { meta: { $type: "Enum", value: "JsonNull" } }, select: { meta: true } }],
      ["forge_update", "Post", { where: { id: 3 }, data: { meta: { $type: "Enum", value: "DbNull" } }, select: { meta: true } }]],
  },
  {
    name: "Json filters: JsonNull, path equals, string_contains, array_contains",
    prisma: (p) =>
      p.post.updateMany({ where: { OR: [
        { meta: { equals: Prisma.JsonNull } },
        { meta: { path: ["a"], equals: 2 } },
        { meta: { path: ["s"], string_contains: "world" } },
        { meta: { path: ["tags"], array_contains: ["y"] } }] }, data: { title: "J" } }),
    forge: ["forge_update_many", "Post", { where: { OR: [
      { meta: { equals: { $type: "Enum", value: "JsonNull" } } },
      { meta: { path: ["a"], equals: 2 } },
      { meta: { path: ["s"], string_contains: "world" } },
      { meta: { path: ["tags"], array_contains: ["y"] } }] }, data: { title: "J" } }],
  },
  {
    name: "DateTime with an offset is stored as the UTC instant",
    prisma: (p) => p.post.create({ data: { title: "T", at: "2024-05-01T12:00:00+02:00" } }),
    forge: ["forge_create", "Post", { data: { title: "T", at: "2024-05-01T12:00:00+02:00" } }],
  },
  {
    name: "to-one update in the {where, data} form",
    prisma: (p) =>
      p.post.update({ where: { id: 1 }, data: { author: { update: { where: { name: "Ada" }, data: { views: { increment: 1 } } } } }, include: { author: true } }),
    forge: ["forge_update", "Post", {
      where: { id: 1 }, data: { author: { update: { where: { name: "Ada" }, data: { views: { increment: 1 } } } } }, include: { author: true },
    }],
  },
  {
    name: "to-one update whose where does not match is P2025",
    prisma: (p) => p.post.update({ where: { id: 1 }, data: { author: { update: { where: { name: "Bob" }, data: { views: 1 } } } } }),
    forge: ["forge_update", "Post", { where: { id: 1 }, data: { author: { update: { where: { name: "Bob" }, data: { views: 1 } } } } }],
  },
  {
    name: "upsert with a to-one connect in create (new row)",
    prisma: (p) =>
      p.post.upsert({ where: { id: 50 }, create: { title: "U", author: { connect: { email: "bob@x.co" } } }, update: { title: "V" } }),
    forge: ["forge_upsert", "Post", {
      where: { id: 50 }, create: { title: "U", author: { connect: { email: "bob@x.co" } } }, update: { title: "V" },
    }],
  },
  {
    name: "upsert with a to-one connectOrCreate in update (existing row)",
    prisma: (p) =>
      p.post.upsert({ where: { id: 4 }, create: { title: "U" },
        update: { author: { connectOrCreate: { where: { email: "z@x.co" }, create: { email: "z@x.co" } } } } }),
    forge: ["forge_upsert", "Post", {
      where: { id: 4 }, create: { title: "U" },
      update: { author: { connectOrCreate: { where: { email: "z@x.co" }, create: { email: "z@x.co" } } } },
    }],
  },
  {
    name: "nested upsert of a many-to-many: a tag not linked is created",
    prisma: (p) =>
      p.post.update({ where: { id: 3 }, data: { tags: { upsert: { where: { id: 2 }, create: { name: "new" }, update: { name: "M" } } } }, include: { tags: true } }),
    forge: ["forge_update", "Post", {
      where: { id: 3 }, data: { tags: { upsert: { where: { id: 2 }, create: { name: "new" }, update: { name: "M" } } } }, include: { tags: true },
    }],
  },
  {
    name: "create with the author's _count included: the new post counts",
    prisma: (p) =>
      p.post.create({ data: { title: "N", authorId: 2 }, include: { author: { include: { _count: true } } } }),
    forge: ["forge_create", "Post", {
      data: { title: "N", authorId: 2 }, include: { author: { include: { _count: true } } },
    }],
  },
  {
    name: "_count with a where, in select",
    prisma: (p) =>
      p.user.update({ where: { id: 1 }, data: {}, select: { id: true, _count: { select: { posts: { where: { published: true } } } } } }),
    forge: ["forge_update", "User", {
      where: { id: 1 }, data: {}, select: { id: true, _count: { select: { posts: { where: { published: true } } } } },
    }],
  },
  {
    name: "include with cursor, orderBy and take",
    prisma: (p) =>
      p.tag.update({ where: { id: 1 }, data: {}, include: { posts: { cursor: { id: 1 }, orderBy: { title: "desc" }, take: 2 } } }),
    forge: ["forge_update", "Tag", {
      where: { id: 1 }, data: {}, include: { posts: { cursor: { id: 1 }, orderBy: { title: "desc" }, take: 2 } },
    }],
    ordered: true,
  },
  {
    name: "include ordered by a relation's _count and a to-one field",
    prisma: (p) =>
      p.tag.update({ where: { id: 1 }, data: {}, include: { posts: { orderBy: [{ tags: { _count: "desc" } }, { author: { name: "asc" } }], select: { id: true } } } }),
    forge: ["forge_update", "Tag", {
      where: { id: 1 }, data: {}, include: { posts: { orderBy: [{ tags: { _count: "desc" } }, { author: { name: "asc" } }], select: { id: true } } },
    }],
    ordered: true,
  },
  {
    name: "nested createMany with one row",
    prisma: (p) => p.user.update({ where: { id: 3 }, data: { posts: { createMany: { data: { title: "C" } } } }, include: { posts: true } }),
    forge: ["forge_update", "User", { where: { id: 3 }, data: { posts: { createMany: { data: { title: "C" } } } }, include: { posts: true } }],
  },
];

// The same call through both: p.<model>.<verb>(args) and forge_<verb>(Model, args).
const FORGE_VERB: Record<string, string> = {
  create: "forge_create", createMany: "forge_create_many",
  createManyAndReturn: "forge_create_many_and_return", update: "forge_update",
  updateMany: "forge_update_many", updateManyAndReturn: "forge_update_many_and_return",
  upsert: "forge_upsert", delete: "forge_delete", deleteMany: "forge_delete_many",
};
function same(name: string, model: string, verb: string, args: any, more: Partial<Scenario> = {}): Scenario {
  const delegate = model[0].toLowerCase() + model.slice(1);
  return {
    name,
    prisma: (p) => (p as any)[delegate][verb](args),
    forge: [FORGE_VERB[verb], model, args],
    ...more,
  };
}

// What an ordinary Prisma user writes, verb by verb and option by option
// (README's "Prisma 7 -> forge" table), each checked against the real client.
scenarios.push(
  // create
  same("create: an optional field set to null", "User", "create", { data: { email: "n@x.co", name: null } }),
  same("create: an unknown field is a validation error", "User", "create", { data: { email: "n@x.co", nick: "x" } }),
  same("create: include of an empty to-many", "User", "create", { data: { email: "n@x.co" }, include: { posts: true, profile: true } }),
  same("create: a to-one create", "Post", "create", { data: { title: "T", author: { create: { email: "n@x.co" } } }, include: { author: true } }),
  same("create: a to-one connect of a missing row is P2025", "Post", "create", { data: { title: "T", author: { connect: { id: 99 } } } }),
  same("create: a to-one connectOrCreate of an existing row", "Post", "create", {
    data: { title: "T", author: { connectOrCreate: { where: { email: "bob@x.co" }, create: { email: "bob@x.co" } } } }, include: { author: true } }),
  same("create: a one-to-one create from the key side", "Profile", "create", { data: { bio: "b", user: { create: { email: "n@x.co" } } }, include: { user: true } }),
  same("create: connecting a user whose required one-to-one is taken is P2014", "Profile", "create", { data: { bio: "b", user: { connect: { id: 1 } } } }),
  same("create: many-to-many create and connectOrCreate", "Post", "create", {
    data: { title: "T", tags: { create: [{ name: "new" }], connectOrCreate: [{ where: { name: "math" }, create: { name: "math" } }] } },
    include: { tags: true } }),
  same("create: select of a relation with its own select", "User", "create", {
    data: { email: "n@x.co", posts: { create: { title: "P" } } }, select: { email: true, posts: { select: { title: true } } } }),
  same("create: _count: true in select", "User", "create", {
    data: { email: "n@x.co", posts: { create: [{ title: "P" }, { title: "Q" }] } }, select: { id: true, _count: true } }),
  same("create: omit inside include", "Post", "create", { data: { title: "T", authorId: 1 }, include: { author: { omit: { score: true, views: true } } } }),
  same("create: a scalar list and Json values", "Post", "create", {
    data: { title: "T", labels: ["b", "a", "b"], meta: { n: null, list: [1, "2", { x: true }], s: "é" } } }),
  same("create: a Json string and number", "Post", "createManyAndReturn", { data: [{ title: "S", meta: "text" }, { title: "N", meta: 1.5 }], select: { meta: true } }, { ordered: true }),
  {
    name: "create: Json null by Prisma.JsonNull",
    prisma: (p) => p.post.create({ data: { title: "T", meta: Prisma.JsonNull } }),
    forge: ["forge_create", "Post", { data: { title: "T", meta: { $type: "Enum", value: "JsonNull" } } }],
  },
  {
    name: "create: DateTime as a Date, as Z and as a negative offset",
    prisma: async (p) => [
      await p.post.create({ data: { title: "D", at: new Date("2024-01-31T23:30:00.120Z") } }),
      await p.post.create({ data: { title: "E", at: "2024-02-29T23:30:00-05:30" } }),
      await p.item.create({ data: { shop: 2, sku: "d", price: 1, due: "2024-06-01T00:00:00+09:00" }, select: { due: true } })],
    forge: ["forge_create", "Post", {}],
    forgeAll: [
      ["forge_create", "Post", { data: { title: "D", at: "2024-01-31T23:30:00.120Z" } }],
      ["forge_create", "Post", { data: { title: "E", at: "2024-02-29T23:30:00-05:30" } }],
      ["forge_create", "Item", { data: { shop: 2, sku: "d", price: 1, due: "2024-06-01T00:00:00+09:00" }, select: { due: true } }]],
  },
  {
    name: "create: Decimal and BigInt",
    prisma: (p) => p.item.create({ data: { shop: 2, sku: "c", price: new Prisma.Decimal("12.34"), qty: 9007199254740993n } }),
    forge: ["forge_create", "Item", `{"data": {"shop": 2, "sku": "c", "price": "12.34", "qty": 9007199254740993}}`],
  },
  {
    name: "create: a Decimal rounds to the column's scale",
    prisma: (p) => p.item.create({ data: { shop: 2, sku: "c", price: 0.125 }, select: { price: true } }),
    forge: ["forge_create", "Item", { data: { shop: 2, sku: "c", price: 0.125 }, select: { price: true } }],
  },
  same("create: a compound unique key taken is P2002", "Item", "create", { data: { shop: 1, sku: "a", price: 1 } }),

  // createMany
  same("createMany: rows with different fields take the defaults", "User", "createMany", {
    data: [{ email: "a1@x.co", views: 3 }, { email: "a2@x.co", name: "N" }, { email: "a3@x.co", score: 2.5, version: 4 }] }),
  same("createMany: an empty array", "User", "createMany", { data: [] }),
  same("createMany: one object", "Tag", "createMany", { data: { name: "one" } }),
  same("createMany: skipDuplicates on a compound key", "Item", "createMany", {
    data: [{ shop: 1, sku: "a", price: 2 }, { shop: 1, sku: "c", price: 3 }, { shop: 2, sku: "a", price: 4 }], skipDuplicates: true }),
  same("createMany: lists and Json", "Post", "createMany", { data: [{ title: "A", labels: ["x"], meta: [1, 2] }, { title: "B", meta: { k: "v" } }] }),
  same("createMany: a foreign key violation is P2003", "Post", "createMany", { data: [{ title: "A", authorId: 1 }, { title: "B", authorId: 42 }] }),
  same("createManyAndReturn: include a to-one, array order", "Post", "createManyAndReturn", {
    data: [{ title: "Z", authorId: 2 }, { title: "A" }, { title: "M", authorId: 1 }], include: { author: true } }, { ordered: true }),
  same("createManyAndReturn: skipDuplicates returns the rows written", "Tag", "createManyAndReturn", {
    data: [{ name: "pg" }, { name: "new" }], skipDuplicates: true }, { ordered: true }),

  // update
  same("update: set an optional field to null", "User", "update", { where: { id: 1 }, data: { name: null } }),
  same("update: by a compound unique key", "Item", "update", { where: { shop_sku: { shop: 1, sku: "b" } }, data: { qty: { increment: 7 } } }),
  same("update: Decimal increment and multiply", "Item", "updateManyAndReturn", {
    where: { shop: 1 }, data: { price: { multiply: 3 }, qty: { decrement: 2 } } }),
  same("update: an integer divide truncates", "User", "updateMany", { where: {}, data: { views: { divide: 2 } } }),
  same("update: multiply an integer and set through {set}", "User", "update", { where: { id: 1 }, data: { views: { multiply: 4 }, name: { set: "S" } } }),
  same("update: a unique violation is P2002", "User", "update", { where: { id: 2 }, data: { email: "ada@x.co" } }),
  same("update: the foreign key column written directly", "Post", "update", { where: { id: 4 }, data: { authorId: 3 }, include: { author: true } }),
  same("update: a where that is not unique is a validation error", "User", "update", { where: { name: "Ada" }, data: { views: 1 } }),
  same("update: unique where plus a relation filter", "User", "update", { where: { id: 1, posts: { some: { title: "Draft" } } }, data: { views: 9 } }),
  same("update: unique where plus a failing relation filter is P2025", "User", "update", { where: { id: 2, posts: { none: {} } }, data: { views: 9 } }),
  same("update: include with where and orderBy", "User", "update", {
    where: { id: 1 }, data: { name: "I" }, include: { posts: { where: { published: false }, orderBy: { id: "desc" } }, profile: true } }, { ordered: true }),
  same("update: a scalar list set", "Post", "update", { where: { id: 1 }, data: { labels: { set: [] } } }),
  same("update: a scalar list set to a new list", "Post", "update", { where: { id: 4 }, data: { labels: ["q", "r"] } }),
  same("updateMany: no where writes every row", "Post", "updateMany", { data: { published: true } }),
  same("updateMany: limit larger than the matches", "Post", "updateMany", { where: { authorId: 1 }, data: { title: "L" }, limit: 10 }),
  same("updateMany: a unique violation is P2002", "User", "updateMany", { where: { id: { in: [2, 3] } }, data: { email: "same@x.co" } }),
  same("updateManyAndReturn: select and no match", "User", "updateManyAndReturn", { where: { id: 42 }, data: { views: 1 }, select: { id: true } }),

  // upsert
  same("upsert: by a compound key, existing row", "Item", "upsert", {
    where: { shop_sku: { shop: 1, sku: "a" } }, create: { shop: 1, sku: "a", price: 1 }, update: { qty: { increment: 1 } } }),
  same("upsert: by a compound key, new row", "Item", "upsert", {
    where: { shop_sku: { shop: 1, sku: "z" } }, create: { shop: 1, sku: "z", price: 1 }, update: { qty: { increment: 1 } } }),
  same("upsert: create leaves out the where's key (filled from where)", "Tag", "upsert", { where: { name: "new" }, create: { name: "new" }, update: {} }),
  same("upsert: by id, existing row, include", "User", "upsert", {
    where: { id: 2 }, create: { email: "x@x.co" }, update: { name: "B2" }, include: { posts: true } }),
  same("upsert: by id that is missing, with nested create", "User", "upsert", {
    where: { id: 9 }, create: { email: "x@x.co", posts: { create: { title: "P" } } }, update: { name: "B2" }, include: { posts: true } }),
  same("upsert: a new row with extra where filters", "User", "upsert", { where: { email: "x@x.co", name: "X" }, create: { email: "x@x.co", name: "X" }, update: { views: 1 } }),
  same("upsert: the update breaks a unique key is P2002", "User", "upsert", { where: { id: 1 }, create: { email: "x@x.co" }, update: { email: "bob@x.co" } }),
  same("upsert: the create breaks a foreign key is P2003", "Post", "upsert", { where: { id: 9 }, create: { title: "x", authorId: 42 }, update: {} }),
  same("upsert: a where that is not unique is a validation error", "User", "upsert", { where: { name: "Ada" }, create: { email: "x@x.co" }, update: {} }),
  same("upsert: an existing row that fails the where's filters", "User", "upsert", { where: { email: "ada@x.co", name: "Nope" }, create: { email: "ada@x.co" }, update: { views: 1 } },
    { deliberate: { prisma: "error P2002", forge: "error P2025" } }),
  same("upsert: a create that contradicts the where", "User", "upsert", { where: { email: "x@x.co" }, create: { email: "y@x.co" }, update: {} },
    { deliberate: { prisma: `{"email":"y@x.co","id":4,"name":null,"score":0,"version":1,"views":0}`, forge: "error invalid descriptor" } }),

  // delete
  same("delete: include of the rows it had", "Post", "delete", { where: { id: 1 }, include: { tags: true, author: true } }),
  same("delete: by a compound unique key", "Item", "delete", { where: { shop_sku: { shop: 1, sku: "b" } } }),
  same("delete: unique where plus a failing filter is P2025", "User", "delete", { where: { id: 3, name: "cy" } }),
  same("delete: a tag drops its join rows", "Tag", "delete", { where: { name: "pg" }, select: { id: true, _count: { select: { posts: true } } } }),
  same("deleteMany: no where, a restricting key is P2003", "User", "deleteMany", {}),
  same("deleteMany: every", "User", "deleteMany", { where: { posts: { every: { published: true } }, profile: { is: null } } }),
  same("deleteMany: to-one is null and isNot", "Post", "deleteMany", { where: { OR: [{ author: null }, { author: { isNot: { name: "Ada" } } }] } }),
  same("deleteMany: one-to-one isNot null", "User", "deleteMany", { where: { profile: { isNot: null }, id: { gt: 5 } } }),

  // nested writes: to-one
  same("nested to-one create in update", "Post", "update", { where: { id: 4 }, data: { author: { create: { email: "n@x.co" } } }, include: { author: true } }),
  same("nested to-one connect in update", "Post", "update", { where: { id: 4 }, data: { author: { connect: { email: "cy@x.co" } } }, include: { author: true } }),
  same("nested to-one connectOrCreate of a new row", "Post", "update", {
    where: { id: 1 }, data: { author: { connectOrCreate: { where: { email: "n@x.co" }, create: { email: "n@x.co", name: "N" } } } }, include: { author: true } }),
  same("nested to-one upsert, connected row", "Post", "update", {
    where: { id: 3 }, data: { author: { upsert: { create: { email: "n@x.co" }, update: { views: { increment: 10 } } } } }, include: { author: true } }),
  same("nested to-one upsert, no row connected", "Post", "update", {
    where: { id: 4 }, data: { author: { upsert: { create: { email: "n@x.co" }, update: { views: 10 } } } }, include: { author: true } }),
  same("nested to-one update, bare data", "Post", "update", { where: { id: 1 }, data: { author: { update: { name: "A" } } }, include: { author: true } }),
  same("nested to-one update with nothing connected is P2025", "Post", "update", { where: { id: 4 }, data: { author: { update: { name: "A" } } } }),
  same("nested to-one delete", "Post", "update", { where: { id: 3 }, data: { author: { delete: true } } }),
  same("nested to-one disconnect with nothing connected", "Post", "update", { where: { id: 4 }, data: { author: { disconnect: true } } }),
  same("nested to-one create and a key column at once is a validation error", "Post", "update", { where: { id: 4 }, data: { authorId: 1, author: { connect: { id: 2 } } } }),

  // nested writes: one-to-one
  same("nested one-to-one create when one exists", "User", "update", { where: { id: 1 }, data: { profile: { create: { bio: "again" } } } }),
  same("nested one-to-one update", "User", "update", { where: { id: 1 }, data: { profile: { update: { bio: "algebra" } } }, include: { profile: true } }),
  same("nested one-to-one upsert, existing", "User", "update", { where: { id: 1 }, data: { profile: { upsert: { create: { bio: "c" }, update: { bio: "u" } } } }, include: { profile: true } }),
  same("nested one-to-one upsert, new", "User", "update", { where: { id: 2 }, data: { profile: { upsert: { create: { bio: "c" }, update: { bio: "u" } } } }, include: { profile: true } }),
  same("nested one-to-one delete", "User", "update", { where: { id: 1 }, data: { profile: { delete: true } }, include: { profile: true } }),
  same("nested one-to-one delete with none is P2025", "User", "update", { where: { id: 2 }, data: { profile: { delete: true } } }),
  same("nested one-to-one connect moves the profile", "User", "update", { where: { id: 2 }, data: { profile: { connect: { id: 1 } } }, include: { profile: true } }),
  same("nested one-to-one connectOrCreate, new", "User", "update", {
    where: { id: 3 }, data: { profile: { connectOrCreate: { where: { userId: 3 }, create: { bio: "c" } } } }, include: { profile: true } }),
  same("nested one-to-one disconnect of a required key", "User", "update", { where: { id: 1 }, data: { profile: { disconnect: true } } }),
  same("nested to-one connect from the key side", "Profile", "update", { where: { id: 1 }, data: { user: { connect: { id: 2 } } }, include: { user: true } }),
  same("nested to-one connect from the key side to the user it has", "Profile", "update", { where: { id: 1 }, data: { user: { connect: { id: 1 } } } }),

  // nested writes: to-many
  same("nested to-many create, array", "User", "update", { where: { id: 2 }, data: { posts: { create: [{ title: "X" }, { title: "Y", published: true }] } }, include: { posts: true } }),
  same("nested to-many createMany skipDuplicates", "User", "update", {
    where: { id: 2 }, data: { posts: { createMany: { data: [{ id: 1, title: "dup" }, { title: "new" }], skipDuplicates: true } } }, include: { posts: true } }),
  same("nested to-many connect, array", "User", "update", { where: { id: 3 }, data: { posts: { connect: [{ id: 1 }, { id: 4 }] } }, include: { posts: true } }),
  same("nested to-many connect of a missing row is P2018", "User", "update", { where: { id: 3 }, data: { posts: { connect: { id: 99 } } } }),
  same("nested to-many connectOrCreate", "User", "update", {
    where: { id: 3 }, data: { posts: { connectOrCreate: [{ where: { id: 4 }, create: { title: "no" } }, { where: { id: 77 }, create: { title: "yes" } }] } }, include: { posts: true } }),
  same("nested to-many disconnect", "User", "update", { where: { id: 1 }, data: { posts: { disconnect: [{ id: 1 }, { id: 3 }] } }, include: { posts: true } }),
  same("nested to-many set", "User", "update", { where: { id: 1 }, data: { posts: { set: [{ id: 2 }, { id: 4 }] } }, include: { posts: true } }),
  same("nested to-many set to empty", "User", "update", { where: { id: 1 }, data: { posts: { set: [] } }, include: { posts: true } }),
  same("nested to-many update, array", "User", "update", {
    where: { id: 1 }, data: { posts: { update: [{ where: { id: 1 }, data: { title: "U1" } }, { where: { id: 2 }, data: { title: "U2" } }] } }, include: { posts: true } }),
  same("nested to-many upsert of a connected row", "User", "update", {
    where: { id: 1 }, data: { posts: { upsert: { where: { id: 2 }, create: { title: "C" }, update: { title: "U" } } } }, include: { posts: true } }),
  same("nested to-many upsert of a row connected elsewhere creates", "User", "update", {
    where: { id: 1 }, data: { posts: { upsert: { where: { id: 3 }, create: { title: "C" }, update: { title: "U" } } } }, include: { posts: true } }),
  same("nested to-many delete", "User", "update", { where: { id: 1 }, data: { posts: { delete: { id: 2 } } }, include: { posts: true } }),
  same("nested to-many delete of another's row is P2017", "User", "update", { where: { id: 1 }, data: { posts: { delete: { id: 3 } } } }),
  same("nested to-many deleteMany, array and {}", "User", "update", { where: { id: 1 }, data: { posts: { deleteMany: [{ published: true }, { title: "nope" }] } }, include: { posts: true } }),
  same("nested to-many deleteMany all", "User", "update", { where: { id: 1 }, data: { posts: { deleteMany: {} } }, include: { posts: true } }),
  same("nested to-many several actions", "User", "update", {
    where: { id: 1 }, data: { posts: { deleteMany: { published: false }, create: { title: "N" }, update: { where: { id: 1 }, data: { published: false } } } }, include: { posts: true } }),
  same("nested createMany in create", "User", "create", { data: { email: "n@x.co", posts: { createMany: { data: [{ title: "A" }, { title: "B", published: true }] } } }, include: { posts: true } }),

  same("nested to-many connect in create of a missing row", "User", "create", { data: { email: "n@x.co", posts: { connect: [{ id: 1 }, { id: 99 }] } } }),
  same("nested to-many set with a missing row", "User", "update", { where: { id: 1 }, data: { posts: { set: [{ id: 1 }, { id: 99 }] } } },
    { deliberate: { prisma: `{"email":"ada@x.co","id":1,"name":"Ada","score":1.5,"version":1,"views":5}`, forge: "error P2018" } }),
  same("nested to-many update of a missing row", "User", "update", { where: { id: 1 }, data: { posts: { update: { where: { id: 99 }, data: { title: "x" } } } } }),
  same("nested to-many delete of a missing row", "User", "update", { where: { id: 1 }, data: { posts: { delete: { id: 99 } } } }),
  same("nested to-many disconnect of another's row", "User", "update", { where: { id: 1 }, data: { posts: { disconnect: { id: 3 } } }, include: { posts: true } }),
  same("nested to-many upsert of a missing row creates", "User", "update", { where: { id: 1 }, data: { posts: { upsert: { where: { id: 99 }, create: { title: "C" }, update: {} } } }, include: { posts: true } }),
  same("nested m2m delete of a row not linked", "Post", "update", { where: { id: 3 }, data: { tags: { delete: { id: 2 } } } }),
  same("nested m2m set with a missing row", "Post", "update", { where: { id: 3 }, data: { tags: { set: [{ id: 2 }, { id: 99 }] } } }),
  same("nested m2m connect in create of a missing row", "Post", "create", { data: { title: "T", tags: { connect: { id: 99 } } } }),
  same("nested one-to-one connect of a missing row", "User", "update", { where: { id: 2 }, data: { profile: { connect: { id: 99 } } } }),
  same("nested one-to-one update with none", "User", "update", { where: { id: 2 }, data: { profile: { update: { bio: "x" } } } }),
  same("nested to-one delete with nothing connected", "Post", "update", { where: { id: 4 }, data: { author: { delete: true } } }),
  same("nested to-one connect of a missing row in update", "Post", "update", { where: { id: 1 }, data: { author: { connect: { email: "no@x.co" } } } }),
  same("nested to-one connect in create of a missing row, key side", "Profile", "create", { data: { bio: "b", user: { connect: { id: 99 } } } }),
  same("nested one-to-one create for a user without one", "User", "update", { where: { id: 2 }, data: { profile: { create: { bio: "b" } } } }),
  same("nested one-to-one connectOrCreate when one exists", "User", "update", {
    where: { id: 1 }, data: { profile: { connectOrCreate: { where: { id: 42 }, create: { bio: "c" } } } } }),
  same("nested one-to-one upsert's create from the key side", "Profile", "update", { where: { id: 1 }, data: { user: { upsert: { create: { email: "n@x.co" }, update: { name: "U" } } } }, include: { user: true } }),
  same("delete a user with a required profile is P2003 (P2014 in Prisma's emulation)", "User", "delete", { where: { id: 1 } }),

  // required and optional keys: P2014, Prisma's "required relation" error
  same("required to-many disconnect", "Post", "update", { where: { id: 1 }, data: { comments: { disconnect: { id: 1 } } } }),
  same("required to-many set", "Post", "update", { where: { id: 1 }, data: { comments: { set: [{ id: 3 }] } } }),
  same("required to-many set to empty", "Post", "update", { where: { id: 1 }, data: { comments: { set: [] } } }),
  same("required to-many connect moves a comment", "Post", "update", { where: { id: 1 }, data: { comments: { connect: { id: 3 } } }, include: { comments: true } }),
  same("required to-one disconnect", "Comment", "update", { where: { id: 1 }, data: { post: { disconnect: true } } }),
  same("required to-one delete", "Comment", "update", { where: { id: 1 }, data: { post: { delete: true } } }),
  same("required to-one delete from the one-to-one key side", "Profile", "update", { where: { id: 1 }, data: { user: { delete: true } } }),
  same("required to-one create with a new post", "Comment", "update", { where: { id: 1 }, data: { post: { create: { title: "N" } } }, include: { post: true } }),
  same("optional one-to-one create when one exists", "User", "update", { where: { id: 1 }, data: { passport: { create: { number: "P2" } } }, include: { passport: true } }),
  same("optional one-to-one connect lets the old go", "User", "update", { where: { id: 1 }, data: { passport: { connect: { id: 2 } } }, include: { passport: true } }),
  same("optional one-to-one connectOrCreate lets the old go", "User", "update", {
    where: { id: 1 }, data: { passport: { connectOrCreate: { where: { id: 9 }, create: { number: "P9" } } } }, include: { passport: true } },
    { deliberate: { prisma: "error P2002", forge: `{"email":"ada@x.co","id":1,"name":"Ada","passport":{"id":3,"number":"P9","userId":1},"score":1.5,"version":1,"views":5}` } }),
  same("optional one-to-one disconnect", "User", "update", { where: { id: 1 }, data: { passport: { disconnect: true } }, include: { passport: true } }),
  same("optional one-to-one disconnect with none", "User", "update", { where: { id: 2 }, data: { passport: { disconnect: true } }, include: { passport: true } }),
  same("optional one-to-one upsert, new", "User", "update", { where: { id: 2 }, data: { passport: { upsert: { create: { number: "P3" }, update: { number: "U" } } } }, include: { passport: true } }),
  same("optional one-to-one key side connect of a taken user, in an update", "Passport", "update", { where: { id: 2 }, data: { user: { connect: { id: 1 } } }, include: { user: true } },
    { deliberate: { prisma: `{"id":2,"number":"P0","user":{"email":"ada@x.co","id":1,"name":"Ada","score":1.5,"version":1,"views":5},"userId":1}`, forge: "error P2002" } }),
  same("optional one-to-one key side create connected to a taken user", "Passport", "create", { data: { number: "P5", user: { connect: { id: 1 } } } }),
  same("optional one-to-one key side upsert's create connecting a taken user", "Passport", "upsert", { where: { id: 9 }, create: { number: "P9", user: { connect: { id: 1 } } }, update: {} }),
  same("required one-to-one key side upsert's create connecting a taken user is P2014", "Profile", "upsert", { where: { id: 9 }, create: { bio: "b", user: { connect: { id: 1 } } }, update: {} }),
  same("required one-to-one key side upsert's update branch connecting its own user", "Profile", "upsert", { where: { id: 1 }, create: { bio: "b", user: { connect: { id: 2 } } }, update: { user: { connect: { id: 1 } } } }),
  same("optional one-to-one key side disconnect", "Passport", "update", { where: { id: 1 }, data: { user: { disconnect: true } } }),
  same("delete a post cascades its comments", "Post", "delete", { where: { id: 1 }, include: { comments: true } }),
  same("delete a user sets the passport's key null", "User", "delete", { where: { id: 3 } }),
  {
    name: "required one-to-one connect of a profile when one exists",
    prisma: async (p) => [
      await p.profile.create({ data: { bio: "b", userId: 2 } }),
      await p.user.update({ where: { id: 1 }, data: { profile: { connect: { id: 2 } } } })],
    forge: ["forge_create", "Profile", {}],
    forgeAll: [
      ["forge_create", "Profile", { data: { bio: "b", userId: 2 } }],
      ["forge_update", "User", { where: { id: 1 }, data: { profile: { connect: { id: 2 } } } }]],
  },
  same("required one-to-one connectOrCreate of a new profile when one exists", "User", "update", {
    where: { id: 1 }, data: { profile: { connectOrCreate: { where: { id: 9 }, create: { bio: "c" } } } } }),

  // nested writes: implicit many-to-many
  same("nested m2m connect, keeps an existing link", "Post", "update", { where: { id: 1 }, data: { tags: { connect: [{ id: 1 }, { name: "math" }] } }, include: { tags: true } }),
  same("nested m2m connect of a missing row is P2025", "Post", "update", { where: { id: 1 }, data: { tags: { connect: { name: "nope" } } } }),
  same("nested m2m disconnect", "Post", "update", { where: { id: 1 }, data: { tags: { disconnect: { id: 1 } } }, include: { tags: true } }),
  same("nested m2m disconnect of a row not linked", "Post", "update", { where: { id: 3 }, data: { tags: { disconnect: [{ id: 2 }] } }, include: { tags: true } }),
  same("nested m2m set to empty", "Post", "update", { where: { id: 1 }, data: { tags: { set: [] } }, include: { tags: true } }),
  same("nested m2m update", "Post", "update", { where: { id: 1 }, data: { tags: { update: { where: { id: 2 }, data: { name: "maths" } } } }, include: { tags: true } }),
  same("nested m2m update of a row not linked is P2025", "Post", "update", { where: { id: 3 }, data: { tags: { update: { where: { id: 2 }, data: { name: "maths" } } } } }),
  same("nested m2m updateMany", "Tag", "update", { where: { id: 1 }, data: { posts: { updateMany: { where: { published: true }, data: { title: "T" } } } }, include: { posts: true } }),
  same("nested m2m upsert of a linked row", "Post", "update", { where: { id: 1 }, data: { tags: { upsert: { where: { id: 2 }, create: { name: "c" }, update: { name: "u" } } } }, include: { tags: true } }),
  same("nested m2m delete", "Post", "update", { where: { id: 1 }, data: { tags: { delete: { name: "math" } } }, include: { tags: true } }),
  same("nested m2m deleteMany", "Tag", "update", { where: { id: 1 }, data: { posts: { deleteMany: { published: true } } }, include: { posts: true } }),
  same("nested m2m create from the other side", "Tag", "create", { data: { name: "t", posts: { create: { title: "P" }, connect: { id: 2 } } }, include: { posts: true } }),

  // filters
  same("filter: AND as an array and an object, NOT as an array", "User", "updateMany", {
    where: { AND: [{ views: { gte: 0 } }, { email: { endsWith: "x.co" } }], NOT: [{ id: 1 }, { name: null }] }, data: { views: 100 } }),
  same("filter: OR of an empty array matches nothing", "User", "updateMany", { where: { OR: [] }, data: { views: 100 } }),
  same("filter: AND of an empty array matches everything", "User", "updateMany", { where: { AND: [] }, data: { views: 100 } }),
  same("filter: NOT of an empty array", "User", "updateMany", { where: { NOT: [] }, data: { views: 100 } }),
  same("filter: in and notIn with empty arrays", "User", "updateMany", { where: { id: { notIn: [] }, OR: [{ id: { in: [] } }, { views: 0 }] }, data: { views: 100 } }),
  same("filter: notIn skips NULLs", "User", "updateMany", { where: { name: { notIn: ["Ada"] } }, data: { views: 100 } }),
  same("filter: not a value skips NULLs", "User", "updateMany", { where: { name: { not: "Ada" } }, data: { views: 100 } }),
  same("filter: not null", "User", "updateMany", { where: { name: { not: null } }, data: { views: 100 } }),
  same("filter: not with a nested filter", "User", "updateMany", { where: { email: { not: { startsWith: "a" } } }, data: { views: 100 } }),
  same("filter: startsWith and endsWith insensitive", "User", "updateMany", {
    where: { OR: [{ name: { startsWith: "b", mode: "insensitive" } }, { email: { endsWith: "X.CO", mode: "insensitive" } }] }, data: { views: 100 } }),
  same("filter: equals insensitive", "User", "updateMany", { where: { name: { equals: "ADA", mode: "insensitive" } }, data: { views: 100 } }),
  same("filter: notIn insensitive", "User", "updateMany", { where: { name: { notIn: ["ADA"], mode: "insensitive" } }, data: { views: 100 } }),
  same("filter: lt and lte on a string and a float", "User", "updateMany", { where: { email: { lt: "bz" }, score: { lte: 1.5 } }, data: { views: 100 } }),
  same("filter: contains with % is literal", "User", "updateMany", { where: { email: { contains: "%" } }, data: { views: 100 } },
    { deliberate: { prisma: `{"count":3}`, forge: `{"count":0}` } }),
  same("filter: relation every of a user without posts", "User", "updateMany", { where: { posts: { every: { published: true } } }, data: { views: 100 } }),
  same("filter: relation none with a filter", "User", "updateMany", { where: { posts: { none: { published: false } } }, data: { views: 100 } }),
  same("filter: a to-one relation without is", "Post", "updateMany", { where: { author: { name: "Ada" } }, data: { title: "W" } }),
  same("filter: nested relation filters", "Tag", "updateMany", { where: { posts: { some: { author: { is: { profile: { isNot: null } } } } } }, data: { name: { set: "W" } } }),
  same("filter: m2m every and some", "Tag", "updateMany", { where: { posts: { every: { published: true }, some: {} } }, data: { name: "W" } }),
  same("filter: hasEvery, equals and isEmpty false", "Post", "updateMany", {
    where: { OR: [{ labels: { hasEvery: ["pg", "sql"] } }, { labels: { equals: ["pg"] } }], NOT: { labels: { isEmpty: true } } }, data: { title: "W" } }),
  same("filter: has on a NULL list", "Post", "updateMany", { where: { labels: { has: "pg" } }, data: { title: "W" } }),
  same("filter: hasEvery of an empty list", "Post", "updateMany", { where: { labels: { hasEvery: [] } }, data: { title: "W" } }),
  same("filter: Json string_starts_with, string_ends_with, array_starts_with", "Post", "updateMany", {
    where: { OR: [{ meta: { path: ["s"], string_starts_with: "Hello" } }, { meta: { path: ["s"], string_ends_with: "xx" } },
      { meta: { path: ["tags"], array_starts_with: "x" } }] }, data: { title: "W" } }),
  same("filter: Json path lt, gte, not", "Post", "updateMany", { where: { OR: [{ meta: { path: ["a"], gte: 2 } }, { meta: { path: ["a"], not: 2 } }] }, data: { title: "W" } }),
  same("filter: Json array_ends_with and array_contains a scalar", "Post", "updateMany", {
    where: { OR: [{ meta: { path: ["tags"], array_ends_with: "y" } }, { meta: { path: ["tags"], array_contains: "x" } }] }, data: { title: "W" } }),
  same("filter: Json equals an object", "Post", "updateMany", { where: { meta: { equals: { a: 2, s: "Hello world" } } }, data: { title: "W" } }),
  same("filter: Json not an object", "Post", "updateMany", { where: { meta: { not: { a: 2, s: "Hello world" } } }, data: { title: "W" } }),
  {
    name: "filter: Json DbNull and AnyNull",
    prisma: async (p) => [
      await p.post.updateMany({ where: { meta: { equals: Prisma.DbNull } }, data: { title: "D" } }),
      await p.post.updateMany({ where: { meta: { equals: Prisma.AnyNull } }, data: { published: true } })],
    forge: ["forge_update_many", "Post", {}],
    forgeAll: [
      ["forge_update_many", "Post", { where: { meta: { equals: { $type: "Enum", value: "DbNull" } } }, data: { title: "D" } }],
      ["forge_update_many", "Post", { where: { meta: { equals: { $type: "Enum", value: "AnyNull" } } }, data: { published: true } }]],
  },
  {
    name: "filter: Json not JsonNull",
    prisma: (p) => p.post.updateMany({ where: { meta: { not: Prisma.JsonNull } }, data: { title: "D" } }),
    forge: ["forge_update_many", "Post", { where: { meta: { not: { $type: "Enum", value: "JsonNull" } } }, data: { title: "D" } }],
  },
  same("filter: DateTime with an offset", "Post", "updateMany", { where: { at: { gte: "2024-05-01T11:00:00+02:00" } }, data: { title: "W" } }),
  same("filter: BigInt and Decimal comparisons", "Item", "updateMany", { where: { qty: { gt: 1 }, price: { lt: "10.00" } }, data: { sku: "W" } }),
  same("filter: a relation filter with an unknown field is a validation error", "User", "updateMany", { where: { posts: { some: { nope: 1 } } }, data: { views: 1 } }),

  // selection
  same("select: a to-one relation that is null", "Post", "update", { where: { id: 4 }, data: {}, select: { title: true, author: true } }),
  same("select: a relation with where, orderBy, skip, take", "User", "update", {
    where: { id: 1 }, data: {}, select: { posts: { where: { id: { gt: 0 } }, orderBy: { title: "asc" }, skip: 1, take: 1, select: { title: true } } } }, { ordered: true }),
  same("select: _count of several relations", "Post", "update", { where: { id: 1 }, data: {}, select: { _count: { select: { tags: true } } } }),
  same("include: _count with include", "Tag", "update", { where: { id: 1 }, data: {}, include: { _count: true, posts: { select: { id: true } } } }),
  same("include: a relation false", "User", "update", { where: { id: 1 }, data: {}, include: { posts: false, profile: true } }),
  same("omit: a field false", "User", "update", { where: { id: 1 }, data: {}, omit: { email: false, score: true } }),
  same("select and omit together is a validation error", "User", "update", { where: { id: 1 }, data: {}, select: { id: true }, omit: { email: true } }),
  // more of what a Prisma user writes
  // forge has no Prisma schema: a JSON value goes through the column type's
  // input function as text, so PostgreSQL's input syntax decides (README)
  same("create: a number for a String field", "User", "create", { data: { email: 5 } },
    { deliberate: { prisma: "error invalid descriptor", forge: `{"email":"5","id":4,"name":null,"score":0,"version":1,"views":0}` } }),
  same("create: a string for an Int field", "User", "create", { data: { email: "n@x.co", views: "3" } },
    { deliberate: { prisma: "error invalid descriptor", forge: `{"email":"n@x.co","id":4,"name":null,"score":0,"version":1,"views":3}` } }),
  same("create: a string for a Boolean field", "Post", "create", { data: { title: "T", published: "true" } },
    { deliberate: { prisma: "error invalid descriptor", forge: `{"at":null,"authorId":null,"id":5,"labels":[],"meta":null,"published":true,"title":"T"}` } }),
  same("create: PostgreSQL's DateTime words", "Post", "create", { data: { title: "T", at: "epoch" }, select: { at: true } },
    { deliberate: { prisma: "error invalid descriptor", forge: `{"at":"1970-01-01T00:00:00.000Z"}` } }),
  same("create: a bad DateTime string", "Post", "create", { data: { title: "T", at: "not a date" } },
    { deliberate: { prisma: "error invalid descriptor", forge: `error SQLSTATE 22007: invalid input syntax for type timestamp with time zone: "not a date"` } }),
  // NOT NULL is PostgreSQL's to check (after BEFORE triggers); Prisma's client checks first
  same("create: null for a required field", "User", "create", { data: { email: null } },
    { deliberate: { prisma: "error invalid descriptor", forge: "error P2011" } }),
  same("create: a required relation left out", "Comment", "create", { data: { body: "x" } },
    { deliberate: { prisma: "error invalid descriptor", forge: "error P2011" } }),
  same("update: null for a required field", "User", "update", { where: { id: 1 }, data: { email: null } },
    { deliberate: { prisma: "error invalid descriptor", forge: "error P2011" } }),
  // Prisma truncates a fraction given to an Int (1.5 is 1); forge refuses it
  same("create: a float for an Int field", "User", "create", { data: { email: "n@x.co", views: 1.5 } },
    { deliberate: { prisma: `{"email":"n@x.co","id":4,"name":null,"score":0,"version":1,"views":1}`, forge: `error SQLSTATE 22P02: invalid input syntax for type integer: "1.5"` } }),
  same("create: a relation in createMany is a validation error", "User", "createMany", { data: [{ email: "n@x.co", posts: { create: { title: "x" } } }] }),
  same("update: the primary key changed", "Tag", "update", { where: { id: 2 }, data: { id: 7 }, include: { posts: true } }),
  same("update: where with AND besides the key", "User", "update", { where: { id: 1, AND: [{ views: { gt: 1 } }, { name: { startsWith: "A" } }] }, data: { views: 0 } }),
  same("update: push an empty list", "Post", "update", { where: { id: 1 }, data: { labels: { push: [] } } }),
  same("update: decrement a Decimal by a string", "Item", "update", { where: { id: 1 }, data: { price: { decrement: "0.99" } } }),
  same("update: increment an Int by a float", "User", "update", { where: { id: 1 }, data: { views: { increment: 1.5 } } },
    { deliberate: { prisma: `{"email":"ada@x.co","id":1,"name":"Ada","score":1.5,"version":1,"views":6}`, forge: `error SQLSTATE 22P02: invalid input syntax for type integer: "1.5"` } }),
  same("update: two ops on one field is a validation error", "User", "update", { where: { id: 1 }, data: { views: { increment: 1, decrement: 1 } } }),
  same("upsert: by a compound key with an extra filter, new row", "Item", "upsert", {
    where: { shop_sku: { shop: 3, sku: "n" }, qty: 0 }, create: { shop: 3, sku: "n", price: 2 }, update: { qty: 1 } }),
  same("connect with extra filters in the unique where", "Post", "update", { where: { id: 4 }, data: { author: { connect: { id: 2, name: "Bob" } } }, include: { author: true } }),
  same("connect with a failing extra filter is P2025", "Post", "update", { where: { id: 4 }, data: { author: { connect: { id: 2, name: "Nope" } } } }),
  same("filter: equals null and not in", "User", "updateMany", { where: { OR: [{ name: { equals: null } }, { id: { not: { in: [1, 2, 3] } } }] }, data: { views: 100 } }),
  same("filter: BigInt in", "Item", "updateMany", { where: { id: { in: [1, 3] } }, data: { qty: 1 } }),
  same("filter: DateTime in with offsets", "Post", "updateMany", { where: { at: { in: ["2024-05-01T12:00:00+02:00"] } }, data: { title: "W" } }),
  same("filter: Json string_contains insensitive", "Post", "updateMany", { where: { meta: { path: ["s"], string_contains: "WORLD", mode: "insensitive" } }, data: { title: "W" } }),
  same("filter: Json array_contains an object", "Post", "updateMany", { where: { meta: { path: ["tags"], array_contains: ["x", "y"] } }, data: { title: "W" } }),
  same("include: orderBy a nullable column", "Tag", "update", { where: { id: 1 }, data: {}, include: { posts: { orderBy: { at: "desc" }, select: { id: true } } } }, { ordered: true }),
  same("include: a negative take", "User", "update", { where: { id: 1 }, data: {}, include: { posts: { orderBy: { id: "asc" }, take: -1 } } }, { ordered: true }),
  same("include: a negative take with skip", "Tag", "update", { where: { id: 1 }, data: {}, include: { posts: { orderBy: { title: "asc" }, take: -2, skip: 1, select: { title: true } } } }, { ordered: true }),
  same("include: a negative take, without orderBy", "User", "update", { where: { id: 1 }, data: {}, include: { posts: { take: -5, select: { id: true } } } }, { ordered: true }),
  same("update: a changed key, include to-many, one-to-one and _count", "User", "update", { where: { id: 1 }, data: { id: 10 }, include: { posts: true, profile: true, _count: true } }),
  same("upsert: update changes the key, include m2m", "Tag", "upsert", { where: { id: 1 }, create: { name: "x" }, update: { id: 8 }, include: { posts: { select: { id: true } } } }),
  same("include: orderBy nulls first", "Tag", "update", { where: { id: 1 }, data: {}, include: { posts: { orderBy: { authorId: { sort: "asc", nulls: "first" } }, select: { id: true } } } }, { ordered: true }),
  same("select: include inside a relation select", "User", "update", { where: { id: 1 }, data: {}, select: { posts: { include: { tags: true } } } }),
  same("delete: select _count", "User", "delete", { where: { id: 3 }, select: { email: true, _count: { select: { posts: true } } } }),
  same("deleteMany: in of ids, some missing", "Tag", "deleteMany", { where: { id: { in: [2, 9] } } }),
  same("update: a Json field takes an op-shaped object as data", "Post", "update", { where: { id: 1 }, data: { meta: { increment: 1 } }, select: { meta: true } }),
  same("update: a Json array and a nested null", "Post", "update", { where: { id: 2 }, data: { meta: [1, null, { a: [] }] }, select: { meta: true } }),
  same("upsert: increment in update of a new row creates", "User", "upsert", { where: { email: "n@x.co" }, create: { email: "n@x.co", views: 1 }, update: { views: { increment: 1 } } }),
  same("createMany: skipDuplicates with only duplicates", "Tag", "createMany", { data: [{ name: "pg" }, { name: "math" }], skipDuplicates: true }),
  same("createManyAndReturn: omit", "Tag", "createManyAndReturn", { data: [{ name: "a" }, { name: "b" }], omit: { id: true } }, { ordered: true }),
  same("updateManyAndReturn: include a to-one", "Post", "updateManyAndReturn", { where: { published: true }, data: { title: "P" }, include: { author: { select: { name: true } } } }),
  same("updateMany: push onto lists", "Post", "updateMany", { where: { id: { lte: 2 } }, data: { labels: { push: "x" } } }),
  same("create: three levels of nested writes", "User", "create", {
    data: { email: "n@x.co", posts: { create: { title: "P", comments: { create: [{ body: "a" }, { body: "b" }] },
      tags: { connectOrCreate: { where: { name: "pg" }, create: { name: "pg" } } } } } },
    include: { posts: { include: { comments: true, tags: true, _count: true } } } }),
  same("update: nested create under a nested update", "User", "update", {
    where: { id: 1 }, data: { posts: { update: { where: { id: 1 }, data: { comments: { create: { body: "new" } }, tags: { disconnect: { id: 1 } } } } } },
    include: { posts: { include: { comments: true, tags: true } } } }),
  same("delete: include _count and comments", "Post", "delete", { where: { id: 1 }, include: { comments: true, _count: true } }),
  same("filter: a to-one chain", "Comment", "updateMany", { where: { post: { is: { author: { is: { email: { startsWith: "ada" } } } } } }, data: { body: "W" } }),
  same("filter: m2m none with a filter", "Post", "updateMany", { where: { tags: { none: { name: "math" } } }, data: { title: "W" } }),
  same("filter: not insensitive", "User", "updateMany", { where: { name: { not: "ada", mode: "insensitive" } }, data: { views: 100 } }),
  same("filter: gte insensitive", "User", "updateMany", { where: { name: { gte: "b", mode: "insensitive" } }, data: { views: 100 } }),
  same("filter: lt and lte insensitive, in NOT", "User", "updateMany", { where: { NOT: { name: { lt: "B", mode: "insensitive" } }, email: { lte: "BOB@X.CO", mode: "insensitive" } }, data: { views: 100 } }),
  same("filter: Decimal in, as strings", "Item", "updateMany", { where: { price: { in: ["9.99", "1.5"] } }, data: { qty: 3 } }),
  same("update: BigInt increment and Decimal set", "Item", "update", { where: { id: 2 }, data: { qty: { increment: 10 }, price: "3.456" } }),
  {
    name: "update: a DateTime from a Date, and filter by a Date",
    prisma: async (p) => [
      await p.post.update({ where: { id: 1 }, data: { at: new Date("2024-03-10T01:30:00Z") }, select: { at: true } }),
      await p.post.updateMany({ where: { at: { lt: new Date("2024-03-10T02:00:00+00:00") } }, data: { title: "early" } })],
    forge: ["forge_update", "Post", {}],
    forgeAll: [
      ["forge_update", "Post", { where: { id: 1 }, data: { at: "2024-03-10T01:30:00Z" }, select: { at: true } }],
      ["forge_update_many", "Post", { where: { at: { lt: "2024-03-10T02:00:00+00:00" } }, data: { title: "early" } }]],
  },
  same("select: a nested _count in a relation select", "Post", "update", { where: { id: 1 }, data: {}, select: { author: { select: { _count: true, email: true } } } }),
  same("select: _count of a relation with a relation filter", "User", "update", { where: { id: 1 }, data: {}, select: { _count: { select: { posts: { where: { tags: { some: { name: "math" } } } } } } } }),
  same("include: a to-many where with a relation filter", "User", "update", { where: { id: 1 }, data: {}, include: { posts: { where: { comments: { some: {} } }, select: { id: true } } } }),
);

// ---------------------------------------------------------------------------

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/;

function normalise(v: unknown, rename: Record<string, string>, ordered: boolean): unknown {
  if (v instanceof Date) return v.toISOString();
  // Decimal and BigInt: forge's jsonb numbers (the test's values fit a double)
  if (typeof v === "bigint") return Number(v);
  if (Prisma.Decimal.isDecimal(v)) return Number((v as Prisma.Decimal).toString());
  if (typeof v === "string" && ISO.test(v)) {
    const hasZone = /(Z|[+-]\d\d:\d\d)$/.test(v);
    return new Date(hasZone ? v : v + "Z").toISOString();
  }
  if (Array.isArray(v)) {
    const a = v.map((x) => normalise(x, rename, ordered));
    if (!ordered && a.every((x) => x && typeof x === "object" && "id" in (x as object)))
      a.sort((x: any, y: any) => x.id - y.id);
    return a;
  }
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort())
      out[rename[k] ?? k] = normalise((v as any)[k], rename, ordered);
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  return v;
}

// forge's SQLSTATEs as the Prisma codes README's Errors table maps them to
const SQLSTATE_TO_PRISMA: Record<string, string> = {
  P2025: "P2025", P2014: "P2014", P2017: "P2017", P2018: "P2018", "23505": "P2002", "23503": "P2003", "23502": "P2011", "22001": "P2000",
  "22023": "invalid descriptor", "42703": "invalid descriptor", "42P10": "invalid descriptor",
};

function prismaError(e: any): string {
  if (e?.code && /^P\d{4}$/.test(e.code)) return e.code;
  if (e?.name === "PrismaClientValidationError") return "invalid descriptor";
  return `unexpected ${e?.name}: ${String(e?.message).split("\n").slice(-3).join(" ")}`;
}

async function tables(c: Client): Promise<string> {
  const out: string[] = [];
  for (const [t, key] of TABLES) {
    const r = await c.query(
      `SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY ${key}), '[]')::text AS rows FROM ${t} x`);
    out.push(`${t} ${r.rows[0].rows}`);
  }
  return out.join("\n");
}

async function main() {
  const only = process.argv[2];
  const pc = new Client({ connectionString: url("prisma_side") });
  const fc = new Client({ connectionString: url("forge_side") });
  await pc.connect();
  await fc.connect();
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url("prisma_side") }) });
  let passed = 0, failed = 0;

  for (const s of scenarios) {
    if (only && !s.name.includes(only)) continue;
    await pc.query(SEED);
    await fc.query(SEED);
    let pres: string, fres: string;
    try {
      pres = JSON.stringify(normalise(await s.prisma(prisma), {}, !!s.ordered));
    } catch (e) {
      pres = `error ${prismaError(e)}`;
    }
    try {
      const out: unknown[] = [];
      for (const [fn, model, args] of s.forgeAll ?? [s.forge]) {
        const r = await fc.query(`SELECT ${fn}($1::regclass, $2::jsonb) AS r`,
          [`"${model}"`, typeof args === "string" ? args : JSON.stringify(args)]);
        out.push(r.rows[0].r);
      }
      fres = JSON.stringify(normalise(s.forgeAll ? out : out[0], s.rename ?? {}, !!s.ordered));
    } catch (e: any) {
      fres = `error ${SQLSTATE_TO_PRISMA[e.code] ?? `SQLSTATE ${e.code}: ${e.message}`}`;
    }
    const pt = await tables(pc), ft = await tables(fc);
    if (s.deliberate) {
      const d = s.deliberate;
      if (pres === d.prisma && fres === d.forge) {
        console.log(`ok ${s.name} (deliberate difference)`);
        passed++;
      } else {
        console.log(`FAILED ${s.name} (deliberate difference)`);
        console.log(`  prisma returned: ${pres} (expected ${d.prisma})\n  forge returned:  ${fres} (expected ${d.forge})`);
        failed++;
      }
    } else if (pres === fres && pt === ft) {
      console.log(`ok ${s.name}`);
      if (process.env.FORGE_DIFF_SHOW) console.log(`  both returned: ${pres}`);
      passed++;
    } else {
      console.log(`FAILED ${s.name}`);
      if (pres !== fres) console.log(`  prisma returned: ${pres}\n  forge returned:  ${fres}`);
      if (pt !== ft) console.log(`  tables after, prisma:\n${pt}\n  tables after, forge:\n${ft}`);
      failed++;
    }
  }
  await prisma.$disconnect();
  await pc.end();
  await fc.end();
  console.log(`prisma-diff: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(2); });
