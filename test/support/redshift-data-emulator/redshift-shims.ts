/**
 * Redshift functions Postgres lacks, created once in the emulator's database (no SQL
 * rewriting needed for them):
 * - `pg_last_copy_count()`: rows loaded by the session's last COPY (0 before any), read from
 *   the session setting the emulated COPY writes; sessions end after each statement/batch.
 * - `getdate()`: the current timestamp without time zone, to the second.
 * - `strtol(text, 16)`: a hex string of at most 16 digits as a BIGINT (the row hash reads MD5's
 *   first digits so); other bases are refused rather than misread.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/PG_LAST_COPY_COUNT.html
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_STRTOL.html
 */
import type { PGlite } from "@electric-sql/pglite";
import { LAST_COPY_COUNT_SETTING } from "./pglite-runner.ts";
import { quoteLiteral } from "./translate.ts";

export async function installRedshiftShims(db: PGlite): Promise<void> {
  await db.exec(`
    CREATE OR REPLACE FUNCTION public.pg_last_copy_count() RETURNS bigint LANGUAGE sql STABLE AS $$
      SELECT coalesce(nullif(current_setting(${quoteLiteral(LAST_COPY_COUNT_SETTING)}, true), ''), '0')::bigint
    $$;
    CREATE OR REPLACE FUNCTION public.getdate() RETURNS timestamp LANGUAGE sql STABLE AS $$
      SELECT date_trunc('second', localtimestamp)
    $$;
    CREATE OR REPLACE FUNCTION public.strtol(num text, base integer) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$
      SELECT CASE WHEN base = 16 AND length(num) <= 16 THEN CAST(CAST('x' || lpad(num, 16, '0') AS bit(64)) AS bigint)
        ELSE CAST('strtol shim: only base 16, at most 16 digits, not ' || num AS bigint) END
    $$;
  `);
}
