/**
 * SQL reading the run ledger's recent rows, for `cti-etl status` and the anomaly check's
 * history. Both dialects; names and values are quoted by the warehouse's `sql-quote.ts`.
 */
import { LEDGER_STATUS_LOADED } from "./ledger-sql.ts";
import { quoteIdentifier as q, quoteLiteral, sqlInteger, type SqlDialect } from "./sql-quote.ts";
import { sqlTableName, type WarehouseTables } from "./table-names.ts";

/** The columns selected, in order; `ledgerRunRows` reads them in this order. */
export const LEDGER_HISTORY_COLUMNS = [
  "run_id",
  "inputs",
  "rows_read",
  "clean",
  "duplicates",
  "rejected",
  "loaded",
  "already_present",
  "status",
  "started_at",
  "finished_at",
] as const;

/** Most rows one query returns. */
export const MAX_HISTORY_ROWS = 1000;

/**
 * The `limit` most recent ledger rows, newest first (by `finished_at`, then `run_id` so ties
 * are stable). `onlyLoaded` keeps rows whose load committed (status `loaded`): the history
 * of successful runs.
 * `limit` is clamped to 1…{@link MAX_HISTORY_ROWS}.
 * @throws EtlError INTERNAL for a limit that is not a whole number.
 */
export function recentRunsSql(dialect: SqlDialect, tables: WarehouseTables, options: { limit: number; onlyLoaded?: boolean }): string {
  const limit = sqlInteger(Math.min(Math.max(1, options.limit), MAX_HISTORY_ROWS));
  return [
    `SELECT ${LEDGER_HISTORY_COLUMNS.map((c) => q(c)).join(", ")}`,
    `FROM ${sqlTableName(tables.ledger)}`,
    ...(options.onlyLoaded ? [`WHERE ${q("status")} = ${quoteLiteral(dialect, LEDGER_STATUS_LOADED)}`] : []),
    `ORDER BY ${q("finished_at")} DESC, ${q("run_id")} DESC`,
    `LIMIT ${limit}`,
  ].join("\n");
}
