/**
 * SQL of the run ledger: the lock that serialises loads, the guard that keeps a second load
 * of the same input from inserting anything, the lookup of earlier loads, and the ledger row
 * a load commits with its rows. Both dialects.
 */
import type { RecordCounts } from "../records/record-counts.ts";
import { quoteIdentifier, quoteLiteral, sqlInteger, type SqlDialect } from "./sql-quote.ts";
import { nowSql, timestampSql } from "./sql-time.ts";
import { sqlTableName, type WarehouseTables } from "./table-names.ts";

/** The status of a ledger row whose load committed. */
export const LEDGER_STATUS_LOADED = "loaded";

const q = quoteIdentifier;

/**
 * Locks the ledger for the rest of the transaction, first thing, so concurrent loads of any
 * input run one after another and each sees what the one before committed.
 * - Redshift: `LOCK` takes an exclusive lock (readers of the ledger wait too); taking it at
 *   the start is also how Redshift avoids serializable isolation errors between loads.
 *   @see https://docs.aws.amazon.com/redshift/latest/dg/r_LOCK.html
 *   @see https://docs.aws.amazon.com/redshift/latest/dg/c_serial_isolation.html
 * - Postgres: EXCLUSIVE mode conflicts with itself and with writers, but not with readers.
 *   @see https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES
 */
export function lockLedgerSql(dialect: SqlDialect, tables: WarehouseTables): string {
  const ledger = sqlTableName(tables.ledger);
  return dialect === "redshift" ? `LOCK ${ledger}` : `LOCK TABLE ${ledger} IN EXCLUSIVE MODE`;
}

/** True while no committed load of this input is in the ledger (a WHERE condition). */
export function loadedGuardSql(dialect: SqlDialect, tables: WarehouseTables, fingerprint: string): string {
  return (
    `NOT EXISTS (SELECT 1 FROM ${sqlTableName(tables.ledger)} AS l` +
    ` WHERE l.${q("input_fingerprint")} = ${quoteLiteral(dialect, fingerprint)}` +
    ` AND l.${q("status")} = ${quoteLiteral(dialect, LEDGER_STATUS_LOADED)})`
  );
}

/**
 * Ledger rows that matter before loading: committed loads of this input, and any row already
 * using this run id. Columns `run_id`, `input_fingerprint`, `status`, oldest first.
 */
export function priorLoadsSql(dialect: SqlDialect, tables: WarehouseTables, runId: string, fingerprint: string): string {
  return [
    `SELECT ${q("run_id")}, ${q("input_fingerprint")}, ${q("status")}`,
    `FROM ${sqlTableName(tables.ledger)}`,
    `WHERE (${q("input_fingerprint")} = ${quoteLiteral(dialect, fingerprint)} AND ${q("status")} = ${quoteLiteral(dialect, LEDGER_STATUS_LOADED)})`,
    `   OR ${q("run_id")} = ${quoteLiteral(dialect, runId)}`,
    `ORDER BY ${q("finished_at")}, ${q("run_id")}`,
  ].join("\n");
}

/** What the ledger records of a load. */
export interface LedgerEntry {
  runId: string;
  /** ECS task ARN of the run, or `local`. */
  taskArn: string;
  /** {@link inputFingerprint} of the inputs. */
  fingerprint: string;
  /** The ledger's `inputs` text (see `ledgerInputsText`). */
  inputsText: string;
  counts: RecordCounts;
  /** Rows the run's clean parts hold (= counts.clean). */
  cleanRows: number;
  /** ISO start of the run. */
  startedAt: string;
}

/** One row, `n`: the stage's distinct rows (by `key` and `data`). Both dialects. */
export function distinctStagedRowsSql(tables: WarehouseTables): string {
  return `SELECT COUNT(*) AS n FROM (SELECT DISTINCT s.${q("key")}, s.${q("data")} FROM ${sqlTableName(tables.stage)} AS s) AS d`;
}

/** One row, `already_present`, of run `runId`'s ledger row: read back in the batch that wrote it. */
export function ledgerAlreadyPresentSql(dialect: SqlDialect, tables: WarehouseTables, runId: string): string {
  return `SELECT ${q("already_present")} FROM ${sqlTableName(tables.ledger)} WHERE ${q("run_id")} = ${quoteLiteral(dialect, runId)}`;
}

/**
 * How the ledger row learns how many rows the load inserted: a number the caller already has
 * (Postgres runs the statements one by one), or `"count-target-rows"`, counting the target's
 * rows stamped with this run id (Redshift sends the whole transaction as one batch).
 */
export type LoadedRows = number | "count-target-rows";

/**
 * The stage's distinct rows, given when its rows may repeat (a fanned-out run's shards): a number
 * the caller counted (Postgres), or `"count-staged-rows"`, counted in the statement (Redshift's
 * one batch). Not given: one transform's stage, distinct by construction.
 */
export type DistinctRows = number | "count-staged-rows";

/**
 * Inserts the ledger row, status `loaded`, `already_present` = clean rows − loaded, under the
 * same guard as the insert of new rows, so it affects 0 rows exactly when a racing load of
 * the same input committed first. With `distinct` (the stage's rows may repeat), `clean` is the
 * stage's distinct rows and `duplicates` adds the rows repeated across shards, as one task would
 * have counted.
 */
export function ledgerInsertSql(dialect: SqlDialect, tables: WarehouseTables, entry: LedgerEntry, loaded: LoadedRows, distinct?: DistinctRows): string {
  const lit = (value: string) => quoteLiteral(dialect, value);
  const c = entry.counts;
  const loadedSql = loaded === "count-target-rows" ? "c.n" : sqlInteger(loaded);
  const sources = [
    ...(loaded === "count-target-rows" ? [`(SELECT COUNT(*) AS n FROM ${sqlTableName(tables.target)} WHERE ${q("run_id")} = ${lit(entry.runId)}) AS c`] : []),
    ...(distinct === "count-staged-rows" ? [`(${distinctStagedRowsSql(tables)}) AS u`] : []),
  ];
  const from = sources.length > 0 ? `\nFROM ${sources.join(", ")}` : "";
  // The rows the load could insert: the parts' clean rows, or the stage's distinct ones.
  const distinctSql = distinct === undefined ? sqlInteger(entry.cleanRows) : distinct === "count-staged-rows" ? "u.n" : sqlInteger(distinct);
  const cleanSql = distinct === undefined ? sqlInteger(c.clean) : distinctSql;
  const duplicatesSql = distinct === undefined ? sqlInteger(c.duplicates) : `${sqlInteger(c.duplicates)} + (${sqlInteger(entry.cleanRows)} - ${distinctSql})`;
  const columns = ["run_id", "input_fingerprint", "inputs", "rows_read", "clean", "duplicates", "rejected", "loaded", "already_present", "status", "started_at", "finished_at", "task_arn"];
  const values = [
    lit(entry.runId),
    lit(entry.fingerprint),
    lit(entry.inputsText),
    sqlInteger(c.rowsRead),
    cleanSql,
    duplicatesSql,
    sqlInteger(c.rejected),
    loadedSql,
    `${distinctSql} - ${loadedSql}`,
    lit(LEDGER_STATUS_LOADED),
    timestampSql(dialect, entry.startedAt),
    nowSql(dialect),
    lit(entry.taskArn),
  ];
  return [
    `INSERT INTO ${sqlTableName(tables.ledger)} (${columns.map(q).join(", ")})`,
    `SELECT ${values.join(", ")}${from}`,
    `WHERE ${loadedGuardSql(dialect, tables, entry.fingerprint)}`,
  ].join("\n");
}
