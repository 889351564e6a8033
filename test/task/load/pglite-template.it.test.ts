import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { openPglite } from "../../../task/src/load/pglite-session.ts";
import { runCli } from "../../support/cli.ts";
import { tempDir } from "../../support/temp-dir.ts";

/** The template the build ships beside the bundle (task/build.sh; the suite builds dist/task/ first). */
const SHIPPED = pathToFileURL(join(process.cwd(), "dist/task/pglite-template.tar.gz"));
const NONE = pathToFileURL(join(process.cwd(), "dist/task/no-such-template.tar.gz"));

/** What initdb decides and a load depends on: version, encoding, locale, databases, roles. */
const CLUSTER_SQL = [
  "SELECT current_setting('server_version') AS version, current_setting('server_encoding') AS encoding,",
  "  (SELECT string_agg(datname || ':' || datcollate || ':' || datctype, ',' ORDER BY datname) FROM pg_database) AS databases,",
  "  (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles) AS roles",
].join("\n");

async function systemId(db: PGlite): Promise<string> {
  return (await db.query<{ id: string }>("SELECT system_identifier::text AS id FROM pg_control_system()")).rows[0]!.id;
}

/** Runs `work` with a temporary folder, removed afterwards whatever happened. */
async function inTempDir(work: (path: string) => Promise<void>): Promise<void> {
  const dir = await tempDir("cti-template-");
  try {
    await work(dir.path);
  } finally {
    await dir.cleanup();
  }
}

async function opened<T>(dir: string, template: URL, work: (db: PGlite) => Promise<T>): Promise<T> {
  const db = await openPglite(dir, template);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

describe("a new embedded warehouse folder starts from the build's template", function () {
  this.timeout(120_000);

  it("is shipped by the build", () => {
    assert.ok(existsSync(SHIPPED), `${SHIPPED.pathname} is missing: task/build.sh makes it`);
  });

  it("gives a new folder the template's cluster, the same as initdb's in all a load depends on", () =>
    inTempDir(async (path) => {
      const fromTemplate = await opened(join(path, "a"), SHIPPED, async (db) => ({ id: await systemId(db), cluster: (await db.query(CLUSTER_SQL)).rows[0] }));
      const again = await opened(join(path, "b"), SHIPPED, systemId);
      const byInitdb = await opened(join(path, "c"), NONE, async (db) => ({ id: await systemId(db), cluster: (await db.query(CLUSTER_SQL)).rows[0] }));
      assert.equal(again, fromTemplate.id, "two folders made from the template share its system identifier");
      assert.notEqual(byInitdb.id, fromTemplate.id, "without a template, initdb makes a cluster of its own");
      assert.deepEqual(fromTemplate.cluster, byInitdb.cluster);
    }));

  it("gives the template only to a missing or empty folder, never to one holding a database or anything else", () =>
    inTempDir(async (path) => {
      const folder = join(path, "w");
      const id = await opened(folder, NONE, async (db) => {
        await db.exec("CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)");
        return systemId(db);
      });
      const after = await opened(folder, SHIPPED, async (db) => ({ id: await systemId(db), rows: (await db.query("SELECT n FROM kept")).rows }));
      assert.deepEqual(after, { id, rows: [{ n: 7 }] });
      const empty = join(path, "empty");
      await mkdir(empty);
      const template = await opened(join(path, "t"), SHIPPED, systemId);
      assert.equal(await opened(empty, SHIPPED, systemId), template);
      const notEmpty = join(path, "not-empty");
      await mkdir(notEmpty);
      await writeFile(join(notEmpty, "note.txt"), "mine");
      // A folder holding anything is never given the template (PGlite runs initdb in it, as before).
      assert.notEqual(await opened(notEmpty, SHIPPED, systemId), template);
      assert.equal(await readFile(join(notEmpty, "note.txt"), "utf8"), "mine");
    }));

  it("is what the command's first run uses: `cti-etl sql` on a new folder reports the template's cluster", () =>
    inTempDir(async (path) => {
      const template = await opened(join(path, "t"), SHIPPED, systemId);
      const result = await runCli(["sql", "--warehouse", join(path, "new"), "--json", "SELECT system_identifier::text AS id FROM pg_control_system()"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout.trim()).id, template);
    }));
});
