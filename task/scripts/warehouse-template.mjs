// Writes a freshly initialised PGlite data folder, as a gzip tarball (PGlite's dumpDataDir), to
// the path given: dist/task/pglite-template.tar.gz, shipped beside the bundle (task/build.sh).
// A run that opens a new embedded warehouse folder starts from it (load/pglite-session.ts)
// instead of running initdb, which is most of a first run's wait (3–5 s against under 1 s).
// Made by the PGlite the bundle ships, at build time, so the two always match.
// Plain JavaScript: build.sh runs it with no TypeScript loader.
import { writeFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";

const out = process.argv[2];
if (!out) throw new Error("usage: node task/scripts/warehouse-template.mjs <file.tar.gz>");
const db = await PGlite.create();
const dump = await db.dumpDataDir("gzip");
writeFileSync(out, Buffer.from(await dump.arrayBuffer()));
await db.close();
