/**
 * The target table as cti-etl created it before `row_hash` (the DDL of `targetTableDdl` until
 * issue 14), to test the migration of a warehouse made by an earlier version.
 */

/** Postgres's old `CREATE TABLE` of `table` (e.g. `public.cti_records`). */
export function oldTargetDdl(table: string): string {
  return `CREATE TABLE ${table} (
  "key" TEXT NOT NULL,
  "data" TEXT NOT NULL,
  "run_id" VARCHAR(128) NOT NULL,
  "loaded_at" TIMESTAMPTZ NOT NULL
)`;
}

/** Redshift's old `CREATE TABLE` of `table`: distributed on `key`. */
export function oldRedshiftTargetDdl(table: string): string {
  return `CREATE TABLE ${table} (
  "key" VARCHAR(65535) NOT NULL,
  "data" VARCHAR(65535) NOT NULL,
  "run_id" VARCHAR(128) NOT NULL,
  "loaded_at" TIMESTAMP NOT NULL
)
DISTSTYLE KEY DISTKEY ("key")
SORTKEY ("loaded_at")`;
}
