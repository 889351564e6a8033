/**
 * The statements that move staged rows into the target: a check that the stage holds exactly
 * the run's clean rows, and the insert of only the rows the target lacks. Both dialects.
 */
import { quoteIdentifier, quoteLiteral, sqlInteger, type SqlDialect } from "./sql-quote.ts";
import { nowSql } from "./sql-time.ts";
import { sqlTableName, type WarehouseTables } from "./table-names.ts";
import { loadedGuardSql } from "./ledger-sql.ts";
import { md5RowHash, ROW_HASH_COLUMN, type RowHashSql } from "./row-hash-sql.ts";

const q = quoteIdentifier;

/**
 * A SELECT that fails unless the stage holds `expected` rows, so a short or long COPY rolls
 * the whole transaction back. Neither dialect can raise an error from plain SQL, so the
 * failing branch casts a message to INTEGER: Postgres's error then carries the message, and
 * the statement's position names the step either way. The message depends on the counted
 * rows, so it is never folded into a constant and evaluated when the counts agree.
 */
export function stageRowCheckSql(dialect: SqlDialect, tables: WarehouseTables, expected: number): string {
  const n = sqlInteger(expected);
  const message = `${quoteLiteral(dialect, "cti-etl: the stage holds ")} || CAST(c.n AS VARCHAR(20)) || ${quoteLiteral(dialect, ` rows, the run's clean parts ${n}`)}`;
  return [
    `SELECT CASE WHEN c.n = ${n} THEN 0 ELSE CAST(${message} AS INTEGER) END AS stage_check`,
    `FROM (SELECT COUNT(*) AS n FROM ${sqlTableName(tables.stage)}) AS c`,
  ].join("\n");
}

/**
 * Inserts the staged rows the target does not already hold (same `key` and `data`), each
 * once, with their row hash, stamped with the run id and the database's clock, unless a ledger
 * row already says this input was loaded: under the ledger lock, the guard makes a racing
 * second load insert nothing. An INSERT … WHERE NOT EXISTS rather than MERGE: Redshift's
 * MERGE needs a WHEN MATCHED action, and there is nothing to update.
 *
 * The anti-join matches on `row_hash` first, a fixed-width column the Postgres target indexes
 * and the Redshift target is distributed by (collocated), rather than comparing two long texts
 * across the whole table; `key` and `data` are still compared, so rows whose hashes collide
 * are told apart. `rowHash` is the hash's SQL (tests force collisions with a tiny one).
 *
 * Postgres: the new rows come in `row_hash` order (an ORDER BY in the derived table keeps
 * Postgres from flattening it), so the index probes and the index inserts walk the B-tree
 * once, page after page, instead of jumping to a random page per row; see
 * {@link postgresNewRowsSettingsSql} for the plan that keeps that order. Redshift has no
 * index, and a sort would only cost.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_MERGE.html
 */
export function insertNewRowsSql(
  dialect: SqlDialect,
  tables: WarehouseTables,
  runId: string,
  fingerprint: string,
  rowHash: RowHashSql = md5RowHash,
): string {
  const target = sqlTableName(tables.target);
  const hash = q(ROW_HASH_COLUMN);
  return [
    `INSERT INTO ${target} (${q("key")}, ${q("data")}, ${hash}, ${q("run_id")}, ${q("loaded_at")})`,
    `SELECT n.${q("key")}, n.${q("data")}, n.${hash}, ${quoteLiteral(dialect, runId)}, ${nowSql(dialect)}`,
    `FROM (`,
    `  SELECT d.${q("key")}, d.${q("data")}, ${rowHash("d", dialect)} AS ${hash}`,
    `  FROM (SELECT DISTINCT s.${q("key")}, s.${q("data")} FROM ${sqlTableName(tables.stage)} AS s) AS d`,
    ...(dialect === "postgres" ? [`  ORDER BY ${hash}`] : []),
    `) AS n`,
    `WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE t.${hash} = n.${hash} AND t.${q("key")} = n.${q("key")} AND t.${q("data")} = n.${q("data")})`,
    `  AND ${loadedGuardSql(dialect, tables, fingerprint)}`,
  ].join("\n");
}

/**
 * Postgres: one row, the sizes in bytes of the target and of the filled stage, which decide
 * the plan of the insert (see {@link probeTargetIndex}).
 * @see https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-DBSIZE
 */
export function tableSizesSql(tables: WarehouseTables): string {
  const size = (name: string) => `pg_catalog.pg_relation_size(${quoteLiteral("postgres", name)})`;
  return `SELECT ${size(sqlTableName(tables.target))} AS target_bytes, ${size(sqlTableName(tables.stage))} AS stage_bytes`;
}

/**
 * Whether the insert should probe the target's `row_hash` index row by row, in hash order:
 * once the target is at least as large as the stage, and only when the index exists (a new
 * target gets it after its first insert: see {@link buildIndexAfterInsert}). Below that size,
 * hashing or sorting the whole target is cheaper than a probe per staged row (an empty
 * warehouse's first load), and the planner's own choice stands.
 */
export function probeTargetIndex(targetBytes: number, stageBytes: number, indexPresent = true): boolean {
  return indexPresent && targetBytes >= stageBytes;
}

/**
 * Postgres: whether the target's `row_hash` index is built after the insert rather than before
 * it: when it is missing from a target that already has the column, which is a target created
 * by this load (or one whose index was dropped). One sort of the new hashes builds it in a
 * fraction of the time that keeping it up to date row by row during the insert takes (839,659
 * new rows into a new PGlite warehouse: the insert took 6.7–6.8 s keeping the index, 5.0–5.8 s
 * without it, and the build after 0.4 s). A target being migrated gets its index before the insert, which then probes it.
 */
export function buildIndexAfterInsert(hasRowHashColumn: boolean, indexPresent: boolean): boolean {
  return hasRowHashColumn && !indexPresent;
}

/**
 * Postgres: settings for the rest of the load's transaction (`SET LOCAL`), before the insert
 * of new rows.
 * - `work_mem` 128 MB: the DISTINCT and the sort of a million staged rows stay in memory
 *   instead of spilling to temporary files (the default is 4 MB).
 * - When `probeIndex` ({@link probeTargetIndex}): no merge or hash join. The planner prices
 *   each index probe as a random read and would rather sort or hash the whole target, a cost
 *   that grows with the table's history; it cannot know the probes come in index order
 *   (1M new rows into PGlite holding 5M rows: the insert took 36 s with the planner's merge
 *   join, which sorts every target row, and 20 s probing in order).
 * @see https://www.postgresql.org/docs/current/runtime-config-query.html#RUNTIME-CONFIG-QUERY-ENABLE
 * @see https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM
 */
export function postgresNewRowsSettingsSql(probeIndex: boolean): string[] {
  return [...(probeIndex ? ["SET LOCAL enable_mergejoin = off", "SET LOCAL enable_hashjoin = off"] : []), "SET LOCAL work_mem = '128MB'"];
}
