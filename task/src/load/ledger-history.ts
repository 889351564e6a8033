/**
 * The run ledger's recent rows as plain values: read through the warehouse port with
 * `recentRunsSql`, whichever warehouse it is. Row parsing is pure; {@link readRecentRuns} is
 * the one I/O step.
 */
import { EtlError } from "../errors.ts";
import type { SqlDialect } from "./sql-quote.ts";
import { warehouseTables } from "./table-names.ts";
import type { Warehouse } from "./warehouse.ts";
import { recentRunsSql } from "./ledger-history-sql.ts";

/** One ledger row. */
export interface LedgerRun {
  runId: string;
  /** The ledger's `inputs` JSON text (see `ledgerInputsText`). */
  inputs: string;
  rowsRead: number;
  clean: number;
  duplicates: number;
  rejected: number;
  loaded: number;
  alreadyPresent: number;
  /** `loaded` for every row the job writes today. */
  status: string;
  startedAt: Date;
  finishedAt: Date;
}

/**
 * A timestamp as the warehouses return it: a `Date` (Postgres, PGlite), or text. Redshift's
 * `TIMESTAMP` comes back as `2026-11-26 10:45:12[.ffffff]` with no zone and holds UTC.
 * @throws EtlError INTERNAL for anything else.
 */
export function parseWarehouseTime(value: unknown): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === "string") {
    let text = value.trim().replace(" ", "T");
    const fraction = /\.(\d+)/.exec(text);
    if (fraction && fraction[1]!.length > 3) text = text.replace(fraction[0], `.${fraction[1]!.slice(0, 3)}`);
    // Postgres's text form gives offsets as +01 or +0100; Date wants +01:00.
    text = text.replace(/(T[\d:.]+[+-]\d{2})$/, "$1:00").replace(/(T[\d:.]+[+-]\d{2})(\d{2})$/, "$1:$2");
    if (!/(Z|[+-]\d{2}:\d{2})$/.test(text)) text += "Z";
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new EtlError("INTERNAL", `the ledger holds a time the job cannot read: ${JSON.stringify(String(value))}`);
}

/**
 * A count as the warehouses return it: a number, a bigint, or decimal text (node-postgres
 * returns BIGINT as text).
 * @throws EtlError INTERNAL for anything that is not a whole number.
 */
export function parseWarehouseCount(value: unknown): number {
  const n = typeof value === "bigint" ? Number(value) : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n === "number" && Number.isSafeInteger(n)) return n;
  throw new EtlError("INTERNAL", `the ledger holds a count the job cannot read: ${JSON.stringify(String(value))}`);
}

/** Rows of `recentRunsSql`, as arrays in its column order. */
export function ledgerRunRows(rows: readonly (readonly unknown[])[]): LedgerRun[] {
  return rows.map(([runId, inputs, rowsRead, clean, duplicates, rejected, loaded, alreadyPresent, status, startedAt, finishedAt]) => ({
    runId: String(runId),
    inputs: String(inputs ?? ""),
    rowsRead: parseWarehouseCount(rowsRead),
    clean: parseWarehouseCount(clean),
    duplicates: parseWarehouseCount(duplicates),
    rejected: parseWarehouseCount(rejected),
    loaded: parseWarehouseCount(loaded),
    alreadyPresent: parseWarehouseCount(alreadyPresent),
    status: String(status).trim(),
    startedAt: parseWarehouseTime(startedAt),
    finishedAt: parseWarehouseTime(finishedAt),
  }));
}

/**
 * True when a query failed because the ledger table does not exist yet (no run has loaded):
 * Postgres SQLSTATE 42P01, or Redshift's `relation "…" does not exist` passed on by the Data API.
 */
export function isMissingTableError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === "42P01") return true;
    if (/relation "[^"]*" does not exist/i.test(e.message)) return true;
  }
  return false;
}

/**
 * The `limit` most recent ledger rows of the target `table` (e.g. `public.cti_records`),
 * newest first; none when the ledger does not exist yet.
 */
export async function readRecentRuns(
  warehouse: Pick<Warehouse, "query">,
  dialect: SqlDialect,
  table: string,
  options: { limit: number; onlyLoaded?: boolean },
): Promise<LedgerRun[]> {
  const sql = recentRunsSql(dialect, warehouseTables(table), options);
  try {
    return ledgerRunRows((await warehouse.query(sql)).rows);
  } catch (error) {
    if (isMissingTableError(error)) return [];
    throw error;
  }
}
