import assert from "node:assert/strict";
import type { PGlite } from "@electric-sql/pglite";
import { distinctStagedRowsSql, ledgerInsertSql, lockLedgerSql, priorLoadsSql, type LedgerEntry } from "../../../task/src/load/ledger-sql.ts";
import { inRolledBackTransaction, insertRows, ledgerRow, pgliteWithTables, tables } from "./support/pglite-tables.ts";

const FP = "e".repeat(64);
const entry: LedgerEntry = {
  runId: "run-7",
  taskArn: "arn:aws:ecs:eu-west-1:123456789012:task/cti/0123abcd",
  fingerprint: FP,
  inputsText: '[{"uri":"s3://in/a\\\\b.csv"}]',
  counts: { rowsRead: 12, clean: 9, duplicates: 2, rejected: 1, rejectedByReason: { x: 1 } },
  cleanRows: 9,
  startedAt: "2026-11-26T10:45:12.000Z",
};
const target = '"public"."cti_records"';
const ledger = '"public"."cti_records_ledger"';
const stage = '"cti_etl_stage"';

describe("lockLedgerSql", () => {
  it("takes Redshift's LOCK, and Postgres's EXCLUSIVE mode that still lets readers in", () => {
    assert.equal(lockLedgerSql("redshift", tables), `LOCK ${ledger}`);
    assert.equal(lockLedgerSql("postgres", tables), `LOCK TABLE ${ledger} IN EXCLUSIVE MODE`);
  });
});

describe("ledgerInsertSql", () => {
  let db: PGlite;
  before(async () => {
    db = await pgliteWithTables();
  });

  async function ledgerRows(tx: Parameters<Parameters<typeof inRolledBackTransaction>[1]>[0]) {
    return (await tx.query<Record<string, unknown>>(`SELECT * FROM ${ledger} ORDER BY run_id`)).rows;
  }

  it("records the run with its counts, the rows it loaded and the rest as already present", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      assert.equal((await tx.query(ledgerInsertSql("postgres", tables, entry, 4))).affectedRows, 1);
      const [row] = await ledgerRows(tx);
      assert.deepEqual(
        { ...row, started_at: (row!.started_at as Date).toISOString(), finished_at: row!.finished_at instanceof Date },
        {
          run_id: "run-7",
          task_arn: "arn:aws:ecs:eu-west-1:123456789012:task/cti/0123abcd",
          input_fingerprint: FP,
          inputs: entry.inputsText,
          rows_read: 12,
          clean: 9,
          duplicates: 2,
          rejected: 1,
          loaded: 4,
          already_present: 5,
          status: "loaded",
          started_at: "2026-11-26T10:45:12.000Z",
          finished_at: true,
        },
      );
    });
  });

  it("counts the target's rows of this run when told to (Redshift's one-batch load)", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      const t = new Date();
      await insertRows(tx, target, [["a", "1", "run-7", t, 1], ["b", "2", "run-7", t, 2], ["c", "3", "run-1", t, 3]]);
      const sql = ledgerInsertSql("postgres", tables, entry, "count-target-rows");
      assert.match(sql, /FROM \(SELECT COUNT\(\*\) AS n FROM "public"\."cti_records" WHERE "run_id" = 'run-7'\) AS c/);
      await tx.query(sql);
      const [row] = await ledgerRows(tx);
      assert.deepEqual([row!.loaded, row!.already_present], [2, 7]);
    });
  });

  it("with rows repeated across shards, records the stage's distinct rows as clean and the repeats as duplicates, as one task would", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      // 9 staged rows, of which 2 repeat another's (three distinct repeated rows: 7 distinct).
      const staged: [string, string][] = [["a", "1"], ["b", "2"], ["a", "1"], ["c", "3"], ["d", "4"], ["b", "2"], ["e", "5"], ["f", "6"], ["g", "7"]];
      await insertRows(tx, stage, staged);
      // Counted in the statement (Redshift's batch), or by the caller (Postgres): the same row.
      const sql = ledgerInsertSql("postgres", tables, entry, 4, "count-staged-rows");
      assert.match(sql, /FROM \(SELECT COUNT\(\*\) AS n FROM \(SELECT DISTINCT s\."key", s\."data" FROM "cti_etl_stage" AS s\) AS d\) AS u/);
      await tx.query(sql);
      const [row] = await ledgerRows(tx);
      assert.deepEqual([row!.rows_read, row!.clean, row!.duplicates, row!.rejected, row!.loaded, row!.already_present], [12, 7, 2 + 2, 1, 4, 3]);
      const counted = (await tx.query<{ n: number }>(distinctStagedRowsSql(tables))).rows[0]!.n;
      assert.equal(counted, 7);
      await tx.exec(`DELETE FROM ${ledger}`);
      const given = ledgerInsertSql("postgres", tables, entry, 4, counted);
      assert.doesNotMatch(given, /SELECT DISTINCT/);
      await tx.query(given);
      const [again] = await ledgerRows(tx);
      assert.deepEqual([again!.rows_read, again!.clean, again!.duplicates, again!.rejected, again!.loaded, again!.already_present], [12, 7, 2 + 2, 1, 4, 3]);
    });
  });

  it("writes nothing when a committed load of the same input is already recorded", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, ledger, [ledgerRow("run-1", FP)]);
      assert.equal((await tx.query(ledgerInsertSql("postgres", tables, entry, 3))).affectedRows, 0);
      assert.deepEqual((await ledgerRows(tx)).map((r) => r.run_id), ["run-1"]);
    });
  });

  it("uses Redshift's literals and clock in the Redshift dialect", () => {
    const sql = ledgerInsertSql("redshift", tables, entry, "count-target-rows");
    assert.match(sql, /'\[\{"uri":"s3:\/\/in\/a\\\\\\\\b.csv"\}\]'/);
    assert.match(sql, /CAST\('2026-11-26 10:45:12.000' AS TIMESTAMP\), GETDATE\(\)/);
    assert.match(sql, /, c\.n, 9 - c\.n, 'loaded', /);
  });
});

describe("priorLoadsSql", () => {
  let db: PGlite;
  before(async () => {
    db = await pgliteWithTables();
  });

  it("finds committed loads of the input and rows using the run id, oldest first", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, ledger, [
        ledgerRow("run-22", FP),
        ledgerRow("run-1", FP),
        ledgerRow("run-333", FP, "failed"),
        ledgerRow("run-4", "0".repeat(64)),
        ledgerRow("run-7", "1".repeat(64)),
      ]);
      const { rows } = await tx.query<unknown[]>(priorLoadsSql("postgres", tables, "run-7", FP), [], { rowMode: "array" });
      assert.deepEqual(rows, [
        ["run-1", FP, "loaded"],
        ["run-7", "1".repeat(64), "loaded"],
        ["run-22", FP, "loaded"],
      ]);
    });
  });
});
