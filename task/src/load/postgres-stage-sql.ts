/**
 * How the Postgres warehouse fills its stage: COPY from the part's CSV where the client can
 * feed COPY (PGlite's `/dev/blob`), else batched inserts of column arrays.
 */
import { quoteIdentifier } from "./sql-quote.ts";
import { sqlTableName, type WarehouseTables } from "./table-names.ts";

/**
 * PGlite's COPY of one part from the blob passed with the query. `HEADER MATCH` (Postgres 15+)
 * requires the header line to be exactly the column names `key,data`.
 * @see https://pglite.dev/docs/api#query-options (blob)
 * @see https://www.postgresql.org/docs/current/sql-copy.html
 */
export function stageCopyFromBlobSql(tables: WarehouseTables): string {
  return `COPY ${sqlTableName(tables.stage)} (${quoteIdentifier("key")}, ${quoteIdentifier("data")}) FROM '/dev/blob' WITH (FORMAT csv, HEADER MATCH)`;
}

/** Inserts a batch given as two parallel text arrays ($1 keys, $2 data): one round trip per batch. */
export function stageInsertBatchSql(tables: WarehouseTables): string {
  return `INSERT INTO ${sqlTableName(tables.stage)} (${quoteIdentifier("key")}, ${quoteIdentifier("data")}) SELECT * FROM unnest($1::text[], $2::text[])`;
}

/**
 * Gathers the stage's statistics once it is filled. Autovacuum never analyzes temporary tables,
 * so without them the planner guesses the stage's size and may sort the whole target rather
 * than probe its `row_hash` index.
 * @see https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-STATISTICS
 */
export function analyzeStageSql(tables: WarehouseTables): string {
  return `ANALYZE ${sqlTableName(tables.stage)}`;
}
