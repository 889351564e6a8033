import assert from "node:assert/strict";
import type { PGlite } from "@electric-sql/pglite";
import { pgliteSession } from "../../../task/src/load/pglite-session.ts";
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
