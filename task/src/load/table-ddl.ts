/**
 * DDL of the warehouse's tables, created if missing before each load (idempotent), and of
 * their schema when it is not `public`.
 *
 * Target: `key`, `data` (the clean row), `run_id` (the run that inserted it), `loaded_at`,
 * `row_hash` (see `row-hash-sql.ts`).
 * Ledger: one row per run that loaded, found by the input fingerprint.
 * Stage: a temporary table per load session, gone when the session ends.
 */
import { createHash } from "node:crypto";
import { ROW_HASH_COLUMN, ROW_HASH_TYPE } from "./row-hash-sql.ts";
import { quoteIdentifier, quoteLiteral, type SqlDialect } from "./sql-quote.ts";
import { timestampType } from "./sql-time.ts";
import { sqlTableName, type WarehouseTables } from "./table-names.ts";

/** Longest run id (`RUN_ID_PATTERN` allows 128 characters). */
export const RUN_ID_MAX = 128;

/**
 * Character type of `key` and `data`: Redshift's largest VARCHAR, 65535 bytes, the job's
 * default cap on a field (`--max-field-bytes`); Postgres's TEXT.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_Character_types.html
 */
export function textType(dialect: SqlDialect): string {
  return dialect === "redshift" ? "VARCHAR(65535)" : "TEXT";
}

const q = quoteIdentifier;

/** The schema every new Postgres and Redshift database has, in which every user may create tables. */
export const DEFAULT_SCHEMA = "public";

/**
 * The schema a load makes sure exists before its tables: the target's (the ledger lives
 * beside it), unless the name is unqualified (the session's `search_path` decides) or in
 * `public`, which every database has.
 */
export function schemaToEnsure(tables: WarehouseTables): string | undefined {
  const schema = tables.target.schema;
  return schema === undefined || schema === DEFAULT_SCHEMA ? undefined : schema;
}

/**
 * One row when the schema exists, none when it does not. The load looks before it creates:
 * `CREATE SCHEMA IF NOT EXISTS` needs the CREATE privilege on the database even when the schema
 * is there (Postgres checks the privilege first), and a task user given only USAGE and CREATE
 * on a schema an administrator made must still be able to load into it.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_SCHEMA.html
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_PG_NAMESPACE.html
 */
export function schemaLookupSql(dialect: SqlDialect, schema: string): string {
  return `SELECT ${q("nspname")} FROM ${q("pg_catalog")}.${q("pg_namespace")} WHERE ${q("nspname")} = ${quoteLiteral(dialect, schema)}`;
}

/**
 * Creates the schema, owned by the user that runs the load (the task's `IAMR:<role>` user on
 * Redshift), which may then create and use tables in it. `IF NOT EXISTS`: two first loads may
 * both have found it missing.
 */
export function createSchemaDdl(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${q(schema)}`;
}

/**
 * `CREATE TABLE IF NOT EXISTS` for the target. `row_hash` comes last, where `ALTER TABLE ADD
 * COLUMN` puts it in a table created before it, so old and new tables have one column order.
 * Redshift: distributed on `row_hash`, so the anti-join that finds new rows by it is
 * collocated and rows spread evenly over the slices whatever the keys; sorted on `loaded_at`,
 * so each load appends in sort order and needs no VACUUM to stay sorted (a sort key on
 * `row_hash` would let zone maps skip nothing, new hashes falling everywhere, and would leave
 * every load's rows unsorted until a VACUUM). Postgres: indexed by `rowHashIndexDdl`.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/c_best-practices-best-dist-key.html
 * @see https://docs.aws.amazon.com/redshift/latest/dg/c_best-practices-sort-key.html
 */
export function targetTableDdl(dialect: SqlDialect, tables: WarehouseTables): string {
  const columns = [
    `  ${q("key")} ${textType(dialect)} NOT NULL`,
    `  ${q("data")} ${textType(dialect)} NOT NULL`,
    `  ${q("run_id")} VARCHAR(${RUN_ID_MAX}) NOT NULL`,
    `  ${q("loaded_at")} ${timestampType(dialect)} NOT NULL`,
    `  ${q(ROW_HASH_COLUMN)} ${ROW_HASH_TYPE} NOT NULL`,
  ];
  const attributes = dialect === "redshift" ? `\nDISTSTYLE KEY DISTKEY (${q(ROW_HASH_COLUMN)})\nSORTKEY (${q("loaded_at")})` : "";
  return `CREATE TABLE IF NOT EXISTS ${sqlTableName(tables.target)} (\n${columns.join(",\n")}\n)${attributes}`;
}

/**
 * `CREATE TABLE IF NOT EXISTS` for the run ledger. `run_id` is the primary key (enforced by
 * Postgres; informational on Redshift, where the load's guards keep it unique).
 * Redshift: DISTSTYLE ALL, a small table read by every load.
 */
export function ledgerTableDdl(dialect: SqlDialect, tables: WarehouseTables): string {
  const count = (name: string) => `  ${q(name)} BIGINT NOT NULL`;
  const columns = [
    `  ${q("run_id")} VARCHAR(${RUN_ID_MAX}) NOT NULL PRIMARY KEY`,
    `  ${q("input_fingerprint")} CHAR(64) NOT NULL`,
    `  ${q("inputs")} ${textType(dialect)} NOT NULL`,
    ...["rows_read", "clean", "duplicates", "rejected", "loaded", "already_present"].map(count),
    `  ${q("status")} VARCHAR(16) NOT NULL`,
    `  ${q("started_at")} ${timestampType(dialect)} NOT NULL`,
    `  ${q("finished_at")} ${timestampType(dialect)} NOT NULL`,
    // The ECS task that ran the load (ARNs are about 100 characters); `local` off ECS.
    `  ${q("task_arn")} VARCHAR(256) NOT NULL DEFAULT 'local'`,
  ];
  const attributes = dialect === "redshift" ? "\nDISTSTYLE ALL" : "";
  return `CREATE TABLE IF NOT EXISTS ${sqlTableName(tables.ledger)} (\n${columns.join(",\n")}\n)${attributes}`;
}

/**
 * The load's staging table: temporary (private to the session, dropped with it), columns
 * NOT NULL so a missing field fails the load.
 * Redshift: distributed on `key` (the anti-join redistributes the staged rows by their hash, a
 * cost that follows the run's rows, not the target's). Postgres: also dropped at commit.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_NEW.html#r_CREATE_TABLE_NEW-parameters
 */
export function stageTableDdl(dialect: SqlDialect, tables: WarehouseTables): string {
  const columns = `${q("key")} ${textType(dialect)} NOT NULL, ${q("data")} ${textType(dialect)} NOT NULL`;
  const attributes = dialect === "redshift" ? ` DISTSTYLE KEY DISTKEY (${q("key")})` : " ON COMMIT DROP";
  return `CREATE TEMP TABLE ${sqlTableName(tables.stage)} (${columns})${attributes}`;
}

/**
 * Postgres: a transaction-scoped advisory lock taken before the CREATE TABLE IF NOT EXISTS
 * statements. Two sessions creating the same new table at once otherwise collide in the
 * catalog ("duplicate key value violates unique constraint pg_type_typname_nsp_index"): IF NOT
 * EXISTS only checks before creating. The key is derived from the target's name.
 * @see https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS
 */
export function setupLockSql(tables: WarehouseTables): string {
  return `SELECT pg_advisory_xact_lock(${advisoryLockKey(`cti-etl/setup/${sqlTableName(tables.target)}`)})`;
}

/** A signed 64-bit advisory lock key from the first 8 bytes of the text's SHA-256. */
export function advisoryLockKey(text: string): string {
  return createHash("sha256").update(text).digest().readBigInt64BE(0).toString();
}
