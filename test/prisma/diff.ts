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
// name the cluster.  Prints one line a scenario and ends with
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
];

const SEED = `
TRUNCATE "User", "Profile", "Post", "Tag", "_PostToTag" RESTART IDENTITY CASCADE;
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
`;

type Scenario = {
  name: string;
  prisma: (p: PrismaClient) => Promise<unknown>;
  forge: [fn: string, model: string, args: unknown];
  forgeAll?: [fn: string, model: string, args: unknown][]; // several calls, results in an array
  rename?: Record<string, string>; // forge key -> Prisma key, at any depth
  ordered?: boolean; // arrays keep their order (else rows sort by id)
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

// ---------------------------------------------------------------------------

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/;

function normalise(v: unknown, rename: Record<string, string>, ordered: boolean): unknown {
  if (v instanceof Date) return v.toISOString();
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
  P2025: "P2025", "23505": "P2002", "23503": "P2003", "23502": "P2011", "22001": "P2000",
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
      `SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY ${key}), '[]') AS rows FROM ${t} x`);
    out.push(`${t} ${JSON.stringify(r.rows[0].rows)}`);
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
          [`"${model}"`, JSON.stringify(args)]);
        out.push(r.rows[0].r);
      }
      fres = JSON.stringify(normalise(s.forgeAll ? out : out[0], s.rename ?? {}, !!s.ordered));
    } catch (e: any) {
      fres = `error ${SQLSTATE_TO_PRISMA[e.code] ?? `SQLSTATE ${e.code}: ${e.message}`}`;
    }
    const pt = await tables(pc), ft = await tables(fc);
    if (pres === fres && pt === ft) {
      console.log(`ok ${s.name}`);
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
