/**
 * Time in the warehouse's SQL. Redshift's TIMESTAMP has no zone and its clock is UTC, so
 * Redshift columns hold UTC; Postgres columns are TIMESTAMPTZ.
 */
import { EtlError } from "../errors.ts";
import { quoteLiteral, type SqlDialect } from "./sql-quote.ts";

/** The column type of a point in time. */
export function timestampType(dialect: SqlDialect): string {
  return dialect === "redshift" ? "TIMESTAMP" : "TIMESTAMPTZ";
}

/**
 * A point in time as a typed SQL literal: `CAST('2026-11-26 10:45:12.000' AS TIMESTAMP)` (UTC)
 * for Redshift, `CAST('2026-11-26T10:45:12.000Z' AS TIMESTAMPTZ)` for Postgres.
 * @throws EtlError INTERNAL when `iso` is not a date.
 */
export function timestampSql(dialect: SqlDialect, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new EtlError("INTERNAL", `not an ISO timestamp: ${JSON.stringify(iso)}`);
  const utc = date.toISOString();
  const text = dialect === "redshift" ? utc.replace("T", " ").replace("Z", "") : utc;
  return `CAST(${quoteLiteral(dialect, text)} AS ${timestampType(dialect)})`;
}

/**
 * The database's clock, read in the load's transaction. Redshift: GETDATE() (UTC, the current
 * statement's start, to the second); Postgres: now() (the transaction's start).
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_GETDATE.html
 */
export function nowSql(dialect: SqlDialect): string {
  return dialect === "redshift" ? "GETDATE()" : "now()";
}
