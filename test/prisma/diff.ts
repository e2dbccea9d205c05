// test/prisma/diff.ts: the same writes through the real Prisma 7 client and
// through forge, on two databases with identical tables and rows; compares
// the returned value (or the error) and every table afterwards.
//
// Each scenario names the Prisma call and the forge call that a Prisma user
// would write for it.  Before each, both databases are emptied and given
// the same rows (SEED).  Results are compared after normalising what differs
// only in spelling: Prisma's Date objects and forge's ISO strings become
// the same instant, object keys are sorted, and a scenario may rename
// forge's relation keys to Prisma's field names (until a table declares
// them, forge names relations after tables).  Errors compare as Prisma's
// codes: forge's SQLSTATEs map to them as README's Errors table says.
//
// Run by test/prisma/run.sh, which creates the databases; PGHOST and PGPORT
// name the cluster.  Prints one line a scenario and ends with
// "prisma-diff: N passed, N failed"; exits 1 on any failure.
import { PrismaClient } from "./generated/client";
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
INSERT INTO "Post" (title, published, "authorId") VALUES
  ('Notes', true, 1), ('Draft', false, 1), ('Hello', true, 2), ('Orphan', false, NULL);
INSERT INTO "Tag" (name) VALUES ('pg'), ('math');
INSERT INTO "_PostToTag" ("A", "B") VALUES (1, 1), (1, 2), (3, 1);
`;

type Scenario = {
  name: string;
  prisma: (p: PrismaClient) => Promise<unknown>;
  forge: [fn: string, model: string, args: unknown];
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
        Post: { create: [{ title: "A" }, { title: "B", Tag: { connect: [{ name: "pg" }] } }] },
      },
      include: { Post: { include: { Tag: true } } },
    }],
    rename: { Post: "posts", Tag: "tags" },
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
    forge: ["forge_update_many", "User", { where: { Post: { some: { published: false } } }, data: { views: 0 } }],
  },
  {
    name: "deleteMany by a to-one relation filter (is)",
    prisma: (p) => p.post.deleteMany({ where: { author: { is: { name: "Bob" } } } }),
    forge: ["forge_delete_many", "Post", { where: { author: { is: { name: "Bob" } } } }],
  },
  {
    name: "deleteMany by a many-to-many filter (none)",
    prisma: (p) => p.post.deleteMany({ where: { tags: { none: {} } } }),
    forge: ["forge_delete_many", "Post", { where: { Tag: { none: {} } } }],
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
      data: { Post: { updateMany: { where: { published: false }, data: { published: true } } } },
      include: { Post: true },
    }],
    rename: { Post: "posts" },
  },
  {
    name: "nested set of a many-to-many",
    prisma: (p) =>
      p.post.update({ where: { id: 1 }, data: { tags: { set: [{ name: "math" }] } }, include: { tags: true } }),
    forge: ["forge_update", "Post", {
      where: { id: 1 }, data: { Tag: { set: [{ name: "math" }] } }, include: { Tag: true },
    }],
    rename: { Tag: "tags" },
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
      data: { Tag: { connectOrCreate: [
        { where: { name: "pg" }, create: { name: "pg" } },
        { where: { name: "c" }, create: { name: "c" } }] } },
      include: { Tag: true },
    }],
    rename: { Tag: "tags" },
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
      where: { id: 2 }, data: { Post: { update: { where: { id: 1 }, data: { title: "x" } } } },
    }],
  },
  {
    name: "nested one-to-one create",
    prisma: (p) => p.user.update({ where: { id: 2 }, data: { profile: { create: { bio: "b" } } }, include: { profile: true } }),
    forge: ["forge_update", "User", {
      where: { id: 2 }, data: { Profile: { create: { bio: "b" } } }, include: { Profile: true },
    }],
    rename: { Profile: "profile" },
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
      const [fn, model, args] = s.forge;
      const r = await fc.query(`SELECT ${fn}($1::regclass, $2::jsonb) AS r`,
        [`"${model}"`, JSON.stringify(args)]);
      fres = JSON.stringify(normalise(r.rows[0].r, s.rename ?? {}, !!s.ordered));
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
