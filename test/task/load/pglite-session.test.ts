import assert from "node:assert/strict";
import type { PGlite } from "@electric-sql/pglite";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { MAX_SHARED_BUFFERS_MIB, MIN_SHARED_BUFFERS_MIB, pgliteSession, pgliteSettings, sharedBuffersMiB } from "../../../task/src/load/pglite-session.ts";
import { runCli } from "../../support/cli.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { stageTableDdl } from "../../../task/src/load/table-ddl.ts";
import { warehouseTables } from "../../../task/src/load/table-names.ts";
import { sharedPglite } from "./support/shared-pglite.ts";

const tables = warehouseTables("public.session_check");

async function* csv(text: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(text);
}

describe("pgliteSession", () => {
  let db: PGlite;
  before(async () => {
    db = await sharedPglite();
  });

  it("answers statements as column names, row arrays and a row count", async () => {
    const session = pgliteSession(db, false);
    assert.deepEqual(await session.query("SELECT 1 AS a, 'x' AS b"), { columns: ["a", "b"], rows: [[1, "x"]], rowCount: 1 });
  });

  it("stages a part with COPY from a blob, counting its rows, and commits the transaction", async () => {
    const session = pgliteSession(db, false);
    const staged = await session.transaction(async (tx) => {
      await tx.query(stageTableDdl("postgres", tables));
      const n = await tx.stageCsv(tables, csv('key,data\na,1\n"b,c",2\n'), "file:///p");
      const { rows } = await tx.query('SELECT "key", "data" FROM "cti_etl_stage" ORDER BY 1');
      return { n, rows };
    });
    assert.deepEqual(staged, { n: 2, rows: [["a", "1"], ["b,c", "2"]] });
  });

  it("rolls the transaction back when the work throws", async () => {
    const session = pgliteSession(db, false);
    await session.query("CREATE TABLE IF NOT EXISTS session_rollback (n int)");
    await assert.rejects(
      session.transaction(async (tx) => {
        await tx.query("INSERT INTO session_rollback VALUES (1)");
        throw new Error("stop");
      }),
      /stop/,
    );
    assert.deepEqual((await session.query("SELECT count(*)::int FROM session_rollback")).rows, [[0]]);
  });

  it("runs a read-only query and leaves nothing behind", async () => {
    const session = pgliteSession(db, false);
    await assert.rejects(session.readOnlyQuery("CREATE TABLE session_ro (n int)"), /read-only transaction/);
    assert.deepEqual((await session.readOnlyQuery("SELECT to_regclass('session_ro') IS NULL AS gone")).rows, [[true]]);
  });

  it("closes the database only when it owns it", async () => {
    await pgliteSession(db, false).close();
    assert.equal(db.closed, false);
  });

  it("runs afterClose once the database is closed, and even when closing fails", async () => {
    const order: string[] = [];
    const db = { close: async () => void order.push("db closed") } as unknown as PGlite;
    await pgliteSession(db, true, async () => void order.push("after")).close();
    assert.deepEqual(order, ["db closed", "after"]);
    const failing = { close: async () => Promise.reject(new Error("close failed")) } as unknown as PGlite;
    let released = false;
    await assert.rejects(pgliteSession(failing, true, async () => void (released = true)).close(), /close failed/);
    assert.equal(released, true);
  });
});

describe("sharedBuffersMiB and pgliteSettings", () => {
  const MiB = 2 ** 20;
  it("gives a new or small warehouse the least, half of a larger one's relations rounded up to a power of two, and never more than the most", () => {
    assert.equal(sharedBuffersMiB(0), MIN_SHARED_BUFFERS_MIB);
    assert.equal(sharedBuffersMiB(22 * MiB), 64, "a new folder from the template: 22 MB");
    assert.equal(sharedBuffersMiB(128 * MiB), 64);
    assert.equal(sharedBuffersMiB(128 * MiB + 1), 128);
    assert.equal(sharedBuffersMiB(146 * MiB), 128, "1M rows loaded");
    assert.equal(sharedBuffersMiB(730 * MiB), 512, "5M rows: 128 MB took 17-20 s to load 1M rows, 512 MB 10 s");
    assert.equal(sharedBuffersMiB(1488 * MiB), MAX_SHARED_BUFFERS_MIB, "10M rows");
    assert.equal(sharedBuffersMiB(50 * 1024 * MiB), MAX_SHARED_BUFFERS_MIB);
  });

  it("starts PGlite with those buffers and the stage's and the sort's memory", () => {
    assert.deepEqual(pgliteSettings(0), { shared_buffers: "64MB", temp_buffers: "256MB", work_mem: "128MB" });
    assert.equal(pgliteSettings(300 * MiB).shared_buffers, "256MB");
  });

  it("is what the command opens a folder with: sized by what its base/ holds on disk", async function () {
    this.timeout(60_000);
    const dir = await tempDir("cti-buffers-");
    try {
      const warehouse = join(dir.path, "w");
      const setting = async () => {
        const result = await runCli(["sql", "--warehouse", warehouse, "--json", "SELECT current_setting('shared_buffers') AS sb"]);
        assert.equal(result.code, 0, result.stderr);
        return JSON.parse(result.stdout.trim()).sb as string;
      };
      assert.equal(await setting(), "64MB", "a new folder");
      // 700 MB more under base/ (a sparse file beside the databases' folders, which Postgres never reads).
      const file = await open(join(warehouse, "base", "padding"), "w");
      await file.truncate(700 * MiB);
      await file.close();
      assert.equal(await setting(), "512MB");
    } finally {
      await dir.cleanup();
    }
  });
});
