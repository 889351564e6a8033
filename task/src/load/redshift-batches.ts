/**
 * The two Data API batches of a Redshift load, each a list of named steps so a failure can
 * say which step failed. BatchExecuteStatement runs a batch's statements in order as one
 * transaction: any failure rolls the whole batch back.
 * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_BatchExecuteStatement.html
 */
import { ledgerAlreadyPresentSql, ledgerInsertSql, lockLedgerSql, priorLoadsSql } from "./ledger-sql.ts";
import type { LoadPlan } from "./load-plan.ts";
import { insertNewRowsSql, stageRowCheckSql } from "./new-rows-sql.ts";
import { redshiftCopySql } from "./redshift-copy-sql.ts";
import { rowHashColumnLookupSql } from "./row-hash-sql.ts";
import { createSchemaDdl, ledgerTableDdl, stageTableDdl, targetTableDdl } from "./table-ddl.ts";

/** One statement of a batch, with the name of its step. */
export interface BatchStep<Name extends string = string> {
  step: Name;
  sql: string;
}

export type SetupStep = "create-schema" | "create-target" | "create-ledger" | "find-row-hash-column" | "find-prior-loads";
export type LoadStep = "lock-ledger" | "create-stage" | "copy-parts" | "check-stage-rows" | "insert-new-rows" | "insert-ledger-row" | "read-already-present";

/**
 * Creates the tables if missing, looks for the target's `row_hash` column (missing in a table
 * created before it: see `rowHashMigrationNeeded`) and reads the ledger rows that decide
 * whether to load (see `decidePriorLoad`); the last step's result set holds them. `missingSchema`: the tables'
 * schema, found missing (see `schemaLookupSql`), created first.
 */
export function redshiftSetupBatch(plan: LoadPlan, runId: string, missingSchema?: string): BatchStep<SetupStep>[] {
  return [
    ...(missingSchema === undefined ? [] : [{ step: "create-schema" as const, sql: createSchemaDdl(missingSchema) }]),
    { step: "create-target", sql: targetTableDdl("redshift", plan.tables) },
    { step: "create-ledger", sql: ledgerTableDdl("redshift", plan.tables) },
    { step: "find-row-hash-column", sql: rowHashColumnLookupSql("redshift", plan.tables.target) },
    { step: "find-prior-loads", sql: priorLoadsSql("redshift", plan.tables, runId, plan.fingerprint) },
  ];
}

/**
 * The load transaction: lock the ledger, stage the parts, check the stage holds every clean
 * row, insert the new rows, record the run. The `insert-new-rows` step's ResultRows is the
 * number loaded; the `insert-ledger-row` step's is 1, or 0 when a racing load of the same
 * input committed first (its guard then also kept `insert-new-rows` at 0).
 */
export function redshiftLoadBatch(plan: LoadPlan, manifestUrl: string, copyRoleArn: string): BatchStep<LoadStep>[] {
  const { tables, fingerprint, ledger } = plan;
  return [
    { step: "lock-ledger", sql: lockLedgerSql("redshift", tables) },
    { step: "create-stage", sql: stageTableDdl("redshift", tables) },
    { step: "copy-parts", sql: redshiftCopySql(tables.stage, { manifestUrl, copyRoleArn, compression: plan.compression }) },
    { step: "check-stage-rows", sql: stageRowCheckSql("redshift", tables, plan.cleanRows) },
    { step: "insert-new-rows", sql: insertNewRowsSql("redshift", tables, ledger.runId, fingerprint, plan.rowHash, "anti-join", plan.rowsMayRepeat) },
    { step: "insert-ledger-row", sql: ledgerInsertSql("redshift", tables, ledger, "count-target-rows", plan.rowsMayRepeat ? "count-staged-rows" : undefined) },
    // Rows repeated across shards (rowsMayRepeat): the ledger row counted the stage's distinct
    // rows; its already_present, read back, spares a second count of the stage.
    ...(plan.rowsMayRepeat ? [{ step: "read-already-present" as const, sql: ledgerAlreadyPresentSql("redshift", tables, ledger.runId) }] : []),
  ];
}
