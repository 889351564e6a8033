import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { fileUrlPartReader, type PartReader } from "../../../task/src/load/part-reader.ts";
import { pgSession } from "../../../task/src/load/pg-session.ts";
import { PostgresWarehouse } from "../../../task/src/load/postgres-warehouse.ts";
import type { LoadRequest } from "../../../task/src/load/warehouse.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { inputNamed, loadRequest, partBytes, rowSet, rowsRange, type Row } from "./support/load-fixtures.ts";
import { startPostgres, type PostgresServer } from "./support/postgres-server.ts";
import { oldTargetDdl } from "./support/old-target.ts";
import { assertCollidedTable, assertRealHashes, COLLIDING_FIRST, COLLIDING_SECOND, COLLIDING_SECOND_RESULT, tinyRowHash } from "./support/row-hash-cases.ts";

describe("pgSession and PostgresWarehouse on a real PostgreSQL server", function () {
  let server: PostgresServer | undefined;
  let pool: pg.Pool;
  let dir: { path: string; cleanup(): Promise<void> };
  let runSeq = 0;

  before(async function () {
    this.timeout(30_000);
    server = await startPostgres();
    if (!server) this.skip();
    pool = new pg.Pool({ connectionString: server.url, max: 4 });
    pool.on("error", () => {}); // idle clients dropped when the server stops
    dir = await tempDir("cti-wh-pgsrv-");
  });

  after(async () => {
    await pool?.end();
    await server?.stop();
    await dir?.cleanup();
  });

  async function writeRun(table: string, inputs: string[], rows: Row[]): Promise<LoadRequest> {
    const runId = `srv-${++runSeq}`;
    const path = join(dir.path, `${runId}.csv.gz`);
    const body = partBytes(rows);
    await writeFile(path, body);
    return loadRequest({ runId, table, inputs: inputs.map(inputNamed), manifestUrl: pathToFileURL(`${path}.json`).href, parts: [{ url: pathToFileURL(path).href, rows, bytes: body.length }] });
  }

  /** Reads parts slowly, so concurrent loads overlap while one holds the ledger lock. */
  const slowReader: PartReader = (url) =>
    (async function* () {
      await new Promise((resolve) => setTimeout(resolve, 150));
      yield* fileUrlPartReader(url);
    })();

  async function targetRows(table: string): Promise<string[]> {
    return rowSet((await pool.query({ text: `SELECT key, data FROM ${table}`, rowMode: "array" })).rows);
  }

  it("loads, and answers a rerun as already-loaded", async () => {
    const wh = new PostgresWarehouse(pgSession(pool, false));
    const first = await writeRun("public.srv_basic", ["a"], [...rowsRange(0, 12_000), ["x,y", 'q"uote']]);
    assert.equal((await wh.load(first)).loaded, 12_001);
    assert.equal((await wh.load({ ...first, runId: "srv-rerun" })).outcome, "already-loaded");
    assert.equal((await targetRows("public.srv_basic")).length, 12_001);
  });

  it("serialises concurrent loads of the same input on separate connections: one loads, the other names it", async () => {
    const table = "public.srv_race";
    const a = await writeRun(table, ["race"], rowsRange(0, 50));
    const b = await writeRun(table, ["race"], rowsRange(0, 50));
    const warehouses = [new PostgresWarehouse(pgSession(pool, false), slowReader), new PostgresWarehouse(pgSession(pool, false), slowReader)];
    const results = await Promise.all([warehouses[0]!.load(a), warehouses[1]!.load(b)]);
    const loaded = results.filter((r) => r.outcome === "loaded");
    const already = results.filter((r) => r.outcome === "already-loaded");
    assert.equal(loaded.length, 1, JSON.stringify(results));
    assert.equal(already[0]!.loadedBy, loaded[0]!.loadedBy);
    assert.equal((await targetRows(table)).length, 50);
    assert.equal((await pool.query(`SELECT count(*)::int AS n FROM ${table}_ledger`)).rows[0].n, 1);
  });

  it("never duplicates a row when concurrent loads of different inputs overlap", async () => {
    const table = "public.srv_overlap";
    const wh = () => new PostgresWarehouse(pgSession(pool, false), slowReader);
    const a = await writeRun(table, ["left"], rowsRange(0, 30));
    const b = await writeRun(table, ["right"], rowsRange(20, 30));
    const results = await Promise.all([wh().load(a), wh().load(b)]);
    assert.equal(results[0]!.loaded + results[1]!.loaded, 50);
    assert.equal(results[0]!.alreadyPresent + results[1]!.alreadyPresent, 10);
    assert.deepEqual(await targetRows(table), rowSet(rowsRange(0, 50)));
  });

  async function hashedRows(table: string) {
    return (await pool.query<{ key: string; data: string; row_hash: string }>(`SELECT key, data, row_hash FROM ${table}`)).rows;
  }

  it("loads rows whose row hashes collide, and skips only exact duplicates (a one-digit hash)", async () => {
    const table = "public.srv_collide";
    const wh = new PostgresWarehouse(pgSession(pool, false), fileUrlPartReader, { rowHash: tinyRowHash });
    assert.equal((await wh.load(await writeRun(table, ["c1"], COLLIDING_FIRST))).loaded, 40);
    const second = await wh.load(await writeRun(table, ["c2"], COLLIDING_SECOND));
    assert.deepEqual({ loaded: second.loaded, alreadyPresent: second.alreadyPresent }, COLLIDING_SECOND_RESULT);
    assertCollidedTable(await hashedRows(table));
  });

  it("migrates a target made by the old DDL in the load's transaction, then finds new rows by hash", async () => {
    const table = "public.srv_old";
    await pool.query(oldTargetDdl(table));
    await pool.query(`INSERT INTO ${table} SELECT 'k' || i, 'd' || i, 'old-run', now() FROM generate_series(0, 9) AS i`);
    const result = await new PostgresWarehouse(pgSession(pool, false)).load(await writeRun(table, ["old"], rowsRange(5, 10)));
    assert.deepEqual({ loaded: result.loaded, alreadyPresent: result.alreadyPresent }, { loaded: 5, alreadyPresent: 5 });
    const rows = await hashedRows(table);
    assert.deepEqual(rowSet(rows.map((r) => [r.key, r.data])), rowSet(rowsRange(0, 15)));
    assertRealHashes(rows);
    const index = await pool.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'srv_old'");
    assert.deepEqual(index.rows, [{ indexdef: "CREATE INDEX srv_old_row_hash ON public.srv_old USING btree (row_hash)" }]);
  });

  it("runs a read-only query of exactly one statement", async () => {
    const wh = new PostgresWarehouse(pgSession(pool, false));
    assert.deepEqual(await wh.query("SELECT 1 AS one"), { columns: ["one"], rows: [[1]] });
    await assert.rejects(wh.query("CREATE TABLE srv_nope (n int)"), /read-only transaction/);
    await assert.rejects(wh.query("SELECT 1; COMMIT; CREATE TABLE srv_nope (n int)"), /multiple commands/);
  });
});
