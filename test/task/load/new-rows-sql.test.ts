import assert from "node:assert/strict";
import type { PGlite } from "@electric-sql/pglite";
import { insertNewRowsSql, stageRowCheckSql } from "../../../task/src/load/new-rows-sql.ts";
import { inRolledBackTransaction, insertRows, ledgerRow, pgliteWithTables, tables } from "./support/pglite-tables.ts";

const FP = "f".repeat(64);
const target = '"public"."cti_records"';
const stage = '"cti_etl_stage"';
const ledger = '"public"."cti_records_ledger"';

describe("stageRowCheckSql", () => {
  let db: PGlite;
  before(async () => {
    db = await pgliteWithTables();
  });

  it("passes when the stage holds exactly the expected rows", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, stage, [["a", "1"], ["b", "2"]]);
      const { rows } = await tx.query<{ stage_check: number }>(stageRowCheckSql("postgres", tables, 2));
      assert.deepEqual(rows, [{ stage_check: 0 }]);
    });
  });

  it("fails the statement, saying both counts, when the stage holds another number of rows", async () => {
    for (const dialect of ["postgres", "redshift"] as const) {
      await inRolledBackTransaction(db, async (tx) => {
        await insertRows(tx, stage, [["a", "1"], ["b", "2"]]);
        await assert.rejects(tx.query(stageRowCheckSql(dialect, tables, 3)), /cti-etl: the stage holds 2 rows, the run's clean parts 3/);
      });
    }
  });

  it("passes for an empty run", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      assert.deepEqual((await tx.query(stageRowCheckSql("postgres", tables, 0))).rows, [{ stage_check: 0 }]);
    });
  });
});

describe("insertNewRowsSql", () => {
  let db: PGlite;
  before(async () => {
    db = await pgliteWithTables();
  });

  it("reads in Redshift's dialect as an anti-join on key and data under the ledger guard", () => {
    assert.equal(
      insertNewRowsSql("redshift", tables, "run-1", FP),
      [
        `INSERT INTO ${target} ("key", "data", "run_id", "loaded_at")`,
        `SELECT n."key", n."data", 'run-1', GETDATE()`,
        "FROM (",
        `  SELECT DISTINCT s."key", s."data"`,
        `  FROM ${stage} AS s`,
        `  WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE t."key" = s."key" AND t."data" = s."data")`,
        ") AS n",
        `WHERE NOT EXISTS (SELECT 1 FROM ${ledger} AS l WHERE l."input_fingerprint" = '${FP}' AND l."status" = 'loaded')`,
      ].join("\n"),
    );
  });

  it("inserts only the staged rows the target lacks, each once, stamped with the run id", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      const old = new Date("2025-01-01T00:00:00Z");
      await insertRows(tx, target, [["a", "1", "run-0", old], ["b", "2", "run-0", old]]);
      await insertRows(tx, stage, [["a", "1"], ["b", "other"], ["c", "3"], ["c", "3"]]);
      const result = await tx.query(insertNewRowsSql("postgres", tables, "run-1", FP));
      assert.equal(result.affectedRows, 2);
      const { rows } = await tx.query<{ key: string; data: string; run_id: string }>(`SELECT key, data, run_id FROM ${target} ORDER BY key, data`);
      assert.deepEqual(rows, [
        { key: "a", data: "1", run_id: "run-0" },
        { key: "b", data: "2", run_id: "run-0" },
        { key: "b", data: "other", run_id: "run-1" },
        { key: "c", data: "3", run_id: "run-1" },
      ]);
    });
  });

  it("inserts nothing once the ledger holds a committed load of this input", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, ledger, [ledgerRow("run-0", FP)]);
      await insertRows(tx, stage, [["a", "1"]]);
      assert.equal((await tx.query(insertNewRowsSql("postgres", tables, "run-1", FP))).affectedRows, 0);
    });
  });

  it("is not stopped by a ledger row of another input, or of this input with another status", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, ledger, [ledgerRow("run-0", "0".repeat(64)), ledgerRow("run-9", FP, "failed")]);
      await insertRows(tx, stage, [["a", "1"]]);
      assert.equal((await tx.query(insertNewRowsSql("postgres", tables, "run-1", FP))).affectedRows, 1);
    });
  });
});
