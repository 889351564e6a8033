import assert from "node:assert/strict";
import { readRecentRuns } from "../../../task/src/load/ledger-history.ts";
import { pgliteSession } from "../../../task/src/load/pglite-session.ts";
import { PostgresWarehouse } from "../../../task/src/load/postgres-warehouse.ts";
import { ledgerTableDdl } from "../../../task/src/load/table-ddl.ts";
import { sqlTableName, warehouseTables } from "../../../task/src/load/table-names.ts";
import type { Warehouse } from "../../../task/src/load/warehouse.ts";
import { sharedPglite } from "./support/shared-pglite.ts";

describe("readRecentRuns (on embedded Postgres)", () => {
  const table = "obs_history_records";
  let warehouse: Warehouse;

  before(async () => {
    const db = await sharedPglite();
    warehouse = new PostgresWarehouse(pgliteSession(db, false));
    const ledger = sqlTableName(warehouseTables(table).ledger);
    await db.exec(ledgerTableDdl("postgres", warehouseTables(table)));
    const rows: Array<[string, number, string, string]> = [
      ["run-a", 100, "loaded", "2026-11-20T03:05:00Z"],
      ["run-b", 200, "loaded", "2026-11-21T03:05:00Z"],
      ["run-c", 300, "failed", "2026-11-22T03:05:00Z"],
      ["run-d", 400, "loaded", "2026-11-23T03:05:00Z"],
    ];
    for (const [runId, read, status, finished] of rows) {
      await db.query(
        `INSERT INTO ${ledger} VALUES ($1, $2, '[{"uri":"s3://in/x.csv"}]', $3::bigint, $3::bigint - 10, 5, 5, $3::bigint - 10, 0, $4, $5::timestamptz - interval '5 minutes', $5::timestamptz)`,
        [runId, runId.padEnd(64, "0"), read, status, finished],
      );
    }
  });

  it("reads the newest runs first, with counts as numbers and times as dates", async () => {
    const runs = await readRecentRuns(warehouse, "postgres", table, { limit: 2 });
    assert.deepEqual(runs.map((r) => r.runId), ["run-d", "run-c"]);
    assert.equal(runs[0]!.rowsRead, 400);
    assert.equal(runs[0]!.clean, 390);
    assert.equal(runs[0]!.finishedAt.toISOString(), "2026-11-23T03:05:00.000Z");
    assert.equal(runs[0]!.finishedAt.getTime() - runs[0]!.startedAt.getTime(), 300_000);
  });

  it("keeps only committed loads for the history", async () => {
    const runs = await readRecentRuns(warehouse, "postgres", table, { limit: 10, onlyLoaded: true });
    assert.deepEqual(runs.map((r) => r.runId), ["run-d", "run-b", "run-a"]);
  });

  it("finds no runs in a ledger that does not exist yet", async () => {
    assert.deepEqual(await readRecentRuns(warehouse, "postgres", "obs_never_loaded", { limit: 5 }), []);
  });
});
