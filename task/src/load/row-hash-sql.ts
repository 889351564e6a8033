/**
 * The target's row hash: a fixed-width digest of a row's `key` and `data`, stored beside them
 * in `row_hash`, so a load finds the rows the target already holds by one short, indexed
 * (Postgres) or collocated (Redshift) column instead of comparing two long texts against the
 * whole table. The exact `key`/`data` comparison stays in the insert: rows that share a hash
 * but differ are still new. Both dialects, one definition.
 */
import { EtlError } from "../errors.ts";
import { quoteIdentifier, quoteLiteral, type SqlDialect } from "./sql-quote.ts";
import { sqlTableName, type TableName, MAX_IDENTIFIER_BYTES } from "./table-names.ts";
import { createHash } from "node:crypto";

/** The target's row hash column. */
export const ROW_HASH_COLUMN = "row_hash";

/**
 * Its type: a 60-bit number taken from MD5, in both dialects. An 8-byte B-tree key (Postgres)
 * and distribution key (Redshift) instead of 32 hex characters: the Postgres index is about a
 * third of the size, so a warehouse's index stays in memory for longer, and comparing two
 * hashes is one integer comparison rather than a collation-aware string comparison.
 */
export const ROW_HASH_TYPE = "BIGINT";

/**
 * The SQL of a row's hash in a dialect, given the alias of a table with `key` and `data`
 * columns, e.g. `(a, dialect) => …a."key"…`. Production uses {@link md5RowHash}; tests pass a
 * tiny one (`MOD(…, 16)`) to force collisions.
 */
export type RowHashSql = (alias: string, dialect: SqlDialect) => string;

const q = quoteIdentifier;

/** Hex digits of MD5 kept: 15 (60 bits), the most that fit a BIGINT without a sign. */
const HASH_HEX_DIGITS = 15;

/**
 * The first 15 hex digits of `MD5(<length of key> || ':' || key || data)`, read as a
 * non-negative BIGINT: the same number in both dialects. The length prefix makes the encoding
 * unambiguous (`key || data` alone hashes `ab`+`c` and `a`+`bc` alike): the digits end at the
 * first `:`, and the length says where `key` ends. `LENGTH` counts characters in both
 * dialects, and `MD5` digests the UTF-8 bytes. Redshift reads hex with `STRTOL`; Postgres has
 * none and casts `x<hex>` to a bit string of 60 bits, then to BIGINT.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_MD5.html
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_STRTOL.html
 * @see https://www.postgresql.org/docs/current/functions-bitstring.html (casting between bit strings and integers)
 */
export const md5RowHash: RowHashSql = (alias, dialect) => {
  const key = `${q(alias)}.${q("key")}`;
  const data = `${q(alias)}.${q("data")}`;
  const hex = `LEFT(MD5(CAST(LENGTH(${key}) AS VARCHAR(10)) || ':' || ${key} || ${data}), ${HASH_HEX_DIGITS})`;
  return dialect === "redshift" ? `STRTOL(${hex}, 16)` : `CAST(CAST('x' || ${hex} AS BIT(${HASH_HEX_DIGITS * 4})) AS BIGINT)`;
};

/** What {@link md5RowHash} computes, in JavaScript, as a decimal string: for tests and for reading a row's hash by hand. */
export function md5RowHashOf(key: string, data: string): string {
  const hex = createHash("md5").update(`${[...key].length}:${key}${data}`).digest("hex");
  return BigInt(`0x${hex.slice(0, HASH_HEX_DIGITS)}`).toString();
}

/**
 * One row (`attname`) when the table has a `row_hash` column, none when it was created before
 * the column existed (or is missing). Read from `pg_catalog`, which Redshift and Postgres both
 * have; an unqualified name is looked up as the session's `search_path` resolves it.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/c_join_PG_examples.html
 */
export function rowHashColumnLookupSql(dialect: SqlDialect, table: TableName): string {
  const where = table.schema === undefined ? "pg_catalog.pg_table_is_visible(c.oid)" : `n.nspname = ${quoteLiteral(dialect, table.schema)}`;
  return [
    "SELECT a.attname",
    "FROM pg_catalog.pg_attribute AS a",
    "JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid",
    "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace",
    `WHERE c.relname = ${quoteLiteral(dialect, table.name)} AND ${where}`,
    `  AND a.attname = ${quoteLiteral(dialect, ROW_HASH_COLUMN)} AND a.attnum > 0 AND NOT a.attisdropped`,
  ].join("\n");
}

/**
 * The Postgres index on `row_hash`, named `<table>_row_hash`; a name past Postgres's 63 bytes is
 * cut and given 8 hex digits of its SHA-256, so two long names never share an index name by
 * truncation.
 */
export function rowHashIndexName(table: TableName): string {
  const name = `${table.name}_${ROW_HASH_COLUMN}`;
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  const digest = createHash("sha256").update(name).digest("hex").slice(0, 8);
  const suffix = `_${digest}_${ROW_HASH_COLUMN}`;
  return `${table.name.slice(0, MAX_IDENTIFIER_BYTES - suffix.length)}${suffix}`;
}

/**
 * Postgres: `CREATE INDEX IF NOT EXISTS` on `row_hash`. A B-tree: the anti-join probes it once
 * per staged row (an equality lookup of a BIGINT), and it also serves the UPDATE
 * that fills it and any lookup by hash a user runs.
 * @see https://www.postgresql.org/docs/current/sql-createindex.html
 */
export function rowHashIndexDdl(table: TableName): string {
  return `CREATE INDEX IF NOT EXISTS ${q(rowHashIndexName(table))} ON ${sqlTableName(table)} (${q(ROW_HASH_COLUMN)})`;
}

/**
 * Postgres: one row, `true` when the `row_hash` index exists. Looked up before creating it:
 * `CREATE INDEX IF NOT EXISTS` checks that the user owns the table before it looks for the
 * index, and a load user granted only INSERT and SELECT on an administrator's table must still
 * load.
 */
export function rowHashIndexLookupSql(table: TableName): string {
  const index = sqlTableName({ ...table, name: rowHashIndexName(table) });
  return `SELECT pg_catalog.to_regclass(${quoteLiteral("postgres", index)}) IS NOT NULL AS present`;
}

/**
 * The statements that give a target created before `row_hash` its column, in order:
 * - Postgres: add it (nullable, so the add is instant), fill it, make it NOT NULL like a new
 *   table's, index it. All transactional: run inside the load's transaction, so a failed load
 *   leaves the old table as it was.
 * - Redshift: add it NOT NULL with a `DEFAULT 0` (Redshift adds a NOT NULL column only with a
 *   default, and cannot SET NOT NULL later), fill it, then make it the distribution key. The
 *   load does not run these: `ALTER DISTKEY` redistributes every row of the table, cannot run
 *   while a VACUUM runs on it, and is not supported with an interleaved sort key; that is an
 *   operator's maintenance step, not a side effect of a scheduled load.
 *   @see https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html
 */
export function rowHashMigrationSql(dialect: SqlDialect, table: TableName, rowHash: RowHashSql): string[] {
  const name = sqlTableName(table);
  const column = q(ROW_HASH_COLUMN);
  const fill = `UPDATE ${name} AS t SET ${column} = ${rowHash("t", dialect)}`;
  if (dialect === "redshift") {
    return [
      `ALTER TABLE ${name} ADD COLUMN ${column} ${ROW_HASH_TYPE} DEFAULT 0 NOT NULL`,
      fill,
      `ALTER TABLE ${name} ALTER DISTSTYLE KEY DISTKEY ${column}`,
    ];
  }
  return [`ALTER TABLE ${name} ADD COLUMN ${column} ${ROW_HASH_TYPE}`, fill, `ALTER TABLE ${name} ALTER COLUMN ${column} SET NOT NULL`, rowHashIndexDdl(table)];
}

/**
 * Redshift's stop before loading into a target without `row_hash`: what to run, once, in a SQL
 * client (e.g. the query editor) as the table's owner, and that nothing was loaded.
 */
export function rowHashMigrationNeeded(table: TableName, rowHash: RowHashSql = md5RowHash): EtlError {
  const statements = rowHashMigrationSql("redshift", table, rowHash).map((sql) => `  ${sql};`);
  return new EtlError(
    "LOAD_FAILED",
    [
      `the target ${sqlTableName(table)} has no ${ROW_HASH_COLUMN} column (it was created by an earlier cti-etl); loads now find new rows by it. Nothing was loaded.`,
      "Run these statements once, as the table's owner, then run the job again:",
      ...statements,
    ].join("\n"),
  );
}
