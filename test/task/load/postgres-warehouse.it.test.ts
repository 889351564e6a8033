import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { PGlite } from "@electric-sql/pglite";
import { createPgConfig } from "@electric-sql/pglite/node-postgres";
import pg from "pg";
import { EtlError } from "../../../task/src/errors.ts";
import { createWarehouse } from "../../../task/src/load/create-warehouse.ts";
import { fileUrlPartReader, type PartReader } from "../../../task/src/load/part-reader.ts";
import { pgSession } from "../../../task/src/load/pg-session.ts";
import { pgliteSession } from "../../../task/src/load/pglite-session.ts";
import { PostgresWarehouse, type PostgresWarehouseOptions } from "../../../task/src/load/postgres-warehouse.ts";
import { rowHashColumnLookupSql } from "../../../task/src/load/row-hash-sql.ts";
import { parseTableName, sqlTableName } from "../../../task/src/load/table-names.ts";
import type { PostgresSession } from "../../../task/src/load/postgres-session.ts";
import type { LoadRequest } from "../../../task/src/load/warehouse.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { sharedPglite } from "./support/shared-pglite.ts";
import { inputNamed, loadRequest, partBytes, rowSet, rowsRange, type Row } from "./support/load-fixtures.ts";
import { oldTargetDdl } from "./support/old-target.ts";
import { assertCollidedTable, assertRealHashes, COLLIDING_FIRST, COLLIDING_SECOND, COLLIDING_SECOND_RESULT, tinyRowHash } from "./support/row-hash-cases.ts";

describe("PostgresWarehouse", () => {
  let dir: { path: string; cleanup(): Promise<void> };
  /** The embedded warehouse as the product runs it: PGlite in a folder. */
  let folderDb: PGlite;
  let runSeq = 0;
  let tableSeq = 0;

  before(async () => {
    dir = await tempDir("cti-wh-pg-");
    folderDb = await PGlite.create(join(dir.path, "db"));
  });

  after(async () => {
    if (folderDb && !folderDb.closed) await folderDb.close();
    await dir?.cleanup();
  });

  /** The two ways the warehouse talks to Postgres; node-postgres through PGlite's node-postgres adapter. */
  const flavours: Array<{ name: string; db(): Promise<PGlite>; session(db: PGlite): PostgresSession }> = [
    { name: "PGlite in a folder, COPY from /dev/blob", db: async () => folderDb, session: (db) => pgliteSession(db, false) },
    {
      name: "node-postgres, batched unnest inserts",
      db: sharedPglite,
      session: (db) => pgSession(new pg.Pool({ ...(createPgConfig(db) as unknown as pg.PoolConfig), max: 1 }), true),
    },
  ];

  /** Writes the parts of a run as files; returns its LoadRequest. */
  async function writeRun(table: string, inputs: string[], parts: Row[][]): Promise<LoadRequest> {
    const runId = `run-${++runSeq}`;
    const written = [];
    for (const [i, rows] of parts.entries()) {
      const path = join(dir.path, `${runId}-part-${i}.csv.gz`);
      const body = partBytes(rows);
      await writeFile(path, body);
      written.push({ url: pathToFileURL(path).href, rows, bytes: body.length });
    }
    return loadRequest({ runId, table, inputs: inputs.map(inputNamed), manifestUrl: pathToFileURL(join(dir.path, `${runId}.json`)).href, parts: written });
  }

  const newTable = () => `public.cti_pg_${++tableSeq}`;

  for (const flavour of flavours) {
    describe(flavour.name, () => {
      let db: PGlite;
      before(async () => {
        db = await flavour.db();
      });

      async function tableRows(table: string): Promise<string[]> {
        const exists = await db.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [table]);
        if (exists.rows[0]!.t === null) return [];
        return rowSet((await db.query<unknown[]>(`SELECT key, data FROM ${table}`, [], { rowMode: "array" })).rows);
      }

      async function ledgerRuns(table: string): Promise<string[]> {
        return (await db.query<{ run_id: string }>(`SELECT run_id FROM ${table}_ledger ORDER BY run_id`)).rows.map((r) => r.run_id);
      }

      function warehouse(readPart: PartReader = fileUrlPartReader, options: PostgresWarehouseOptions = {}): PostgresWarehouse {
        return new PostgresWarehouse(flavour.session(db), readPart, options);
      }

      async function hashedRows(table: string) {
        return (await db.query<{ key: string; data: string; row_hash: string }>(`SELECT key, data, row_hash FROM ${table}`)).rows;
      }

      it("loads rows whose row hashes collide, and skips only exact duplicates (a one-digit hash)", async () => {
        const table = newTable();
        const wh = warehouse(fileUrlPartReader, { rowHash: tinyRowHash });
        const first = await writeRun(table, ["c1"], [COLLIDING_FIRST]);
        assert.deepEqual(await wh.load(first), { outcome: "loaded", loadedBy: first.runId, loaded: 40, alreadyPresent: 0 });
        const second = await writeRun(table, ["c2"], [COLLIDING_SECOND]);
        assert.deepEqual(await wh.load(second), { outcome: "loaded", loadedBy: second.runId, ...COLLIDING_SECOND_RESULT });
        assertCollidedTable(await hashedRows(table));
      });

      it("builds a new target's row_hash index after its first insert; later loads keep it and probe it", async () => {
        const table = newTable();
        const statements: string[] = [];
        const session = flavour.session(db);
        const recording: PostgresSession = {
          query: (sql) => session.query(sql),
          readOnlyQuery: (sql) => session.readOnlyQuery(sql),
          close: () => session.close(),
          transaction: (work) =>
            session.transaction((tx) => work({ query: (sql) => (statements.push(sql), tx.query(sql)), stageCsv: (tables, csv, url) => tx.stageCsv(tables, csv, url) })),
        };
        try {
          const first = await writeRun(table, ["index-1"], [rowsRange(0, 20)]);
          assert.deepEqual(await new PostgresWarehouse(recording).load(first), { outcome: "loaded", loadedBy: first.runId, loaded: 20, alreadyPresent: 0 });
          const insertAt = statements.findIndex((sql) => sql.startsWith(`INSERT INTO ${sqlTableName(parseTableName(table))}`));
          const indexAt = statements.findIndex((sql) => sql.startsWith("CREATE INDEX"));
          assert.ok(insertAt >= 0 && indexAt > insertAt, `the index is built after the insert:\n${statements.join("\n")}`);
          const index = await db.query("SELECT 1 FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%(row_hash)'", [table.split(".")[1]]);
          assert.equal(index.rows.length, 1);
          statements.length = 0;
          const second = await writeRun(table, ["index-2"], [rowsRange(10, 20)]);
          assert.deepEqual(await new PostgresWarehouse(recording).load(second), { outcome: "loaded", loadedBy: second.runId, loaded: 10, alreadyPresent: 10 });
          assert.ok(!statements.some((sql) => sql.startsWith("CREATE INDEX")), "the second load finds the index");
          assertRealHashes(await hashedRows(table));
        } finally {
          await recording.close();
        }
      });

      it("migrates a target made by the old DDL inside the load's transaction: rolled back with a failed load, then loaded by hash", async () => {
        const table = newTable();
        await db.exec(oldTargetDdl(table));
        await db.exec(`INSERT INTO ${table} SELECT 'k' || i, 'd' || i, 'old-run', now() FROM generate_series(0, 9) AS i`);
        const request = await writeRun(table, ["migrate"], [rowsRange(5, 10)]);
        const failing: PartReader = () =>
          (async function* () {
            yield partBytes(rowsRange(5, 10)).subarray(0, 10);
            throw new Error("connection reset");
          })();
        await assert.rejects(warehouse(failing).load(request), /connection reset/);
        const column = () => db.query(rowHashColumnLookupSql("postgres", parseTableName(table)));
        assert.equal((await column()).rows.length, 0, "the failed load's migration was rolled back");
        assert.deepEqual(await warehouse().load(request), { outcome: "loaded", loadedBy: request.runId, loaded: 5, alreadyPresent: 5 });
        assert.equal((await column()).rows.length, 1);
        const rows = await hashedRows(table);
        assert.deepEqual(rowSet(rows.map((r) => [r.key, r.data])), rowSet(rowsRange(0, 15)));
        assertRealHashes(rows);
        const index = await db.query("SELECT 1 FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%(row_hash)'", [table.split(".")[1]]);
        assert.equal(index.rows.length, 1);
        const next = await writeRun(table, ["migrate-2"], [rowsRange(12, 6)]);
        assert.deepEqual(await warehouse().load(next), { outcome: "loaded", loadedBy: next.runId, loaded: 3, alreadyPresent: 3 });
      });

      it("loads the parts' rows; a rerun of the same input is already-loaded by the first run", async () => {
        const table = newTable();
        const rows: Row[][] = [rowsRange(0, 3), [["a,b", 'say "hi"'], ["multi\nline", "ü ✓"], ["back\\slash", "it's"]]];
        const first = await writeRun(table, ["day1"], rows);
        const wh = warehouse();
        assert.deepEqual(await wh.load(first), { outcome: "loaded", loadedBy: first.runId, loaded: 6, alreadyPresent: 0 });
        assert.deepEqual(await tableRows(table), rowSet(rows.flat()));
        const rerun = await writeRun(table, ["day1"], rows);
        assert.deepEqual(await wh.load(rerun), { outcome: "already-loaded", loadedBy: first.runId, loaded: 0, alreadyPresent: 6 });
        assert.equal((await tableRows(table)).length, 6);
        assert.deepEqual(await ledgerRuns(table), [first.runId]);
        const ledger = (await db.query<Record<string, unknown>>(`SELECT * FROM ${table}_ledger`)).rows[0]!;
        assert.equal(ledger.status, "loaded");
        assert.equal(Number(ledger.loaded), 6);
        assert.equal(Number(ledger.rows_read), 7);
        assert.ok(ledger.finished_at instanceof Date);
        await wh.close();
      });

      it("creates a schema that is not public before its table and ledger, and loads into it", async () => {
        const table = `analytics_pg_${++tableSeq}.cti_records`;
        const wh = warehouse();
        const first = await writeRun(table, ["d1"], [rowsRange(0, 4)]);
        assert.deepEqual(await wh.load(first), { outcome: "loaded", loadedBy: first.runId, loaded: 4, alreadyPresent: 0 });
        assert.deepEqual(await tableRows(table), rowSet(rowsRange(0, 4)));
        assert.deepEqual(await ledgerRuns(table), [first.runId]);
        const rerun = await writeRun(table, ["d1"], [rowsRange(0, 4)]);
        assert.equal((await wh.load(rerun)).outcome, "already-loaded");
        await wh.close();
      });

      it("adds only the new rows of a changed input", async () => {
        const table = newTable();
        const wh = warehouse();
        await wh.load(await writeRun(table, ["d1"], [rowsRange(0, 10)]));
        const changed = await writeRun(table, ["d1", "d2"], [rowsRange(5, 10), rowsRange(100, 2)]);
        assert.deepEqual(await wh.load(changed), { outcome: "loaded", loadedBy: changed.runId, loaded: 7, alreadyPresent: 5 });
        assert.deepEqual(await tableRows(table), rowSet([...rowsRange(0, 15), ...rowsRange(100, 2)]));
        const stamped = await db.query<{ run_id: string; n: number }>(`SELECT run_id, count(*)::int AS n FROM ${table} GROUP BY run_id ORDER BY run_id`);
        assert.deepEqual(stamped.rows.map((r) => r.n).sort((a, b) => a - b), [7, 10]);
      });

      it("loads parts whose rows repeat across them (a fanned-out run's shards) once each, counting as one task would", async () => {
        const table = newTable();
        const wh = warehouse();
        await wh.load(await writeRun(table, ["before"], [rowsRange(0, 4)]));
        // Two shards: rows 2–9 and 6–13; 0–3 are in the table already.
        const request = { ...(await writeRun(table, ["s1", "s2"], [rowsRange(2, 8), rowsRange(6, 8)])), rowsMayRepeat: true };
        assert.deepEqual(await wh.load(request), { outcome: "loaded", loadedBy: request.runId, loaded: 10, alreadyPresent: 2 });
        assert.deepEqual(await tableRows(table), rowSet(rowsRange(0, 14)));
        const row = (await db.query<Record<string, unknown>>(`SELECT clean, duplicates, loaded, already_present FROM ${table}_ledger WHERE run_id = $1`, [request.runId])).rows[0]!;
        // 16 staged, 12 distinct: 4 repeats across the shards join the run's own duplicates.
        assert.deepEqual(Object.values(row).map(Number), [12, request.counts.duplicates + 4, 10, 2]);
        await wh.close();
      });

      it("commits nothing when reading a part fails midway", async () => {
        const table = newTable();
        const request = await writeRun(table, ["broken"], [rowsRange(0, 5), rowsRange(5, 5)]);
        const failing: PartReader = (url) =>
          url === request.parts[1]!.url
            ? (async function* () {
                yield partBytes(rowsRange(5, 5)).subarray(0, 10);
                throw new Error("connection reset");
              })()
            : fileUrlPartReader(url);
        await assert.rejects(warehouse(failing).load(request), (e: unknown) => e instanceof EtlError && /staging .*part-1.*connection reset/.test(e.message));
        assert.deepEqual(await tableRows(table), []);
        assert.deepEqual(await ledgerRuns(table), []);
        // The same run loads once the part reads.
        assert.equal((await warehouse().load(request)).loaded, 10);
      });

      it("commits nothing when a part is not a clean part (three columns)", async () => {
        const table = newTable();
        const request = await writeRun(table, ["bad"], [rowsRange(0, 3)]);
        const bad: PartReader = () =>
          (async function* () {
            yield gzipSync("key,data\nk0,d0\nk1,d1,extra\nk2,d2\n");
          })();
        await assert.rejects(warehouse(bad).load(request), EtlError);
        assert.deepEqual(await tableRows(table), []);
        assert.deepEqual(await ledgerRuns(table), []);
      });

      it("commits nothing when the parts hold fewer rows than the run counted", async () => {
        const table = newTable();
        const request = await writeRun(table, ["short"], [rowsRange(0, 3)]);
        const short: PartReader = () =>
          (async function* () {
            yield partBytes(rowsRange(0, 2));
          })();
        await assert.rejects(warehouse(short).load(request), (e: unknown) => e instanceof EtlError && e.code === "INVARIANT_BROKEN");
        assert.deepEqual(await tableRows(table), []);
      });

      it("rolls back when the load is aborted between parts", async () => {
        const table = newTable();
        const request = await writeRun(table, ["abort"], [rowsRange(0, 2), rowsRange(2, 2)]);
        const controller = new AbortController();
        const aborting: PartReader = (url) => {
          if (url === request.parts[0]!.url) queueMicrotask(() => controller.abort(new EtlError("DEADLINE_EXCEEDED", "run deadline")));
          return fileUrlPartReader(url);
        };
        await assert.rejects(warehouse(aborting).load(request, controller.signal), /run deadline/);
        assert.deepEqual(await tableRows(table), []);
      });

      it("refuses a run id already used for another input", async () => {
        const table = newTable();
        const wh = warehouse();
        const first = await writeRun(table, ["one"], [rowsRange(0, 1)]);
        await wh.load(first);
        const reused = { ...(await writeRun(table, ["two"], [rowsRange(9, 1)])), runId: first.runId };
        await assert.rejects(wh.load(reused), (e: unknown) => e instanceof EtlError && e.code === "OUTPUT_REJECTED");
      });

      it("runs queries read-only, one statement at a time", async () => {
        const table = newTable();
        const wh = warehouse();
        await wh.load(await writeRun(table, ["q"], [rowsRange(0, 2)]));
        assert.deepEqual(await wh.query(`SELECT key, data FROM ${table} ORDER BY key`), { columns: ["key", "data"], rows: [["k0", "d0"], ["k1", "d1"]] });
        await assert.rejects(wh.query(`DELETE FROM ${table}`), /read-only transaction/);
        await assert.rejects(wh.query(`SELECT 1; DELETE FROM ${table}`), /multiple commands/);
        assert.equal((await tableRows(table)).length, 2);
      });
    });
  }

  describe("a database user with rights on its schema only", () => {
    // As a Redshift administrator would set up the task's user: the schema made for it, USAGE and
    // CREATE on it granted, no CREATE on the database (so it cannot create schemas itself).
    let db: PGlite;
    before(async () => {
      db = await PGlite.create();
      await db.exec(`
        CREATE ROLE etl;
        REVOKE CREATE ON DATABASE postgres FROM PUBLIC;
        CREATE SCHEMA granted;
        GRANT USAGE, CREATE ON SCHEMA granted TO etl;
        GRANT pg_read_server_files TO etl; -- PGlite stages a part by COPY FROM '/dev/blob', a server file to Postgres
        SET ROLE etl;`);
    });
    after(async () => {
      if (db && !db.closed) await db.close();
    });

    it("loads into a table an administrator made and granted it INSERT and SELECT on, without owning it", async () => {
      await db.exec(`RESET ROLE; CREATE ROLE admin; GRANT CREATE, USAGE ON SCHEMA granted TO admin; GRANT pg_read_server_files TO admin; SET ROLE admin;`);
      const seed = await writeRun("granted.admin_records", ["seed"], [rowsRange(0, 2)]);
      await new PostgresWarehouse(pgliteSession(db, false)).load(seed);
      // UPDATE on the ledger: its LOCK … IN EXCLUSIVE MODE asks for it.
      await db.exec(`GRANT SELECT, INSERT ON granted.admin_records, granted.admin_records_ledger TO etl; GRANT UPDATE ON granted.admin_records_ledger TO etl; SET ROLE etl;`);
      const request = await writeRun("granted.admin_records", ["d1"], [rowsRange(1, 3)]);
      assert.deepEqual(await new PostgresWarehouse(pgliteSession(db, false)).load(request), { outcome: "loaded", loadedBy: request.runId, loaded: 2, alreadyPresent: 1 });
    });

    it("loads into the schema it was given without needing to create schemas", async () => {
      const request = await writeRun("granted.cti_records", ["d1"], [rowsRange(0, 3)]);
      const wh = new PostgresWarehouse(pgliteSession(db, false));
      assert.deepEqual(await wh.load(request), { outcome: "loaded", loadedBy: request.runId, loaded: 3, alreadyPresent: 0 });
      const owner = await db.query<{ owner: string }>("SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'granted' AND tablename = 'cti_records'");
      assert.deepEqual(owner.rows, [{ owner: "etl" }]);
    });

    it("fails, naming the privilege, when its schema is missing and it may not create one", async () => {
      const request = await writeRun("missing.cti_records", ["d1"], [rowsRange(0, 3)]);
      await assert.rejects(new PostgresWarehouse(pgliteSession(db, false)).load(request), /permission denied for database/);
    });
  });

  describe("createWarehouse with a PGlite folder", () => {
    it("keeps the loaded rows there: a reopened warehouse sees them and their ledger", async () => {
      const table = newTable();
      const request = await writeRun(table, ["persist"], [rowsRange(0, 3)]);
      assert.equal((await new PostgresWarehouse(pgliteSession(folderDb, false)).load(request)).loaded, 3);
      await folderDb.close();
      const reopened = await createWarehouse({ kind: "postgres", dataDir: join(dir.path, "db") });
      try {
        assert.deepEqual((await reopened.query(`SELECT count(*)::int AS n FROM ${table}`)).rows, [[3]]);
        assert.deepEqual(await reopened.load({ ...request, runId: "persist-again" }), {
          outcome: "already-loaded",
          loadedBy: request.runId,
          loaded: 0,
          alreadyPresent: 3,
        });
      } finally {
        await reopened.close();
      }
    });
  });
});
