// test/prisma/prisma-run.ts: run test/prisma/writes.json through the real
// Prisma client, one JSON result per line (what writes.prisma7.out holds).
// With Prisma 7 and @prisma/adapter-pg installed, a client generated from
// test/prisma/schema.prisma into ./generated, and test/prisma/tables.sql
// applied to an empty database:
//   DATABASE_URL=postgresql://... npx tsx prisma-run.ts writes.json > writes.prisma7.out
// then each table, as test/suites/prisma_relations.sh lists them, gives
// tables.prisma7.out.
import { PrismaClient } from "./generated/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { readFileSync } from "fs";
const prisma: any = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }) });
async function main() {
  const ops = JSON.parse(readFileSync(process.argv[2], "utf8"));
  for (const [delegate, verb, , args] of ops) {
    try {
      console.log(JSON.stringify(await prisma[delegate][verb](args)));
    } catch (e: any) {
      console.log(JSON.stringify({ error: e.code ?? e.message }));
    }
  }
}
main().finally(() => prisma.$disconnect());
