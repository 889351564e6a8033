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
 * Inserts the staged rows the target does not already hold (same `key` and `data`), with their
 * row hash, stamped with the run id and the database's clock, unless a ledger row already says
 * this input was loaded: under the ledger lock, the guard makes a racing second load insert
 * nothing. An INSERT … WHERE NOT EXISTS rather than MERGE: Redshift's MERGE needs a WHEN
 * MATCHED action, and there is nothing to update.
 *
 * `distinct` only for a stage whose rows may repeat (the shards of a fanned-out run, each
 * deduplicated on its own): one transform's stage holds exactly the run's clean rows (checked by
 * {@link stageRowCheckSql}), already distinct (dedup/, first occurrence wins), and grouping a
 * million staged rows again cost about a second in PGlite.
 *
 * The anti-join matches on `row_hash` first, a fixed-width column the Postgres target indexes
 * and the Redshift target is distributed by (collocated), rather than comparing two long texts
 * across the whole table; `key` and `data` are still compared, so rows whose hashes collide
 * are told apart. `rowHash` is the hash's SQL (tests force collisions with a tiny one).
 *
 * `match` says how the target's rows are matched ({@link NewRowsMatch}; Redshift always
 * `anti-join`). With `probe-index` (Postgres) the new rows come in `row_hash` order (an ORDER
 * BY in the derived table keeps Postgres from flattening it), so the index probes and the
 * index inserts walk the B-tree once, page after page, instead of jumping to a random page per
 * row; see {@link postgresNewRowsSettingsSql} for the plan that keeps that order. Otherwise the
 * sort would only cost: Redshift has no index, and a target smaller than the stage is hashed
 * whole. With `target-empty` there is nothing to match, and no anti-join.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_MERGE.html
 */
export function insertNewRowsSql(
  dialect: SqlDialect,
  tables: WarehouseTables,
  runId: string,
  fingerprint: string,
  rowHash: RowHashSql = md5RowHash,
  match: NewRowsMatch = "anti-join",
  distinct = false,
): string {
  const target = sqlTableName(tables.target);
  const hash = q(ROW_HASH_COLUMN);
  return [
    `INSERT INTO ${target} (${q("key")}, ${q("data")}, ${hash}, ${q("run_id")}, ${q("loaded_at")})`,
    `SELECT n.${q("key")}, n.${q("data")}, n.${hash}, ${quoteLiteral(dialect, runId)}, ${nowSql(dialect)}`,
    `FROM (`,
    `  SELECT s.${q("key")}, s.${q("data")}, ${rowHash("s", dialect)} AS ${hash}`,
    distinct
      ? `  FROM (SELECT DISTINCT u.${q("key")}, u.${q("data")} FROM ${sqlTableName(tables.stage)} AS u) AS s`
      : `  FROM ${sqlTableName(tables.stage)} AS s`,
    ...(match === "probe-index" ? [`  ORDER BY ${hash}`] : []),
    `) AS n`,
    ...(match === "target-empty"
      ? [`WHERE ${loadedGuardSql(dialect, tables, fingerprint)}`]
      : [
          `WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE t.${hash} = n.${hash} AND t.${q("key")} = n.${q("key")} AND t.${q("data")} = n.${q("data")})`,
          `  AND ${loadedGuardSql(dialect, tables, fingerprint)}`,
        ]),
  ].join("\n");
}

/**
 * Postgres: one row, whether the target holds no row (`target_empty`) and the sizes in bytes
 * of the target and of the filled stage, which decide how new rows are found
 * ({@link newRowsMatch}). Read after the ledger lock is taken, so no other load adds rows
 * before the insert.
 * @see https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-DBSIZE
 */
export function targetStateSql(tables: WarehouseTables): string {
  const size = (name: string) => `pg_catalog.pg_relation_size(${quoteLiteral("postgres", name)})`;
  const target = sqlTableName(tables.target);
  return `SELECT NOT EXISTS (SELECT 1 FROM ${target}) AS target_empty, ${size(target)} AS target_bytes, ${size(sqlTableName(tables.stage))} AS stage_bytes`;
}

/** What {@link targetStateSql} reads. */
export interface TargetState {
  targetEmpty: boolean;
  targetBytes: number;
  stageBytes: number;
}

/**
 * How the insert tells new rows from those the target holds:
 * - `target-empty`: the target holds no row, so every staged row is new and nothing is matched
 *   (an empty warehouse's first load: an anti-join hashed all 839,659 staged rows, key and data
 *   included, to match them against nothing, 1.8 s of a 4.4 s insert in PGlite);
 * - `probe-index`: probe the target's `row_hash` index row by row, in hash order;
 * - `anti-join`: the planner's own anti-join (it hashes the smaller side).
 */
export type NewRowsMatch = "target-empty" | "probe-index" | "anti-join";

/**
 * Postgres: {@link NewRowsMatch} for a target in `state`. The index is probed once the target is
 * at least as large as the stage, and only when the index exists (a new target gets it after its
 * first insert: see {@link buildIndexAfterInsert}); below that size, hashing or sorting the whole
 * target is cheaper than a probe per staged row. An emptiness the insert relies on holds: loads
 * take the ledger lock first, and a writer outside cti-etl could add rows during the anti-join
 * just the same (READ COMMITTED: NOT EXISTS does not see another transaction's uncommitted rows).
 */
export function newRowsMatch(state: TargetState, indexPresent: boolean): NewRowsMatch {
  if (state.targetEmpty) return "target-empty";
  return indexPresent && state.targetBytes >= state.stageBytes ? "probe-index" : "anti-join";
}

/**
 * Postgres: whether the stage's statistics are gathered (`analyzeStageSql`) before the insert.
 * Autovacuum never analyzes a temporary table, and without statistics the planner guesses the
 * stage's size when it plans a match against the target or the DISTINCT of a stage whose rows
 * may repeat. Into an empty target with distinct rows there is nothing to plan: the insert
 * reads the stage once, and analyzing 839,659 staged rows took 0.13 s of a 6.3 s load.
 */
export function analyzeStageFirst(match: NewRowsMatch, rowsMayRepeat: boolean): boolean {
  return match !== "target-empty" || rowsMayRepeat;
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
 * - `work_mem` 128 MB: the sort (or hash) of a million staged rows stays in memory
 *   instead of spilling to temporary files (the default is 4 MB).
 * - With `probe-index` ({@link newRowsMatch}): no merge or hash join. The planner prices
 *   each index probe as a random read and would rather sort or hash the whole target, a cost
 *   that grows with the table's history; it cannot know the probes come in index order
 *   (1M new rows into PGlite holding 5M rows: the insert took 36 s with the planner's merge
 *   join, which sorts every target row, and 20 s probing in order).
 * @see https://www.postgresql.org/docs/current/runtime-config-query.html#RUNTIME-CONFIG-QUERY-ENABLE
 * @see https://www.postgresql.org/docs/current/runtime-config-resource.html#GUC-WORK-MEM
 */
export function postgresNewRowsSettingsSql(match: NewRowsMatch): string[] {
  return [...(match === "probe-index" ? ["SET LOCAL enable_mergejoin = off", "SET LOCAL enable_hashjoin = off"] : []), "SET LOCAL work_mem = '128MB'"];
}
